#!/usr/bin/env bash
# Runs KICS and corsguard on corpus/hcl/realworld and prints, per case
# directory, what each reports about CORS, as a Markdown table for
# notes/README. A benchmark, never part of CI's test command: it builds KICS
# from source (minutes of CPU) and needs the Go module proxy.
#
# KICS is pinned to the version ECOSYSTEM.md records; its queries and
# libraries are read from the module cache, where `go install` leaves them.
# KICS's only Terraform CORS query is S3's (s3_bucket_with_unsecured_cors_rule);
# its findings are filtered to queries whose name mentions CORS.
#
# Usage: scripts/kics-compare.sh [corpus-dir]   (default corpus/hcl/realworld)
set -euo pipefail
KICS_VERSION=v2.2.0
root=$(cd "$(dirname "$0")/.." && pwd)
corpus=${1:-$root/corpus/hcl/realworld}
command -v jq >/dev/null || { echo "kics-compare: jq is required" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

GOBIN="$work/bin" go install "github.com/Checkmarx/kics/v2/cmd/console@$KICS_VERSION"
kics_src="$(go env GOMODCACHE)/github.com/!checkmarx/kics/v2@$KICS_VERSION"
(cd "$root" && go build -o "$work/corsguard" ./cmd/corsguard)

# One KICS scan of the whole corpus (KICS loads its ~2,000 queries per run:
# about a minute each, so a scan per case would take most of an hour); its
# findings are then mapped back to the case directories by file name.
"$work/bin/console" scan -p "$corpus" -q "$kics_src/assets/queries" \
	--libraries-path "$kics_src/assets/libraries" -t Terraform \
	--disable-secrets --no-progress --ci -o "$work/kics" --report-formats json >/dev/null 2>&1 || true
[ -s "$work/kics/results.json" ] || { echo "kics-compare: KICS wrote no results" >&2; exit 2; }

printf '| case | KICS (CORS queries) | corsguard |\n|---|---|---|\n'
for dir in "$corpus"/*/; do
	name=$(basename "$dir")
	# KICS reports file names relative to the scanned path or absolute,
	# depending on the version: match the case directory anywhere in it.
	kics=$(jq -r --arg d "/$name/" '[.queries[]? | select(.query_name | test("CORS"; "i")) | .query_name as $q
		| .files[] | select(("/" + .file_name) | contains($d)) | $q] | group_by(.) | map("\(.[0]) ×\(length)") | join(", ")' \
		"$work/kics/results.json")
	cg=$("$work/corsguard" lint --format json "$dir" 2>/dev/null |
		jq -r '[.findings[]? | "\(.ruleId) \(.severity)"] | join(", ")' || true)
	printf '| %s | %s | %s |\n' "$name" "${kics:-—}" "${cg:-—}"
done
