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
	// Source returns one line of an input file for snippets and
	// fingerprints; nil when there are no files (live findings).
	Source func(file string, line int) (string, bool)
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

// Fingerprints returns one stable fingerprint per finding, in order:
// a hash of the rule, the file, the trimmed source line (or the message for
// live findings) and the witness, plus an occurrence counter, so that a
// finding keeps its identity when lines move (GitHub's
// primaryLocationLineHash convention `hash:n`).
func Fingerprints(in Input) []string {
	out := make([]string, len(in.Findings))
	seen := map[string]int{}
	for i, f := range in.Findings {
		text, ok := in.line(f)
		if !ok {
			text = f.Message
		}
		h := sha256.New()
		for _, part := range []string{f.RuleID, f.Range.File, strings.TrimSpace(text), f.Witness} {
			h.Write([]byte(part))
			h.Write([]byte{0})
		}
		sum := hex.EncodeToString(h.Sum(nil))[:16]
		seen[sum]++
		out[i] = fmt.Sprintf("%s:%d", sum, seen[sum])
	}
	return out
}

// Summary counts findings per severity.
func Summary(fs []rules.Finding) map[string]int {
	m := map[string]int{}
	for _, f := range fs {
		m[f.Severity.String()]++
	}
	return m
}
