package attack

import (
	"slices"
	"testing"
)

// Compile, SearchPattern, Literals, Intended and NeverMatches must never
// panic on anything a config file can contain, in any dialect, and every
// witness is accepted by the pattern.
func FuzzPattern(f *testing.F) {
	for _, seed := range []string{
		`^https://app\.example\.com$`, `(example.com)`, `^http(s)?://(.+\.)?(example.com)$`,
		`.*\.github\.io`, `^https://(?!admin)[a-z]+\.example\.com$`, `a++`, `\Qa.b\E{2}+`,
		`(?R)`, `(*SKIP)`, `[`, `(`, `)`, `\`, `{,3}`, `(?P<x>a)(?P=x)`, `\k<x>`, `(?<=a`,
		`https://*.example.com`, `***`, `^$`, "\x00\xff", `(?#comment`, `[[:alpha:]`, `\x{`,
	} {
		for d := range 3 {
			f.Add(seed, uint8(d), d == 1)
		}
	}
	f.Fuzz(func(t *testing.T, expr string, dialect uint8, ci bool) {
		if len(expr) > 200 {
			return // configs hold short patterns; keep each run fast
		}
		d := Dialect(dialect % 3)
		lits := Literals(expr, d)
		intended := Intended(expr, d)
		never, why := NeverMatches(expr, d, ci)
		// A prepared pattern (one parse, one compile) answers alike.
		p := Prepare(expr, d, ci)
		if got := p.Literals(); !slices.Equal(got, lits) {
			t.Errorf("prepared Literals = %q, one-shot %q", got, lits)
		}
		// An origin the automaton finds is one the pattern accepts, and
		// then the pattern is not "never matches".
		if p.Err() == nil {
			accepts := func(s string) bool { ok, err := p.Matcher().Match(s); return ok && err == nil }
			if w := p.acceptsSerialisedOrigin(accepts); w != "" {
				if !isSerialised(w) || !accepts(w) {
					t.Errorf("automaton origin %q is not a serialised origin %q accepts", w, expr)
				}
				if gotNever, _ := p.NeverMatches(); gotNever {
					t.Errorf("NeverMatches(%q) is true, but it accepts %q", expr, w)
				}
			}
		}
		// (Only on Go's linear engine: a backtracking match near its
		// timeout may go either way between two runs.)
		if _, backtracks := p.Matcher().(*backtrackMatcher); !backtracks {
			if got := p.Intended(); !slices.Equal(got, intended) {
				t.Errorf("prepared Intended = %q, one-shot %q", got, intended)
			}
			if gotNever, gotWhy := p.NeverMatches(); gotNever != never || gotWhy != why {
				t.Errorf("prepared NeverMatches = %v %q, one-shot %v %q", gotNever, gotWhy, never, why)
			}
		}
		m, err := Compile(expr, d, ci)
		if err != nil {
			return
		}
		ws, _ := SearchPattern(m, expr, d, ci, []string{"https://app.example.com"}, Literals(expr, d))
		for _, w := range ws {
			if !w.Class.BrowserSendable() {
				t.Errorf("witness %q of class %s", w.Origin, w.Class)
			}
			// Every witness, sampled or found by automata, is accepted.
			if ok, err := m.Match(w.Origin); !ok && err == nil {
				t.Errorf("witness %q (%s) is rejected by %q", w.Origin, w.Class, expr)
			}
		}
	})
}
