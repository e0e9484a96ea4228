package rules

import (
	"fmt"
	"strings"
	"testing"
)

// Policy builders for the specification table below. Every fact carries
// evidence on its own line so a test can say which line a finding points at.

func ev(line int) Evidence { return Evidence{Range: Range{File: "t.conf", Line: line}} }

func hdr(name, value string, line int) Header {
	return Header{Name: name, Value: LiteralValue(value), Always: true, Evidence: ev(line)}
}

func reflectHdr(name, reqHeader string, line int) Header {
	return Header{Name: name, Value: ReflectedValue(reqHeader), Always: true, Evidence: ev(line)}
}

func unknownHdr(name, reason string, line int) Header {
	return Header{Name: name, Value: UnknownValue(reason), Always: true, Evidence: ev(line)}
}

func pattern(expr string, ci bool, line int) OriginRule {
	return OriginRule{Kind: OriginPattern, Echo: true, Pattern: &Pattern{Expr: expr, Dialect: PCRE, CaseInsensitive: ci, Evidence: ev(line)}, Evidence: []Evidence{ev(line)}}
}

func list(line int, values ...string) OriginRule {
	return OriginRule{Kind: OriginList, Echo: true, Values: values, Evidence: []Evidence{ev(line)}}
}

func literalOrigin(value string, line int) OriginRule {
	return OriginRule{Kind: OriginList, Values: []string{value}, Evidence: []Evidence{ev(line)}}
}

func anyOrigin(line int) OriginRule {
	return OriginRule{Kind: OriginAny, Evidence: []Evidence{ev(line)}}
}

func reflect(line int) OriginRule {
	return OriginRule{Kind: OriginReflect, Evidence: []Evidence{ev(line)}}
}

func unknownOrigin(reason string, line int) OriginRule {
	return OriginRule{Kind: OriginUnknown, Reason: reason, Evidence: []Evidence{ev(line)}}
}

var vary = hdr(HeaderVary, "Origin", 90)
var creds = hdr(HeaderAllowCredentials, "true", 91)

// policy builds an https nginx policy for api.example.com.
func policy(origins []OriginRule, headers ...Header) Policy {
	return Policy{
		Format: "nginx", Scope: Scope{Name: "server api.example.com > location /", Range: Range{File: "t.conf", Line: 1}},
		Hosts: []string{"api.example.com"}, HTTPS: Known,
		Actual: Grant{Origins: origins, Headers: headers},
	}
}

func origins(rs ...OriginRule) []OriginRule { return rs }

// expect is "CG103@4~witness-regexp" style: rule, line, and a substring of
// the witness (or message) that must be present.
type expect struct {
	rule    string
	line    int
	witness string
}

func (e expect) String() string { return fmt.Sprintf("%s@%d~%q", e.rule, e.line, e.witness) }

func TestChecks(t *testing.T) {
	trusted := Options{TrustedOrigins: []string{"https://app.example.com"}}
	tests := []struct {
		name string
		p    Policy
		opts Options
		want []expect
	}{
		// CG100 origin-unresolved
		{"unknown origin says unknown", policy(origins(unknownOrigin("variable $cors is set by a Lua block", 3)), vary), Options{}, []expect{{"CG100", 3, "Lua"}}},
		{"known origin is not unknown", policy(origins(list(3, "https://app.example.com")), vary), Options{}, nil},

		// CG101 origin-reflected
		{"reflection with credentials is critical", policy(origins(reflect(3)), creds, vary), Options{}, []expect{{"CG101", 3, "evil.test"}}},
		{"reflection without credentials", policy(origins(reflect(3)), vary), Options{}, []expect{{"CG101", 3, "evil.test"}}},
		{"pattern accepting everything reflects", policy(origins(pattern(".*", false, 4)), vary), Options{}, []expect{{"CG101", 4, ""}}},
		{"exact allowlist is not reflection", policy(origins(list(3, "https://app.example.com")), creds, vary), Options{}, nil},
		{"reflection with unknown credentials", policy(origins(reflect(3)), unknownHdr(HeaderAllowCredentials, "variable $creds is not defined", 5), vary), Options{}, []expect{{"CG101", 3, "evil.test"}}},

		// CG102 origin-null
		{"null in the allowlist", policy(origins(list(3, "https://app.example.com", "null")), vary), Options{}, []expect{{"CG102", 3, "null"}}},
		{"pattern accepting null", policy(origins(pattern(`^(null|https://app\.example\.com)$`, false, 4)), vary), Options{}, []expect{{"CG102", 4, "null"}}},
		{"no null", policy(origins(pattern(`^https://app\.example\.com$`, false, 4)), vary), Options{}, nil},

		// CG103 origin-regex-prefix
		{"unanchored end", policy(origins(pattern(`^https://app\.example\.com`, false, 4)), vary, creds), Options{}, []expect{{"CG103", 4, "app.example.com.evil.test"}}},
		{"anchored end", policy(origins(pattern(`^https://app\.example\.com$`, false, 4)), vary, creds), Options{}, nil},

		// CG104 origin-regex-suffix
		{"unanchored start", policy(origins(pattern(`app\.example\.com$`, false, 4)), vary), Options{}, []expect{{"CG104", 4, "evil"}}},
		{"unanchored start after the scheme is still safe", policy(origins(pattern(`https://app\.example\.com$`, false, 4)), vary), Options{}, nil},
		{"missing dot boundary", policy(origins(pattern(`^https://.*example\.com$`, false, 4)), vary), Options{}, []expect{{"CG104", 4, "example.com"}}},
		{"dot boundary", policy(origins(pattern(`^https://(app|admin)\.example\.com$`, false, 4)), vary), Options{}, nil},

		// CG105 origin-regex-dot
		{"unescaped dot", policy(origins(pattern(`^https://app.example\.com$`, false, 4)), vary), Options{}, []expect{{"CG105", 4, "appxexample.com"}}},
		{"escaped dots", policy(origins(pattern(`^https://app\.example\.com$`, true, 4)), vary), Options{}, nil},

		// CG106 origin-regex-substring
		{"substring match", policy(origins(pattern(`(example.com)`, true, 4)), vary), Options{}, []expect{{"CG105", 4, ""}, {"CG106", 4, "example"}}},
		{"substring match with escaped dot", policy(origins(pattern(`example\.com`, true, 4)), vary), Options{}, []expect{{"CG106", 4, "example"}}},

		// CG107 origin-insecure-scheme
		{"https? in the pattern", policy(origins(pattern(`^https?://app\.example\.com$`, false, 4)), vary), Options{}, []expect{{"CG107", 4, "http://app.example.com"}}},
		{"http literal on an https site", policy(origins(list(3, "http://app.example.com")), vary), Options{}, []expect{{"CG107", 3, "http://app.example.com"}}},
		{"http localhost is development, not a downgrade", policy(origins(list(3, "http://localhost:3000")), vary), Options{}, nil},
		{"https only", policy(origins(list(3, "https://app.example.com")), vary), Options{}, nil},

		// CG108 origin-any-subdomain
		{"any subdomain", policy(origins(pattern(`^https://([a-z0-9-]+\.)?example\.com$`, false, 4)), vary), Options{}, []expect{{"CG108", 4, "example.com"}}},
		{"declared subdomain wildcard is trusted", policy(origins(pattern(`^https://([a-z0-9-]+\.)?example\.com$`, false, 4)), vary), Options{TrustedPatterns: []string{"https://*.example.com"}, TrustedOrigins: []string{"https://example.com"}}, nil},

		// CG109 origin-shared-hosting
		{"github.io pattern", policy(origins(pattern(`^https://[a-z0-9-]+\.github\.io$`, false, 4)), vary), Options{}, []expect{{"CG109", 4, "github.io"}}},
		{"shared hosting literal", policy(origins(list(3, "https://codepen.io")), vary), Options{}, []expect{{"CG109", 3, "codepen.io"}}},
		{"own domain", policy(origins(list(3, "https://docs.example.com")), vary), Options{}, nil},

		// CG110 origin-special-chars
		{"negated class after the name", policy(origins(pattern(`^https://app\.example\.com([^a-z0-9.-].*)?$`, false, 4)), vary), Options{}, []expect{{"CG110", 4, "app.example.com"}}},

		// CG111 origin-never-matches
		{"trailing slash literal", policy(origins(literalOrigin("http://example.com/", 3)), hdr(HeaderAllowOrigin, "http://example.com/", 3)), Options{}, []expect{{"CG111", 3, "example.com/"}}},
		{"default port literal", policy(origins(list(3, "https://app.example.com:443")), vary), Options{}, []expect{{"CG111", 3, ":443"}}},
		{"pattern requiring a path", policy(origins(pattern(`^https://app\.example\.com/$`, false, 4)), vary), Options{}, []expect{{"CG111", 4, ""}}},
		{"serialised literal", policy(origins(literalOrigin("https://example.com", 3)), hdr(HeaderAllowOrigin, "https://example.com", 3)), Options{}, nil},

		// CG112 origin-untrusted (only with declared trust)
		{"partner outside the trusted set", policy(origins(list(3, "https://app.example.com", "https://partner.test")), vary), trusted, []expect{{"CG112", 3, "partner.test"}}},
		{"same list without declared trust", policy(origins(list(3, "https://app.example.com", "https://partner.test")), vary), Options{}, nil},

		// CG201 wildcard-credentials
		{"star with credentials", policy(origins(anyOrigin(3)), hdr(HeaderAllowOrigin, "*", 3), creds), Options{}, []expect{{"CG201", 3, ""}}},
		{"star without credentials", policy(origins(anyOrigin(3)), hdr(HeaderAllowOrigin, "*", 3)), Options{}, nil},
		{"star with unknown credentials", policy(origins(anyOrigin(3)), hdr(HeaderAllowOrigin, "*", 3), unknownHdr(HeaderAllowCredentials, "from $upstream_http_x", 5)), Options{}, nil},

		// CG202 acao-invalid
		{"list of origins", policy(nil, hdr(HeaderAllowOrigin, "https://a.example.com https://b.example.com", 3)), Options{}, []expect{{"CG202", 3, ""}}},
		{"single origin", policy(nil, hdr(HeaderAllowOrigin, "https://a.example.com", 3)), Options{}, nil},

		// CG203 acao-multiple
		{"two ACAO on one response", policy(origins(literalOrigin("https://a.example.com", 3)), hdr(HeaderAllowOrigin, "https://a.example.com", 3), hdr(HeaderAllowOrigin, "https://a.example.com", 4)), Options{}, []expect{{"CG203", 4, ""}}},
		{"exclusive guards", policy(origins(literalOrigin("https://a.example.com", 3)),
			Header{Name: HeaderAllowOrigin, Value: LiteralValue("https://a.example.com"), Always: true, Condition: "a", Evidence: ev(3)},
			Header{Name: HeaderAllowOrigin, Value: LiteralValue("https://a.example.com"), Always: true, Condition: "b", Evidence: ev(4)}, vary), Options{}, nil},

		// CG204 credentials-invalid
		{"True is not true", policy(origins(list(3, "https://app.example.com")), vary, hdr(HeaderAllowCredentials, "True", 5)), Options{}, []expect{{"CG204", 5, "True"}}},
		{"true", policy(origins(list(3, "https://app.example.com")), vary, creds), Options{}, nil},
		{"unknown credentials value is not judged", policy(origins(list(3, "https://app.example.com")), vary, unknownHdr(HeaderAllowCredentials, "$c", 5)), Options{}, nil},

		// CG205 allow-headers-reflected
		{"reflected request headers", policy(origins(list(3, "https://app.example.com")), vary, reflectHdr(HeaderAllowHeaders, "Access-Control-Request-Headers", 6)), Options{}, []expect{{"CG205", 6, ""}}},
		{"listed headers", policy(origins(list(3, "https://app.example.com")), vary, hdr(HeaderAllowHeaders, "Content-Type", 6)), Options{}, nil},

		// CG206 allow-methods-broad
		{"reflected method", policy(origins(list(3, "https://app.example.com")), vary, reflectHdr(HeaderAllowMethods, "Access-Control-Request-Method", 6)), Options{}, []expect{{"CG206", 6, ""}}},
		{"TRACE", policy(origins(list(3, "https://app.example.com")), vary, hdr(HeaderAllowMethods, "GET, TRACE", 6)), Options{}, []expect{{"CG206", 6, "TRACE"}}},
		{"invalid token", policy(origins(list(3, "https://app.example.com")), vary, hdr(HeaderAllowMethods, "GET; POST", 6)), Options{}, []expect{{"CG206", 6, "token"}}},
		{"plain methods", policy(origins(list(3, "https://app.example.com")), vary, hdr(HeaderAllowMethods, "GET, POST", 6)), Options{}, nil},
		{"unknown methods", policy(origins(list(3, "https://app.example.com")), vary, unknownHdr(HeaderAllowMethods, "$m", 6)), Options{}, nil},

		// CG207 wildcard-ignored-credentials
		{"star headers with credentials", policy(origins(list(3, "https://app.example.com")), vary, creds, hdr(HeaderAllowHeaders, "*", 6)), Options{}, []expect{{"CG207", 6, ""}}},
		{"star headers without credentials", policy(origins(list(3, "https://app.example.com")), vary, hdr(HeaderAllowHeaders, "*", 6)), Options{}, nil},

		// CG208 expose-sensitive
		{"exposes Authorization", policy(origins(list(3, "https://app.example.com")), vary, hdr(HeaderExposeHeaders, "ETag, Authorization", 6)), Options{}, []expect{{"CG208", 6, "Authorization"}}},
		{"exposes ETag", policy(origins(list(3, "https://app.example.com")), vary, hdr(HeaderExposeHeaders, "ETag", 6)), Options{}, nil},

		// CG209 max-age
		{"a year", policy(origins(list(3, "https://app.example.com")), vary, hdr(HeaderMaxAge, "31536000", 6)), Options{}, []expect{{"CG209", 6, "cap"}}},
		{"negative", policy(origins(list(3, "https://app.example.com")), vary, hdr(HeaderMaxAge, "-1", 6)), Options{}, []expect{{"CG209", 6, "negative"}}},
		{"two hours", policy(origins(list(3, "https://app.example.com")), vary, hdr(HeaderMaxAge, "7200", 6)), Options{}, nil},
		{"unknown max-age", policy(origins(list(3, "https://app.example.com")), vary, unknownHdr(HeaderMaxAge, "$age", 6)), Options{}, nil},

		// CG401 vary-origin-missing
		{"echoed origin of two without Vary", policy(origins(list(3, "https://app.example.com", "https://admin.example.com"))), Options{}, []expect{{"CG401", 3, "Vary: Origin"}}},
		{"reflection without Vary only blocks callers", policy(origins(reflect(3))), Options{}, []expect{{"CG101", 3, ""}, {"CG401", 3, "nothing leaks"}}},
		{"a pattern accepting any origin, without Vary, only blocks callers", policy(origins(pattern(`^https?://.+$`, false, 3))), Options{}, []expect{{"CG101", 3, ""}, {"CG401", 3, "nothing leaks"}}},
		{"one echoed origin cannot reach another through a cache", policy(origins(list(3, "https://app.example.com"))), Options{}, nil},
		{"one origin, echoed and also set as a guarded literal", policy(origins(list(3, "https://app.example.com")), Header{Name: HeaderAllowOrigin, Value: LiteralValue("https://app.example.com"), Always: true, Condition: "$http_origin = https://app.example.com", Evidence: ev(4)}), Options{}, nil},
		{"one origin or star varies", policy(origins(list(3, "https://app.example.com"), anyOrigin(4))), Options{}, []expect{{"CG401", 3, ""}}},
		{"a service that adds Vary itself", func() Policy {
			p := policy(origins(list(3, "https://app.example.com", "https://admin.example.com")))
			p.ServiceVary = "documented"
			return p
		}(), Options{}, nil},
		{"echoed origin with Vary", policy(origins(list(3, "https://app.example.com")), vary), Options{}, nil},
		{"Vary from an unknown variable is not judged", policy(origins(list(3, "https://app.example.com")), unknownHdr(HeaderVary, "$vary", 8)), Options{}, nil},
		{"static star needs no Vary", policy(origins(anyOrigin(3)), hdr(HeaderAllowOrigin, "*", 3)), Options{}, nil},

		// CG503 agent-api-any-origin: severity from the agent's ACLs
		{"agent API, ACLs off", agent(ACLOff, policy(origins(anyOrigin(3)), hdr(HeaderAllowOrigin, "*", 3))), Options{}, []expect{{"CG503", 3, "ACLs are off"}}},
		{"agent API, ACLs unset in this file", agent(ACLUnset, policy(origins(anyOrigin(3)), hdr(HeaderAllowOrigin, "*", 3))), Options{}, []expect{{"CG503", 3, "does not configure ACLs"}}},
		{"agent API, ACLs on, token header not allowed", agent(ACLOn, policy(origins(anyOrigin(3)), hdr(HeaderAllowOrigin, "*", 3))), Options{}, []expect{{"CG503", 3, "cannot send X-Consul-Token"}}},
		{"agent API, one UI origin", agent(ACLOff, policy(origins(list(3, "https://ops.example.com")), hdr(HeaderAllowOrigin, "https://ops.example.com", 3))), Options{}, nil},

		// CG301 preflight-unhandled
		{"PUT allowed, OPTIONS gets 405", withPreflight(policy(origins(list(3, "https://app.example.com")), vary, hdr(HeaderAllowMethods, "GET, PUT", 6)), Preflight{Kind: PreflightRejected, Status: 405, Reason: "static content", Evidence: []Evidence{ev(7)}}), Options{}, []expect{{"CG301", 6, "405"}}},
		{"preflight answered without ACAO", withPreflight(policy(origins(list(3, "https://app.example.com")), vary, hdr(HeaderAllowHeaders, "Authorization", 6)), Preflight{Kind: PreflightAnswered, Status: 204, Evidence: []Evidence{ev(8)}, Grant: Grant{Headers: []Header{hdr(HeaderAllowMethods, "PUT", 9)}}}), Options{}, []expect{{"CG301", 8, "without Access-Control-Allow-Origin"}}},
		{"simple requests only need no preflight", withPreflight(policy(origins(list(3, "https://app.example.com")), vary, hdr(HeaderAllowMethods, "GET, POST", 6)), Preflight{Kind: PreflightRejected, Status: 405}), Options{}, nil},

		// CG302 preflight-auth
		{"OPTIONS behind basic auth", withPreflight(policy(origins(list(3, "https://app.example.com")), vary, hdr(HeaderAllowHeaders, "Authorization", 6)), Preflight{Kind: PreflightAuth, Status: 401, Evidence: []Evidence{ev(10)}}), Options{}, []expect{{"CG302", 10, "authentication"}}},
		{"OPTIONS exempt from auth", withPreflight(policy(origins(list(3, "https://app.example.com")), vary, hdr(HeaderAllowHeaders, "Authorization", 6)), Preflight{Kind: PreflightAnswered, Status: 204, Grant: Grant{Origins: origins(list(3, "https://app.example.com"))}}), Options{}, nil},

		// CG303 preflight-broader
		{"preflight reflects, actual is strict", withPreflight(policy(origins(list(3, "https://app.example.com")), vary), Preflight{Kind: PreflightAnswered, Status: 204, Grant: Grant{Origins: origins(reflect(12)), Headers: []Header{hdr(HeaderAllowCredentials, "true", 13)}}}), Options{}, []expect{{"CG303", 12, "evil.test"}}},
		{"preflight as strict as actual", withPreflight(policy(origins(list(3, "https://app.example.com")), vary), Preflight{Kind: PreflightAnswered, Status: 204, Grant: Grant{Origins: origins(list(12, "https://app.example.com"))}}), Options{}, nil},

		// CG304 preflight-redirect
		{"OPTIONS redirected to https", withPreflight(policy(origins(list(3, "https://app.example.com")), vary), Preflight{Kind: PreflightRedirect, Status: 301, Evidence: []Evidence{ev(14)}}), Options{}, []expect{{"CG304", 14, "301"}}},
		{"OPTIONS answered", withPreflight(policy(origins(list(3, "https://app.example.com")), vary), Preflight{Kind: PreflightAnswered, Status: 204, Grant: Grant{Origins: origins(list(3, "https://app.example.com"))}}), Options{}, nil},

		// CG403 headers-dropped
		{"location drops the server's ACAO", func() Policy {
			p := policy(nil)
			p.Dropped = []Dropped{{Header: HeaderAllowOrigin, Inherited: ev(4), DroppedBy: ev(9)}}
			return p
		}(), Options{}, []expect{{"CG403", 9, "dropped"}}},
		{"an explicit unset of every CORS header turns CORS off", func() Policy {
			p := policy(nil)
			p.Dropped = []Dropped{{Header: HeaderAllowOrigin, Inherited: ev(4), DroppedBy: ev(9), Explicit: true}}
			return p
		}(), Options{}, nil},

		// CG501 cloud-wildcard-write, CG502 cloud-credentials-wildcard
		{"bucket writable from any origin", cloud("storage", origins(anyOrigin(3)), hdr(HeaderAllowMethods, "GET, PUT, DELETE", 6)), Options{}, []expect{{"CG501", 3, "PUT, DELETE"}}},
		{"bucket readable from any origin", cloud("storage", origins(anyOrigin(3)), hdr(HeaderAllowMethods, "GET", 6)), Options{}, nil},
		{"API with credentials for any origin", cloud("api", origins(anyOrigin(3)), hdr(HeaderAllowCredentials, "true", 5)), Options{}, []expect{{"CG502", 3, "every site"}}},
		{"API that rejects it at deploy time", func() Policy {
			p := cloud("api", origins(anyOrigin(3)), hdr(HeaderAllowCredentials, "true", 5))
			p.Notes = []string{"API Gateway v2 rejects allow_credentials with a wildcard origin at deploy time"}
			return p
		}(), Options{}, []expect{{"CG502", 3, "not exploitable"}}},
		{"API with credentials for listed origins", cloud("api", origins(list(3, "https://app.example.com")), hdr(HeaderAllowCredentials, "true", 5), vary), Options{}, nil},

		// CG402 cors-missing-on-errors
		{"no always", policy(origins(anyOrigin(3)), Header{Name: HeaderAllowOrigin, Value: LiteralValue("*"), Evidence: ev(3)}), Options{}, []expect{{"CG402", 3, ""}}},
		{"always", policy(origins(anyOrigin(3)), hdr(HeaderAllowOrigin, "*", 3)), Options{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p
			fs, diags := Check(&p, tt.opts)
			for _, d := range diags {
				t.Errorf("diagnostic: %v", d)
			}
			assertFindings(t, fs, tt.want)
		})
	}
}

func assertFindings(t *testing.T, fs []Finding, want []expect) {
	t.Helper()
	used := make([]bool, len(fs))
	for _, w := range want {
		found := false
		for i, f := range fs {
			if used[i] || f.RuleID != w.rule || f.Range.Line != w.line {
				continue
			}
			if w.witness != "" && !strings.Contains(f.Witness, w.witness) && !strings.Contains(f.Message, w.witness) {
				continue
			}
			used[i], found = true, true
			break
		}
		if !found {
			t.Errorf("missing %s", w)
		}
	}
	for i, f := range fs {
		if !used[i] {
			t.Errorf("unexpected %s@%d: %s (witness %q)", f.RuleID, f.Range.Line, f.Message, f.Witness)
		}
	}
}

// Every rule faced with a value the linter cannot resolve says "unknown"
// (CG100, info) or stays silent; it never guesses a finding. One case per
// rule that reads a configured value.
func TestUnknownValuesAreNotGuessed(t *testing.T) {
	unknownACAO := origins(unknownOrigin("variable $cors is set by a Lua block", 3))
	acaoUnknownHdr := unknownHdr(HeaderAllowOrigin, "variable $cors is set by a Lua block", 3)
	tests := []struct {
		rule string
		p    Policy
	}{
		{"CG101", policy(unknownACAO, acaoUnknownHdr, creds, vary)},
		{"CG102", policy(unknownACAO, acaoUnknownHdr, vary)},
		{"CG103", policy(unknownACAO, acaoUnknownHdr, vary)},
		{"CG104", policy(unknownACAO, acaoUnknownHdr, vary)},
		{"CG105", policy(unknownACAO, acaoUnknownHdr, vary)},
		{"CG106", policy(unknownACAO, acaoUnknownHdr, vary)},
		{"CG107", policy(unknownACAO, acaoUnknownHdr, vary)},
		{"CG108", policy(unknownACAO, acaoUnknownHdr, vary)},
		{"CG109", policy(unknownACAO, acaoUnknownHdr, vary)},
		{"CG110", policy(unknownACAO, acaoUnknownHdr, vary)},
		{"CG111", policy(unknownACAO, acaoUnknownHdr, vary)},
		{"CG112", policy(unknownACAO, acaoUnknownHdr, vary)},
		{"CG201", policy(origins(anyOrigin(3)), hdr(HeaderAllowOrigin, "*", 3), unknownHdr(HeaderAllowCredentials, "$creds", 5))},
		{"CG202", policy(unknownACAO, acaoUnknownHdr, vary)},
		{"CG203", policy(unknownACAO, acaoUnknownHdr, vary)},
		{"CG204", policy(origins(list(3, "https://app.example.com")), vary, unknownHdr(HeaderAllowCredentials, "$creds", 5))},
		{"CG205", policy(origins(list(3, "https://app.example.com")), vary, creds, unknownHdr(HeaderAllowHeaders, "$h", 6))},
		{"CG206", policy(origins(list(3, "https://app.example.com")), vary, creds, unknownHdr(HeaderAllowMethods, "$m", 6))},
		{"CG207", policy(origins(list(3, "https://app.example.com")), vary, unknownHdr(HeaderAllowCredentials, "$c", 5), hdr(HeaderAllowHeaders, "*", 6))},
		{"CG208", policy(origins(list(3, "https://app.example.com")), vary, unknownHdr(HeaderExposeHeaders, "$e", 6))},
		{"CG209", policy(origins(list(3, "https://app.example.com")), vary, unknownHdr(HeaderMaxAge, "$age", 6))},
		{"CG301", withPreflight(policy(origins(list(3, "https://app.example.com")), vary, unknownHdr(HeaderAllowMethods, "$m", 6)), Preflight{Kind: PreflightUnknown, Reason: "no OPTIONS handling in this file"})},
		{"CG302", withPreflight(policy(origins(list(3, "https://app.example.com")), vary, hdr(HeaderAllowMethods, "PUT", 6)), Preflight{Kind: PreflightToApp, Reason: "proxy_pass"})},
		{"CG303", withPreflight(policy(origins(list(3, "https://app.example.com")), vary), Preflight{Kind: PreflightAnswered, Status: 204, Grant: Grant{Origins: origins(unknownOrigin("$x", 8))}})},
		{"CG304", withPreflight(policy(origins(list(3, "https://app.example.com")), vary), Preflight{Kind: PreflightUnknown})},
		{"CG401", policy(origins(list(3, "https://app.example.com")), unknownHdr(HeaderVary, "$vary", 8))},
		{"CG402", policy(unknownACAO, Header{Name: HeaderAllowOrigin, Value: UnknownValue("$cors"), Evidence: ev(3)})},
		{"CG501", func() Policy {
			p := policy(origins(anyOrigin(3)), unknownHdr(HeaderAllowMethods, "var.methods has no value", 6))
			p.Format, p.Service = "terraform", "storage"
			return p
		}()},
		{"CG502", func() Policy {
			p := policy(origins(anyOrigin(3)), unknownHdr(HeaderAllowCredentials, "var.creds has no value", 5))
			p.Format, p.Service = "terraform", "api"
			return p
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			p := tt.p
			fs, _ := Check(&p, Options{TrustedOrigins: []string{"https://app.example.com"}})
			for _, f := range fs {
				if f.RuleID == tt.rule {
					t.Errorf("%s guessed from an unknown value: %s", tt.rule, f.Message)
				}
				if f.RuleID != "CG100" && f.Severity > Info && strings.Contains(f.Message, "unknown") {
					t.Errorf("%s claims a finding from an unknown value: %s", f.RuleID, f.Message)
				}
			}
		})
	}
}

// cloud builds a Terraform policy for a managed service.
func cloud(service string, origins []OriginRule, headers ...Header) Policy {
	p := policy(origins, headers...)
	p.Format, p.Service = "terraform", service
	return p
}

// agent makes p a Consul agent's API with the given ACL state.
func agent(acl AgentACL, p Policy) Policy {
	p.Format = "consul"
	p.Agent = &AgentAccess{Product: "Consul", ACL: acl, TokenHeader: "X-Consul-Token", Evidence: ev(1)}
	return p
}

func withPreflight(p Policy, pf Preflight) Policy {
	p.Preflight = pf
	return p
}

// An agent API open to any origin is as bad as what an anonymous caller
// gets: everything with ACLs off, nothing beyond the anonymous token with
// ACLs on, and unknown (medium) when this file does not say.
func TestAgentSeverityFollowsACLs(t *testing.T) {
	for acl, want := range map[AgentACL]Severity{ACLOff: High, ACLUnset: Medium, ACLOn: Low} {
		p := agent(acl, policy(origins(anyOrigin(3)), hdr(HeaderAllowOrigin, "*", 3)))
		fs, _ := Check(&p, Options{})
		var got []Severity
		for _, f := range fs {
			if f.RuleID == "CG503" {
				got = append(got, f.Severity)
			}
		}
		if len(got) != 1 || got[0] != want {
			t.Errorf("ACL %s: CG503 severities %v, want [%s]", acl, got, want)
		}
	}
}
