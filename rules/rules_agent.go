package rules

import (
	"fmt"
	"strings"
)

// CG503 is the intranet case of the same-origin policy: a cluster agent
// listens inside the network (localhost:8500, nomad.internal:4646), out of
// an attacker's reach, but the user's browser is inside. `*` on the
// agent's API lets any page the user visits send requests there and read
// the answers. What it reads depends on whether the API needs a token: the
// browser holds none for it (tokens travel in a header, not a cookie), so
// without ACLs the network position is the credential.
var _ = register(&Rule{
	ID: "CG503", Slug: "agent-api-any-origin", Group: groupCloud,
	Title:    "A Nomad or Consul agent API is readable from any page the user visits",
	Severity: High, CredSeverity: High,
	Rationale:  "`http_api_response_headers` (Nomad) and `http_config.response_headers` (Consul) add headers to every API response. With `Access-Control-Allow-Origin: *`, any website open in a browser inside the network can call the agent (localhost or its internal name) and read the answers: job specs, KV data, service catalogs, variables. With ACLs off (the default) nothing else stands in the way: high. With ACLs enforced a page only gets what the anonymous token may, since it has no token and sending one (X-Nomad-Token, X-Consul-Token) needs a preflight the agent does not approve unless Access-Control-Allow-Headers lists it: low. When the file does not say (agents merge several files): medium.",
	Fix:        "Drop the Access-Control-* response headers, or name the one UI origin that needs the API; enable ACLs with default deny.",
	Bad:        "http_api_response_headers {\n  \"Access-Control-Allow-Origin\" = \"*\"\n}",
	Good:       "acl {\n  enabled = true\n}\nhttp_api_response_headers {\n  \"Access-Control-Allow-Origin\" = \"https://ops.example.com\"\n}",
	References: []string{"https://developer.hashicorp.com/nomad/docs/configuration#http_api_response_headers", "https://developer.hashicorp.com/consul/docs/agent/config/config-files#response_headers", "https://developer.hashicorp.com/consul/docs/security/acl"},
	check: func(c *checkContext) {
		a := c.p.Agent
		if a == nil {
			return
		}
		for i := range c.p.Actual.Origins {
			o := &c.p.Actual.Origins[i]
			if o.Kind != OriginAny && o.Kind != OriginReflect {
				continue
			}
			ev := originEvidence(o)
			f := Finding{Witness: "https://evil.test", Range: ev.Range, Related: []Evidence{ev}}
			c.severity(&f)
			reach := fmt.Sprintf("any page the user visits can call this %s agent's API from the user's browser, inside the network, and read the answers", a.Product)
			switch a.ACL {
			case ACLOff:
				f.Severity = High
				f.Related = append(f.Related, a.Evidence)
				f.Message = reach + ": ACLs are off here, so the API answers without a token"
			case ACLOn:
				f.Severity = Low
				f.Related = append(f.Related, a.Evidence)
				f.Message = reach + ": ACLs are enforced, so only what the anonymous token may read"
				if !allowsHeader(c.p, a.TokenHeader) {
					f.Message += fmt.Sprintf("; a page cannot send %s (a non-safelisted header: its preflight gets no Access-Control-Allow-Headers)", a.TokenHeader)
				}
			default:
				f.Severity = Medium
				f.Message = reach + ": this file does not configure ACLs (off by default; another config file may enable them)"
			}
			c.report(f)
			return
		}
	},
})

// allowsHeader tells whether any Access-Control-Allow-Headers the policy
// sends names header (or reflects the request's list).
func allowsHeader(p *Policy, header string) bool {
	for _, g := range []Grant{p.Actual, p.Preflight.Grant} {
		for _, h := range g.Find(HeaderAllowHeaders) {
			if h.Value.Reflects != "" {
				return true
			}
			for _, item := range splitList(h.Value.Literal) {
				if item == "*" || strings.EqualFold(item, header) {
					return true
				}
			}
		}
	}
	return false
}
