# fuzz against a loopback port nothing listens on.
describe() { echo "fuzz: closed port (connection refused)"; }
gen() { python3 "$(dirname "${BASH_SOURCE[0]}")/_fuzzserver.py" closed port; }
run() { "$CORSGUARD" fuzz --seed 1 --no-progress "http://127.0.0.1:$(cat port)/"; }
