# SIGTERM 3 s into a fuzz run of a reflecting server (report to -o; the
# case fails with 99 if the report is missing or lacks the interrupted marker).
describe() { echo "fuzz: SIGTERM after 3 s (-o report.json must hold the findings and \"interrupted\")"; }
gen() {
  cp "$(dirname "${BASH_SOURCE[0]}")/_fuzzserver.py" .
}
run() {
  python3 _fuzzserver.py cors port & srv=$!
  while [ ! -s port ]; do sleep 0.05; done
  "$CORSGUARD" fuzz --seed 1 --no-progress --rate 5 --format json -o report.json --stream stream.jsonl "http://127.0.0.1:$(cat port)/" &
  pid=$!
  sleep 3
  kill -TERM "$pid"; wait "$pid"; rc=$?
  kill "$srv"
  grep -q '"interrupted": true' report.json 2>/dev/null || rc=99
  return $rc
}
