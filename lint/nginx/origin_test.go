package nginx

import (
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// server wraps location-level lines in http > server > location /api.
func server(pre, loc string) string {
	return "http {\n" + pre + "\nserver {\n listen 443 ssl;\n server_name api.example.com;\n location /api {\n" + loc + "\n proxy_pass http://app;\n }\n}\n}\n"
}

// The heart of the front end: how Access-Control-Allow-Origin is chosen.
func TestOriginDataFlow(t *testing.T) {
	tests := []struct {
		name string
		pre  string // http-level lines (maps)
		loc  string // location-level lines
		want []string
	}{
		{name: "literal star is any",
			loc:  `add_header Access-Control-Allow-Origin *;`,
			want: []string{"any"}},
		{name: "literal origin kept as written, even invalid",
			loc:  `add_header Access-Control-Allow-Origin "http://example.com/";`,
			want: []string{"list[http://example.com/]"}},
		{name: "literal list kept as one value",
			loc:  `add_header Access-Control-Allow-Origin "https://a.com https://b.com";`,
			want: []string{"list[https://a.com https://b.com]"}},
		{name: "unguarded $http_origin reflects",
			loc:  `add_header Access-Control-Allow-Origin $http_origin;`,
			want: []string{"reflect"}},
		{name: "braced ${http_origin} in quotes reflects",
			loc:  `add_header Access-Control-Allow-Origin "${http_origin}";`,
			want: []string{"reflect"}},
		{name: "if ~* regex guards the echo, case-insensitive",
			loc: "if ($http_origin ~* \"^https://app\\.example\\.com$\") {\n" +
				"  add_header Access-Control-Allow-Origin $http_origin;\n}",
			want: []string{`pattern pcre/i ^https://app\.example\.com$ @7`}},
		{name: "if ~ regex is case-sensitive, unanchored kept as written",
			loc:  "if ($http_origin ~ (example.com)) {\n add_header Access-Control-Allow-Origin $http_origin;\n}",
			want: []string{"pattern pcre (example.com) @7"}},
		{name: "if = exact is a list that echoes",
			loc:  "if ($http_origin = \"https://app.example.com\") {\n add_header Access-Control-Allow-Origin $http_origin;\n}",
			want: []string{"list[https://app.example.com] echo"}},
		{name: "if !~ negation validates nothing",
			loc:  "if ($http_origin !~ \"^https://evil\") {\n add_header Access-Control-Allow-Origin $http_origin;\n}",
			want: []string{"reflect"}},
		{name: "map: regex, exact, default empty grants nothing",
			pre: "map $http_origin $cors {\n default \"\";\n \"~^https://(www\\.)?example\\.com$\" $http_origin;\n" +
				" ~*^https://.*\\.partner\\.test$ $http_origin;\n https://exact.test $http_origin;\n}",
			loc: `add_header Access-Control-Allow-Origin $cors;`,
			want: []string{`pattern pcre ^https://(www\.)?example\.com$ @4`, `pattern pcre/i ^https://.*\.partner\.test$ @5`,
				"list[https://exact.test] echo"}},
		{name: "map regex entry with a literal origin value",
			pre:  "map $http_origin $cors {\n ~example\\.com https://www.example.com;\n}",
			loc:  `add_header Access-Control-Allow-Origin $cors;`,
			want: []string{"list[https://www.example.com]"}},
		{name: "map default $http_origin reflects",
			pre:  "map $http_origin $cors {\n default $http_origin;\n https://a.test $http_origin;\n}",
			loc:  `add_header Access-Control-Allow-Origin $cors;`,
			want: []string{"list[https://a.test] echo", "reflect"}},
		{name: "map default star is any",
			pre:  "map $http_origin $cors {\n default \"*\";\n}",
			loc:  `add_header Access-Control-Allow-Origin $cors;`,
			want: []string{"any"}},
		{name: "map hostnames: globs",
			pre:  "map $http_origin $cors {\n hostnames;\n .example.com $http_origin;\n *.partner.test $http_origin;\n}",
			loc:  `add_header Access-Control-Allow-Origin $cors;`,
			want: []string{"pattern glob/i *.example.com @4", "pattern glob/i *.partner.test @5"}},
		{name: "two-stage: map flag then if ($flag)",
			pre:  "map $http_origin $cors_ok {\n default 0;\n ~^https://app\\.example\\.com$ 1;\n}",
			loc:  "if ($cors_ok) {\n add_header Access-Control-Allow-Origin $http_origin;\n}",
			want: []string{`pattern pcre ^https://app\.example\.com$ @4`}},
		{name: "two-stage: map flag then if ($flag = 1) and set",
			pre: "map $http_origin $cors_ok {\n ~^https://app\\.example\\.com$ 1;\n https://b.test 1;\n}",
			loc: "set $acao \"\";\nif ($cors_ok = 1) {\n set $acao $http_origin;\n}\n" +
				"add_header Access-Control-Allow-Origin $acao;",
			want: []string{`pattern pcre ^https://app\.example\.com$ @3`, "list[https://b.test] echo"}},
		{name: "set then guarded set in if",
			loc: "set $cors \"\";\nif ($http_origin ~* ^https://app\\.example\\.com$) {\n set $cors $http_origin;\n}\n" +
				"add_header Access-Control-Allow-Origin $cors always;",
			want: []string{`pattern pcre/i ^https://app\.example\.com$ @8`}},
		{name: "plain alias of $http_origin reflects",
			loc:  "set $origin $http_origin;\nadd_header Access-Control-Allow-Origin $origin;",
			want: []string{"reflect"}},
		{name: "string-building flag (the popular gist)",
			loc: "set $cors \"\";\nif ($http_origin ~* \"^https://app\\.example\\.com$\") {\n set $cors \"true\";\n}\n" +
				"if ($request_method = OPTIONS) {\n set $cors \"${cors}options\";\n}\n" +
				"if ($cors = \"true\") {\n add_header Access-Control-Allow-Origin $http_origin;\n}",
			want: []string{`pattern pcre/i ^https://app\.example\.com$ @8`}},
		{name: "capture spanning the whole anchored pattern is the origin",
			loc:  "if ($http_origin ~* \"^(https://[a-z]+\\.example\\.com)$\") {\n set $acao $1;\n}\nadd_header Access-Control-Allow-Origin $acao;",
			want: []string{`pattern pcre/i ^(https://[a-z]+\.example\.com)$ @7`}},
		{name: "variable set by perl_set is unknown",
			pre:  `perl_set $cors_origin 'sub { return "*"; }';`,
			loc:  `add_header Access-Control-Allow-Origin $cors_origin;`,
			want: []string{"unknown(variable $cors_origin is set by perl_set (code outside this configuration))"}},
		{name: "variable assigned in Lua is unknown",
			loc:  "access_by_lua_block {\n ngx.var.cors = ngx.var.http_origin\n}\nset $cors \"\";\nadd_header Access-Control-Allow-Origin $cors;",
			want: []string{"unknown(variable $cors is assigned in Lua (access_by_lua_block))"}},
		{name: "upstream header is unknown",
			loc:  `add_header Access-Control-Allow-Origin $upstream_http_access_control_allow_origin;`,
			want: []string{"unknown(variable $upstream_http_access_control_allow_origin is set by the upstream response header Access-Control-Allow-Origin)"}},
		{name: "query argument is unknown",
			loc:  `add_header Access-Control-Allow-Origin $arg_origin;`,
			want: []string{"unknown(variable $arg_origin is the client-controlled query argument origin)"}},
		{name: "undefined variable is unknown",
			loc:  `add_header Access-Control-Allow-Origin $cors_origin;`,
			want: []string{"unknown(variable $cors_origin is not defined in this configuration (set by a module or at runtime))"}},
		{name: "text mixed with a request variable is unknown",
			loc:  `add_header Access-Control-Allow-Origin "https://$host";`,
			want: []string{`unknown(value https://$host mixes text with $host (built-in variable $host depends on the request))`}},
		{name: "text mixed with a set literal resolves",
			loc:  "set $domain example.com;\nadd_header Access-Control-Allow-Origin \"https://app.$domain\";",
			want: []string{"list[https://app.example.com]"}},
		{name: "empty literal sends nothing",
			loc:  `add_header Access-Control-Allow-Origin "";`,
			want: nil},
		{name: "more_set_headers reflects",
			loc:  `more_set_headers 'Access-Control-Allow-Origin: $http_origin';`,
			want: []string{"reflect"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := parseConf(t, server(tc.pre, tc.loc))
			equal(t, "diagnostics", diagnostics(res), nil)
			var got []string
			for _, p := range res.Policies {
				if strings.HasSuffix(p.Scope.Name, "location /api") {
					got = origins(p.Actual.Origins)
				}
			}
			equal(t, "origins", got, tc.want)
		})
	}
}

// Evidence of a map-driven grant points at the map entry and the add_header.
func TestOriginEvidence(t *testing.T) {
	res := parseConf(t, server("map $http_origin $cors {\n ~^https://a\\.test $http_origin;\n}",
		"add_header Access-Control-Allow-Origin $cors always;"))
	p := policy(t, res, "location /api")
	if len(p.Actual.Origins) != 1 {
		t.Fatalf("origins %v", origins(p.Actual.Origins))
	}
	var lines []int
	for _, e := range p.Actual.Origins[0].Evidence {
		lines = append(lines, e.Range.Line)
	}
	if len(lines) != 2 || lines[0] != 3 || lines[1] != 9 {
		t.Errorf("evidence lines %v, want [3 9] (map entry, add_header)", lines)
	}
	if got := p.Actual.Origins[0].Pattern.Evidence.Text; got != `~^https://a\.test $http_origin;` {
		t.Errorf("pattern evidence %q", got)
	}
}

func TestHeaderValues(t *testing.T) {
	tests := []struct {
		name string
		pre  string
		loc  string
		want []string
	}{
		{name: "always and plain",
			loc:  "add_header Access-Control-Allow-Origin https://a.test always;\nadd_header Access-Control-Allow-Credentials true;\nadd_header X-Other 1;",
			want: []string{`Access-Control-Allow-Origin: "https://a.test" always`, `Access-Control-Allow-Credentials: "true"`}},
		{name: "header names are canonicalised, Vary is tracked",
			loc:  "add_header access-control-allow-origin *;\nadd_header vary Origin;",
			want: []string{`Access-Control-Allow-Origin: "*"`, `Vary: "Origin"`}},
		{name: "reflected request headers",
			loc: "add_header Access-Control-Allow-Headers $http_access_control_request_headers;\n" +
				"add_header Access-Control-Allow-Methods $http_access_control_request_method;",
			want: []string{"Access-Control-Allow-Headers: reflects request Access-Control-Request-Headers",
				"Access-Control-Allow-Methods: reflects request Access-Control-Request-Method"}},
		{name: "map value sent only for matching origins is conditional",
			pre:  "map $http_origin $cred {\n default \"\";\n ~^https://a\\.test$ true;\n}",
			loc:  "add_header Access-Control-Allow-Credentials $cred;",
			want: []string{`Access-Control-Allow-Credentials: "true" if $cred != ""`}},
		{name: "header set in an origin if is conditional",
			loc:  "if ($http_origin ~ ^https://a\\.test$) {\n add_header Access-Control-Allow-Origin $http_origin always;\n}",
			want: []string{`Access-Control-Allow-Origin: reflects request Origin always if $http_origin ~ ^https://a\.test$`}},
		{name: "more_set_headers is always sent unless -s",
			loc:  "more_set_headers 'Access-Control-Allow-Origin: *';\nmore_set_headers -s '200 204' 'Access-Control-Allow-Credentials: true';",
			want: []string{`Access-Control-Allow-Origin: "*" always`, `Access-Control-Allow-Credentials: "true"`}},
		{name: "more_set_headers replaces add_header of the same name",
			loc:  "add_header Access-Control-Allow-Origin https://a.test;\nmore_set_headers \"Access-Control-Allow-Origin: *\";",
			want: []string{`Access-Control-Allow-Origin: "*" always`}},
		{name: "more_clear_headers removes",
			loc:  "add_header Access-Control-Allow-Origin *;\nmore_clear_headers 'Access-Control-*';",
			want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := parseConf(t, server(tc.pre, tc.loc))
			var got []string
			for _, p := range res.Policies {
				if strings.HasSuffix(p.Scope.Name, "location /api") {
					got = headers(p.Actual)
				}
			}
			equal(t, "headers", got, tc.want)
		})
	}
}

func TestNoCORSNoPolicy(t *testing.T) {
	res := parseConf(t, server("", "add_header X-Frame-Options DENY;"))
	if len(res.Policies) != 0 {
		t.Errorf("policies %v, want none (nothing for rules to judge)", scopes(res))
	}
}

func TestServerFacts(t *testing.T) {
	tests := []struct {
		listen string
		hosts  string
		https  rules.State
		want   []string
	}{
		{"listen 443 ssl;", "server_name a.example.com www.example.com;", rules.Known, []string{"a.example.com", "www.example.com"}},
		{"listen 443;\nlisten [::]:443 ssl http2;", "server_name _ \"\" a.test;", rules.Known, []string{"a.test"}},
		{"listen 80;\nlisten 443 ssl;", "server_name ~^(?<sub>.+)\\.example\\.com$;", rules.Absent, []string{`~^(?<sub>.+)\.example\.com$`}},
		{"", "server_name a.test;", rules.Unknown, []string{"a.test"}},
	}
	for _, tc := range tests {
		t.Run(tc.listen, func(t *testing.T) {
			res := parseConf(t, "http { server {\n"+tc.listen+"\n"+tc.hosts+"\nadd_header Access-Control-Allow-Origin *;\n} }")
			if len(res.Policies) != 1 {
				t.Fatalf("policies %v", scopes(res))
			}
			p := res.Policies[0]
			if p.HTTPS != tc.https {
				t.Errorf("https %v, want %v", p.HTTPS, tc.https)
			}
			equal(t, "hosts", p.Hosts, tc.want)
			if p.Format != "nginx" {
				t.Errorf("format %q", p.Format)
			}
		})
	}
}
