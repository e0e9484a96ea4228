#!/usr/bin/env bash
# The corsguard action's lint step. Reads its inputs from INPUT_* (set by
# action.yml through env:, never interpolated into the script), runs
# `corsguard lint` for the log, then for the SARIF file and the job summary,
# and writes the outputs findings, sarif-file and exit-code.
#
# Runs outside Actions too, for the tests: CORSGUARD is the binary,
# GITHUB_OUTPUT and GITHUB_STEP_SUMMARY are files.
set -uo pipefail
: "${CORSGUARD:?CORSGUARD must name the corsguard binary}"
: "${GITHUB_OUTPUT:?GITHUB_OUTPUT must name the step output file}"

# Paths: one per line when the input has several lines (paths with spaces),
# otherwise split on whitespace.
paths=()
if [[ "${INPUT_PATHS:-.}" == *$'\n'* ]]; then
	while IFS= read -r line; do
		line="${line#"${line%%[![:space:]]*}"}"
		line="${line%"${line##*[![:space:]]}"}"
		[[ -n "$line" ]] && paths+=("$line")
	done <<<"${INPUT_PATHS}"
else
	read -r -a paths <<<"${INPUT_PATHS:-.}"
fi
if [[ ${#paths[@]} -eq 0 ]]; then
	paths=(.)
fi

common=(--fail-on "${INPUT_FAIL_ON:-low}")
if [[ -n "${INPUT_CONFIG:-}" ]]; then
	common+=(--config "$INPUT_CONFIG")
fi
if [[ -n "${INPUT_BASELINE:-}" ]]; then
	common+=(--baseline "$INPUT_BASELINE")
fi
if [[ -n "${INPUT_ARGS:-}" ]]; then
	read -r -a extra <<<"$INPUT_ARGS"
	common+=("${extra[@]}")
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# The report for the log, in the format asked; its exit status is the
# step's. Colour when the format is text: the Actions log renders it.
color=()
if [[ "${INPUT_FORMAT:-text}" == text ]]; then
	color=(--color always)
fi
"$CORSGUARD" lint -f "${INPUT_FORMAT:-text}" "${color[@]}" "${common[@]}" -- "${paths[@]}"
code=$?
echo "exit-code=$code" >>"$GITHUB_OUTPUT"
if [[ $code -ne 0 && $code -ne 1 ]]; then
	echo "::error title=corsguard::corsguard lint exited $code (bad input or usage; see the log above)"
	echo "findings=" >>"$GITHUB_OUTPUT"
	echo "sarif-file=" >>"$GITHUB_OUTPUT"
	exit "$code"
fi

# The same run as JSON, for the count.
"$CORSGUARD" lint -f json -o "$tmp/report.json" "${common[@]}" -- "${paths[@]}" >/dev/null 2>&1
findings="$(sed -n 's/^    "findings": \([0-9][0-9]*\),*$/\1/p' "$tmp/report.json" | head -n 1)"
echo "findings=${findings:-0}" >>"$GITHUB_OUTPUT"

sarif=""
if [[ -n "${INPUT_SARIF_FILE:-}" ]]; then
	"$CORSGUARD" report -f sarif -o "$INPUT_SARIF_FILE" "$tmp/report.json"
	sarif="$INPUT_SARIF_FILE"
	if [[ "$sarif" != /* ]]; then
		sarif="$PWD/$sarif"
	fi
fi
echo "sarif-file=$sarif" >>"$GITHUB_OUTPUT"

if [[ "${INPUT_STEP_SUMMARY:-true}" == true && -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
	"$CORSGUARD" report -f markdown "$tmp/report.json" >>"$GITHUB_STEP_SUMMARY"
fi
exit "$code"
