package attack

import "testing"

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
		_ = Literals(expr, d)
		_ = Intended(expr, d)
		_, _ = NeverMatches(expr, d, ci)
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
