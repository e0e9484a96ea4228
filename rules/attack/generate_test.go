package attack

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// The ATTACKS.md examples for trusted https://www.example.com, each under
// its class: the generator must produce every one of them.
func TestGenerateATTACKSExamples(t *testing.T) {
	want := map[Class][]string{
		Arbitrary:        {"https://evil.test"},
		Null:             {"null"},
		PostDomain:       {"https://www.example.com.evil.test"},
		NoDotPostDomain:  {"https://www.example.comevil.test"},
		PreDomain:        {"https://evilexample.com", "https://evil-www.example.com", "https://evilwww.example.com"},
		SiblingSubdomain: {"https://evil.example.com"},
		NestedSubdomain:  {"https://evil.www.example.com"},
		UnescapedDot:     {"https://wwwxexample.com", "https://www.examplexcom"},
		Substring:        {"https://xample.com", "https://www.example.co"},
		HTTPDowngrade:    {"http://www.example.com"},
		SpecialChars: {
			"https://www.example.com`.evil.test", "https://www.example.com_.evil.test",
			"https://www.example.com{.evil.test", "https://www.example.com}.evil.test",
			"https://www.example.com!.evil.test", "https://www.example.com~.evil.test",
			"https://www.example.com$.evil.test", "https://www.example.com+.evil.test",
			"https://www.example.com=.evil.test", "https://www.example.com|.evil.test",
			"https://www.example.com%60.evil.test",
		},
		SpecialLabel:  {"https://www.example.com.$.evil.test"},
		SharedHosting: {"https://evil.github.io", "https://evil.herokuapp.com", "https://evil.vercel.app", "https://codepen.io", "https://jsfiddle.net", "https://evil.s3.amazonaws.com"},
		Extension:     {"chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba", "moz-extension://6f1c2b3a-9d8e-4f7a-b6c5-d4e3f2a1b0c9", "safari-web-extension://6F1C2B3A-9D8E-4F7A-B6C5-D4E3F2A1B0C9"},
		Localhost:     {"http://localhost", "http://127.0.0.1", "http://localhost.evil.test"},
		Port:          {"https://www.example.com:1337"},
		Case:          {"https://WWW.EXAMPLE.COM"},
		TrailingDot:   {"https://www.example.com."},
		IDN:           {"https://www.exаmple.com", "https://www.xn--exmple-4nf.com"},
		Userinfo:      {"https://www.example.com@evil.test"},
		IPLiteral:     {"http://[::1]", "http://2130706433"},
		Whitespace:    {"https://www.example.com https://evil.test", "https://www.example.com,https://evil.test"},
		Empty:         {""},
	}
	got := Generate([]string{"https://www.example.com"}, nil)
	for _, c := range Classes {
		if len(want[c]) == 0 {
			t.Errorf("test lacks an example for class %s", c)
		}
		for _, o := range want[c] {
			if !slices.Contains(got, Candidate{Origin: o, Class: c, From: fromFor(c, "https://www.example.com")}) {
				t.Errorf("Generate lacks %s %q", c, o)
			}
		}
	}
}

// fromFor is the From a candidate of class c carries: seeds have none.
func fromFor(c Class, src string) string {
	switch c {
	case Arbitrary, Null, SharedHosting, Extension, Localhost, IPLiteral, Empty:
		return ""
	}
	return src
}

func TestGenerateProperties(t *testing.T) {
	trusted := []string{"https://app.example.com", "http://legacy.example.org:8080", "https://myapp.github.io", "http://[::1]:3000", "not an origin"}
	literals := []string{"example.com", ".example.net", "*.example.io", "localhost", "https://app.example.com"}
	a := Generate(trusted, literals)
	b := Generate(trusted, literals)
	if !slices.Equal(a, b) {
		t.Fatal("Generate is not deterministic")
	}
	seen := map[string]bool{}
	for i, c := range a {
		if seen[c.Origin] {
			t.Errorf("duplicate origin %q", c.Origin)
		}
		seen[c.Origin] = true
		if slices.Contains(trusted, c.Origin) {
			t.Errorf("trusted origin %q generated as an attack", c.Origin)
		}
		if i > 0 && a[i-1].Class.order() > c.Class.order() {
			t.Errorf("%q (%s) after %q (%s): not in class order", c.Origin, c.Class, a[i-1].Origin, a[i-1].Class)
		}
		if strings.Contains(c.Origin, "example") && c.From == "" {
			t.Errorf("derived candidate %q has no From", c.Origin)
		}
	}
	// A port stays a port: it is never spliced into an attacker host.
	if seen["http://legacy.example.org:8080.evil.test"] {
		t.Error("port spliced into a host")
	}
	for _, w := range []Candidate{
		{"http://legacy.example.org.evil.test:8080", PostDomain, "http://legacy.example.org:8080"},
		{"https://evil.example.net", SiblingSubdomain, ".example.net"},
		{"https://evil.example.io", SiblingSubdomain, "*.example.io"},
		{"https://evil.github.io", SharedHosting, ""},
		{"http://localhost", Localhost, ""},
	} {
		if !slices.Contains(a, w) {
			t.Errorf("missing %+v", w)
		}
	}
	// A subdomain of someone's own shared-hosting site is theirs, not
	// anyone's: it must not be classed as shared hosting.
	if i := slices.IndexFunc(a, func(c Candidate) bool { return c.Origin == "https://evil.myapp.github.io" }); i >= 0 && a[i].Class == SharedHosting {
		t.Errorf("evil.myapp.github.io classed as shared hosting")
	}
}

func TestGenerateIsBounded(t *testing.T) {
	var trusted []string
	for i := range 200 {
		trusted = append(trusted, fmt.Sprintf("https://host%d.example.com", i))
	}
	all := Generate(trusted, nil)
	capped := Generate(trusted[:MaxSources], nil)
	if !slices.Equal(all, capped) {
		t.Errorf("sources beyond MaxSources were expanded: %d vs %d candidates", len(all), len(capped))
	}
	if len(all) > 5000 {
		t.Errorf("%d candidates: more than the documented bound", len(all))
	}
	long := "https://" + strings.Repeat("a.", 120) + "example.com"
	if n := len(Generate([]string{long}, nil)); n > 400 {
		t.Errorf("a 250-byte host gives %d candidates", n)
	}
}

func TestSeedList(t *testing.T) {
	seeds := SeedList()
	if len(seeds) == 0 {
		t.Fatal("empty seed list")
	}
	for _, s := range seeds {
		if strings.Contains(s.Origin, "example") || s.From != "" {
			t.Errorf("seed %+v is derived from a trusted origin", s)
		}
	}
	if !slices.ContainsFunc(seeds, func(c Candidate) bool { return c.Origin == "https://evil.test" }) {
		t.Error("seed list lacks https://evil.test")
	}
}

func TestOriginIsItsSerialisation(t *testing.T) {
	for _, s := range []string{"https://app.example.com", "http://app.example.com:8080", "https://[::1]:443", "https://a.b"} {
		o, ok := parseSource(s)
		if !ok {
			t.Fatalf("parseSource(%q) failed", s)
		}
		for _, other := range []string{s, s + "x", s + ":1", strings.TrimSuffix(s, "m"), "http" + s, "", strings.ToUpper(s), strings.Replace(s, "://", ":/", 1)} {
			if got, want := o.is(other), o.String() == other; got != want {
				t.Errorf("origin %q .is(%q) = %v, want %v", o.String(), other, got, want)
			}
		}
	}
}

// What Search and NeverMatches try is the same with the candidates a
// browser never sends left out of generation as with them generated and
// skipped: same origins, classes, sources and order.
func TestSendableGenerationKeepsWhatSearchTries(t *testing.T) {
	tries := func(cs []Candidate) []Candidate {
		var out []Candidate
		for _, c := range cs {
			if !c.Class.BrowserSendable() || (c.Class == IDN || c.Class == IPLiteral) && !isSerialised(c.Origin) {
				continue
			}
			out = append(out, c)
		}
		return out
	}
	inputs := [][2][]string{
		{{"https://app.example.com"}, {"https://app.example.com", "app.example.com", "example.com"}},
		{{"http://localhost:3000", "https://127.0.0.1"}, {"localhost", "127.0.0.1", "[::1]"}},
		{{"https://myapp.github.io"}, {"github.io", "herokuapp.com", "evil.test"}},
		{{"https://api.example.co.uk:8443"}, {"1.2.3.4", "0x7f.1", "xn--exmple-cua.com", "app.example.com."}},
		{nil, nil},
	}
	// Exactly what it leaves out: derived candidates of the classes a
	// browser does not send and IDN hosts in Unicode (the seeds, merged
	// from their own sorted list, all stay).
	derivedUnsent := func(c Candidate) bool {
		unicode := strings.ContainsFunc(c.Origin, func(r rune) bool { return r > 0x7f })
		return c.From != "" && (!c.Class.BrowserSendable() || c.Class == IDN && unicode)
	}
	for _, in := range inputs {
		full, sendable := Generate(in[0], in[1]), generateSendable(in[0], in[1])
		if all, some := tries(full), tries(sendable); !slices.Equal(all, some) {
			t.Errorf("Generate(%q, %q): the candidates tried differ:\n all      %v\n sendable %v", in[0], in[1], all, some)
		}
		if want := slices.DeleteFunc(slices.Clone(full), derivedUnsent); !slices.Equal(sendable, want) {
			t.Errorf("generateSendable(%q, %q) =\n %v\nwant\n %v", in[0], in[1], sendable, want)
		}
		if len(tries(sendable)) == 0 {
			t.Errorf("Generate(%q, %q): nothing to try", in[0], in[1])
		}
	}
}
