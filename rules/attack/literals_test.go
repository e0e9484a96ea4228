package attack

import (
	"slices"
	"testing"
)

func TestLiterals(t *testing.T) {
	tests := []struct {
		expr    string
		dialect Dialect
		want    []string
	}{
		{`^https://app\.example\.com$`, PCRE, []string{"https://app.example.com", "app.example.com"}},
		{`^https://(app|admin)\.example\.com$`, PCRE, []string{"https://app.example.com", "app.example.com", "https://admin.example.com", "admin.example.com"}},
		{`^https://(.*\.)?example\.com$`, PCRE, []string{"example.com", "https://example.com"}},
		{`(example.com)`, PCRE, []string{"example.com"}},
		{`^http(s)?://(.+\.)?(example.com)$`, PCRE, []string{"example.com", "https://example.com", "http://example.com"}},
		{`.*\.github\.io`, PCRE, []string{"github.io"}},
		{`^https://APP\.Example\.com:8443$`, PCRE, []string{"https://app.example.com:8443", "app.example.com"}},
		{`^https://[a-z0-9-]+\.example\.com$`, RE2, []string{"example.com"}},
		{`^https://app-[0-9]+\.example\.com$`, PCRE, []string{"example.com"}},
		{`^https://app[.]example[.]com$`, PCRE, []string{"https://app.example.com", "app.example.com"}},
		{`^https://(?!admin)[a-z]+\.example\.com$`, PCRE, []string{"example.com"}},
		{`^https://(?:www\.)?example\.com(?=/|$)`, PCRE, []string{"https://www.example.com", "www.example.com", "https://example.com", "example.com"}},
		{`^http://(localhost|127\.0\.0\.1)(:\d+)?$`, PCRE, []string{"http://localhost", "localhost", "http://127.0.0.1", "127.0.0.1"}},
		{`https://*.example.com`, Glob, []string{"example.com"}},
		{`https://app.example.com`, Glob, []string{"https://app.example.com", "app.example.com"}},
		{`^https?://`, PCRE, nil},
		{`.*`, PCRE, nil},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			got := Literals(tt.expr, tt.dialect)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Literals(%q) = %q, want %q", tt.expr, got, tt.want)
			}
		})
	}
}

func TestIntended(t *testing.T) {
	tests := []struct {
		expr    string
		dialect Dialect
		want    []string
	}{
		{`^https://app\.example\.com$`, PCRE, []string{"https://app.example.com"}},
		{`^https?://app\.example\.com$`, PCRE, []string{"https://app.example.com"}},
		{`^http://app\.example\.com$`, PCRE, []string{"http://app.example.com"}},
		{`^https://(app|admin)\.example\.com$`, PCRE, []string{"https://app.example.com", "https://admin.example.com"}},
		{`^https://(.*\.)?example\.com$`, PCRE, []string{"https://example.com"}},
		{`^https://App\.example\.com$`, PCRE, []string{"https://app.example.com"}},
		{`^https://example\.com:443$`, PCRE, []string{"https://example.com"}},
		{`^https://example\.com:8443$`, PCRE, []string{"https://example.com:8443"}},
		{`.*\.github\.io`, PCRE, []string{"https://github.io"}},
		{`https://*.example.com`, Glob, []string{"https://example.com"}},
		{`.*`, PCRE, nil},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			if got := Intended(tt.expr, tt.dialect); !slices.Equal(got, tt.want) {
				t.Errorf("Intended(%q) = %q, want %q", tt.expr, got, tt.want)
			}
		})
	}
}

func TestNeverMatches(t *testing.T) {
	tests := []struct {
		name     string
		expr     string
		dialect  Dialect
		ci       bool
		never    bool
		nearMiss string // must appear in the reason
	}{
		{"trailing slash", `^https://example\.com/$`, PCRE, false, true, `"https://example.com/"`},
		{"path", `^https://example\.com/api`, PCRE, false, true, "path"},
		{"default port", `^https://example\.com:443$`, PCRE, false, true, "default port"},
		{"default http port", `^http://example\.com:80$`, PCRE, false, true, "default port"},
		{"upper case, case-sensitive", `^https://App\.example\.com$`, PCRE, false, true, "lower case"},
		{"glob star in a regex", `^https://\*\.example\.com$`, PCRE, false, true, "`*`"},
		{"bare host, no scheme", `^example\.com$`, PCRE, false, true, "no scheme"},
		{"subdomain then slash", `.*\.example\.com/$`, PCRE, false, true, `"https://evil.example.com/"`},
		{"glob with a slash", `https://example.com/`, Glob, false, true, "path"},
		{"upper case via lookahead pattern", `^https://(?!www)App\.example\.com$`, PCRE, false, true, "lower case"},
		// near-miss twins: these can match
		{"exact_fp", `^https://example\.com$`, PCRE, false, false, ""},
		{"optional slash_fp", `^https://example\.com/?$`, PCRE, false, false, ""},
		{"optional default port_fp", `^https://[0-9]+\.example\.com(:443)?$`, PCRE, false, false, ""},
		{"upper case, case-insensitive_fp", `^https://App\.example\.com$`, PCRE, true, false, ""},
		{"non-default port_fp", `^https://example\.com:8443$`, PCRE, false, false, ""},
		{"alternation with a good branch_fp", `^(https://[0-9]+\.example\.com|https://foo\.test/)$`, PCRE, false, false, ""},
		{"star after slashes_fp", `^https://*.example.com$`, PCRE, false, false, ""},
		{"null_fp", `^null$`, PCRE, false, false, ""},
		{"glob subdomain_fp", `https://*.example.com`, Glob, false, false, ""},
		{"lookahead we cannot fill_fp", `^https://(?=app)[a-z]+\.example\.com/$`, PCRE, false, false, ""},
		{"does not compile_fp", `^https://(a|b`, PCRE, false, false, ""},
		{"anything_fp", `.*`, PCRE, false, false, ""},
		// Native shells and extensions send real tuple origins on their own
		// schemes (issue 9 item 7): never "can never match".
		{"native shell origins_fp", `^(capacitor|ionic)://localhost$`, PCRE, false, false, ""},
		{"tauri_fp", `^tauri://localhost$`, PCRE, false, false, ""},
		{"chrome extension id_fp", `^chrome-extension://[a-p]{32}$`, PCRE, false, false, ""},
		{"extension scheme open after ://_fp", `^moz-extension://`, PCRE, false, false, ""},
		{"safari extension, any case_fp", `^safari-web-extension://[A-F0-9-]+$`, PCRE, false, false, ""},
		{"glob extension_fp", `chrome-extension://*`, Glob, false, false, ""},
		{"app shell with a path", `^capacitor://localhost/$`, PCRE, false, true, "path"},
		{"file page", `^file://$`, PCRE, false, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			never, reason := NeverMatches(tt.expr, tt.dialect, tt.ci)
			if never != tt.never {
				t.Fatalf("NeverMatches(%q) = %v (%s), want %v", tt.expr, never, reason, tt.never)
			}
			if never && !containsFold(reason, tt.nearMiss) {
				t.Errorf("reason %q does not mention %q", reason, tt.nearMiss)
			}
			if !never && reason != "" {
				t.Errorf("reason %q given for a pattern that can match", reason)
			}
		})
	}
}

func containsFold(s, sub string) bool {
	return len(sub) == 0 || indexFold(s, sub) >= 0
}

func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if equalFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func equalFold(a, b string) bool {
	for i := range len(a) {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
