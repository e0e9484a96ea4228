package rules

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dlclark/regexp2"

	"github.com/corsguard/corsguard/rules/attack"
)

// FuzzCheckWitnesses: for any origin pattern in any dialect, with or
// without credentials and declared trust, the checker never panics, and
// every witness a finding reports is accepted by the pattern, checked with
// an engine the checker does not use for that purpose: regexp2 with PCRE
// semantics for PCRE, Go's regexp for RE2, the glob matcher for globs.
func FuzzCheckWitnesses(f *testing.F) {
	for _, seed := range []string{
		`^https://app\.example\.com`, `example\.com$`, `(example.com)`, `^https://app.example.com$`,
		`^https?://app\.example\.com$`, `^https://(.+\.)?example\.com$`, `^https://[a-z0-9-]+stats.*example\.org$`,
		`^https://(?!admin)[a-z]+\.example\.com$`, `.*`, `^https://app\.example\.com([^\w.-].*)?$`,
		`https://*.example.com`, `https://*example.com`, `^https://.*\.github\.io$`, `^null$`,
	} {
		for d := range 3 {
			f.Add(seed, uint8(d), false, true, "")
		}
	}
	f.Add(`^https://app\.example\.com`, uint8(0), true, false, "https://app.example.com")
	f.Fuzz(func(t *testing.T, expr string, dialect uint8, ci, withCreds bool, trusted string) {
		if len(expr) > 200 || len(trusted) > 200 {
			return // configs hold short patterns; keep each run fast
		}
		d := Dialect(dialect % 3)
		o := OriginRule{Kind: OriginPattern, Echo: true, Pattern: &Pattern{Expr: expr, Dialect: d, CaseInsensitive: ci, Evidence: ev(3)}, Evidence: []Evidence{ev(3)}}
		headers := []Header{vary}
		if withCreds {
			headers = append(headers, creds)
		}
		p := policy(origins(o), headers...)
		var opts Options
		if trusted != "" {
			opts.TrustedOrigins = []string{trusted}
		}
		fs, _ := Check(&p, opts)
		accepts := independentMatcher(t, expr, d, ci)
		for _, f := range fs {
			if f.Witness == "" || accepts == nil {
				continue
			}
			if ok, known := accepts(f.Witness); known && !ok {
				t.Fatalf("%s reports witness %q, which %s pattern %q (ci=%v) rejects", f.RuleID, f.Witness, d, expr, ci)
			}
		}
	})
}

// independentMatcher returns a second opinion on what the pattern
// accepts, or nil when that engine cannot compile it. known is false when
// the engine gave up (a backtracking timeout).
func independentMatcher(t *testing.T, expr string, d Dialect, ci bool) func(string) (ok, known bool) {
	t.Helper()
	switch d {
	case PCRE:
		opts := regexp2.None
		if ci {
			opts |= regexp2.IgnoreCase
		}
		re, err := compileQuietly(expr, opts)
		if err != nil {
			return nil
		}
		re.MatchTimeout = time.Second
		return func(s string) (bool, bool) {
			ok, err := re.MatchString(s)
			return ok, err == nil
		}
	case RE2:
		flags := ""
		if ci {
			flags = "(?i)"
		}
		re, err := regexp.Compile(flags + expr)
		if err != nil {
			return nil
		}
		return func(s string) (bool, bool) { return re.MatchString(s), true }
	case Glob:
		m, err := attack.Compile(expr, attack.Glob, ci)
		if err != nil {
			return nil
		}
		return func(s string) (bool, bool) {
			ok, err := m.Match(s)
			return ok, err == nil
		}
	}
	return nil
}

// compileQuietly turns a panic of regexp2's parser into an error.
func compileQuietly(expr string, opts regexp2.RegexOptions) (re *regexp2.Regexp, err error) {
	defer func() {
		if r := recover(); r != nil {
			re, err = nil, errPanic
		}
	}()
	// regexp2 reads \Q...\E and possessive quantifiers differently from
	// PCRE; such patterns are left to the unit tests.
	if strings.Contains(expr, `\Q`) || strings.Contains(expr, "++") || strings.Contains(expr, "*+") || strings.Contains(expr, "?+") || strings.Contains(expr, "}+") {
		return nil, errPanic
	}
	return regexp2.Compile(expr, opts)
}

var errPanic = &regexp2SyntaxError{}

type regexp2SyntaxError struct{}

func (*regexp2SyntaxError) Error() string { return "regexp2 cannot compile the pattern" }
