#!/usr/bin/env bash
# Runs every hostile-input case under scripts/bounds/cases and prints one
# Markdown table row per case: wall time, peak RSS and exit status of the
# corsguard command. The README's "Bounded time and memory" table comes from
# this script.
#
# A case is a file cases/NAME.sh that defines two shell functions:
#   describe  prints the table's "input" cell (one line)
#   gen       writes the input into the current directory (not timed)
#   run       runs "$CORSGUARD ..." on it (timed; stdout discarded)
# Cases only ever contact loopback.
#
# Usage: scripts/bounds/run.sh [case-name-glob]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && go build -o "$work/corsguard-bin" ./cmd/corsguard)
# Cases call "$CORSGUARD": a wrapper that stops a run-away case after 300 s.
# timeout waits for corsguard itself, so the peak RSS /usr/bin/time reports is
# corsguard's even when the case is stopped (a timeout around the case's
# shell would orphan corsguard and report the shell's few MB).
export CORSGUARD="$work/corsguard"
printf '#!/bin/sh\nexec timeout 300 "%s" "$@"\n' "$work/corsguard-bin" >"$CORSGUARD"
chmod +x "$CORSGUARD"

echo "| input | time | peak RSS | exit |"
echo "|---|---|---|---|"
for c in "$here"/cases/${1:-*}.sh; do
  name=$(basename "$c" .sh)
  dir="$work/$name"; mkdir -p "$dir"
  (
    cd "$dir"
    # shellcheck source=/dev/null
    source "$c"
    gen >/dev/null 2>&1
    set +e
    /usr/bin/time -f "%e %M" -o "$dir.time" bash -c "$(declare -f run); run" >/dev/null 2>"$dir.stderr"
    rc=$?
    set -e
    read -r secs kb < <(tail -n 1 "$dir.time")
    printf '| %s | %s s | %s MB | %s |\n' "$(describe)" "$secs" "$((kb / 1024))" "$rc"
  )
done
