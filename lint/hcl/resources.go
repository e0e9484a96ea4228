package hcl

import (
	"fmt"
	"strings"

	hclv2 "github.com/hashicorp/hcl/v2"

	"github.com/corsguard/corsguard/rules"
)

// service is how one cloud service turns its CORS settings into headers.
type service struct {
	name string
	// kind is rules.Policy.Service: storage, api, cdn or app.
	kind string
	// httpsOnly: the service has no plain-http endpoint.
	httpsOnly bool
	// dialect reads entries with wildcard syntax (or without a scheme) the
	// way the service matches them; see dialects.go.
	dialect originDialect
	// varyDoc cites where the service documents adding Vary: Origin to its
	// CORS responses itself (rules.Policy.ServiceVary); empty when its
	// documentation does not say so.
	varyDoc string
	// credsForListed: the service sends Access-Control-Allow-Credentials:
	// true whenever a rule other than `*` matched, with no setting for it.
	credsForListed bool
	// headerStarEchoes: `*` in allowed headers makes the service echo the
	// request's Access-Control-Request-Headers.
	headerStarEchoes bool
	// rejectsWildcardCredentials is the note for services that refuse to
	// deploy allow-credentials together with a `*` origin.
	rejectsWildcardCredentials string
	// wildcardCredentialsEcho is the note for a service that accepts
	// allow-credentials with a `*` origin and then answers with the
	// request's Origin and credentials: any site reads with the user's
	// cookies.
	wildcardCredentialsEcho string
	// fixedMethods notes that the service decides methods and headers itself.
	fixedMethods string
}

// Where services document adding Vary: Origin themselves. API Gateway
// HTTP APIs, Lambda function URLs, CloudFront response headers policies
// and App Service CORS pages do not say, so their grants are judged on
// the configuration alone.
const (
	varyS3 = "S3 returns Vary on successful CORS evaluations, listing the request headers the result depends on (https://docs.aws.amazon.com/AmazonS3/latest/API/RESTCommonResponseHeaders.html)"
	// "Understanding how the Vary header is set" on the Azure Storage CORS page.
	varyAzureStorage = "Azure Storage sets Vary: Origin on responses of services with CORS rules (https://learn.microsoft.com/rest/api/storageservices/cross-origin-resource-sharing--cors--support-for-the-azure-storage-services#understanding-how-the-vary-header-is-set)"
)

// NoteRejectsWildcardCredentials is the phrase every "the service refuses
// this at deploy time" note contains, so that rules can match on it.
const NoteRejectsWildcardCredentials = "rejects allow_credentials with a wildcard origin at deploy time"

var (
	svcS3           = service{name: "S3", kind: "storage", dialect: oneStarAnywhere, varyDoc: varyS3, credsForListed: true, headerStarEchoes: true}
	svcAzureStorage = service{name: "Azure Storage", kind: "storage", dialect: oneStarAnywhere, varyDoc: varyAzureStorage, credsForListed: true, headerStarEchoes: true}
	// Cloud Storage's CORS page and its bucket-CORS reference say nothing
	// about Vary; without a source it is treated as not adding it.
	svcGCS     = service{name: "Cloud Storage", kind: "storage", dialect: noWildcards}
	svcAPIGWv2 = service{name: "API Gateway v2", kind: "api", httpsOnly: true, dialect: schemeStar, rejectsWildcardCredentials: "API Gateway v2 " + NoteRejectsWildcardCredentials}
	// Lambda function URLs deploy allow_credentials with `*` (unlike HTTP
	// APIs) and answer with the caller's Origin and credentials, as
	// public reports of function URL CORS describe.
	svcLambdaURL  = service{name: "Lambda function URL", kind: "api", httpsOnly: true, dialect: schemeStar, wildcardCredentialsEcho: "Lambda function URLs accept allow_credentials = true with allow_origins = [\"*\"] and answer every request with its own Origin and Access-Control-Allow-Credentials: true"}
	svcCloudFront = service{name: "CloudFront", kind: "cdn", dialect: cloudFrontItem}
	svcAppService = service{name: "App Service", kind: "app", dialect: leftmostLabel, rejectsWildcardCredentials: "App Service " + NoteRejectsWildcardCredentials, fixedMethods: "App Service's platform CORS has no methods or headers settings: the app or the platform decides them"}
)

// corsAttrs are the attributes of one CORS rule, wherever the resource
// keeps them.
type corsAttrs struct {
	origins, methods, headers, expose, maxAge, creds *hclv2.Attribute
	ctx                                              *hclv2.EvalContext
}

var corsRuleS3 = &schema{attrs: []string{"allowed_origins", "allowed_methods", "allowed_headers", "expose_headers", "max_age_seconds", "id"}}
var corsRuleAzure = &schema{attrs: []string{"allowed_origins", "allowed_methods", "allowed_headers", "exposed_headers", "max_age_in_seconds"}}
var corsAPI = &schema{attrs: []string{"allow_origins", "allow_methods", "allow_headers", "expose_headers", "max_age", "allow_credentials"}}
var itemsSchema = &schema{attrs: []string{"items"}}

// resourceSchemas lists every resource type mapped, with what is read.
var resourceSchemas = map[string]*schema{
	"aws_s3_bucket_cors_configuration": {blocks: map[string]*schema{"cors_rule": corsRuleS3}},
	"aws_s3_bucket":                    {blocks: map[string]*schema{"cors_rule": corsRuleS3}},
	"aws_apigatewayv2_api":             {attrs: []string{"protocol_type"}, blocks: map[string]*schema{"cors_configuration": corsAPI}},
	"aws_lambda_function_url":          {blocks: map[string]*schema{"cors": corsAPI}},
	"aws_cloudfront_response_headers_policy": {blocks: map[string]*schema{"cors_config": {
		attrs: []string{"access_control_allow_credentials", "access_control_max_age_sec", "origin_override"},
		blocks: map[string]*schema{
			"access_control_allow_origins":  itemsSchema,
			"access_control_allow_methods":  itemsSchema,
			"access_control_allow_headers":  itemsSchema,
			"access_control_expose_headers": itemsSchema,
		}}}},
	"aws_api_gateway_integration_response": {attrs: []string{"http_method", "status_code", "response_parameters", "selection_pattern"}},
	"aws_api_gateway_method_response":      {attrs: []string{"http_method", "status_code", "response_parameters"}},
	"aws_api_gateway_gateway_response":     {attrs: []string{"response_type", "status_code", "response_parameters"}},
	"azurerm_storage_account": {blocks: map[string]*schema{
		"blob_properties":  {blocks: map[string]*schema{"cors_rule": corsRuleAzure}},
		"queue_properties": {blocks: map[string]*schema{"cors_rule": corsRuleAzure}},
		"share_properties": {blocks: map[string]*schema{"cors_rule": corsRuleAzure}},
	}},
	"google_storage_bucket": {blocks: map[string]*schema{"cors": {attrs: []string{"origin", "method", "response_header", "max_age_seconds"}}}},
}

// appServiceTypes share site_config { cors { allowed_origins, support_credentials } }.
var appServiceTypes = []string{
	"azurerm_linux_web_app", "azurerm_windows_web_app", "azurerm_linux_web_app_slot", "azurerm_windows_web_app_slot",
	"azurerm_linux_function_app", "azurerm_windows_function_app", "azurerm_linux_function_app_slot", "azurerm_windows_function_app_slot",
	"azurerm_app_service", "azurerm_app_service_slot", "azurerm_function_app", "azurerm_function_app_slot",
}

func init() {
	siteConfig := &schema{blocks: map[string]*schema{"site_config": {blocks: map[string]*schema{"cors": {attrs: []string{"allowed_origins", "support_credentials"}}}}}}
	for _, t := range appServiceTypes {
		resourceSchemas[t] = siteConfig
	}
}

// ResourceTypes returns the resource types the front end maps.
func ResourceTypes() []string {
	out := make([]string, 0, len(resourceSchemas))
	for t := range resourceSchemas {
		out = append(out, t)
	}
	return out
}

// policies maps every CORS-bearing resource of the module.
func (m *module) policies() ([]rules.Policy, hclv2.Diagnostics) {
	var out []rules.Policy
	var diags hclv2.Diagnostics
	add := func(p rules.Policy, ok bool) {
		if ok {
			out = append(out, p)
		}
	}
	hasIntegrationACAO := false
	for _, r := range m.resources {
		if r.typ == "aws_api_gateway_integration_response" && m.setsACAO(r) {
			hasIntegrationACAO = true
		}
	}
	for _, r := range m.resources {
		s, ok := resourceSchemas[r.typ]
		if !ok || m.broken[r.file] {
			continue
		}
		insts, note := m.instances(r)
		for _, inst := range insts {
			n, d := m.decode(r.typ, blockRange(r.block), r.block.Body, s, inst.ctx)
			diags = append(diags, d...)
			id := inst.id
			before := len(out)
			switch r.typ {
			case "aws_s3_bucket_cors_configuration", "aws_s3_bucket":
				for i, rule := range n.blocks["cors_rule"] {
					add(m.corsPolicy(svcS3, fmt.Sprintf("%s cors_rule[%d]", id, i), rule, corsAttrs{
						origins: rule.attrs["allowed_origins"], methods: rule.attrs["allowed_methods"], headers: rule.attrs["allowed_headers"],
						expose: rule.attrs["expose_headers"], maxAge: rule.attrs["max_age_seconds"], ctx: rule.ctx}))
				}
			case "aws_apigatewayv2_api":
				for _, c := range n.blocks["cors_configuration"] {
					p, ok := m.corsPolicy(svcAPIGWv2, id+" cors_configuration", c, apiAttrs(c))
					if !ok {
						continue
					}
					if pt, ok := n.attrs["protocol_type"]; ok {
						if v := m.scalar(pt, n.ctx); v.known && v.s == "WEBSOCKET" {
							p.Notes = append(p.Notes, "cors_configuration applies to HTTP APIs only; WebSocket APIs ignore it")
						}
					}
					out = append(out, p)
				}
			case "aws_lambda_function_url":
				for _, c := range n.blocks["cors"] {
					add(m.corsPolicy(svcLambdaURL, id+" cors", c, apiAttrs(c)))
				}
			case "aws_cloudfront_response_headers_policy":
				for _, c := range n.blocks["cors_config"] {
					add(m.cloudFrontPolicy(id+" cors_config", c))
				}
			case "aws_api_gateway_integration_response", "aws_api_gateway_gateway_response":
				if p, ok := m.apiGatewayV1Policy(r, id, n); ok {
					out = append(out, p)
				}
			case "aws_api_gateway_method_response":
				if !hasIntegrationACAO {
					if p, ok := m.apiGatewayV1Policy(r, id, n); ok {
						out = append(out, p)
					}
				}
			case "azurerm_storage_account":
				for _, svc := range []string{"blob_properties", "queue_properties", "share_properties"} {
					for _, props := range n.blocks[svc] {
						for i, rule := range props.blocks["cors_rule"] {
							add(m.corsPolicy(svcAzureStorage, fmt.Sprintf("%s %s.cors_rule[%d]", id, svc, i), rule, corsAttrs{
								origins: rule.attrs["allowed_origins"], methods: rule.attrs["allowed_methods"], headers: rule.attrs["allowed_headers"],
								expose: rule.attrs["exposed_headers"], maxAge: rule.attrs["max_age_in_seconds"], ctx: rule.ctx}))
						}
					}
				}
			case "google_storage_bucket":
				for i, c := range n.blocks["cors"] {
					// GCS uses response_header both to answer preflights and to
					// expose response headers.
					add(m.corsPolicy(svcGCS, fmt.Sprintf("%s cors[%d]", id, i), c, corsAttrs{
						origins: c.attrs["origin"], methods: c.attrs["method"], headers: c.attrs["response_header"],
						expose: c.attrs["response_header"], maxAge: c.attrs["max_age_seconds"], ctx: c.ctx}))
				}
			default: // App Service and Function App families
				for _, sc := range n.blocks["site_config"] {
					for _, c := range sc.blocks["cors"] {
						add(m.corsPolicy(svcAppService, id+" site_config.cors", c, corsAttrs{
							origins: c.attrs["allowed_origins"], creds: c.attrs["support_credentials"], ctx: c.ctx}))
					}
				}
			}
			for i := before; i < len(out) && note != ""; i++ {
				out[i].Notes = append(out[i].Notes, note)
			}
		}
	}
	out = append(out, m.moduleCallPolicies()...)
	return out, diags
}

func apiAttrs(c *node) corsAttrs {
	return corsAttrs{origins: c.attrs["allow_origins"], methods: c.attrs["allow_methods"], headers: c.attrs["allow_headers"],
		expose: c.attrs["expose_headers"], maxAge: c.attrs["max_age"], creds: c.attrs["allow_credentials"], ctx: c.ctx}
}

func (m *module) cloudFrontPolicy(name string, c *node) (rules.Policy, bool) {
	items := func(block string) *hclv2.Attribute {
		for _, b := range c.blocks[block] {
			if a, ok := b.attrs["items"]; ok {
				return a
			}
		}
		return nil
	}
	p, ok := m.corsPolicy(svcCloudFront, name, c, corsAttrs{
		origins: items("access_control_allow_origins"), methods: items("access_control_allow_methods"),
		headers: items("access_control_allow_headers"), expose: items("access_control_expose_headers"),
		maxAge: c.attrs["access_control_max_age_sec"], creds: c.attrs["access_control_allow_credentials"], ctx: c.ctx})
	if !ok {
		return p, false
	}
	if a, ok := c.attrs["origin_override"]; ok {
		v := m.scalar(a, c.ctx)
		switch {
		case v.known && v.s == "false":
			p.Notes = append(p.Notes, "origin_override = false: when the origin sends its own CORS headers they win; this policy applies only to responses without them")
		case !v.known:
			p.Notes = append(p.Notes, "origin_override is unknown ("+v.reason+"): the origin's own CORS headers may win")
		}
	}
	return p, true
}

// ev builds evidence for an attribute (or any range).
func (m *module) ev(r hclv2.Range) rules.Evidence {
	return rules.Evidence{Range: toRange(r), Text: m.source(r)}
}

// corsPolicy builds the policy of one CORS rule of a cloud service; a rule
// without allowed origins grants nothing and has no policy.
func (m *module) corsPolicy(svc service, name string, n *node, a corsAttrs) (rules.Policy, bool) {
	p := rules.Policy{Format: "terraform", Scope: rules.Scope{Name: name, Range: toRange(n.rng)}, Service: svc.kind}
	if svc.httpsOnly {
		p.HTTPS = rules.Known
	}
	if a.origins == nil && n.unknown == "" {
		return p, false
	}
	blockEv := m.ev(n.rng)
	if n.dynamic != nil {
		blockEv = m.ev(*n.dynamic)
	}
	if n.unknown != "" {
		p.Actual.Origins = []rules.OriginRule{{Kind: rules.OriginUnknown, Reason: n.unknown, Evidence: []rules.Evidence{blockEv}}}
		p.Preflight = rules.Preflight{Kind: rules.PreflightAnswered, Status: 200, Grant: cloneGrant(p.Actual),
			Evidence: []rules.Evidence{blockEv}, Reason: svc.name + " answers CORS preflights itself"}
		p.Notes = append(p.Notes, n.unknown)
		return p, true
	}
	var g rules.Grant
	var notes []string
	var anyOrigin, listed bool
	g.Origins, anyOrigin, listed, notes = m.originRules(svc, a.origins, a.ctx)
	p.Notes = append(p.Notes, notes...)
	header := func(name string, v rules.Value, r hclv2.Range) {
		g.Headers = append(g.Headers, rules.Header{Name: name, Value: v, Always: true, Evidence: m.ev(r)})
	}
	credsTrue := false
	if a.creds != nil {
		v := m.scalar(a.creds, a.ctx)
		switch {
		case !v.known:
			header(rules.HeaderAllowCredentials, rules.UnknownValue(v.reason), a.creds.Range)
		case v.s == "true":
			credsTrue = true
			header(rules.HeaderAllowCredentials, rules.LiteralValue("true"), a.creds.Range)
		}
	} else if svc.credsForListed && listed && !anyOrigin {
		// With `*` in the same rule every origin gets `*`, which browsers
		// never combine with credentials; the service does not send it.
		credsTrue = true
		g.Headers = append(g.Headers, rules.Header{Name: rules.HeaderAllowCredentials, Value: rules.LiteralValue("true"), Always: true,
			Evidence: rules.Evidence{Range: toRange(a.origins.Range), Text: svc.name + " sends Access-Control-Allow-Credentials: true when a listed origin matches"}})
		p.Notes = append(p.Notes, svc.name+" sends Access-Control-Allow-Credentials: true whenever a rule other than * matches")
	}
	if credsTrue && anyOrigin && svc.rejectsWildcardCredentials != "" {
		p.Notes = append(p.Notes, svc.rejectsWildcardCredentials)
	}
	if credsTrue && anyOrigin && svc.wildcardCredentialsEcho != "" {
		for i := range g.Origins {
			if g.Origins[i].Kind == rules.OriginAny {
				g.Origins[i].Kind = rules.OriginReflect
				g.Origins[i].Echo = true
			}
		}
		p.Notes = append(p.Notes, svc.wildcardCredentialsEcho)
	}
	if a.methods != nil {
		if v, ok := m.joined(a.methods, a.ctx, false); ok {
			header(rules.HeaderAllowMethods, v, a.methods.Range)
		}
	}
	if a.headers != nil {
		if v, ok := m.joined(a.headers, a.ctx, svc.headerStarEchoes); ok {
			header(rules.HeaderAllowHeaders, v, a.headers.Range)
		}
	}
	if a.expose != nil {
		if v, ok := m.joined(a.expose, a.ctx, false); ok {
			header(rules.HeaderExposeHeaders, v, a.expose.Range)
		}
	}
	if a.maxAge != nil {
		v := m.scalar(a.maxAge, a.ctx)
		switch {
		case !v.known:
			header(rules.HeaderMaxAge, rules.UnknownValue(v.reason), a.maxAge.Range)
		case v.s != "":
			header(rules.HeaderMaxAge, rules.LiteralValue(v.s), a.maxAge.Range)
		}
	}
	if len(g.Origins) > 0 {
		p.ServiceVary = svc.varyDoc
	}
	if svc.fixedMethods != "" {
		p.Notes = append(p.Notes, svc.fixedMethods)
	}
	p.Actual = g
	p.Preflight = rules.Preflight{Kind: rules.PreflightAnswered, Status: 200, Grant: cloneGrant(g), Evidence: []rules.Evidence{blockEv},
		Reason: svc.name + " answers CORS preflights itself"}
	return p, true
}

// originRules turns an origins attribute into origin rules: exact origins
// in one list (the service echoes the one that matched), `*` as any,
// wildcards and partly known templates as glob patterns, the rest unknown.
func (m *module) originRules(svc service, a *hclv2.Attribute, ctx *hclv2.EvalContext) (out []rules.OriginRule, anyOrigin, listed bool, notes []string) {
	elems, whole := m.strList(a.Expr, ctx)
	attrEv := m.ev(a.Range)
	if whole != nil {
		return []rules.OriginRule{{Kind: rules.OriginUnknown, Reason: whole.reason, Evidence: []rules.Evidence{attrEv}}}, false, false, nil
	}
	list := rules.OriginRule{Kind: rules.OriginList, Echo: true}
	for _, e := range elems {
		ev := m.ev(e.rng)
		switch {
		case e.known && e.s == "*":
			anyOrigin = true
			out = append(out, rules.OriginRule{Kind: rules.OriginAny, Evidence: []rules.Evidence{ev}})
		case e.known && svc.dialect != nil && wildcardSyntax(e.s):
			listed = true
			globs, ok := svc.dialect(e.s)
			if !ok {
				// Compared literally by the service: the checker says
				// whether any origin can equal it.
				list.Values = append(list.Values, e.s)
				list.Evidence = append(list.Evidence, ev)
				break
			}
			for _, glob := range globs {
				pev := ev
				if glob != e.s {
					pev.Text = ev.Text + " (" + svc.name + " matches it as " + glob + ")"
				}
				out = append(out, rules.OriginRule{Kind: rules.OriginPattern, Echo: true, Evidence: []rules.Evidence{ev},
					Pattern: &rules.Pattern{Expr: glob, Dialect: rules.Glob, Evidence: pev}})
			}
		case e.known:
			listed = true
			list.Values = append(list.Values, e.s)
			list.Evidence = append(list.Evidence, ev)
		case e.glob != "":
			listed = true
			pev := ev
			pev.Text = ev.Text + " (* stands for: " + e.reason + ")"
			out = append(out, rules.OriginRule{Kind: rules.OriginPattern, Echo: true, Evidence: []rules.Evidence{ev},
				Pattern: &rules.Pattern{Expr: e.glob, Dialect: rules.Glob, DeployTime: true, Evidence: pev}})
			notes = append(notes, fmt.Sprintf("origin %s is a pattern: only part of it is known (%s)", e.glob, e.reason))
		default:
			out = append(out, rules.OriginRule{Kind: rules.OriginUnknown, Reason: e.reason, Evidence: []rules.Evidence{ev}})
		}
	}
	if len(list.Values) > 0 {
		list.Evidence = dedupeEvidence(append([]rules.Evidence{attrEv}, list.Evidence...))
		out = append([]rules.OriginRule{list}, out...)
	}
	return out, anyOrigin, listed, notes
}

// wildcardSyntax reports whether an allowlist entry needs the service's
// dialect: it has a `*` (other than `*` alone) or no scheme.
func wildcardSyntax(entry string) bool {
	return entry != "*" && entry != "null" && (strings.Contains(entry, "*") || !strings.Contains(entry, "://"))
}

// joined renders a list attribute as one header value ("GET, PUT"). ok is
// false when the list is empty. starEchoes: a `*` entry makes the service
// echo the requested headers.
func (m *module) joined(a *hclv2.Attribute, ctx *hclv2.EvalContext, starEchoes bool) (rules.Value, bool) {
	elems, whole := m.strList(a.Expr, ctx)
	if whole != nil {
		return rules.UnknownValue(whole.reason), true
	}
	if len(elems) == 0 {
		return rules.Value{}, false
	}
	parts := make([]string, 0, len(elems))
	for _, e := range elems {
		if !e.known {
			return rules.UnknownValue(e.reason), true
		}
		if starEchoes && e.s == "*" {
			return rules.ReflectedValue("Access-Control-Request-Headers"), true
		}
		parts = append(parts, e.s)
	}
	return rules.LiteralValue(strings.Join(parts, ", ")), true
}

// dedupeEvidence drops repeated ranges, keeping the first.
func dedupeEvidence(in []rules.Evidence) []rules.Evidence {
	seen := map[rules.Range]bool{}
	var out []rules.Evidence
	for _, e := range in {
		if !seen[e.Range] {
			seen[e.Range] = true
			out = append(out, e)
		}
	}
	return out
}

func cloneGrant(g rules.Grant) rules.Grant {
	return rules.Grant{
		Origins: append([]rules.OriginRule(nil), g.Origins...),
		Headers: append([]rules.Header(nil), g.Headers...),
	}
}
