package nginx

import (
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// A header's Written is what a fix may copy into another scope: the value
// of a plain `add_header Name Value [always]`, as nginx reads it (quotes
// gone), and nothing for a directive a copy would change.
func TestHeaderWrittenIsThePlainDirectivesValue(t *testing.T) {
	for _, c := range []struct{ directive, want string }{
		{`add_header Access-Control-Allow-Origin $http_origin always;`, "$http_origin"},
		{`add_header Access-Control-Allow-Methods "GET, PUT";`, "GET, PUT"},
		{`add_header 'Access-Control-Allow-Credentials' 'true' always;`, "true"},
		{`more_set_headers "Access-Control-Allow-Origin: https://app.example.com";`, ""},
	} {
		conf := "events {}\nhttp {\n  server {\n    listen 80;\n    location / {\n      " + c.directive + "\n    }\n  }\n}\n"
		p := policy(t, parseConf(t, conf), "location /")
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

// A header dropped by add_header inheritance carries the inherited
// directive's value when it can be copied.
func TestDroppedWrittenIsTheInheritedValue(t *testing.T) {
	conf := "events {}\nhttp {\n  server {\n    listen 80;\n    add_header Access-Control-Allow-Origin \"https://app.example.com\" always;\n    location / {\n      add_header X-Frame-Options DENY;\n    }\n  }\n}\n"
	p := policy(t, parseConf(t, conf), "location /")
	if len(p.Dropped) != 1 || p.Dropped[0].Written != "https://app.example.com" {
		t.Errorf("dropped %+v, want the inherited Allow-Origin with its value", p.Dropped)
	}
}
