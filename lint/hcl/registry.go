package hcl

import (
	"fmt"
	"strings"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/corsguard/corsguard/rules"
)

// registryModule maps the CORS input of a widely used registry module to
// the resource it configures, so that a call is checked like the resource
// written out.
type registryModule struct {
	source string // registry address, without a version or submodule path
	input  string
	svc    service
	// list: the input is a list of rules (else one object).
	list bool
	// fields maps the input object's attribute names to the grant's parts.
	origins, methods, headers, expose, maxAge, creds string
}

// registryModules are widely used registry modules; input
// shapes from each module's variables.tf:
//   - terraform-aws-modules/s3-bucket/aws: cors_rule, a list of objects as
//     aws_s3_bucket_cors_configuration's cors_rule blocks;
//   - terraform-aws-modules/lambda/aws: cors, one object as
//     aws_lambda_function_url's cors block;
//   - terraform-aws-modules/apigateway-v2/aws: cors_configuration, one
//     object as aws_apigatewayv2_api's;
//   - terraform-google-modules/cloud-storage/google (and its simple-bucket
//     submodule): cors, a list of objects as google_storage_bucket's cors.
var registryModules = []registryModule{
	{source: "terraform-aws-modules/s3-bucket/aws", input: "cors_rule", svc: svcS3, list: true,
		origins: "allowed_origins", methods: "allowed_methods", headers: "allowed_headers", expose: "expose_headers", maxAge: "max_age_seconds"},
	{source: "terraform-aws-modules/lambda/aws", input: "cors", svc: svcLambdaURL,
		origins: "allow_origins", methods: "allow_methods", headers: "allow_headers", expose: "expose_headers", maxAge: "max_age", creds: "allow_credentials"},
	{source: "terraform-aws-modules/apigateway-v2/aws", input: "cors_configuration", svc: svcAPIGWv2,
		origins: "allow_origins", methods: "allow_methods", headers: "allow_headers", expose: "expose_headers", maxAge: "max_age", creds: "allow_credentials"},
	{source: "terraform-google-modules/cloud-storage/google", input: "cors", svc: svcGCS, list: true,
		origins: "origin", methods: "method", headers: "response_header", expose: "response_header", maxAge: "max_age_seconds"},
}

func findRegistryModule(source string) (registryModule, bool) {
	for _, r := range registryModules {
		if source == r.source || strings.HasPrefix(source, r.source+"//") {
			return r, true
		}
	}
	return registryModule{}, false
}

// registryPolicies maps a registry module call's CORS input; ok is false
// when the call is not of a known module or does not set its CORS input.
// A CORS input whose value is not known is one unknown grant, with why.
func (m *module) registryPolicies(call *resourceBlock, attrs hclv2.Attributes) ([]rules.Policy, bool) {
	reg, known := findRegistryModule(callSource(attrs))
	if !known {
		return nil, false
	}
	a, ok := attrs[reg.input]
	if !ok {
		return nil, false
	}
	id := "module." + call.name + " " + reg.input
	rng := hclv2.RangeBetween(a.NameRange, a.Expr.Range())
	val, diags := m.eval(a.Expr, m.ctx)
	if !val.IsWhollyKnown() {
		p := m.unevaluatedCall(call, fmt.Sprintf("module.%s %s = %s: %s", call.name, reg.input, m.source(a.Expr.Range()), m.unknownReason(a.Expr, m.ctx, diags)))
		return []rules.Policy{p}, true
	}
	if val.IsNull() {
		return nil, true
	}
	var objs []cty.Value
	switch {
	case reg.list && val.CanIterateElements():
		for it := val.ElementIterator(); it.Next(); {
			_, v := it.Element()
			objs = append(objs, v)
		}
	case !reg.list:
		objs = []cty.Value{val}
	}
	var out []rules.Policy
	for i, obj := range objs {
		if isObject := obj.Type().IsObjectType() || obj.Type().IsMapType(); obj.IsNull() || !isObject {
			continue
		}
		field := func(name string) *hclv2.Attribute {
			if name == "" {
				return nil
			}
			var v cty.Value
			switch {
			case obj.Type().IsObjectType() && obj.Type().HasAttribute(name):
				v = obj.GetAttr(name)
			case obj.Type().IsMapType() && obj.HasIndex(cty.StringVal(name)).True():
				v = obj.Index(cty.StringVal(name))
			default:
				return nil
			}
			if v.IsNull() {
				return nil
			}
			return &hclv2.Attribute{Name: name, Expr: hclv2.StaticExpr(v, a.Expr.Range()), Range: rng, NameRange: a.NameRange}
		}
		name := id
		if reg.list {
			name = fmt.Sprintf("%s[%d]", id, i)
		}
		n := &node{typ: reg.input, rng: blockRange(call.block), blocks: map[string][]*node{}, ctx: m.ctx}
		p, ok := m.corsPolicy(reg.svc, name, n, corsAttrs{origins: field(reg.origins), methods: field(reg.methods), headers: field(reg.headers),
			expose: field(reg.expose), maxAge: field(reg.maxAge), creds: field(reg.creds), ctx: m.ctx})
		if ok {
			p.Notes = append(p.Notes, fmt.Sprintf("%s: the %s input of %s, mapped as the resource it configures", name, reg.input, reg.source))
			out = append(out, p)
		}
	}
	return out, true
}
