package apache

import (
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// A header's Written is what a fix may copy into another scope: the value
// of `Header [always|onsuccess] set|add|append|merge Name Value` and
// nothing more; a condition, `early` or another action leave it empty.
func TestHeaderWrittenIsThePlainDirectivesValue(t *testing.T) {
	for _, c := range []struct{ directive, want string }{
		{`Header always set Access-Control-Allow-Origin "%{Origin}i"`, "%{Origin}i"},
		{`Header set Access-Control-Allow-Methods "GET, PUT"`, "GET, PUT"},
		{`Header onsuccess merge Access-Control-Allow-Credentials true`, "true"},
		{`Header always set Access-Control-Allow-Origin "https://app.example.com" env=cors`, ""},
		{`Header always set Access-Control-Allow-Origin "https://app.example.com" early`, ""},
		{`Header always setifempty Access-Control-Allow-Origin "https://app.example.com"`, ""},
	} {
		src := "<VirtualHost *:80>\n    ServerName api.example.com\n    SetEnvIf Origin . cors\n    " + c.directive + "\n</VirtualHost>\n"
		p := scope(t, ParseSource("httpd.conf", []byte(src)), "VirtualHost *:80 api.example.com")
		var got []rules.Header
		for _, h := range p.Actual.Headers {
			if _, ok := rules.CanonicalCORSHeader(h.Name); ok {
				got = append(got, h)
			}
		}
		if len(got) != 1 || got[0].Written != c.want {
			t.Errorf("%s: headers %+v, want one with Written %q", c.directive, got, c.want)
		}
	}
}

// A Header expanded from a macro is reported at the Use line, where a fix
// cannot edit it: it carries no Written value.
func TestMacroHeaderHasNoWrittenValue(t *testing.T) {
	src := "<Macro Cors $origin>\n    Header always set Access-Control-Allow-Origin \"$origin\"\n</Macro>\n<VirtualHost *:80>\n    ServerName api.example.com\n    Use Cors \"https://app.example.com\"\n</VirtualHost>\n"
	p := scope(t, ParseSource("httpd.conf", []byte(src)), "VirtualHost *:80 api.example.com")
	n := 0
	for _, h := range p.Actual.Headers {
		if h.Name == rules.HeaderAllowOrigin {
			n++
			if h.Written != "" {
				t.Errorf("macro-expanded header %+v has Written %q", h, h.Written)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d Allow-Origin headers, want the macro's one", n)
	}
}
