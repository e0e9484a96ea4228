package attack

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// searchCase is one pattern and what Search must (and must not) say about
// it. Cases come in pairs: the mistake, and its `_fp` near-miss twin that
// must stay silent for the class under test (gixy's habit).
type searchCase struct {
	name    string
	expr    string
	dialect Dialect
	ci      bool
	trusted []string // nil: the pattern's Intended origins

	want    []Witness // each must be reported (From is not compared)
	notWant []Class   // no witness of these classes
	none    bool      // no witness at all
	only    bool      // want is the complete answer
}

const app = "https://app.example.com"

var searchCases = []searchCase{
	// arbitrary
	{name: "arbitrary", expr: `.*`, trusted: []string{app},
		want: []Witness{{Origin: "https://evil.test", Class: Arbitrary}}, notWant: []Class{PostDomain, SharedHosting}},
	{name: "arbitrary_scheme_only", expr: `^https?://`, trusted: []string{app},
		want: []Witness{{Origin: "https://evil.test", Class: Arbitrary}}},
	{name: "arbitrary_fp", expr: `^https://app\.example\.com$`, trusted: []string{app}, notWant: []Class{Arbitrary}},
	// extension: a pattern that accepts any extension ID accepts the
	// attacker's extension; one ID, or a native shell's own origin, does not.
	{name: "extension", expr: `^chrome-extension://[a-p]{32}$`,
		want: []Witness{{Origin: "chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba", Class: Extension}}, only: true},
	{name: "extension_prefix", expr: `^(moz|safari-web)-extension://`,
		want: []Witness{{Origin: "moz-extension://6f1c2b3a-9d8e-4f7a-b6c5-d4e3f2a1b0c9", Class: Extension}, {Origin: "safari-web-extension://6F1C2B3A-9D8E-4F7A-B6C5-D4E3F2A1B0C9", Class: Extension}}},
	{name: "extension_fp", expr: `^(chrome-extension://abcdefghijklmnopabcdefghijklmnop|capacitor://localhost|ionic://localhost)$`, none: true},
	// null
	{name: "null", expr: `^(null|https://app\.example\.com)$`, trusted: []string{app},
		want: []Witness{{Origin: "null", Class: Null}}},
	{name: "null_fp", expr: `^https://(null|app)\.example\.com$`, trusted: []string{app}, notWant: []Class{Null}},
	// post-domain and no-dot post-domain
	{name: "post-domain", expr: `^https://app\.example\.com`,
		want: []Witness{
			{Origin: "https://app.example.com.evil.test", Class: PostDomain},
			{Origin: "https://app.example.comevil.test", Class: NoDotPostDomain},
			{Origin: "https://app.example.com-evil.test", Class: NoDotPostDomain},
		},
		notWant: []Class{SpecialChars, SpecialLabel}},
	{name: "post-domain_fp", expr: `^https://app\.example\.com(:\d+)?$`, none: true},
	{name: "no-dot-post-domain_word_boundary", expr: `^https://app\.example\.com\b`,
		want: []Witness{{Origin: "https://app.example.com-evil.test", Class: NoDotPostDomain}}},
	{name: "no-dot-post-domain_fp", expr: `^https://app\.example\.com(\.evil\.test)?$`, trusted: []string{app, "https://app.example.com.evil.test"},
		notWant: []Class{NoDotPostDomain, PostDomain}},
	// pre-domain
	{name: "pre-domain", expr: `example\.com$`,
		want: []Witness{{Origin: "https://evilexample.com", Class: PreDomain}}},
	{name: "pre-domain_host_boundary", expr: `app\.example\.com$`, trusted: []string{app},
		want: []Witness{{Origin: "https://evilapp.example.com", Class: PreDomain}}},
	{name: "pre-domain_fp", expr: `^https://([a-z0-9-]+\.)?example\.com$`, notWant: []Class{PreDomain}},
	// sibling subdomain: any subdomain is a real but different finding
	{name: "sibling-subdomain", expr: `^https://([a-z0-9-]+\.)?example\.com$`, trusted: []string{app},
		want: []Witness{{Origin: "https://evil.example.com", Class: SiblingSubdomain}}, only: true},
	{name: "sibling-subdomain_lookahead_excludes_evil", expr: `^https://(?!evil)[a-z]+\.example\.com$`, trusted: []string{app},
		want: []Witness{{Origin: "https://forgotten.example.com", Class: SiblingSubdomain}}, only: true},
	{name: "sibling-subdomain_fp", expr: `^https://(app|admin)\.example\.com$`, none: true},
	// nested subdomain
	{name: "nested-subdomain", expr: `^https://.*\.app\.example\.com$`, trusted: []string{app},
		want: []Witness{{Origin: "https://evil.app.example.com", Class: NestedSubdomain}}, notWant: []Class{SiblingSubdomain}},
	{name: "nested-subdomain_fp", expr: `^https://[a-z]+\.example\.com$`, trusted: []string{app}, notWant: []Class{NestedSubdomain}},
	// unescaped dot
	{name: "unescaped-dot", expr: `^https://app.example.com$`,
		want: []Witness{{Origin: "https://appxexample.com", Class: UnescapedDot}, {Origin: "https://app.examplexcom", Class: UnescapedDot}}},
	{name: "unescaped-dot_fp", expr: `^https://app\.example\.com$`, none: true},
	// substring
	{name: "substring", expr: `^https://app\.example\.com?$`, trusted: []string{app},
		want: []Witness{{Origin: "https://app.example.co", Class: Substring}}},
	{name: "substring_fp", expr: `^https://app\.example\.com$`, trusted: []string{app}, notWant: []Class{Substring}},
	// http downgrade
	{name: "http-downgrade", expr: `^https?://app\.example\.com$`,
		want: []Witness{{Origin: "http://app.example.com", Class: HTTPDowngrade}}},
	{name: "http-downgrade_trusted", expr: `^https?://app\.example\.com$`, trusted: []string{app, "http://app.example.com"}, none: true},
	{name: "http-downgrade_fp", expr: `^https://app\.example\.com$`, none: true},
	// special characters after the trusted name (meant to allow a port or path)
	{name: "special-chars", expr: `^https://app\.example\.com([^.\-a-zA-Z0-9]+.*)?$`,
		want:    []Witness{{Origin: "https://app.example.com`.evil.test", Class: SpecialChars}, {Origin: "https://app.example.com_.evil.test", Class: SpecialChars}},
		notWant: []Class{PostDomain}},
	{name: "special-chars_fp", expr: `^https://app\.example\.com(:[0-9]+)?$`, none: true},
	// special label
	{name: "special-label", expr: `^https://app\.example\.com\.\W+\.`,
		want: []Witness{{Origin: "https://app.example.com.$.evil.test", Class: SpecialLabel}}, notWant: []Class{PostDomain}},
	{name: "special-label_fp", expr: `^https://app\.example\.com\.[a-z]+\.example\.com$`, trusted: []string{app}, notWant: []Class{SpecialLabel}},
	// shared hosting
	{name: "shared-hosting", expr: `.*\.github\.io`,
		want: []Witness{{Origin: "https://evil.github.io", Class: SharedHosting}}, notWant: []Class{SiblingSubdomain}},
	{name: "shared-hosting_exact", expr: `^https://(app\.example\.com|codepen\.io)$`, trusted: []string{app},
		want: []Witness{{Origin: "https://codepen.io", Class: SharedHosting}}},
	{name: "shared-hosting_fp", expr: `^https://myorg\.github\.io$`, none: true},
	// localhost left over from development
	{name: "localhost", expr: `^(https://app\.example\.com|http://localhost(:\d+)?)$`, trusted: []string{app},
		want: []Witness{{Origin: "http://localhost", Class: Localhost}, {Origin: "http://localhost:3000", Class: Localhost}}},
	{name: "localhost_fp", expr: `^https://app\.example\.com$`, trusted: []string{app}, notWant: []Class{Localhost}},
	// IP literals: only the forms a browser serialises count
	{name: "ip-literal", expr: `^http://\[::1\]`, trusted: []string{app},
		want: []Witness{{Origin: "http://[::1]", Class: IPLiteral}}},
	{name: "ip-literal_fp", expr: `^http://(2130706433|0x7f000001|127\.1)$`, trusted: []string{app}, none: true},
	// IDN: browsers send punycode, never Unicode
	{name: "idn", expr: `^https://app\.(example|xn--[a-z0-9-]+)\.com$`, trusted: []string{app},
		want: []Witness{{Origin: "https://app.xn--xample-2of.com", Class: IDN}}},
	{name: "idn_fp", expr: `^https://app\.[eе]xample\.com$`, trusted: []string{app}, none: true},
	// classes a hostile page cannot make a browser send are never witnesses
	{name: "port_fp", expr: `^https://app\.example\.com(:\d+)?$`, none: true},
	{name: "case_fp", expr: `^https://app\.example\.com$`, ci: true, none: true},
	{name: "case_inline_fp", expr: `(?i)^https://APP\.example\.com$`, trusted: []string{app}, none: true},
	{name: "trailing-dot_fp", expr: `^https://app\.example\.com\.?$`, none: true},
	{name: "userinfo_fp", expr: `^https://app\.example\.com(@.*)?$`, none: true},
	{name: "whitespace_fp", expr: `^https://app\.example\.com(\s.*)?$`, none: true},
	{name: "empty_fp", expr: `^$`, trusted: []string{app}, none: true},

	// Real-world mistakes (ATTACKS.md).
	{name: "nginx_map_unanchored_unescaped", expr: `^https://(.*\.)?example.com`, ci: true,
		want: []Witness{
			{Origin: "https://example.com.evil.test", Class: PostDomain},
			{Origin: "https://evil.example.com", Class: SiblingSubdomain},
			{Origin: "https://examplexcom", Class: UnescapedDot},
		}},
	{name: "nginx_if_bare_group", expr: `(example.com)`, ci: true,
		want: []Witness{
			{Origin: "https://example.com.evil.test", Class: PostDomain},
			{Origin: "https://evilexample.com", Class: PreDomain},
			{Origin: "https://examplexcom", Class: UnescapedDot},
			{Origin: "http://example.com", Class: HTTPDowngrade},
		}, notWant: []Class{Arbitrary}},
	{name: "apache_setenvif", expr: `^http(s)?://(.+\.)?(example.com)$`,
		want: []Witness{
			{Origin: "https://evil.example.com", Class: SiblingSubdomain},
			{Origin: "https://examplexcom", Class: UnescapedDot},
			{Origin: "http://example.com", Class: HTTPDowngrade},
		}, notWant: []Class{PostDomain, PreDomain}},
	{name: "apache_setenvif_fixed_fp", expr: `^https://(app|www)\.example\.com$`, none: true},
	{name: "gin_unanchored_end", expr: `^https://app\.example\.com`, dialect: RE2,
		want: []Witness{{Origin: "https://app.example.com.evil.test", Class: PostDomain}}},
	{name: "express_readme", expr: `example\.com$`, dialect: RE2,
		want: []Witness{{Origin: "https://evilexample.com", Class: PreDomain}}},
	{name: "rs_cors_glob_no_dot", expr: `https://*example.com`, dialect: Glob,
		want: []Witness{{Origin: "https://evilexample.com", Class: PreDomain}}},
	{name: "glob_subdomain", expr: `https://*.example.com`, dialect: Glob, trusted: []string{app},
		want:    []Witness{{Origin: "https://evil.example.com", Class: SiblingSubdomain}, {Origin: "https://evil.app.example.com", Class: NestedSubdomain}},
		notWant: []Class{PreDomain, PostDomain}},
	{name: "glob_exact_fp", expr: `https://app.example.com`, dialect: Glob, none: true},

	// PCRE-only syntax runs on the backtracking engine.
	{name: "pcre_negative_lookahead", expr: `^https://(?!admin\.)[a-z]+\.example\.com$`, trusted: []string{app},
		want: []Witness{{Origin: "https://evil.example.com", Class: SiblingSubdomain}}},
	{name: "pcre_possessive", expr: `^https://[a-z]++\.example\.com$`, trusted: []string{app},
		want: []Witness{{Origin: "https://evil.example.com", Class: SiblingSubdomain}}},
	{name: "pcre_lookahead_fp", expr: `^https://(?=app\.)[a-z]+\.example\.com$`, trusted: []string{app}, none: true},
	{name: "pcre_backreference_fp", expr: `^(https)://app\.example\.com$(?<!\1x)`, none: true},
}

func TestSearch(t *testing.T) {
	for _, tt := range searchCases {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Compile(tt.expr, tt.dialect, tt.ci)
			if err != nil {
				t.Fatalf("Compile(%q): %v", tt.expr, err)
			}
			trusted := tt.trusted
			if trusted == nil {
				trusted = Intended(tt.expr, tt.dialect)
			}
			got, err := Search(m, trusted, Literals(tt.expr, tt.dialect))
			if err != nil {
				t.Fatalf("Search: %v", err)
			}
			dump := func() string {
				var b strings.Builder
				for _, w := range got {
					b.WriteString("\n\t" + string(w.Class) + " " + w.Origin + " (from " + w.From + ")")
				}
				return b.String()
			}
			if tt.none && len(got) > 0 {
				t.Errorf("trusted %v: want no witness, got%s", trusted, dump())
			}
			for _, w := range tt.want {
				if !slices.ContainsFunc(got, func(g Witness) bool { return g.Origin == w.Origin && g.Class == w.Class }) {
					t.Errorf("trusted %v: missing %s %q; got%s", trusted, w.Class, w.Origin, dump())
				}
			}
			if tt.only && len(got) != len(tt.want) {
				t.Errorf("want exactly %v, got%s", tt.want, dump())
			}
			for _, c := range tt.notWant {
				if slices.ContainsFunc(got, func(g Witness) bool { return g.Class == c }) {
					t.Errorf("trusted %v: unexpected %s witness; got%s", trusted, c, dump())
				}
			}
			for _, g := range got {
				if slices.Contains(trusted, g.Origin) {
					t.Errorf("witness %q is trusted", g.Origin)
				}
				if !g.Class.BrowserSendable() {
					t.Errorf("witness %q has class %s, which no browser sends", g.Origin, g.Class)
				}
			}
			if !slices.IsSortedFunc(got, func(a, b Witness) int { return a.Class.order() - b.Class.order() }) {
				t.Errorf("witnesses not in class order:%s", dump())
			}
		})
	}
}

// Every class has a caught case and a near-miss twin in the table above.
func TestSearchCasesCoverEveryClass(t *testing.T) {
	for _, c := range Classes {
		caught, twin := false, false
		for _, tt := range searchCases {
			if strings.HasPrefix(tt.name, string(c)) && strings.HasSuffix(tt.name, "_fp") {
				twin = true
			}
			if slices.ContainsFunc(tt.want, func(w Witness) bool { return w.Class == c }) {
				caught = true
			}
		}
		if !twin {
			t.Errorf("class %s has no _fp near-miss case", c)
		}
		if !caught && c.BrowserSendable() {
			t.Errorf("class %s has no case that catches it", c)
		}
	}
}

func TestSearchPerClassLimit(t *testing.T) {
	m, err := Compile(`.`, PCRE, false)
	if err != nil {
		t.Fatal(err)
	}
	// A pattern that accepts everything: subsumed down to arbitrary + null.
	got, err := Search(m, []string{app}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []Witness{
		{Origin: "https://evil.test", Class: Arbitrary},
		{Origin: "http://evil.test", Class: Arbitrary},
		{Origin: "null", Class: Null},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

type failingMatcher struct{}

func (failingMatcher) Match(string) (bool, error) { return false, errors.New("match timeout") }

func TestSearchReportsMatchErrors(t *testing.T) {
	got, err := Search(failingMatcher{}, []string{app}, nil)
	if err == nil || !strings.Contains(err.Error(), "match timeout") {
		t.Errorf("err = %v, want the matcher's error", err)
	}
	if len(got) != 0 {
		t.Errorf("got witnesses %v from a matcher that accepts nothing", got)
	}
	if _, err := Search(nil, nil, nil); err == nil {
		t.Error("Search(nil matcher) returned no error")
	}
}
