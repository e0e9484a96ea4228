package attack

import "testing"

// A pattern with an end anchor followed by required text matches nothing;
// anchors that only empty matches follow, and alternatives around them,
// keep the pattern alive.
func TestEmptyLanguage(t *testing.T) {
	for expr, want := range map[string]bool{
		`(.*\.$base_domain)`:              true,
		`^https://(.+\.)?$domain$`:        true,
		`^https://app\.example\.org$`:     false,
		`^https://app\.example\.org$()`:   false,
		`^https://a\.test$|^https://b`:    false,
		`(a$|b)c`:                         false,
		`(a$|b$)c`:                        true,
		`a$x*`:                            false,
		`a$x+`:                            true,
		`^https://app\.example\.org/$`:    false, // a near miss: NeverMatches' search
		`[\n]`:                            true,
		`^https://app\.example\.org(/)?$`: false,
	} {
		if got, why := emptyLanguage(expr, PCRE); got != want {
			t.Errorf("%s: empty %v, want %v (%s)", expr, got, want, why)
		}
	}
	if got, _ := emptyLanguage(`*.$x`, Glob); got {
		t.Errorf("globs are never judged here")
	}
}
