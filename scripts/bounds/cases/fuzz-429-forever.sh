# fuzz against a server that answers 429 with Retry-After: 3600 forever.
describe() { echo "fuzz: permanent 429 (Retry-After: 3600)"; }
gen() {
  cp "$(dirname "${BASH_SOURCE[0]}")/_fuzzserver.py" .
}
run() {
  python3 _fuzzserver.py 429 port & srv=$!
  while [ ! -s port ]; do sleep 0.05; done
  "$CORSGUARD" fuzz --seed 1 --no-progress "http://127.0.0.1:$(cat port)/"; rc=$?
  kill "$srv"; return $rc
}
