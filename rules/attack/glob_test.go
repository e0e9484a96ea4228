package attack

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"testing"
)

// globByParse is the glob written as a regular expression and parsed, as
// the search read it before globRegexp.
func globByParse(t *testing.T, expr string, ci bool) *syntax.Regexp {
	parts := strings.Split(expr, "*")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	flags := syntax.Perl
	if ci {
		flags |= syntax.FoldCase
	}
	re, err := syntax.Parse(`(?s)\A`+strings.Join(parts, ".*")+`\z`, flags)
	if err != nil {
		t.Fatal(err)
	}
	return re
}

func TestGlobRegexpIsItsParse(t *testing.T) {
	for _, g := range []string{
		"", "*", "**", "https://*.example.com", "https://*example.com", "*.example.com", "http://*.example.com:*",
		"https://App.Example.COM", "https://*.xn--bcher-kva.example", "a*b*c", "https://kelvin\u212a.example", "ſ*é", "1.2.3.4:*", "[*](*)",
	} {
		for _, ci := range []bool{false, true} {
			want, got := globByParse(t, g, ci), globRegexp(g, ci)
			wp, err := syntax.Compile(want.Simplify())
			if err != nil {
				t.Fatal(err)
			}
			gp, err := syntax.Compile(got.Simplify())
			if err != nil {
				t.Fatal(err)
			}
			if wp.String() != gp.String() || !want.Equal(got) {
				t.Errorf("glob %q (ci %v): built\n%v\nparsed\n%v", g, ci, gp, wp)
			}
		}
	}
}

func FuzzGlobRegexpIsItsParse(f *testing.F) {
	f.Add("https://*.Example.com", true)
	f.Fuzz(func(t *testing.T, g string, ci bool) {
		if len(g) > 80 || !utf8Valid(g) {
			return
		}
		want, got := globByParse(t, g, ci), globRegexp(g, ci)
		wp, err1 := syntax.Compile(want.Simplify())
		gp, err2 := syntax.Compile(got.Simplify())
		if err1 != nil || err2 != nil {
			t.Fatalf("compile: %v, %v", err1, err2)
		}
		if wp.String() != gp.String() {
			t.Errorf("glob %q (ci %v): built\n%v\nparsed\n%v", g, ci, gp, wp)
		}
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }
