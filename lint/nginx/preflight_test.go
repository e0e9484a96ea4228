package nginx

import (
	"fmt"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// How nginx answers OPTIONS, phase by phase.
func TestPreflight(t *testing.T) {
	tests := []struct {
		name        string
		srv         string // server-level lines
		loc         string // location /api lines
		kind        rules.PreflightKind
		status      int
		wantHeaders []string
		wantDropped []string
	}{
		{name: "if OPTIONS with its own headers and return 204: only the if's headers are sent",
			loc: `add_header Access-Control-Allow-Origin https://a.test always;
add_header Access-Control-Allow-Credentials true always;
if ($request_method = OPTIONS) {
  add_header Access-Control-Allow-Origin https://a.test;
  add_header Access-Control-Allow-Methods "GET, PUT";
  return 204;
}
proxy_pass http://app;`,
			kind: rules.PreflightAnswered, status: 204,
			wantHeaders: []string{`Access-Control-Allow-Origin: "https://a.test"`, `Access-Control-Allow-Methods: "GET, PUT"`},
			wantDropped: []string{"Access-Control-Allow-Credentials from 7 by 9"}},
		{name: "if OPTIONS without add_header inherits the location's",
			loc: `add_header Access-Control-Allow-Origin https://a.test always;
if ($request_method = 'OPTIONS') { return 204; }
proxy_pass http://app;`,
			kind: rules.PreflightAnswered, status: 204,
			wantHeaders: []string{`Access-Control-Allow-Origin: "https://a.test" always`}},
		{name: "regex method test",
			loc: `if ($request_method ~ ^OPTIONS$) { add_header Access-Control-Allow-Origin *; return 200; }
proxy_pass http://app;`,
			kind: rules.PreflightAnswered, status: 200,
			wantHeaders: []string{`Access-Control-Allow-Origin: "*"`}},
		{name: "OPTIONS handled at server level answers before any location",
			srv: `if ($request_method = OPTIONS) { add_header Access-Control-Allow-Origin *; return 204; }`,
			loc: `add_header Access-Control-Allow-Origin *;
proxy_pass http://app;`,
			kind: rules.PreflightAnswered, status: 204,
			wantHeaders: []string{`Access-Control-Allow-Origin: "*"`}},
		{name: "location returning 204 for everything answers",
			loc:  `add_header Access-Control-Allow-Origin *; return 204;`,
			kind: rules.PreflightAnswered, status: 204,
			wantHeaders: []string{`Access-Control-Allow-Origin: "*"`}},
		{name: "redirect for OPTIONS",
			loc: `add_header Access-Control-Allow-Origin *;
if ($request_method = OPTIONS) { return 301 https://a.test$request_uri; }`,
			kind: rules.PreflightRedirect, status: 301,
			wantHeaders: []string{`Access-Control-Allow-Origin: "*"`}},
		{name: "405 for OPTIONS sends only always headers",
			loc: `add_header Access-Control-Allow-Origin * always;
add_header Access-Control-Allow-Methods GET;
if ($request_method = OPTIONS) { return 405; }
proxy_pass http://app;`,
			kind: rules.PreflightRejected, status: 405,
			wantHeaders: []string{`Access-Control-Allow-Origin: "*" always`}},
		{name: "limit_except without OPTIONS rejects with 403",
			loc: `add_header Access-Control-Allow-Origin *;
limit_except GET POST { deny all; }
proxy_pass http://app;`,
			kind: rules.PreflightRejected, status: 403},
		{name: "limit_except listing OPTIONS passes it on",
			loc: `add_header Access-Control-Allow-Origin *;
limit_except GET POST OPTIONS { deny all; }
proxy_pass http://app;`,
			kind:        rules.PreflightToApp,
			wantHeaders: []string{`Access-Control-Allow-Origin: "*"`}},
		{name: "auth_basic inherited from the server needs credentials",
			srv: `auth_basic "private";`,
			loc: `add_header Access-Control-Allow-Origin https://a.test always;
proxy_pass http://app;`,
			kind: rules.PreflightAuth, status: 401,
			wantHeaders: []string{`Access-Control-Allow-Origin: "https://a.test" always`}},
		{name: "auth_basic off in the location",
			srv: `auth_basic "private";`,
			loc: `auth_basic off;
add_header Access-Control-Allow-Origin *;
proxy_pass http://app;`,
			kind:        rules.PreflightToApp,
			wantHeaders: []string{`Access-Control-Allow-Origin: "*"`}},
		{name: "auth_request",
			loc: `auth_request /auth;
add_header Access-Control-Allow-Origin *;
proxy_pass http://app;`,
			kind: rules.PreflightAuth, status: 401},
		{name: "OPTIONS bypass before auth: the rewrite phase runs first",
			loc: `auth_basic "private";
add_header Access-Control-Allow-Origin * always;
if ($request_method = OPTIONS) { return 204; }
proxy_pass http://app;`,
			kind: rules.PreflightAnswered, status: 204,
			wantHeaders: []string{`Access-Control-Allow-Origin: "*" always`}},
		{name: "proxy_pass without OPTIONS handling goes to the app",
			loc: `add_header Access-Control-Allow-Origin *;
proxy_pass http://app;`,
			kind:        rules.PreflightToApp,
			wantHeaders: []string{`Access-Control-Allow-Origin: "*"`}},
		{name: "fastcgi_pass goes to the app",
			loc: `add_header Access-Control-Allow-Origin *;
fastcgi_pass unix:/run/php.sock;`,
			kind:        rules.PreflightToApp,
			wantHeaders: []string{`Access-Control-Allow-Origin: "*"`}},
		{name: "try_files falling back to a proxying named location",
			loc: `add_header Access-Control-Allow-Origin *;
try_files $uri @app;`,
			kind:        rules.PreflightToApp,
			wantHeaders: []string{`Access-Control-Allow-Origin: "*"`}},
		{name: "static files: nginx answers OPTIONS with 405",
			loc: `add_header Access-Control-Allow-Origin *;
root /var/www;`,
			kind: rules.PreflightRejected, status: 405},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conf := fmt.Sprintf("http {\nserver {\nserver_name a.test;\n%s\nlocation /api {\n%s\n}\nlocation @app { proxy_pass http://app; }\n}\n}\n", tc.srv, tc.loc)
			res := parseConf(t, conf)
			equal(t, "diagnostics", diagnostics(res), nil)
			p := policy(t, res, "location /api")
			if p.Preflight.Kind != tc.kind || p.Preflight.Status != tc.status {
				t.Errorf("preflight %v %d (%s), want %v %d", p.Preflight.Kind, p.Preflight.Status, p.Preflight.Reason, tc.kind, tc.status)
			}
			if len(p.Preflight.Evidence) == 0 {
				t.Errorf("preflight without evidence")
			}
			equal(t, "preflight headers", headers(p.Preflight.Grant), tc.wantHeaders)
			equal(t, "dropped", dropped(p.Dropped), tc.wantDropped)
		})
	}
}

// The preflight's Grant carries its own origin rules.
func TestPreflightOrigins(t *testing.T) {
	res := parseConf(t, `http {
map $http_origin $cors { ~^https://a\.test$ $http_origin; }
server {
  location /api {
    if ($request_method = OPTIONS) {
      add_header Access-Control-Allow-Origin $cors;
      return 204;
    }
    add_header Access-Control-Allow-Origin $http_origin;
    proxy_pass http://app;
  }
}
}`)
	p := policy(t, res, "location /api")
	equal(t, "actual", origins(p.Actual.Origins), []string{"reflect"})
	equal(t, "preflight", origins(p.Preflight.Grant.Origins), []string{`pattern pcre ^https://a\.test$ @2`})
}
