package apache

import (
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// A header's Written is what a fix may copy into another scope: the value
// of `Header [always|onsuccess] set|add|append|merge Name Value` and
// nothing more; a condition, `early` or another action leave it empty.
func TestHeaderWrittenIsThePlainDirectivesValue(t *testing.T) {
	for _, c := range []struct{ directive, header, want string }{
		{`Header always set Access-Control-Allow-Origin "%{Origin}i"`, rules.HeaderAllowOrigin, "%{Origin}i"},
		{`Header set Access-Control-Allow-Methods "GET, PUT"`, rules.HeaderAllowMethods, "GET, PUT"},
		{`Header onsuccess merge Access-Control-Allow-Credentials true`, rules.HeaderAllowCredentials, "true"},
		{`Header always set Access-Control-Allow-Origin "https://app.example.com" env=cors`, rules.HeaderAllowOrigin, ""},
		{`Header always set Access-Control-Allow-Origin "https://app.example.com" early`, rules.HeaderAllowOrigin, ""},
		{`Header always setifempty Access-Control-Allow-Origin "https://app.example.com"`, rules.HeaderAllowOrigin, ""},
	} {
		src := "<VirtualHost *:80>\n    ServerName api.example.com\n    SetEnvIf Origin . cors\n    " + c.directive + "\n</VirtualHost>\n"
		p := scope(t, ParseSource("httpd.conf", []byte(src)), "VirtualHost *:80 api.example.com")
		got := p.Actual.Find(c.header)
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
	got := p.Actual.Find(rules.HeaderAllowOrigin)
	if len(got) != 1 || got[0].Written != "" {
		t.Errorf("Allow-Origin headers %+v, want the macro's one, with no Written value", got)
	}
}
