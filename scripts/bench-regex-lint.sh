#!/usr/bin/env bash
# Times `corsguard lint --format json` on the generated 2000-server config
# with 2000 distinct origin regexes (lint/nginx.GenerateRegexConfig, the
# shape of gixy's gen_big_nginx.py) and on its twin with exact origins, in
# one run, and prints wall and user CPU of each and the regex/exact ratios
# (issue 13 asks for a ratio of at most 1.3). Each config is linted RUNS
# times, alternating, and the medians are reported; on a shared machine
# the user-CPU ratio is the figure to quote, with the load average.
#
#   scripts/bench-regex-lint.sh [SERVERS] [RUNS]     (defaults 2000, 5)
#
# CORSGUARD=path uses a built binary instead of building one.
set -euo pipefail
servers=${1:-2000}
runs=${2:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -z "${CORSGUARD:-}" ]; then
  (cd "$root" && go build -o "$work/corsguard" ./cmd/corsguard)
  CORSGUARD=$work/corsguard
fi
(cd "$root" && CORSGUARD_GENBIG_DIR=$work CORSGUARD_GENBIG_SERVERS=$servers \
  go test -count=1 -run '^TestGenerateRegexConfig$' ./lint/nginx >/dev/null)

# measure CONF: one run, prints "wall user" in seconds.
measure() {
  local t
  t=$( { /usr/bin/env TIMEFORMAT='%R %U' bash -c 'time "$0" lint --format json "$1" >"$2"' \
          "$CORSGUARD" "$1" "$work/out.json" 2>&1 || true; } | tail -n 1)
  echo "$t"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: >"$work/regex.t"
: >"$work/exact.t"
for _ in $(seq "$runs"); do
  measure "$work/regex.conf" >>"$work/regex.t"
  measure "$work/exact.conf" >>"$work/exact.t"
done
rw=$(cut -d' ' -f1 "$work/regex.t" | median); ru=$(cut -d' ' -f2 "$work/regex.t" | median)
ew=$(cut -d' ' -f1 "$work/exact.t" | median); eu=$(cut -d' ' -f2 "$work/exact.t" | median)
"$CORSGUARD" lint --format json "$work/regex.conf" >"$work/regex.json" || true
findings=$(grep -c '"ruleId"' "$work/regex.json" || true)
echo "servers=$servers runs=$runs findings(regex)=$findings load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime)"
printf '%-6s %8s %8s\n' "" "wall s" "user s"
printf '%-6s %8s %8s\n' regex "$rw" "$ru" exact "$ew" "$eu"
awk -v rw="$rw" -v ew="$ew" -v ru="$ru" -v eu="$eu" 'BEGIN {
  printf "ratio  %8.2f %8.2f   (regex/exact; issue 13: <= 1.3)\n", rw/ew, (eu > 0 ? ru/eu : 0) }'
