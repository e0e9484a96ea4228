package lint

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// fuzzRuleIDs are the rules findings are made of in FuzzSuppression.
var fuzzRuleIDs = []string{"CG101", "CG105", "CG111", "CG401"}

// namesRule is the fuzz oracle, written independently of parseIgnore: a
// suppression on a line can only silence a rule whose ID (or `*`) is
// written on that line after the marker, as a token of its own.
func namesRule(line, id string) bool {
	at := strings.Index(line, ignoreMarker)
	if at < 0 {
		return false
	}
	after := line[at+len(ignoreMarker):]
	return strings.Contains(after, "*") || regexp.MustCompile(`(^|[^A-Za-z0-9])`+id+`($|[^A-Za-z0-9])`).MatchString(after)
}

// FuzzSuppression applies inline and policy-file suppressions written by
// the fuzzer to findings of several rules on every line of a file, and
// holds the result to: a suppression only ever suppresses the rule IDs it
// names (inline: on its line or the line below; policy file: its RuleID or
// `*`); every finding is either kept or suppressed, once; errors and the
// reasonless-suppression finding (CG001) are only ever reported on lines
// with a suppression comment.
func FuzzSuppression(f *testing.F) {
	for _, seed := range []struct {
		comment, policyRule, ext string
	}{
		{"# corsguard:ignore CG101 the partner is trusted", "", ".conf"},
		{"  // corsguard:ignore CG105, CG401 reviewed", "CG111", ".tf"},
		{"/* corsguard:ignore * generated */", "*", ".tf"},
		{"# corsguard:ignore CG999 typo", "CG999", ".hcl"},
		{"# corsguard:ignore CG1010 prefix", "", ".conf"},
		{"add_header X \"// corsguard:ignore CG101\";", "", ".conf"},
		{"# corsguard:ignore", "", ".tf"},
		{"#corsguard:ignore CG101,CG105", "", ".tf"},
	} {
		f.Add(seed.comment, seed.policyRule, seed.ext)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, comment, policyRule, ext string) {
		if strings.ContainsAny(comment, "\n\r") || strings.ContainsAny(ext, "/\\\x00") || len(ext) > 8 {
			return
		}
		path := filepath.Join(dir, "input"+ext)
		lines := []string{"server {", comment, "  add_header A b;", comment, "}"}
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		res := &Result{Files: []string{path}, sources: newSourceCache()}
		var in []rules.Finding
		for line := 1; line <= len(lines); line++ {
			for _, id := range fuzzRuleIDs {
				in = append(in, rules.Finding{RuleID: id, Range: rules.Range{File: path, Line: line, Col: 1}, Message: id})
			}
		}
		res.Findings = append(res.Findings, in...)
		opts := Options{Suppressions: []Suppression{{RuleID: policyRule, Path: path, Line: 3, Reason: "fuzz"}}}
		applySettings(res, opts)

		lineText := func(n int) string {
			if n < 1 || n > len(lines) {
				return ""
			}
			return lines[n-1]
		}
		seen := map[rules.Range]map[string]int{}
		count := func(f rules.Finding) {
			if seen[f.Range] == nil {
				seen[f.Range] = map[string]int{}
			}
			seen[f.Range][f.RuleID]++
		}
		for _, s := range res.Suppressed {
			count(s.Finding)
			id, n := s.Finding.RuleID, s.Finding.Range.Line
			inline := namesRule(lineText(n), id) || namesRule(lineText(n-1), id)
			byPolicy := n == 3 && (policyRule == id || policyRule == "*")
			if !inline && !byPolicy {
				t.Errorf("%s on line %d suppressed, but neither line %q nor %q names it, and the policy suppression is %q",
					id, n, lineText(n), lineText(n-1), policyRule)
			}
		}
		for _, f := range res.Findings {
			if f.RuleID == "CG001" {
				if !strings.Contains(lineText(f.Range.Line), ignoreMarker) {
					t.Errorf("CG001 on line %d, which has no suppression: %q", f.Range.Line, lineText(f.Range.Line))
				}
				continue
			}
			count(f)
		}
		for _, f := range in {
			if c := seen[f.Range][f.RuleID]; c != 1 {
				t.Errorf("%s on line %d reported %d times (kept or suppressed)", f.RuleID, f.Range.Line, c)
			}
		}
		for _, e := range res.Errors {
			if e.Range.File != path || !strings.Contains(lineText(e.Range.Line), ignoreMarker) {
				t.Errorf("error %v not on a suppression line", e)
			}
		}
	})
}
