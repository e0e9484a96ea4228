package apache

import (
	"testing"

	"github.com/corsguard/corsguard/rules"
)

const vh = "VirtualHost *:443 api.example.com"

// host wraps directives in a TLS VirtualHost; line 1 is <VirtualHost>,
// line 2 ServerName, so the body starts on line 3.
func host(body string) string {
	return "<VirtualHost *:443>\nServerName api.example.com\n" + body + "</VirtualHost>\n"
}

// TestOriginRules: how each idiom that sets Access-Control-Allow-Origin
// becomes an origin rule, and where its evidence points.
func TestOriginRules(t *testing.T) {
	cases := []struct {
		name  string
		body  string
		check func(t *testing.T, p *rules.Policy)
	}{
		{"literal star is any origin", `Header set Access-Control-Allow-Origin "*"
`, func(t *testing.T, p *rules.Policy) {
			wantKinds(t, p.Actual, rules.OriginAny)
			h := headers(p.Actual, rules.HeaderAllowOrigin)
			if len(h) != 1 || h[0].Value != rules.LiteralValue("*") || h[0].Always {
				t.Fatalf("headers = %+v", h)
			}
		}},
		{"literal origin kept as written, even invalid", `Header always set Access-Control-Allow-Origin "https://App.example.com/"
`, func(t *testing.T, p *rules.Policy) {
			o := onlyOrigin(t, p.Actual)
			if o.Kind != rules.OriginList || len(o.Values) != 1 || o.Values[0] != "https://App.example.com/" || o.Echo {
				t.Fatalf("rule = %+v", o)
			}
			if !headers(p.Actual, rules.HeaderAllowOrigin)[0].Always {
				t.Fatal("always lost")
			}
		}},
		{"null literal", `Header set Access-Control-Allow-Origin null
`, func(t *testing.T, p *rules.Policy) {
			o := onlyOrigin(t, p.Actual)
			if o.Kind != rules.OriginList || o.Values[0] != "null" {
				t.Fatalf("rule = %+v", o)
			}
		}},
		{"%{Origin}i reflects", `Header always set Access-Control-Allow-Origin "%{Origin}i"
`, func(t *testing.T, p *rules.Policy) {
			wantKinds(t, p.Actual, rules.OriginReflect)
			if v := headers(p.Actual, rules.HeaderAllowOrigin)[0].Value; v != rules.ReflectedValue("Origin") {
				t.Fatalf("value = %v", v)
			}
		}},
		{"%{HTTP_ORIGIN}e reflects", `Header set Access-Control-Allow-Origin "%{HTTP_ORIGIN}e"
`, func(t *testing.T, p *rules.Policy) { wantKinds(t, p.Actual, rules.OriginReflect) }},
		{"expr=%{HTTP:Origin} reflects", `Header set Access-Control-Allow-Origin "expr=%{HTTP:Origin}"
`, func(t *testing.T, p *rules.Policy) { wantKinds(t, p.Actual, rules.OriginReflect) }},
		{"SetEnvIf Origin regex $0 echoed through %{VAR}e is a pattern", `SetEnvIf Origin "^https://(www\.)?example\.com$" ORIGIN_OK=$0
Header always set Access-Control-Allow-Origin "%{ORIGIN_OK}e" env=ORIGIN_OK
`, func(t *testing.T, p *rules.Policy) {
			o := onlyOrigin(t, p.Actual)
			if o.Kind != rules.OriginPattern || !o.Echo || o.Pattern.Expr != `^https://(www\.)?example\.com$` || o.Pattern.Dialect != rules.PCRE || o.Pattern.CaseInsensitive {
				t.Fatalf("rule = %+v pattern %+v", o, o.Pattern)
			}
			if o.Pattern.Evidence.Range.Line != 3 {
				t.Fatalf("pattern evidence should be the SetEnvIf line, got %v", o.Pattern.Evidence.Range)
			}
			wantLines(t, o.Evidence, 3, 4)
			h := headers(p.Actual, rules.HeaderAllowOrigin)[0]
			if h.Condition != "env=ORIGIN_OK" || h.Value != rules.ReflectedValue("Origin") {
				t.Fatalf("header = %+v", h)
			}
		}},
		{"SetEnvIfNoCase makes the pattern case-insensitive", `SetEnvIfNoCase Origin "^https://(a|b)\.example\.com$" AO=$0
Header set Access-Control-Allow-Origin %{AO}e env=AO
`, func(t *testing.T, p *rules.Policy) {
			if o := onlyOrigin(t, p.Actual); !o.Pattern.CaseInsensitive {
				t.Fatalf("rule = %+v", o.Pattern)
			}
		}},
		{"$1 spanning the whole anchored regex is the whole origin", `SetEnvIf Origin "^(https?://(?:.+\.)?example\.com(?::\d{1,5})?)$" CORS_ALLOW_ORIGIN=$1
Header set Access-Control-Allow-Origin "%{CORS_ALLOW_ORIGIN}e" env=CORS_ALLOW_ORIGIN
`, func(t *testing.T, p *rules.Policy) { wantKinds(t, p.Actual, rules.OriginPattern) }},
		{"near miss: $1 that is only part of the origin is unknown", `SetEnvIf Origin "^https://([a-z]+)\.example\.com$" SUB=$1
Header set Access-Control-Allow-Origin "%{SUB}e" env=SUB
`, func(t *testing.T, p *rules.Policy) {
			o := onlyOrigin(t, p.Actual)
			if o.Kind != rules.OriginUnknown {
				t.Fatalf("rule = %+v", o)
			}
			wantContains(t, "reason", o.Reason, "only part of the matched Origin")
		}},
		{"several SetEnvIf lines give one pattern each", `SetEnvIf Origin "^https://a\.test(:8443)?$" AO=$0
SetEnvIf Origin "^https://b\.test(:8443)?$" AO=$0
Header set Access-Control-Allow-Origin %{AO}e env=AO
`, func(t *testing.T, p *rules.Policy) {
			wantKinds(t, p.Actual, rules.OriginPattern, rules.OriginPattern)
			if p.Actual.Origins[1].Pattern.Evidence.Range.Line != 4 {
				t.Fatalf("second pattern evidence = %v", p.Actual.Origins[1].Pattern.Evidence.Range)
			}
		}},
		{"an anchored regex without metacharacters is an exact entry at its own line", `SetEnvIf Origin "^https://a\.test$" AO=$0
SetEnvIf Origin "^https://b\-c\.test$" AO=$0
Header set Access-Control-Allow-Origin %{AO}e env=AO
`, func(t *testing.T, p *rules.Policy) {
			wantKinds(t, p.Actual, rules.OriginList, rules.OriginList)
			a, b := p.Actual.Origins[0], p.Actual.Origins[1]
			if !a.Echo || a.Values[0] != "https://a.test" || b.Values[0] != "https://b-c.test" {
				t.Fatalf("rules = %+v", p.Actual.Origins)
			}
			wantLines(t, a.Evidence, 3, 5)
			wantLines(t, b.Evidence, 4, 5)
		}},
		{"SetEnvIf literal value under an origin regex is that literal", `SetEnvIf Origin "^https://a\.test$" AO=https://a.test
Header set Access-Control-Allow-Origin %{AO}e env=AO
`, func(t *testing.T, p *rules.Policy) {
			o := onlyOrigin(t, p.Actual)
			if o.Kind != rules.OriginList || o.Values[0] != "https://a.test" || o.Echo {
				t.Fatalf("rule = %+v", o)
			}
			wantLines(t, o.Evidence, 3, 4)
		}},
		{"H5BP fonts idiom: SetEnvIf Origin \":\" IS_CORS + * is any origin", `<IfModule mod_setenvif.c>
    SetEnvIf Origin ":" IS_CORS
    Header set Access-Control-Allow-Origin "*" env=IS_CORS
</IfModule>
`, func(t *testing.T, p *rules.Policy) {
			wantKinds(t, p.Actual, rules.OriginAny)
			if h := headers(p.Actual, rules.HeaderAllowOrigin)[0]; h.Condition != "env=IS_CORS" {
				t.Fatalf("condition = %q", h.Condition)
			}
		}},
		{"%{Origin}i guarded by env= set from an Origin regex is a pattern", `SetEnvIf Origin "^https://(www\.)?example\.com$" CORS_OK
Header set Access-Control-Allow-Origin "%{Origin}i" env=CORS_OK
`, func(t *testing.T, p *rules.Policy) {
			o := onlyOrigin(t, p.Actual)
			if o.Kind != rules.OriginPattern || o.Pattern.Evidence.Range.Line != 3 {
				t.Fatalf("rule = %+v", o)
			}
		}},
		{"near miss: env=!VAR reflects everything the regex rejects", `SetEnvIf Origin "^https://trusted\.test$" TRUSTED
Header set Access-Control-Allow-Origin "%{Origin}i" env=!TRUSTED
`, func(t *testing.T, p *rules.Policy) { wantKinds(t, p.Actual, rules.OriginReflect) }},
		{"RewriteCond %{HTTP:Origin} + E=VAR:%1 is a pattern", `RewriteEngine On
RewriteCond %{HTTP:Origin} ^(https://.*\.example\.com)$ [NC]
RewriteRule .* - [E=CORS_ALLOW_ORIGIN:%1]
Header set Access-Control-Allow-Origin %{CORS_ALLOW_ORIGIN}e env=CORS_ALLOW_ORIGIN
`, func(t *testing.T, p *rules.Policy) {
			o := onlyOrigin(t, p.Actual)
			if o.Kind != rules.OriginPattern || !o.Pattern.CaseInsensitive || o.Pattern.Expr != `^(https://.*\.example\.com)$` || o.Pattern.Evidence.Range.Line != 4 {
				t.Fatalf("rule = %+v %+v", o, o.Pattern)
			}
		}},
		{"RewriteRule E=VAR:%{HTTP:Origin} without a condition reflects", `RewriteEngine On
RewriteRule .* - [E=ORIG:%{HTTP:Origin}]
Header set Access-Control-Allow-Origin %{ORIG}e env=ORIG
`, func(t *testing.T, p *rules.Policy) { wantKinds(t, p.Actual, rules.OriginReflect) }},
		{"<If Origin =~ m#re#i> with reflection is a case-insensitive pattern at the If line", `<If "%{HTTP:Origin} =~ m#^https://(app|admin)\.example\.com$#i">
    Header always set Access-Control-Allow-Origin "%{Origin}i"
</If>
`, func(t *testing.T, p *rules.Policy) {
			o := onlyOrigin(t, p.Actual)
			if o.Kind != rules.OriginPattern || !o.Pattern.CaseInsensitive || o.Pattern.Expr != `^https://(app|admin)\.example\.com$` {
				t.Fatalf("rule = %+v %+v", o, o.Pattern)
			}
			wantLines(t, o.Evidence, 3, 4)
			wantContains(t, "condition", headers(p.Actual, rules.HeaderAllowOrigin)[0].Condition, "<If")
		}},
		{"<If Origin m#re#> with expr= reflection", `<If "%{HTTP:Origin} =~ m#^https://(x|y)\.test$#">
    Header set Access-Control-Allow-Origin "expr=%{req:Origin}"
</If>
`, func(t *testing.T, p *rules.Policy) {
			if o := onlyOrigin(t, p.Actual); o.Kind != rules.OriginPattern || o.Pattern.CaseInsensitive {
				t.Fatalf("rule = %+v", o)
			}
		}},
		{"<If Origin == 'x'> with reflection is an echoed list", `<If "%{HTTP:Origin} == 'https://x.test'">
    Header set Access-Control-Allow-Origin "%{Origin}i"
</If>
`, func(t *testing.T, p *rules.Policy) {
			o := onlyOrigin(t, p.Actual)
			if o.Kind != rules.OriginList || !o.Echo || o.Values[0] != "https://x.test" {
				t.Fatalf("rule = %+v", o)
			}
		}},
		{"<If Origin -in {...}> and || of equalities are lists", `<If "%{HTTP:Origin} -in {'https://a.test', 'https://b.test'} || %{HTTP:Origin} == 'https://c.test'">
    Header set Access-Control-Allow-Origin "%{Origin}i"
</If>
`, func(t *testing.T, p *rules.Policy) {
			o := onlyOrigin(t, p.Actual)
			if o.Kind != rules.OriginList || len(o.Values) != 3 {
				t.Fatalf("rule = %+v", o)
			}
		}},
		{"<Else> of an origin test reflects unvalidated origins", `<If "%{HTTP:Origin} =~ m#^https://a\.test$#">
    Header set Access-Control-Allow-Origin "https://a.test"
</If>
<Else>
    Header set Access-Control-Allow-Origin "%{Origin}i"
</Else>
`, func(t *testing.T, p *rules.Policy) {
			wantKinds(t, p.Actual, rules.OriginList, rules.OriginReflect)
		}},
		{"Header expr= condition on the Origin is a pattern", `Header set Access-Control-Allow-Origin "%{Origin}i" "expr=%{HTTP:Origin} =~ m#^https://a\.test(:\d+)?$#"
`, func(t *testing.T, p *rules.Policy) { wantKinds(t, p.Actual, rules.OriginPattern) }},
		{"unknown: env var set from another header", `SetEnvIf Host "^api" FOO=https://a.test
Header set Access-Control-Allow-Origin "%{FOO}e"
`, func(t *testing.T, p *rules.Policy) {
			o := onlyOrigin(t, p.Actual)
			if o.Kind != rules.OriginUnknown {
				t.Fatalf("rule = %+v", o)
			}
			wantContains(t, "reason", o.Reason, "SetEnvIf Host")
			if h := headers(p.Actual, rules.HeaderAllowOrigin)[0]; h.Value.State != rules.Unknown {
				t.Fatalf("value = %v", h.Value)
			}
		}},
		{"unknown: env var set nowhere", `Header set Access-Control-Allow-Origin "%{APP_ORIGIN}e"
`, func(t *testing.T, p *rules.Policy) {
			wantContains(t, "reason", onlyOrigin(t, p.Actual).Reason, "not set anywhere")
		}},
		{"unknown: text mixed with a variable", `SetEnvIf Origin "^https://([a-z]+)\.example\.com$" SUB=$1
Header set Access-Control-Allow-Origin "https://%{SUB}e.example.com"
`, func(t *testing.T, p *rules.Policy) {
			wantContains(t, "reason", onlyOrigin(t, p.Actual).Reason, "mixes text")
		}},
		{"reflect: an Origin test OR-ed with a condition the requester controls", `<If "%{HTTP:Origin} =~ /a/ || %{QUERY_STRING} =~ /b/">
    Header set Access-Control-Allow-Origin "%{Origin}i"
</If>
`, func(t *testing.T, p *rules.Policy) {
			if o := onlyOrigin(t, p.Actual); o.Kind != rules.OriginReflect {
				t.Fatalf("rule = %+v, want reflect: ?b in the query lets any Origin through", o)
			}
		}},
		{"-strmatch is a wildcard pattern (apr_fnmatch: * crosses dots)", `<If "%{HTTP:Origin} -strmatch 'https://*.example.com'">
    Header set Access-Control-Allow-Origin "%{Origin}i"
</If>
`, func(t *testing.T, p *rules.Policy) {
			o := onlyOrigin(t, p.Actual)
			if o.Kind != rules.OriginPattern || o.Pattern.Dialect != rules.Glob || o.Pattern.Expr != "https://*.example.com" || o.Pattern.CaseInsensitive {
				t.Fatalf("rule = %+v %+v", o, o.Pattern)
			}
		}},
		{"-strcmatch with ? and classes is the equivalent case-insensitive regex", `<If "%{HTTP:Origin} -strcmatch 'https://app[0-9]?.example.com'">
    Header set Access-Control-Allow-Origin "%{Origin}i"
</If>
`, func(t *testing.T, p *rules.Policy) {
			o := onlyOrigin(t, p.Actual)
			if o.Kind != rules.OriginPattern || o.Pattern.Dialect != rules.PCRE || o.Pattern.Expr != `^https://app[0-9].\.example\.com$` || !o.Pattern.CaseInsensitive {
				t.Fatalf("rule = %+v %+v", o, o.Pattern)
			}
		}},
		{"a string compared with the Origin on the right is an exact entry", `<If "'https://a.test' == %{HTTP:Origin} || req('Origin') == 'https://b.test' || http('origin') == 'https://c.test'">
    Header set Access-Control-Allow-Origin "%{Origin}i"
</If>
`, func(t *testing.T, p *rules.Policy) {
			o := onlyOrigin(t, p.Actual)
			if o.Kind != rules.OriginList || len(o.Values) != 3 || o.Values[0] != "https://a.test" {
				t.Fatalf("rule = %+v", o)
			}
		}},
		{"unknown: reflection under an Origin test the linter cannot analyse", `<If "tolower(%{HTTP:Origin}) == 'https://a.test'">
    Header set Access-Control-Allow-Origin "%{Origin}i"
</If>
`, func(t *testing.T, p *rules.Policy) {
			o := onlyOrigin(t, p.Actual)
			if o.Kind != rules.OriginUnknown {
				t.Fatalf("rule = %+v", o)
			}
			wantContains(t, "reason", o.Reason, "cannot analyse")
		}},
		{"unknown: Header edit of ACAO", `Header always set Access-Control-Allow-Origin "https://a.test"
Header always edit Access-Control-Allow-Origin "a\.test" "b.test"
`, func(t *testing.T, p *rules.Policy) {
			o := onlyOrigin(t, p.Actual)
			if o.Kind != rules.OriginUnknown {
				t.Fatalf("rule = %+v", o)
			}
			wantContains(t, "reason", o.Reason, "Header edit")
		}},
		{"Allow-Headers reflecting the request headers", `Header set Access-Control-Allow-Headers "%{Access-Control-Request-Headers}i"
`, func(t *testing.T, p *rules.Policy) {
			h := headers(p.Actual, rules.HeaderAllowHeaders)
			if len(h) != 1 || h[0].Value != rules.ReflectedValue("Access-Control-Request-Headers") {
				t.Fatalf("headers = %+v", h)
			}
		}},
		{"Define substitutes into values", `Define TRUSTED https://a.test
Header set Access-Control-Allow-Origin "${TRUSTED}"
`, func(t *testing.T, p *rules.Policy) {
			if o := onlyOrigin(t, p.Actual); o.Values[0] != "https://a.test" {
				t.Fatalf("rule = %+v", o)
			}
		}},
		{"IfModule !mod_headers.c is skipped, IfDefine follows Define", `Define CORS
<IfModule !mod_headers.c>
    Header set Access-Control-Allow-Origin "https://never.test"
</IfModule>
<IfDefine CORS>
    Header set Access-Control-Allow-Origin "https://a.test"
</IfDefine>
<IfDefine !CORS>
    Header set Access-Control-Allow-Origin "https://b.test"
</IfDefine>
`, func(t *testing.T, p *rules.Policy) {
			if o := onlyOrigin(t, p.Actual); o.Values[0] != "https://a.test" {
				t.Fatalf("rule = %+v", o)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := parseConf(t, "site.conf", host(c.body))
			noDiagnostics(t, res)
			c.check(t, scope(t, res, vh))
		})
	}
}
