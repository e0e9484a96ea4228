package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// Input is what a run produced, independent of lint or fuzz.
type Input struct {
	Tool       string // "lint" or "fuzz"
	Version    string
	Findings   []rules.Finding
	Errors     []rules.Diagnostic
	Suppressed int
	Files      int
	// Warnings are input problems that do not change the exit status
	// (an include not found: the file was linted without it).
	Warnings []rules.Diagnostic
	// Skipped are files found but not linted, and why.
	Skipped []Skipped
	// Interrupted marks a run stopped by a signal before it was done: the
	// findings are what was found until then (fuzz).
	Interrupted bool
	// Source returns one line of an input file for snippets and
	// fingerprints; nil when there are no files (live findings).
	Source func(file string, line int) (string, bool)
	// AutomationID names the analysis in SARIF (runAutomationDetails.id)
	// so that uploads of different analyses do not replace each other;
	// "" means DefaultAutomationID(Tool, "").
	AutomationID string
	// FingerprintsOf, when set, are the findings' fingerprints, computed
	// before a baseline removed some (the occurrence counters must not
	// shift when earlier findings are dropped).
	FingerprintsOf []string
	// Baseline is what --baseline removed; nil without a baseline.
	Baseline *BaselineOutcome
}

// Skipped is a file a run found and did not lint. Kind "name" is a file
// whose name says it is not configuration (a README): counted, and listed
// in JSON only.
type Skipped struct {
	Path   string `json:"path"`
	Kind   string `json:"kind"`
	Reason string `json:"reason"`
}

func (in Input) line(f rules.Finding) (string, bool) {
	if in.Source == nil {
		return "", false
	}
	return in.Source(f.Range.File, f.Range.Line)
}

// Fingerprints returns one stable fingerprint per finding, in order, plus
// an occurrence counter (GitHub's primaryLocationLineHash convention
// `hash:n`). A lint finding hashes the rule, the file, the trimmed source
// line and the witness, so that it keeps its identity when lines move. A
// live finding hashes the rule, the target and the witness's origin class,
// not the origin itself: fuzzing draws random origins from a seed, and the
// same hole found with another seed must be the same finding (baselines
// and code-scanning alerts depend on it).
func Fingerprints(in Input) []string {
	if in.FingerprintsOf != nil && len(in.FingerprintsOf) == len(in.Findings) {
		return in.FingerprintsOf
	}
	out := make([]string, len(in.Findings))
	seen := map[string]int{}
	for i, f := range in.Findings {
		var parts []string
		if in.Tool == "fuzz" {
			class := f.WitnessClass
			if class == "" {
				class = f.Witness
			}
			parts = []string{f.RuleID, f.Range.File, class}
		} else {
			text, ok := in.line(f)
			if !ok {
				text = f.Message
			}
			parts = []string{f.RuleID, f.Range.File, strings.TrimSpace(text), f.Witness}
		}
		h := sha256.New()
		for _, part := range parts {
			h.Write([]byte(part))
			h.Write([]byte{0})
		}
		sum := hex.EncodeToString(h.Sum(nil))[:16]
		seen[sum]++
		out[i] = fmt.Sprintf("%s:%d", sum, seen[sum])
	}
	return out
}

// DefaultAutomationID is the SARIF runAutomationDetails.id of a tool's
// analysis: "corsguard/lint/", or "corsguard/fuzz/<shard>/" when the run
// is one shard of several. GitHub code scanning takes everything before
// the last "/" as the category and replaces an earlier upload of the same
// category, hence the trailing slash: without it "corsguard/fuzz/1-of-4"
// would be category "corsguard/fuzz", shared by every shard.
func DefaultAutomationID(tool, shard string) string {
	id := "corsguard/" + tool + "/"
	if shard != "" {
		id += strings.ReplaceAll(shard, "/", "-of-") + "/"
	}
	return id
}

// CountAtLeast counts the findings at or above a severity: what makes the
// exit status 1.
func CountAtLeast(fs []rules.Finding, min rules.Severity) int {
	n := 0
	for _, f := range fs {
		if f.Severity >= min {
			n++
		}
	}
	return n
}

// Summary counts findings per severity.
func Summary(fs []rules.Finding) map[string]int {
	m := map[string]int{}
	for _, f := range fs {
		m[f.Severity.String()]++
	}
	return m
}
