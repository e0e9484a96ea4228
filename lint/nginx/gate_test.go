package nginx

import (
	"strings"
	"testing"
)

// A gate refuses every Origin that fails its test before anything is
// sent: after it, an echo of $http_origin echoes only Origins that passed,
// and the gate's pattern is what the rules judge.
func TestGateConstrainsTheEcho(t *testing.T) {
	cases := map[string]struct {
		gate string
		want []string
	}{
		"regex": {
			gate: `if ($http_origin !~ '^https://app\.example\.org$') { return 403; }`,
			want: []string{`pattern pcre ^https://app\.example\.org$ @3`},
		},
		"case-insensitive regex, another status": {
			gate: `if ($http_origin !~* '^https://app\.example\.org$') { return 444; }`,
			want: []string{`pattern pcre/i ^https://app\.example\.org$ @3`},
		},
		"exact": {
			gate: `if ($http_origin != "https://app.example.org") { return 403; }`,
			want: []string{"list[https://app.example.org] echo"},
		},
		"compared with a variable: unknown, not unvalidated": {
			gate: `if ($http_origin != $allowed) { return 403; }`,
			want: []string{`unknown(the Origin is compared with $allowed at nginx.conf:3)`},
		},
		"not a gate: the block sends headers of its own": {
			gate: `if ($http_origin !~ '^https://app\.example\.org$') { add_header X-Denied 1; return 403; }`,
			want: []string{"reflect"},
		},
		"not a gate: the block does not return": {
			gate: `if ($http_origin !~ '^https://app\.example\.org$') { set $x 1; }`,
			want: []string{"reflect"},
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			conf := "server {\nlocation / {\n" + c.gate + "\nadd_header Access-Control-Allow-Origin $http_origin;\n}\n}\n"
			res := parseConf(t, conf)
			p := policy(t, res, "location /")
			got := origins(p.Actual.Origins)
			for i := range got {
				got[i] = strings.Replace(got[i], res.Files[0], "nginx.conf", 1)
			}
			equal(t, "origins", got, c.want)
		})
	}
}

// A gate applies along one request's path only: a sibling location without
// it still reflects.
func TestGateIsPerLocation(t *testing.T) {
	res := parseConf(t, `server {
location /a { if ($http_origin != "https://app.example.org") { return 403; } add_header Access-Control-Allow-Origin $http_origin; }
location /b { add_header Access-Control-Allow-Origin $http_origin; }
}`)
	equal(t, "gated", origins(policy(t, res, "location /a").Actual.Origins), []string{"list[https://app.example.org] echo"})
	equal(t, "sibling", origins(policy(t, res, "location /b").Actual.Origins), []string{"reflect"})
}

// Flags: a value set inside `if ($request_method = OPTIONS)` only exists
// for OPTIONS requests, so `if ($pf = yes) { ... return 204; }` is the
// preflight branch; a flag raised for GET is not (static content: 405).
func TestFlagPreflight(t *testing.T) {
	for _, c := range []struct{ method, want string }{{"OPTIONS", "answered"}, {"GET", "rejected"}} {
		res := parseConf(t, `server {
location / {
set $pf "";
if ($request_method = `+c.method+`) { set $pf yes; }
if ($pf = yes) { add_header Access-Control-Allow-Origin https://app.example.org; add_header Access-Control-Allow-Methods PUT; return 204; }
add_header Access-Control-Allow-Origin https://app.example.org;
}
}`)
		p := policy(t, res, "location /")
		if got := p.Preflight.Kind.String(); got != c.want {
			t.Errorf("flag raised for %s: preflight %s, want %s", c.method, got, c.want)
		}
	}
}
