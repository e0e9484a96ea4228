# A live target whose every response carries a 9 MB header (a loopback
# server streaming it, scripts/bounds/servers/hugeheader): the driver's
# response-header cap makes each such response an error result for that
# request, at bounded memory, instead of keeping megabytes per response.
describe() { echo "fuzz: 9 MB response header on every answer (--budget 200)"; }
gen() { go build -C "$root" -o "$PWD/hugeheader" ./scripts/bounds/servers/hugeheader/main.go; }
run() {
  ./hugeheader -bytes 9437184 -portfile port.txt &
  local pid=$! rc
  for _ in $(seq 1 200); do [ -s port.txt ] && break; sleep 0.01; done
  "$CORSGUARD" fuzz --seed 1 --rate 0 --budget 200 --no-progress --timeout 5s "http://127.0.0.1:$(cat port.txt)/"
  rc=$?
  kill "$pid"
  return $rc
}
