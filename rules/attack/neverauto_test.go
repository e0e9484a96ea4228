package attack

import "testing"

// The automaton answers "can match" with an origin a browser sends that
// the pattern accepts, also where no literal of the pattern is one
// (the candidates were generated for those before), and finds nothing
// for patterns that never match, leaving their near-miss to NeverMatches.
func TestAutomatonFindsAnOriginThePatternAccepts(t *testing.T) {
	tests := []struct {
		expr  string
		d     Dialect
		ci    bool
		finds bool
	}{
		{`^https://[a-z0-9-]+stats.*example\.org$`, PCRE, true, true},
		{`^https://([a-z0-9-]+\.)*example\.com$`, PCRE, false, true},
		{`^chrome-extension://[a-p]{32}$`, PCRE, false, true},
		{`^null$`, PCRE, false, true},
		{`https://*.example.com`, Glob, false, true},
		{`^https://App\.example\.com$`, PCRE, true, true},
		// never match: nothing to find
		{`^https://example\.com/$`, PCRE, false, false},
		{`^https://example\.com:443$`, PCRE, false, false},
		{`^https://App\.example\.com$`, PCRE, false, false},
		{`^example\.com$`, PCRE, false, false},
		{`(.*\.$base_domain)`, PCRE, true, false},
		// not read by Go's parser: left to the candidates
		{`^https://(?!admin)[a-z]+\.example\.com$`, PCRE, false, false},
	}
	for _, tt := range tests {
		p := Prepare(tt.expr, tt.d, tt.ci)
		if p.Err() != nil {
			t.Fatalf("%q: %v", tt.expr, p.Err())
		}
		accepts := func(s string) bool { ok, err := p.Matcher().Match(s); return ok && err == nil }
		w := p.acceptsSerialisedOrigin(accepts)
		if (w != "") != tt.finds {
			t.Errorf("%q: found %q, want found=%v", tt.expr, w, tt.finds)
			continue
		}
		if w != "" && (!isSerialised(w) || !accepts(w)) {
			t.Errorf("%q: %q is not a serialised origin the pattern accepts", tt.expr, w)
		}
		if never, _ := p.NeverMatches(); never && w != "" {
			t.Errorf("%q: NeverMatches is true, but it accepts %q", tt.expr, w)
		}
	}
}
