package fix

import (
	"regexp"
	"testing"
)

// positionsRE is what withoutPositions does, as the regular expression it
// replaced: the oracle for the tests below.
var positionsRE = regexp.MustCompile(`(\S):\d+(?::\d+)?`)

func TestWithoutPositionsIsTheRegexp(t *testing.T) {
	for _, s := range []string{
		"", "no colon", "nginx.conf:12:5 has it", "a:1:2:3", "x:1 y:22", "::1", "a:1:", " :1", ":1",
		"host:port", "(site.conf:7)", "é:3", "a\t:1", "a\v:1", "\xff:9", "a:1b:2", "a::1", "tab\t:4:4x",
		`origin regex "^https://app\.example\.com:8443" (nginx.conf:3:9) accepts https://evil.test:1`,
	} {
		if got, want := withoutPositions(s), positionsRE.ReplaceAllString(s, "$1"); got != want {
			t.Errorf("withoutPositions(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzWithoutPositions(f *testing.F) {
	for _, s := range []string{"nginx.conf:12:5 x", "a:1:2:3", "é:3", "\xff:9", "a\v:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := withoutPositions(s), positionsRE.ReplaceAllString(s, "$1"); got != want {
			t.Errorf("withoutPositions(%q) = %q, want %q", s, got, want)
		}
	})
}
