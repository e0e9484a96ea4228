package rules

import (
	"fmt"
	"strings"

	"github.com/corsguard/corsguard/rules/spec"
)

const groupPreflight = "Preflight"

// needsPreflight tells whether the policy approves requests that browsers
// preflight: non-safelisted methods, or any request header.
func needsPreflight(p *Policy) (bool, Evidence) {
	for _, g := range []Grant{p.Actual, p.Preflight.Grant} {
		for _, h := range g.Find(HeaderAllowMethods) {
			if h.Value.Reflects != "" {
				return true, h.Evidence
			}
			for _, m := range splitList(h.Value.Literal) {
				if !spec.IsSafelistedMethod(strings.ToUpper(m)) && m != "OPTIONS" {
					return true, h.Evidence
				}
			}
		}
		for _, h := range g.Find(HeaderAllowHeaders) {
			if h.Value.Reflects != "" || len(splitList(h.Value.Literal)) > 0 {
				return true, h.Evidence
			}
		}
	}
	return false, Evidence{}
}

var _ = register(&Rule{
	ID: "CG301", Slug: "preflight-unhandled", Group: groupPreflight,
	Title:    "Non-simple requests are allowed but the preflight is not answered with 2xx and CORS headers",
	Severity: Low, CredSeverity: Low,
	Rationale: "When the config approves methods like PUT or headers like Authorization, browsers first send OPTIONS. If that request gets a 405/404, or a 2xx without Access-Control-Allow-Origin, every such request fails, and people then \"fix\" it by reflecting everything.",
	Fix:       "Answer OPTIONS with 204 and the CORS headers (nginx: `if ($request_method = OPTIONS) { add_header ...; return 204; }` with all CORS headers repeated inside).",
	Bad:       "location /api/ {\n  add_header Access-Control-Allow-Methods \"GET, PUT\" always;\n  root /srv;   # OPTIONS gets 405\n}",
	Good:      "location /api/ {\n  if ($request_method = OPTIONS) { add_header Access-Control-Allow-Origin ... always; return 204; }\n}",
	check: func(c *checkContext) {
		need, ev := needsPreflight(c.p)
		if !need {
			return
		}
		pf := c.p.Preflight
		f := Finding{Range: ev.Range, Related: append([]Evidence{ev}, pf.Evidence...)}
		switch {
		case pf.Kind == PreflightRejected:
			f.Message = fmt.Sprintf("non-simple requests are allowed, but OPTIONS is answered with %d", pf.Status)
			if pf.Reason != "" {
				f.Message += ": " + pf.Reason
			}
			f.Remedy = c.preflightRemedy(ev)
		case pf.Kind == PreflightAnswered && len(pf.Grant.Origins) == 0 && len(pf.Grant.Find(HeaderAllowOrigin)) == 0:
			f.Message = "OPTIONS is answered, but without Access-Control-Allow-Origin: every preflight fails"
			if len(pf.Evidence) > 0 {
				f.Range = pf.Evidence[0].Range
			}
		default:
			return
		}
		c.severity(&f)
		c.report(f)
	},
})

var _ = register(&Rule{
	ID: "CG302", Slug: "preflight-auth", Group: groupPreflight,
	Title:    "OPTIONS requires credentials",
	Severity: Low, CredSeverity: Low,
	Rationale: "Browsers never send cookies or Authorization on a preflight, so an OPTIONS that demands them always fails with 401 and no credentialed cross-origin request can succeed.",
	Fix:       "Exempt OPTIONS from authentication (nginx: `limit_except OPTIONS { auth_basic ...; }` or answer OPTIONS before auth; Apache: `<LimitExcept OPTIONS> Require valid-user </LimitExcept>`).",
	Bad:       "location /api/ { auth_basic \"api\"; add_header Access-Control-Allow-Headers Authorization always; }",
	Good:      "location /api/ { if ($request_method = OPTIONS) { ...; return 204; } auth_basic \"api\"; }",
	check: func(c *checkContext) {
		if c.p.Preflight.Kind != PreflightAuth {
			return
		}
		if need, _ := needsPreflight(c.p); !need && !c.p.Actual.HasCORS() {
			return
		}
		f := c.preflightFinding()
		f.Message = "OPTIONS requires authentication, but browsers never send credentials on a preflight"
		switch reason := c.p.Preflight.Reason; {
		case strings.Contains(reason, "never send credentials"):
			f.Message = reason // the front end already said it, with its own detail
		case reason != "":
			f.Message += " (" + reason + ")"
		}
		c.report(f)
	},
})

var _ = register(&Rule{
	ID: "CG303", Slug: "preflight-broader", Group: groupPreflight,
	Title:    "The preflight approves more than the actual response",
	Severity: Medium, CredSeverity: High,
	Rationale: "A preflight that approves any origin lets every site send credentialed PUT/DELETE/JSON requests: the attacker cannot read the answer but the state change happens (CSRF), even when the actual response's allowlist is strict.",
	Fix:       "Answer the preflight with the same origin decision as the actual response.",
	Bad:       "if ($request_method = OPTIONS) { add_header Access-Control-Allow-Origin $http_origin; ... return 204; }",
	Good:      "if ($request_method = OPTIONS) { add_header Access-Control-Allow-Origin $cors_origin; ... return 204; }",
	check: func(c *checkContext) {
		pf := c.p.Preflight
		if pf.Kind != PreflightAnswered {
			return
		}
		actualOpen := false
		for _, o := range c.p.Actual.Origins {
			if o.Kind == OriginReflect || o.Kind == OriginAny {
				actualOpen = true
			}
		}
		if actualOpen {
			return // the actual response is already open: CG101/CG201 say so
		}
		pfCreds := false
		for _, h := range headerLiterals(pf.Grant, HeaderAllowCredentials) {
			pfCreds = pfCreds || strings.TrimSpace(h.Value.Literal) == "true"
		}
		for i := range pf.Grant.Origins {
			o := &pf.Grant.Origins[i]
			open := o.Kind == OriginReflect || o.Kind == OriginAny && pfCreds
			if !open {
				continue
			}
			f := Finding{Witness: "https://evil.test", Range: originEvidence(o).Range, Related: o.Evidence, Credentials: pfCreds}
			f.Severity = c.rule.SeverityFor(pfCreds)
			what := "reflects any origin"
			if o.Kind == OriginAny {
				what = "allows any origin"
			}
			f.Message = fmt.Sprintf("the preflight %s while the actual response is restricted: any site, e.g. https://evil.test, can send non-simple requests", what)
			if pfCreds {
				f.Message += " with credentials"
			}
			c.report(f)
			return
		}
	},
})

var _ = register(&Rule{
	ID: "CG304", Slug: "preflight-redirect", Group: groupPreflight,
	Title:    "OPTIONS is answered with a redirect",
	Severity: Low, CredSeverity: Low,
	Rationale: "Browsers never follow redirects on a preflight and require a 2xx status; a `return 301` (http→https, trailing slash) or an explicit `return 405` for OPTIONS fails every non-simple request.",
	Fix:       "Answer OPTIONS with 204 before any redirect; redirect only GET/HEAD.",
	Bad:       "if ($request_method = OPTIONS) { return 301 https://$host$request_uri; }",
	Good:      "if ($request_method = OPTIONS) { add_header ...; return 204; }",
	check: func(c *checkContext) {
		pf := c.p.Preflight
		if pf.Kind != PreflightRedirect {
			return
		}
		if !c.p.Actual.HasCORS() && !pf.Grant.HasCORS() {
			return
		}
		f := c.preflightFinding()
		f.Message = fmt.Sprintf("OPTIONS is answered with a redirect (%d): browsers never follow redirects on a preflight", pf.Status)
		c.report(f)
	},
})

// preflightFinding starts a finding about how OPTIONS is answered, at the
// directive that decides it.
func (c *checkContext) preflightFinding() Finding {
	pf := c.p.Preflight
	f := Finding{Related: pf.Evidence}
	if len(pf.Evidence) > 0 {
		f.Range = pf.Evidence[0].Range
	}
	c.severity(&f)
	return f
}
