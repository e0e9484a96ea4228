package nginx

import (
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// A header's Written is what a fix may copy into another scope: the value
// of a plain `add_header Name Value [always]`, as nginx reads it (quotes
// gone), and nothing for a directive a copy would change.
func TestHeaderWrittenIsThePlainDirectivesValue(t *testing.T) {
	for _, c := range []struct{ directive, header, want string }{
		{`add_header Access-Control-Allow-Origin $http_origin always;`, rules.HeaderAllowOrigin, "$http_origin"},
		{`add_header Access-Control-Allow-Methods "GET, PUT";`, rules.HeaderAllowMethods, "GET, PUT"},
		{`add_header 'Access-Control-Allow-Credentials' 'true' always;`, rules.HeaderAllowCredentials, "true"},
		{`more_set_headers "Access-Control-Allow-Origin: https://app.example.com";`, rules.HeaderAllowOrigin, ""},
	} {
		conf := "events {}\nhttp {\n  server {\n    listen 80;\n    location / {\n      " + c.directive + "\n    }\n  }\n}\n"
		p := policy(t, parseConf(t, conf), "location /")
		got := p.Actual.Find(c.header)
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

// An origin granted by a map entry keyed by exactly that origin is marked
// Entry: removing the line stops granting it (and nothing else); a regex
// key grants a pattern, not a listed origin.
func TestMapEntryKeyedByTheOriginIsMarked(t *testing.T) {
	conf := "events {}\nhttp {\n  map $http_origin $cors {\n    default \"\";\n    \"https://app.example.com\" $http_origin;\n    https://admin.example.com https://admin.example.com;\n    ~^https://.*\\.example\\.org$ $http_origin;\n  }\n  server {\n    listen 80;\n    location / {\n      add_header Access-Control-Allow-Origin $cors always;\n      add_header Vary Origin always;\n    }\n  }\n}\n"
	p := policy(t, parseConf(t, conf), "location /")
	entries := map[string]bool{}
	for _, o := range p.Actual.Origins {
		if o.Kind == rules.OriginList && len(o.Values) == 1 {
			entries[o.Values[0]] = o.Entry
		} else if o.Entry {
			t.Errorf("%+v is marked Entry", o)
		}
	}
	if !entries["https://app.example.com"] || !entries["https://admin.example.com"] {
		t.Errorf("list rules and their Entry marks: %v", entries)
	}
}
