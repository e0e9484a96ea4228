package rules

import "testing"

// A pattern the automaton search cannot read (a lookahead here) is
// searched with the generated candidates alone, checked by regexp2 in
// place of PCRE: its findings are likely, the same mistake without the
// lookahead certain.
func TestSampledPatternFindingsAreLikely(t *testing.T) {
	for _, c := range []struct {
		expr string
		want Confidence
	}{
		{`^https://(?!admin\.)[a-z]+\.example\.com`, Likely},
		{`^https://[a-z]+\.example\.com`, Certain},
	} {
		p := policy([]OriginRule{pattern(c.expr, true, 5)}, vary)
		fs, _ := Check(&p, Options{})
		n := 0
		for _, f := range fs {
			if f.Witness == "" {
				continue
			}
			n++
			if f.Confidence != c.want {
				t.Errorf("%s: %s (witness %s) is %s, want %s", c.expr, f.RuleID, f.Witness, f.Confidence, c.want)
			}
		}
		if n == 0 {
			t.Errorf("%s: no finding with a witness; got %v", c.expr, ruleIDs(fs))
		}
	}
}
