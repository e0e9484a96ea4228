#!/usr/bin/env bash
# Builds corsguard from the action's own checkout ($GITHUB_ACTION_PATH) into
# $RUNNER_TEMP and sets the step output `corsguard` to the binary's path.
# ACTION_REF (the ref the workflow named, e.g. v1.2.0) becomes the version
# the binary reports, since the action's copy carries no VCS metadata.
set -euo pipefail
: "${GITHUB_ACTION_PATH:?run by the corsguard action}"
: "${GITHUB_OUTPUT:?run by the corsguard action}"
out_dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/corsguard-bin"
mkdir -p "$out_dir"
ldflags=""
if [[ -n "${ACTION_REF:-}" ]]; then
	ldflags="-X main.version=${ACTION_REF}"
fi
(cd "$GITHUB_ACTION_PATH" && go build -ldflags "$ldflags" -o "$out_dir/corsguard" ./cmd/corsguard)
"$out_dir/corsguard" version
echo "corsguard=$out_dir/corsguard" >>"$GITHUB_OUTPUT"
