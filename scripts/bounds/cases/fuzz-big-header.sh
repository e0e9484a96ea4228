# fuzz against a reflecting server that adds a 1 MB header to every response.
describe() { echo "fuzz: 1 MB response header on every response (reflecting server, --rate 0)"; }
gen() {
  cp "$(dirname "${BASH_SOURCE[0]}")/_fuzzserver.py" .
}
run() {
  python3 _fuzzserver.py big port & srv=$!
  while [ ! -s port ]; do sleep 0.05; done
  "$CORSGUARD" fuzz --seed 1 --no-progress --rate 0 "http://127.0.0.1:$(cat port)/"; rc=$?
  kill "$srv"; return $rc
}
