package apache

import (
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// TestPreflight: how OPTIONS is answered, in httpd's phase order, and which
// headers that answer carries.
func TestPreflight(t *testing.T) {
	cases := []struct {
		name       string
		body       string
		kind       rules.PreflightKind
		status     int
		reason     string // substring
		grantACAO  int    // ACAO headers on the preflight response
		evLine     int    // first evidence line, 0 to skip
		actualACAO int    // -1 to skip
	}{
		{"RewriteRule R=204 answers; only the always table is sent", `Header set Access-Control-Allow-Origin "https://a.test"
Header always set Access-Control-Allow-Methods "GET, PUT"
RewriteEngine On
RewriteCond %{REQUEST_METHOD} OPTIONS
RewriteRule ^(.*)$ $1 [R=204,L]
`, rules.PreflightAnswered, 204, "not sent on this response", 0, 6, 1},
		{"RewriteRule ^ - [R=200,L] with always headers", `Header always set Access-Control-Allow-Origin "https://a.test"
RewriteEngine on
RewriteCond %{REQUEST_METHOD} ^OPTIONS$ [NC]
RewriteRule ^ - [R=200,L]
`, rules.PreflightAnswered, 200, "answers OPTIONS with 200", 1, 5, 1},
		{"near miss: RewriteEngine off means the rule never runs", `RewriteEngine Off
RewriteCond %{REQUEST_METHOD} OPTIONS
RewriteRule ^ - [R=204,L]
`, rules.PreflightUnknown, 0, "nothing in the configuration handles OPTIONS", 0, 0, -1},
		{"near miss: a rule for GET does not answer OPTIONS", `RewriteEngine On
RewriteCond %{REQUEST_METHOD} =GET
RewriteRule ^ - [R=204,L]
`, rules.PreflightUnknown, 0, "", 0, 0, -1},
		{"<If method == OPTIONS> headers go to the preflight only", `Header always set Access-Control-Allow-Origin "https://a.test"
<If "%{REQUEST_METHOD} == 'OPTIONS'">
    Header always set Access-Control-Allow-Origin "https://b.test"
</If>
`, rules.PreflightAnswered, 200, "default handler", 1, 4, 1},
		{"LimitExcept GET POST denying everything else rejects OPTIONS", `Header set Access-Control-Allow-Origin "*"
<LimitExcept GET POST>
    Require all denied
</LimitExcept>
`, rules.PreflightRejected, 403, "denies OPTIONS", 0, 5, 1},
		{"near miss: LimitExcept that lists OPTIONS lets it through", `<LimitExcept GET POST OPTIONS>
    Require all denied
</LimitExcept>
`, rules.PreflightUnknown, 0, "", 0, 0, -1},
		{"Require valid-user makes OPTIONS need auth", `Header always set Access-Control-Allow-Origin "https://a.test"
<Location />
    AuthType Basic
    AuthName "x"
    Require valid-user
</Location>
`, rules.PreflightAuth, 401, "requires authentication", 1, 7, 1},
		{"near miss: auth exempting OPTIONS via LimitExcept", `<Location />
    AuthType Basic
    <LimitExcept OPTIONS>
        Require valid-user
    </LimitExcept>
</Location>
`, rules.PreflightUnknown, 0, "", 0, 0, -1},
		{"near miss: Require method OPTIONS in RequireAny", `<Location />
    AuthType Basic
    <RequireAny>
        Require method OPTIONS
        Require valid-user
    </RequireAny>
</Location>
`, rules.PreflightUnknown, 0, "", 0, 0, -1},
		{"server-context R=204 runs before auth", `RewriteEngine On
RewriteCond %{REQUEST_METHOD} OPTIONS
RewriteRule ^ - [R=204,L]
<Location />
    AuthType Basic
    Require valid-user
</Location>
`, rules.PreflightAnswered, 204, "", 0, 0, -1},
		{"ProxyPass hands OPTIONS to the app with both tables", `Header set Access-Control-Allow-Origin "https://a.test"
ProxyPass / http://127.0.0.1:8080/
`, rules.PreflightToApp, 0, "backend", 1, 4, 1},
		{"SetHandler hands OPTIONS to a handler", `SetHandler "proxy:fcgi://127.0.0.1:9000"
`, rules.PreflightToApp, 0, "SetHandler", 0, 3, -1},
		{"FallbackResource sends OPTIONS to the front controller", `FallbackResource /index.php
`, rules.PreflightToApp, 0, "FallbackResource", 0, 3, -1},
		{"http to https redirect catches OPTIONS", `RewriteEngine On
RewriteCond %{HTTPS} off
RewriteRule ^ https://%{HTTP_HOST}%{REQUEST_URI} [R=301,L]
`, rules.PreflightRedirect, 301, "when RewriteCond %{HTTPS} off", 0, 4, -1},
		{"Redirect permanent catches OPTIONS", `Redirect permanent / https://www.example.com/
`, rules.PreflightRedirect, 301, "Redirect", 0, 3, -1},
		{"rewrite [F] rejects", `RewriteEngine On
RewriteCond %{REQUEST_METHOD} OPTIONS
RewriteRule .* - [F]
`, rules.PreflightRejected, 403, "[F]", 0, 4, -1},
		{"E= flag set only for OPTIONS guards preflight headers", `RewriteEngine On
RewriteCond %{REQUEST_METHOD} OPTIONS
RewriteRule ^(.*)$ $1 [R=200,L,E=API_OPTIONS:1]
Header always set Access-Control-Allow-Origin "*" env=API_OPTIONS
`, rules.PreflightAnswered, 200, "", 1, 4, 0},
		{"nothing configured is unknown, with a reason", `Header set Access-Control-Allow-Origin "*"
`, rules.PreflightUnknown, 0, "default handler answers 200 for static files", 1, 0, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := parseConf(t, "site.conf", host(c.body))
			noDiagnostics(t, res)
			p := scope(t, res, vh)
			pf := p.Preflight
			if pf.Kind != c.kind || pf.Status != c.status {
				t.Fatalf("preflight = %v %d (%s), want %v %d", pf.Kind, pf.Status, pf.Reason, c.kind, c.status)
			}
			if c.reason != "" {
				wantContains(t, "reason", pf.Reason, c.reason)
			}
			if n := len(headers(pf.Grant, rules.HeaderAllowOrigin)); n != c.grantACAO {
				t.Fatalf("preflight ACAO headers = %d, want %d (%+v)", n, c.grantACAO, pf.Grant.Headers)
			}
			if c.evLine > 0 && (len(pf.Evidence) == 0 || pf.Evidence[0].Range.Line != c.evLine) {
				t.Fatalf("evidence = %+v, want line %d first", pf.Evidence, c.evLine)
			}
			if c.actualACAO >= 0 {
				if n := len(headers(p.Actual, rules.HeaderAllowOrigin)); n != c.actualACAO {
					t.Fatalf("actual ACAO headers = %d, want %d", n, c.actualACAO)
				}
			}
		})
	}
}
