# fuzz against a server that answers every request after 30 s (default
# --timeout 10s, --retries 2).
describe() { echo "fuzz: server answering after 30 s"; }
gen() {
  cp "$(dirname "${BASH_SOURCE[0]}")/_fuzzserver.py" .
}
run() {
  python3 _fuzzserver.py slow port & srv=$!
  while [ ! -s port ]; do sleep 0.05; done
  "$CORSGUARD" fuzz --seed 1 --no-progress "http://127.0.0.1:$(cat port)/"; rc=$?
  kill "$srv"; return $rc
}
