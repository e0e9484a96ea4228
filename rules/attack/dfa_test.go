package attack

import (
	"math/rand"
	"regexp"
	"regexp/syntax"
	"testing"
)

// The search automaton is a lazily determinised program with shortcuts
// (rows per byte group, one state per group of bytes a state's closure
// reads alike, liveness from a per-program table, pooled tables). Whatever
// it reads, it must accept exactly what Go's regexp accepts for the same
// program: these check it on strings over the search alphabet.

// dfaAccepts runs d over s (bytes of the search alphabet only).
func dfaAccepts(d *dfa, s string) bool {
	st := int32(0)
	for i := range len(s) {
		st = d.step(st, int(alphabetIndex[s[i]]))
	}
	return d.accepting(st)
}

// checkDFAAgainstRegexp compares the automaton of expr (search semantics,
// lone dots escaped, as the witness search reads it) with Go's regexp on
// the given texts.
func checkDFAAgainstRegexp(t *testing.T, expr string, fold bool, texts []string) {
	t.Helper()
	flags := syntax.Perl
	if fold {
		flags |= syntax.FoldCase
	}
	re, err := syntax.Parse(expr, flags)
	if err != nil {
		return
	}
	sp, err := programOf(re, true)
	if err != nil {
		return
	}
	d := sp.dfa()
	defer d.release()
	want := regexp.MustCompile(escapeLoneDots(re).String())
	for _, s := range texts {
		if got := dfaAccepts(d, s); got != want.MatchString(s) {
			t.Errorf("%q (fold %v) on %q: automaton %v, regexp %v", expr, fold, s, got, !got)
		}
	}
}

// randomText is a string over the search alphabet, biased towards the
// bytes origin patterns spell.
func randomText(r *rand.Rand) string {
	const common = "https://app.example.com.evil.test:8443-x1"
	b := make([]byte, r.Intn(40))
	for i := range b {
		if r.Intn(3) == 0 {
			b[i] = searchAlphabet[r.Intn(len(searchAlphabet))]
		} else {
			b[i] = common[r.Intn(len(common))]
		}
	}
	return string(b)
}

func TestAutomatonAcceptsWhatRegexpAccepts(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	extra := []string{`\bapp\b`, `\Bx`, `(?m)^app$`, `a{2,3}b`, `[^a-z]+`, `(?i)APP\.example`, `^$`, `x*`, `(a|b|c|d|e)+z`}
	for i := range 3000 {
		expr := randomPattern(r)
		if i < len(extra) {
			expr = extra[i]
		}
		texts := []string{"", "https://app.example.com", "https://app.example.com.evil.test", "http://xexample.com"}
		for range 30 {
			texts = append(texts, randomText(r))
		}
		checkDFAAgainstRegexp(t, expr, i%2 == 1, texts)
	}
}

func FuzzAutomatonAcceptsWhatRegexpAccepts(f *testing.F) {
	for _, seed := range []string{`^https://app\.example\.com$`, `\bapp\b.*`, `(?i)^https?://(www\.)?example\.com(:[0-9]+)?$`, `[^.]+\.x`} {
		f.Add(seed, "https://app.example.com", false)
	}
	f.Fuzz(func(t *testing.T, expr, text string, fold bool) {
		if len(expr) > 100 || len(text) > 100 {
			return
		}
		for i := range len(text) {
			if alphabetIndex[text[i]] < 0 {
				return // the automaton reads the search alphabet only
			}
		}
		checkDFAAgainstRegexp(t, expr, fold, []string{text, text + text})
	})
}
