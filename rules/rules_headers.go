package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/corsguard/corsguard/rules/spec"
)

const groupHeaders = "Header values"

var _ = register(&Rule{
	ID: "CG201", Slug: "wildcard-credentials", Group: groupHeaders,
	Title:    "`Access-Control-Allow-Origin: *` with `Access-Control-Allow-Credentials: true`",
	Severity: Low, CredSeverity: Low,
	Rationale: "Browsers refuse credentialed reads when the origin is `*`, so the combination is broken rather than open. It matters because the usual next \"fix\" is to reflect the Origin, which is critical.",
	Fix:       "Either drop credentials and keep `*` for public data, or list the exact origins that need credentials.",
	Bad:       "add_header Access-Control-Allow-Origin * always;\nadd_header Access-Control-Allow-Credentials true always;",
	Good:      "add_header Access-Control-Allow-Origin * always;",
	check: func(c *checkContext) {
		if c.creds != credYes || isCloud(c.p.Format) {
			return // CG502 speaks for cloud resources
		}
		for i := range c.p.Actual.Origins {
			o := &c.p.Actual.Origins[i]
			if o.Kind == OriginAny {
				f := Finding{Range: originEvidence(o).Range, Related: append(o.Evidence, c.credHeader.Evidence)}
				c.severity(&f)
				f.Message = "Access-Control-Allow-Origin * with Access-Control-Allow-Credentials true: browsers reject every credentialed read"
				f.Remedy = c.credentialsRemedy()
				c.report(f)
			}
		}
	},
})

var _ = register(&Rule{
	ID: "CG202", Slug: "acao-invalid", Group: groupHeaders,
	Title:    "Access-Control-Allow-Origin value is not `*`, `null` or one origin",
	Severity: Low, CredSeverity: Low,
	Rationale: "The header takes exactly one serialised origin. A list (`https://a.com https://b.com`, comma separated) fails the CORS check in every browser.",
	Fix:       "Choose the origin per request from an allowlist (a `map` on $http_origin) and send one value.",
	Bad:       "add_header Access-Control-Allow-Origin \"https://a.example.com, https://b.example.com\" always;",
	Good:      "map $http_origin $cors { \"https://a.example.com\" $http_origin; \"https://b.example.com\" $http_origin; }",
	check: func(c *checkContext) {
		for _, h := range headerLiterals(c.p.Actual, HeaderAllowOrigin) {
			v := strings.TrimSpace(h.Value.Literal)
			if v == "*" || v == "null" || v == "" || !isOriginList(v) && !strings.ContainsAny(v, ", ") {
				continue // a single non-origin is CG111's business
			}
			f := Finding{Range: h.Evidence.Range, Related: []Evidence{h.Evidence}}
			c.severity(&f)
			f.Message = fmt.Sprintf("Access-Control-Allow-Origin %q holds more than one value: browsers accept exactly one origin", v)
			c.report(f)
		}
	},
})

var _ = register(&Rule{
	ID: "CG203", Slug: "acao-multiple", Group: groupHeaders,
	Title:    "More than one Access-Control-Allow-Origin header on one response",
	Severity: Low, CredSeverity: Low,
	Rationale: "Two headers are combined as `a, b`, which never equals an origin: the browser blocks the read. Common with nginx `add_header` at two levels plus an upstream that sets its own, or Apache `Header set` next to `Header always set`.",
	Fix:       "Set the header in exactly one place; with a proxy, `proxy_hide_header Access-Control-Allow-Origin` before adding your own.",
	Bad:       "Header set Access-Control-Allow-Origin \"https://app.example.com\"\nHeader always set Access-Control-Allow-Origin \"https://app.example.com\"",
	Good:      "Header always set Access-Control-Allow-Origin \"https://app.example.com\"",
	check: func(c *checkContext) {
		hs := c.actual(HeaderAllowOrigin)
		if len(hs) < 2 {
			return
		}
		// Headers under different guards may be mutually exclusive; only
		// those that can be sent together (same guard, or unconditional)
		// are duplicates.
		// Groups keep the order the server applies the headers in, so the
		// finding points at the one added last.
		var conds []string
		for _, h := range hs {
			if h.Condition != "" && !slices.Contains(conds, h.Condition) {
				conds = append(conds, h.Condition)
			}
		}
		var groups [][]Header
		for _, cond := range append([]string{""}, conds...) {
			var g []Header
			for _, h := range hs {
				if h.Condition == "" || h.Condition == cond {
					g = append(g, h)
				}
			}
			groups = append(groups, g)
		}
		for _, g := range groups {
			if len(g) < 2 {
				continue
			}
			var rel []Evidence
			for _, h := range g {
				rel = append(rel, h.Evidence)
			}
			last := g[len(g)-1]
			f := Finding{Range: last.Evidence.Range, Related: rel}
			c.severity(&f)
			f.Message = fmt.Sprintf("Access-Control-Allow-Origin is set %d times for the same response (also at %s): browsers see a list and block the read", len(g), g[0].Evidence.Range)
			f.Remedy = c.duplicateRemedy(g)
			c.report(f)
			return
		}
	},
})

var _ = register(&Rule{
	ID: "CG204", Slug: "credentials-invalid", Group: groupHeaders,
	Title:    "Access-Control-Allow-Credentials is not exactly `true`",
	Severity: Low, CredSeverity: Low,
	Rationale: "Browsers accept only the lower-case literal `true`. `True`, `1` or `\"true\"` silently disable credentialed CORS; `false` is the same as leaving the header out.",
	Fix:       "Send `Access-Control-Allow-Credentials: true`, or omit the header.",
	Bad:       "add_header Access-Control-Allow-Credentials True always;",
	Good:      "add_header Access-Control-Allow-Credentials true always;",
	check: func(c *checkContext) {
		for _, h := range headerLiterals(c.p.Actual, HeaderAllowCredentials) {
			v := strings.TrimSpace(h.Value.Literal)
			if v == "true" {
				continue
			}
			f := Finding{Range: h.Evidence.Range, Related: []Evidence{h.Evidence}}
			c.severity(&f)
			if v == "false" {
				f.Severity = Info
				f.Message = "Access-Control-Allow-Credentials false is the same as omitting the header"
			} else {
				f.Message = fmt.Sprintf("Access-Control-Allow-Credentials %q is not exactly true: browsers treat it as absent", v)
			}
			c.report(f)
		}
	},
})

var _ = register(&Rule{
	ID: "CG205", Slug: "allow-headers-reflected", Group: groupHeaders,
	Title:    "Access-Control-Allow-Headers echoes Access-Control-Request-Headers",
	Severity: Low, CredSeverity: High,
	Rationale: "Echoing the requested headers approves any header a page asks for, including ones the API treats as proof of a trusted caller (`X-Requested-With`, custom CSRF headers, `Authorization`).",
	Fix:       "List the headers the API accepts: `Content-Type, Authorization`.",
	Bad:       "add_header Access-Control-Allow-Headers $http_access_control_request_headers always;",
	Good:      "add_header Access-Control-Allow-Headers \"Content-Type, Authorization\" always;",
	check: func(c *checkContext) {
		for _, g := range []Grant{c.p.Actual, c.p.Preflight.Grant} {
			for _, h := range g.Find(HeaderAllowHeaders) {
				if h.Value.Reflects == "" {
					continue
				}
				f := Finding{Range: h.Evidence.Range, Related: []Evidence{h.Evidence}}
				c.severity(&f)
				f.Message = "Access-Control-Allow-Headers reflects the requested headers: any request header is approved" + c.credNote()
				c.report(f)
				return
			}
		}
	},
})

// dangerousMethods are methods no browser-facing API should approve.
var dangerousMethods = map[string]bool{"TRACE": true, "TRACK": true, "CONNECT": true}

var _ = register(&Rule{
	ID: "CG206", Slug: "allow-methods-broad", Group: groupHeaders,
	Title:    "Access-Control-Allow-Methods is reflected, invalid or includes dangerous methods",
	Severity: Low, CredSeverity: Medium,
	Rationale: "Reflecting the requested method approves every state-changing method; TRACE and CONNECT have no place in CORS; a value that is not a list of method tokens makes every preflight fail.",
	Fix:       "List the methods the API serves: `GET, POST, PUT`.",
	Bad:       "add_header Access-Control-Allow-Methods $http_access_control_request_method always;",
	Good:      "add_header Access-Control-Allow-Methods \"GET, POST, PUT\" always;",
	check: func(c *checkContext) {
		for _, g := range []Grant{c.p.Actual, c.p.Preflight.Grant} {
			for _, h := range g.Find(HeaderAllowMethods) {
				f := Finding{Range: h.Evidence.Range, Related: []Evidence{h.Evidence}}
				switch {
				case h.Value.Reflects != "":
					c.severity(&f)
					f.Message = "Access-Control-Allow-Methods reflects the requested method: every method is approved" + c.credNote()
				case h.Value.State == Known:
					bad := ""
					for _, m := range splitList(h.Value.Literal) {
						if !spec.IsMethodToken(m) && m != "*" {
							bad = fmt.Sprintf("%q is not a method token: browsers fail every preflight", m)
							break
						}
						if dangerousMethods[strings.ToUpper(m)] {
							bad = fmt.Sprintf("%s is approved for cross-origin use", m)
							break
						}
					}
					if bad == "" {
						continue
					}
					c.severity(&f)
					f.Message = "Access-Control-Allow-Methods: " + bad
				default:
					continue
				}
				c.report(f)
				return
			}
		}
	},
})

var _ = register(&Rule{
	ID: "CG207", Slug: "wildcard-ignored-credentials", Group: groupHeaders,
	Title:    "`*` in Allow-Headers, Allow-Methods or Expose-Headers with credentials is taken literally",
	Severity: Low, CredSeverity: Low,
	Rationale: "With credentials, browsers treat `*` in these headers as a header or method literally named `*`, so the requests the author meant to allow fail. Even without credentials `*` never covers `Authorization` in the standard (Chromium differs).",
	Fix:       "List the names explicitly when credentials are allowed.",
	Bad:       "add_header Access-Control-Allow-Headers * always;\nadd_header Access-Control-Allow-Credentials true always;",
	Good:      "add_header Access-Control-Allow-Headers \"Content-Type, Authorization\" always;",
	check: func(c *checkContext) {
		if c.creds != credYes {
			return
		}
		for _, g := range []Grant{c.p.Actual, c.p.Preflight.Grant} {
			for _, name := range []string{HeaderAllowHeaders, HeaderAllowMethods, HeaderExposeHeaders} {
				for _, h := range headerLiterals(g, name) {
					for _, item := range splitList(h.Value.Literal) {
						if item == "*" {
							f := Finding{Range: h.Evidence.Range, Related: []Evidence{h.Evidence, c.credHeader.Evidence}}
							c.severity(&f)
							f.Message = fmt.Sprintf("%s * is taken literally with credentials: nothing is covered", name)
							c.report(f)
							break
						}
					}
				}
			}
		}
	},
})

// sensitiveExposed are response headers whose exposure hands a token to
// script, or that browsers never expose whatever the server says.
var sensitiveExposed = map[string]string{
	"authorization":       "carries credentials",
	"proxy-authorization": "carries credentials",
	"cookie":              "carries credentials",
	"set-cookie":          "never exposed by browsers",
	"set-cookie2":         "never exposed by browsers",
	"x-csrf-token":        "an anti-CSRF token",
	"x-xsrf-token":        "an anti-CSRF token",
	"x-auth-token":        "a session token",
	"x-api-key":           "an API key",
	"x-access-token":      "a session token",
	"x-refresh-token":     "a session token",
}

var _ = register(&Rule{
	ID: "CG208", Slug: "expose-sensitive", Group: groupHeaders,
	Title:    "Access-Control-Expose-Headers lists credential-bearing headers",
	Severity: Low, CredSeverity: Medium,
	Rationale: "Exposing `Authorization`, session or CSRF tokens lets every allowed origin's script read them; `Set-Cookie` is never exposed by browsers, so listing it shows a misunderstanding worth fixing.",
	Fix:       "Expose only the headers the front end needs (`ETag`, `Link`, `X-Request-Id`).",
	Bad:       "add_header Access-Control-Expose-Headers \"Authorization, X-CSRF-Token\" always;",
	Good:      "add_header Access-Control-Expose-Headers \"ETag, X-Request-Id\" always;",
	check: func(c *checkContext) {
		for _, h := range headerLiterals(c.p.Actual, HeaderExposeHeaders) {
			var whats []string
			for _, item := range splitList(h.Value.Literal) {
				if why, ok := sensitiveExposed[strings.ToLower(item)]; ok {
					whats = append(whats, item+" ("+why+")")
				}
			}
			if len(whats) == 0 {
				continue
			}
			f := Finding{Range: h.Evidence.Range, Related: []Evidence{h.Evidence}}
			c.severity(&f)
			f.Message = fmt.Sprintf("Access-Control-Expose-Headers lists %s%s", strings.Join(whats, ", "), c.credNote())
			c.report(f)
		}
	},
})

var _ = register(&Rule{
	ID: "CG209", Slug: "max-age", Group: groupHeaders,
	Title:    "Access-Control-Max-Age is invalid or beyond every browser's cap",
	Severity: Low, CredSeverity: Low,
	Rationale: "Browsers cap the preflight cache (Chromium 7200 s, WebKit 600 s, Firefox 86400 s) and fall back to 5 s on an invalid value, so a huge or malformed Max-Age only hides how often preflights really happen.",
	Fix:       "Use a value of at most 7200 seconds.",
	Bad:       "add_header Access-Control-Max-Age 31536000 always;",
	Good:      "add_header Access-Control-Max-Age 7200 always;",
	check: func(c *checkContext) {
		for _, g := range []Grant{c.p.Preflight.Grant, c.p.Actual} {
			for _, h := range headerLiterals(g, HeaderMaxAge) {
				v := strings.TrimSpace(h.Value.Literal)
				n, err := strconv.ParseInt(v, 10, 64)
				f := Finding{Range: h.Evidence.Range, Related: []Evidence{h.Evidence}}
				c.severity(&f)
				switch {
				case err != nil || strings.HasPrefix(v, "+"):
					f.Message = fmt.Sprintf("Access-Control-Max-Age %q is not a number of seconds: browsers use 5 s", v)
				case n < 0:
					f.Message = fmt.Sprintf("Access-Control-Max-Age %d is negative: browsers use 5 s", n)
				case n > int64(spec.MaxAgeCap(spec.Firefox).Seconds()):
					f.Message = fmt.Sprintf("Access-Control-Max-Age %d is beyond every browser's cap (Chromium 7200 s, Firefox 86400 s)", n)
				case n > int64(spec.MaxAgeCap(spec.Chromium).Seconds()):
					f.Severity = Info
					f.Message = fmt.Sprintf("Access-Control-Max-Age %d is capped at 7200 s by Chromium and 600 s by WebKit", n)
				default:
					continue
				}
				f.Remedy = c.maxAgeRemedy(h, n, err)
				c.report(f)
				return
			}
		}
	},
})

// isCloud tells whether a policy describes a managed cloud service, whose
// CORS engine has its own semantics (CG5xx).
func isCloud(format string) bool { return format == "terraform" }
