#!/bin/sh
# Throughput of corsguard's fuzz driver, or of the whole fuzz engine,
# against a loopback server, as a ratio to wrk on the same server in the
# same run (the machine may be shared: compare ratios, not req/s). The
# server is nginx when /usr/sbin/nginx exists (SERVER=go forces the Go
# one). Installs nothing: wrk is used if it is on PATH (Debian package
# `wrk`), skipped otherwise.
#
#   fuzz/bench/bench.sh                          # driver, 200k requests, 64 connections
#   MODE=engine C=16 fuzz/bench/bench.sh         # whole engine: plan, mutate, send, judge, JSONL
#   MODE=engine N=1000000 fuzz/bench/bench.sh    # the memory-flatness run
#   MODE=engine PROFILE=/tmp/p fuzz/bench/bench.sh  # also /tmp/p.cpu and /tmp/p.mem
#
# It ends with one summary block: corsguard's and wrk's req/s, the ratio,
# CPU per request, allocations per request, the live heap over the run
# and after it, and the load average (the machine may be shared).
set -eu
N=${N:-200000}
C=${C:-64}
D=${D:-10s}
MODE=${MODE:-driver}
SERVER=${SERVER:-auto}
if [ "$SERVER" = auto ]; then
	if [ -x /usr/sbin/nginx ]; then SERVER=nginx; else SERVER=go; fi
fi
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
server=""
cleanup() {
	if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
# loadgen is the test binary of fuzz/bench (so that `go install ./...`
# installs corsguard alone); CORSGUARD_LOADGEN=1 makes it loadgen.
go test -c -o "$tmp/loadgen" ./fuzz/bench
export CORSGUARD_LOADGEN=1
if [ "$SERVER" = nginx ]; then
	"$tmp/loadgen" -nginx -addr-file "$tmp/addr" &
else
	"$tmp/loadgen" -serve 127.0.0.1:0 -addr-file "$tmp/addr" &
fi
server=$!
i=0
while [ ! -s "$tmp/addr" ]; do
	i=$((i + 1))
	if [ "$i" -gt 200 ]; then echo "bench: server did not start" >&2; exit 1; fi
	sleep 0.05
done
url="http://$(cat "$tmp/addr")/"
echo "server        $SERVER on $url; mode $MODE"
set --
if [ "$MODE" = engine ]; then set -- -engine; fi
if [ -n "${PROFILE:-}" ]; then set -- "$@" -cpuprofile "$PROFILE.cpu" -memprofile "$PROFILE.mem"; fi
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
"$tmp/loadgen" "$@" -url "$url" -n "$N" -c "$C" | tee "$tmp/ours"
ours=$(awk '/^corsguard/ {print $2}' "$tmp/ours")
theirs=""
if command -v wrk >/dev/null 2>&1; then
	wrk -t2 -c"$C" -d"$D" -H 'Origin: https://app.example.com' "$url" | tee "$tmp/wrk"
	theirs=$(awk '/^Requests\/sec:/ {print $2}' "$tmp/wrk")
else
	echo "wrk not found: install the Debian package wrk to get the ratio"
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
echo
echo "== summary: MODE=$MODE N=$N C=$C, $SERVER on loopback"
printf 'corsguard     %s req/s\n' "$ours"
if [ -n "$theirs" ]; then
	printf 'wrk           %s req/s\n' "$theirs"
	awk -v a="$ours" -v b="$theirs" 'BEGIN { printf "ratio         %.3f of wrk, same run\n", a / b }'
else
	echo "wrk           not installed"
fi
grep -E '^(requests|cpu/req|allocs/req|heap) ' "$tmp/ours"
echo "load average  $load_before before, $load_after after"
