package hcl

import (
	"strconv"
	"strings"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/corsguard/corsguard/rules"
)

// API Gateway v1 (REST APIs) has no CORS setting: CORS is response header
// mappings on method, integration and gateway responses. Keys name the
// header ("method.response.header.Access-Control-Allow-Origin"), values
// are a static value in single quotes ("'*'") or a mapping expression
// ("method.request.header.Origin", "integration.response.header.X").

var headerKeyPrefixes = []string{"method.response.header.", "gatewayresponse.header."}

// paramEntry is one response_parameters entry.
type paramEntry struct {
	key   string
	value strElem
	rng   hclv2.Range
}

func (m *module) responseParameters(a *hclv2.Attribute, ctx *hclv2.EvalContext) []paramEntry {
	var out []paramEntry
	if pairs, diags := hclv2.ExprMap(a.Expr); !diags.HasErrors() {
		for _, kv := range pairs {
			k, _ := m.eval(kv.Key, ctx)
			if !k.IsKnown() || k.IsNull() || k.Type() != cty.String {
				continue
			}
			out = append(out, paramEntry{key: k.AsString(), value: m.strOne(kv.Value, ctx, 0),
				rng: hclv2.RangeBetween(kv.Key.Range(), kv.Value.Range())})
		}
		return out
	}
	val, diags := m.eval(a.Expr, ctx)
	if !val.IsWhollyKnown() || val.IsNull() || !val.CanIterateElements() {
		reason := m.unknownReason(a.Expr, ctx, diags)
		return []paramEntry{{key: "method.response.header." + rules.HeaderAllowOrigin, value: strElem{reason: reason, rng: a.Expr.Range()}, rng: a.Expr.Range()}}
	}
	for it := val.ElementIterator(); it.Next(); {
		k, v := it.Element()
		if k.Type() != cty.String {
			continue
		}
		out = append(out, paramEntry{key: k.AsString(), value: valueElem(v, a.Expr.Range(), func() string { return "" }), rng: a.Expr.Range()})
	}
	return out
}

func headerFromKey(key string) (string, bool) {
	for _, p := range headerKeyPrefixes {
		if len(key) > len(p) && strings.EqualFold(key[:len(p)], p) {
			return rules.CanonicalCORSHeader(key[len(p):])
		}
	}
	return "", false
}

// setsACAO reports whether an integration response maps
// Access-Control-Allow-Origin; when one does, method responses (which only
// declare the header) add nothing.
func (m *module) setsACAO(r *resourceBlock) bool {
	content, _, _ := r.block.Body.PartialContent(&hclv2.BodySchema{Attributes: []hclv2.AttributeSchema{{Name: "response_parameters"}}})
	a, ok := content.Attributes["response_parameters"]
	return ok && strings.Contains(strings.ToLower(m.source(a.Expr.Range())), "access-control-allow-origin")
}

// mappingValue interprets a response parameter mapping.
func mappingValue(e strElem) rules.Value {
	switch {
	case !e.known:
		return rules.UnknownValue(e.reason)
	case len(e.s) >= 2 && strings.HasPrefix(e.s, "'") && strings.HasSuffix(e.s, "'"):
		return rules.LiteralValue(e.s[1 : len(e.s)-1])
	case strings.EqualFold(e.s, "method.request.header.Origin"):
		return rules.ReflectedValue("Origin")
	case strings.HasPrefix(strings.ToLower(e.s), "method.request.header."):
		return rules.ReflectedValue(e.s[len("method.request.header."):])
	case strings.HasPrefix(strings.ToLower(e.s), "integration.response.header."):
		return rules.UnknownValue("copied from the backend's " + e.s[len("integration.response.header."):] + " response header")
	default:
		return rules.UnknownValue("mapped from " + e.s + ", set by the backend")
	}
}

func (m *module) apiGatewayV1Policy(r *resourceBlock, id string, n *node) (rules.Policy, bool) {
	a, ok := n.attrs["response_parameters"]
	if !ok {
		return rules.Policy{}, false
	}
	// execute-api endpoints are https only.
	p := rules.Policy{Format: "terraform", Scope: rules.Scope{Name: id, Range: toRange(n.rng)}, Service: "api", HTTPS: rules.Known}
	var g rules.Grant
	declaresOnly := r.typ == "aws_api_gateway_method_response"
	// Gateway responses are the error answers themselves, and an
	// integration response without selection_pattern is the default
	// mapping for every backend status: both carry the headers on errors.
	_, selective := n.attrs["selection_pattern"]
	always := r.typ == "aws_api_gateway_gateway_response" ||
		r.typ == "aws_api_gateway_integration_response" && !selective
	cond := ""
	if sc, ok := n.attrs["status_code"]; ok {
		if v := m.scalar(sc, n.ctx); v.known {
			cond = "status " + v.s
		}
	}
	for _, e := range m.responseParameters(a, n.ctx) {
		name, ok := headerFromKey(e.key)
		if !ok {
			continue
		}
		ev := m.ev(e.rng)
		if declaresOnly {
			if name == rules.HeaderAllowOrigin {
				g.Origins = append(g.Origins, rules.OriginRule{Kind: rules.OriginUnknown, Evidence: []rules.Evidence{ev},
					Reason: "the method response only declares Access-Control-Allow-Origin; the backend (Lambda proxy or HTTP integration) sets its value"})
			}
			continue
		}
		v := mappingValue(e.value)
		g.Headers = append(g.Headers, rules.Header{Name: name, Value: v, Always: always, Condition: cond, Evidence: ev})
		if name != rules.HeaderAllowOrigin {
			continue
		}
		rule := rules.OriginRule{Evidence: []rules.Evidence{ev}}
		switch {
		case v.State == rules.Unknown:
			rule.Kind, rule.Reason = rules.OriginUnknown, v.Reason
		case v.Reflects == "Origin":
			rule.Kind = rules.OriginReflect
		case v.Reflects != "":
			rule.Kind, rule.Reason = rules.OriginUnknown, "echoes the request's "+v.Reflects+" header"
		case v.Literal == "*":
			rule.Kind = rules.OriginAny
		default:
			rule.Kind, rule.Values = rules.OriginList, []string{v.Literal}
		}
		g.Origins = append(g.Origins, rule)
	}
	if !g.HasCORS() && len(g.Headers) == 0 {
		return rules.Policy{}, false
	}
	method := ""
	if hm, ok := n.attrs["http_method"]; ok {
		if v := m.scalar(hm, n.ctx); v.known {
			method = strings.ToUpper(v.s)
		} else {
			p.Notes = append(p.Notes, "http_method is unknown ("+v.reason+"): this may be the OPTIONS (preflight) method")
		}
	}
	status := 200
	if sc, ok := n.attrs["status_code"]; ok {
		if v := m.scalar(sc, n.ctx); v.known {
			if s, err := strconv.Atoi(v.s); err == nil {
				status = s
			}
		}
	}
	blockEv := m.ev(n.rng)
	switch {
	case r.typ == "aws_api_gateway_gateway_response":
		rt := ""
		if t, ok := n.attrs["response_type"]; ok {
			if v := m.scalar(t, n.ctx); v.known {
				rt = v.s
			}
		}
		p.Actual = g
		p.Preflight = rules.Preflight{Kind: rules.PreflightUnknown, Reason: "gateway responses cover API Gateway's own errors; preflights are answered by an OPTIONS method"}
		p.Notes = append(p.Notes, "gateway response "+rt+": headers on API Gateway's own error responses")
	case method == "OPTIONS":
		kind := rules.PreflightAnswered
		if status < 200 || status > 299 {
			kind = rules.PreflightRejected
		}
		p.Preflight = rules.Preflight{Kind: kind, Status: status, Grant: g, Evidence: []rules.Evidence{blockEv}}
		p.Notes = append(p.Notes, "this response answers preflights only; actual responses come from the other methods' integration responses")
	default:
		p.Actual = g
		p.Preflight = rules.Preflight{Kind: rules.PreflightUnknown,
			Reason: "REST API preflights are answered by a separate OPTIONS method (usually a MOCK integration)"}
	}
	return p, true
}
