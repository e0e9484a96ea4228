package attack

import (
	"strings"
	"testing"
)

func TestCompileMatch(t *testing.T) {
	tests := []struct {
		name    string
		expr    string
		dialect Dialect
		ci      bool
		accept  []string
		reject  []string
	}{
		{name: "search semantics, unanchored", expr: `example\.com`, dialect: PCRE,
			accept: []string{"https://example.com", "https://example.com.evil.test", "https://evilexample.com"}, reject: []string{"https://example.org"}},
		{name: "anchored", expr: `^https://example\.com$`, dialect: PCRE,
			accept: []string{"https://example.com"}, reject: []string{"https://example.com.evil.test", "https://EXAMPLE.com"}},
		{name: "case-insensitive flag", expr: `^https://example\.com$`, dialect: PCRE, ci: true,
			accept: []string{"https://EXAMPLE.com"}},
		{name: "inline (?i)", expr: `(?i)^https://example\.com$`, dialect: RE2, accept: []string{"https://Example.COM"}},
		{name: "RE2", expr: `^https://[a-z]+\.example\.com$`, dialect: RE2,
			accept: []string{"https://a.example.com"}, reject: []string{"https://a.b.example.com"}},
		{name: "PCRE negative lookahead on regexp2", expr: `^https://(?!admin\.)[a-z]+\.example\.com$`, dialect: PCRE,
			accept: []string{"https://app.example.com"}, reject: []string{"https://admin.example.com"}},
		{name: "PCRE lookbehind", expr: `(?<!evil)\.example\.com$`, dialect: PCRE,
			accept: []string{"https://app.example.com"}, reject: []string{"https://evil.example.com"}},
		{name: "PCRE lookahead case-insensitive", expr: `^https://(?=app)[a-z]+\.example\.com$`, dialect: PCRE, ci: true,
			accept: []string{"https://APP.example.com"}},
		{name: "PCRE possessive", expr: `^https://[a-z]++\.example\.com$`, dialect: PCRE,
			accept: []string{"https://app.example.com"}, reject: []string{"https://a.b.example.com"}},
		{name: "PCRE possessive that cannot give back", expr: `^https://.*+\.com$`, dialect: PCRE,
			reject: []string{"https://app.example.com"}},
		{name: "PCRE atomic group", expr: `^https://(?>app|admin)\.example\.com$`, dialect: PCRE,
			accept: []string{"https://admin.example.com"}},
		{name: "PCRE backreference", expr: `^(https?)://app\.example\.com(?<!\1x)$`, dialect: PCRE,
			accept: []string{"https://app.example.com"}},
		{name: "PCRE \\Z", expr: `^https://app\.example\.com\Z`, dialect: PCRE,
			accept: []string{"https://app.example.com"}, reject: []string{"https://app.example.com.evil.test"}},
		{name: "PCRE \\Q...\\E with lookahead", expr: `^\Qhttps://app.example.com\E(?!.)`, dialect: PCRE,
			accept: []string{"https://app.example.com"}, reject: []string{"https://appxexample.com", "https://app.example.com.x"}},
		{name: "glob star takes dots", expr: `https://*.example.com`, dialect: Glob,
			accept: []string{"https://a.example.com", "https://a.b.example.com"}, reject: []string{"https://example.com", "https://a.example.com.evil.test"}},
		{name: "glob rs/cors style", expr: `https://*example.com`, dialect: Glob,
			accept: []string{"https://evilexample.com", "https://a.example.com"}},
		{name: "glob is a full match, literal otherwise", expr: `https://app.example.com`, dialect: Glob,
			accept: []string{"https://app.example.com"}, reject: []string{"https://appxexample.com", "https://app.example.com.evil.test"}},
		{name: "glob case-insensitive", expr: `https://*.Example.com`, dialect: Glob, ci: true,
			accept: []string{"https://a.example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Compile(tt.expr, tt.dialect, tt.ci)
			if err != nil {
				t.Fatalf("Compile(%q, %s): %v", tt.expr, tt.dialect, err)
			}
			for _, o := range tt.accept {
				if ok, err := m.Match(o); !ok || err != nil {
					t.Errorf("Match(%q) = %v, %v; want true", o, ok, err)
				}
			}
			for _, o := range tt.reject {
				if ok, err := m.Match(o); ok || err != nil {
					t.Errorf("Match(%q) = %v, %v; want false", o, ok, err)
				}
			}
		})
	}
}

func TestCompileErrorsNameTheFeature(t *testing.T) {
	tests := []struct {
		expr    string
		dialect Dialect
		want    string
	}{
		{`^https://(?R)$`, PCRE, "recursion"},
		{`^https://app\K\.example\.com$`, PCRE, `\K`},
		{`^(*SKIP)https://`, PCRE, "backtracking control verb"},
		{`^(?|a|b)$`, PCRE, "branch reset"},
		{`^https://(a)(?1)$`, PCRE, "subroutine"},
		{`^https://(?&host)$`, PCRE, "subroutine"},
		{`^https://(a|b`, PCRE, "missing closing )"},
		{`^https://[a-z$`, PCRE, "missing closing ]"},
		{`(?<=x)a`, RE2, "lookbehind"},
		{`^https://(?!admin)`, RE2, "negative lookahead"},
		{`^(a)\1$`, RE2, "backreference"},
		{`^https://a++$`, RE2, "possessive"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			m, err := Compile(tt.expr, tt.dialect, false)
			if err == nil {
				t.Fatalf("Compile(%q, %s) = %v, want an error", tt.expr, tt.dialect, m)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not name %q", err, tt.want)
			}
		})
	}
}

func TestBacktrackingTimeout(t *testing.T) {
	m, err := Compile(`^(a|a)*(?=b)b$`, PCRE, false)
	if err != nil {
		t.Fatal(err)
	}
	ok, err := m.Match(strings.Repeat("a", 40) + "c")
	if ok {
		t.Error("matched")
	}
	// Either it finished (the engine was clever) or it hit MatchTimeout;
	// it must not hang and must not panic.
	if err != nil && !strings.Contains(err.Error(), "timeout") {
		t.Errorf("unexpected error %v", err)
	}
}

func TestTranslatePCRE(t *testing.T) {
	tests := []struct{ in, want string }{
		{`a++`, `(?>a+)`},
		{`[a-z]*+x`, `(?>[a-z]*)x`},
		{`(ab)?+`, `(?>(ab)?)`},
		{`a{2,3}+`, `(?>a{2,3})`},
		{`\d++`, `(?>\d+)`},
		{`a+?`, `a+?`},
		{`\Qa.b\E`, `a\.b`},
		{`(?P<h>x)`, `(?<h>x)`},
		{`a{x}`, `a{x}`},
		{`(?i)a++`, `(?i)(?>a+)`},
		{`\x41++`, `(?>\x41+)`},
		{`\x{41}*+`, `(?>\x{41}*)`},
	}
	for _, tt := range tests {
		got, err := translatePCRE(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("translatePCRE(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
