package apache

import (
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// An origin check that rejects the request before the response is built is
// validation: the echo behind it is the check's pattern, never an
// unvalidated reflection (issue 9, item 1).
func TestOriginGates(t *testing.T) {
	const echo = "Header always set Access-Control-Allow-Origin \"expr=%{req:Origin}\"\n"
	cases := []struct {
		name string
		body string
		kind rules.OriginKind
		expr string // the pattern the gate admits (OriginPattern), or the value (OriginList)
		line int    // where the rule's first evidence points
	}{
		{"RewriteCond !allowed + [F]", "RewriteEngine On\nRewriteCond %{HTTP:Origin} !^https://(app|admin)\\.example\\.com$\nRewriteRule ^ - [F]\n" + echo,
			rules.OriginPattern, `^https://(app|admin)\.example\.com$`, 4},
		{"[R=403] after an Origin-present test, with %{HTTP_ORIGIN}e", "RewriteEngine On\nRewriteCond %{HTTP:Origin} !^$\nRewriteCond %{HTTP:Origin} !^https://app\\.example\\.com [NC]\nRewriteRule .* - [R=403,L]\nHeader set Access-Control-Allow-Origin \"%{HTTP_ORIGIN}e\"\n",
			rules.OriginPattern, `^https://app\.example\.com`, 5},
		{"[G] letting preflights through", "RewriteEngine On\nRewriteCond %{REQUEST_METHOD} !OPTIONS\nRewriteCond %{HTTP_ORIGIN} !^https://app\\.example\\.com$\nRewriteRule ^ - [G]\n" + echo,
			rules.OriginList, "https://app.example.com", 5},
		{"<If !~> Require all denied", "<If \"%{HTTP:Origin} !~ m#^https://[a-z]+\\.example\\.com$#\">\n    Require all denied\n</If>\n" + echo,
			rules.OriginPattern, `^https://[a-z]+\.example\.com$`, 3},
		{"<If -n && !~> Require all denied", "<If \"-n %{HTTP:Origin} && %{HTTP:Origin} !~ m#^https://[a-z]+\\.example\\.com$#\">\n    Require all denied\n</If>\n" + echo,
			rules.OriginPattern, `^https://[a-z]+\.example\.com$`, 3},
		{"<If ! -in> Require all denied", "<If \"! %{HTTP:Origin} -in {'https://a.example.com', 'https://b.example.com'}\">\n    Require all denied\n</If>\n" + echo,
			rules.OriginList, "https://a.example.com", 3},
		{"<Else> of an allowlist If denies", "<If \"%{HTTP:Origin} == 'https://a.example.com'\">\n    Require all granted\n</If>\n<Else>\n    Require all denied\n</Else>\n" + echo,
			rules.OriginList, "https://a.example.com", 3},
		{"SetEnvIf + Require env", "SetEnvIf Origin \"^https://[a-z]+\\.example\\.com$\" origin_ok\n<Location />\n    Require env origin_ok\n</Location>\n" + echo,
			rules.OriginPattern, `^https://[a-z]+\.example\.com$`, 3},
		{"SetEnvIf + Deny from all + Allow from env=", "SetEnvIf Origin \"^https://[a-z]+\\.example\\.com$\" origin_ok\n<Location />\n    Order Deny,Allow\n    Deny from all\n    Allow from env=origin_ok\n</Location>\n" + echo,
			rules.OriginPattern, `^https://[a-z]+\.example\.com$`, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := parseConf(t, "site.conf", host(c.body))
			noDiagnostics(t, res)
			o := onlyOrigin(t, res.Policies[0].Actual)
			if o.Kind != c.kind || !o.Echo {
				t.Fatalf("rule = %+v, want an echoed %v", o, c.kind)
			}
			switch c.kind {
			case rules.OriginPattern:
				if o.Pattern.Expr != c.expr {
					t.Errorf("pattern %q, want %q", o.Pattern.Expr, c.expr)
				}
			case rules.OriginList:
				if o.Values[0] != c.expr {
					t.Errorf("values %v, want %q first", o.Values, c.expr)
				}
			}
			if o.Evidence[0].Range.Line != c.line {
				t.Errorf("evidence starts at line %d, want the check on line %d: %+v", o.Evidence[0].Range.Line, c.line, o.Evidence)
			}
		})
	}
}

// Near misses: checks that do not stop every other origin leave the echo a
// reflection.
func TestNotOriginGates(t *testing.T) {
	const echo = "Header always set Access-Control-Allow-Origin \"%{Origin}i\"\n"
	cases := map[string]string{
		"[OR] chain":                    "RewriteEngine On\nRewriteCond %{HTTP:Origin} !^https://a\\.test$ [OR]\nRewriteCond %{QUERY_STRING} x\nRewriteRule ^ - [F]\n" + echo,
		"blocklist, not allowlist":      "RewriteEngine On\nRewriteCond %{HTTP:Origin} ^https://evil\\.test$\nRewriteRule ^ - [F]\n" + echo,
		"redirect, not rejection":       "RewriteEngine On\nRewriteCond %{HTTP:Origin} !^https://a\\.test$\nRewriteRule ^ /other [R=302]\n" + echo,
		"only some URLs":                "RewriteEngine On\nRewriteCond %{HTTP:Origin} !^https://a\\.test$\nRewriteRule ^admin/ - [F]\n" + echo,
		"engine off":                    "RewriteEngine Off\nRewriteCond %{HTTP:Origin} !^https://a\\.test$\nRewriteRule ^ - [F]\n" + echo,
		"If that grants":                "<If \"%{HTTP:Origin} !~ m#^https://a\\.test$#\">\n    Require all granted\n</If>\n" + echo,
		"Require env or an address":     "SetEnvIf Origin \"^https://a\\.test$\" ok\n<Location />\n    Require env ok\n    Require ip 10.0.0.0/8\n</Location>\n" + echo,
		"Require env of another header": "SetEnvIf Referer \"^https://a\\.test/\" ok\n<Location />\n    Require env ok\n</Location>\n" + echo,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			res := parseConf(t, "site.conf", host(body))
			noDiagnostics(t, res)
			if o := onlyOrigin(t, res.Policies[0].Actual); o.Kind != rules.OriginReflect {
				t.Fatalf("rule = %+v, want a reflection", o)
			}
		})
	}
}

// An anchored regex without metacharacters is one exact origin; anything a
// regex engine would read differently is not.
func TestRegexLiteral(t *testing.T) {
	cases := []struct {
		re, want string
		ok       bool
	}{
		{`^https://app\.example\.com$`, "https://app.example.com", true},
		{`^https:\/\/a\-b\.test:8443$`, "https://a-b.test:8443", true},
		{`^https://app.example.com$`, "", false},    // unescaped dot
		{`^https://app\.example\.com`, "", false},   // no $
		{`https://app\.example\.com$`, "", false},   // no ^
		{`^https://app\.example\.com\$`, "", false}, // escaped $ is a literal dollar, not an anchor
		{`^https://app\d\.test$`, "", false},        // class
		{`^https://(a|b)\.test$`, "", false},        // alternation
		{`^$`, "", false},                           // empty
	}
	for _, c := range cases {
		got, ok := regexLiteral(c.re)
		if ok != c.ok || got != c.want {
			t.Errorf("regexLiteral(%q) = %q, %v; want %q, %v", c.re, got, ok, c.want, c.ok)
		}
	}
	// Case-insensitive with upper case stays a pattern (NoCase matches the
	// lower-case origin a browser sends; an exact entry would not).
	if oc := regexCond(`^https://App\.test$`, true, rules.Evidence{}); len(oc.patterns) != 1 {
		t.Errorf("NoCase upper-case literal became %+v", oc)
	}
}
