package hcl

import (
	"sort"
	"strings"

	hclv2 "github.com/hashicorp/hcl/v2"

	"github.com/corsguard/corsguard/rules"
)

// corsInputs are the input names through which widely used modules take
// CORS settings: terraform-aws-modules/s3-bucket (cors_rule),
// terraform-aws-modules/lambda (cors), terraform-aws-modules/apigateway-v2
// (cors_configuration), terraform-google-modules/cloud-storage (cors), and
// the allowlist names hand-written modules commonly use.
var corsInputs = map[string]bool{
	"cors": true, "cors_rule": true, "cors_rules": true, "cors_configuration": true, "cors_config": true,
	"allowed_origins": true, "allow_origins": true, "cors_allowed_origins": true, "cors_origins": true,
}

// moduleCallPolicies reports the module calls that pass CORS settings.
// corsguard does not evaluate the called module, so the grant is unknown
// with that reason (CG100, info): a module call that configures CORS is
// never silently skipped.
func (m *module) moduleCallPolicies() []rules.Policy {
	var out []rules.Policy
	for _, call := range m.moduleCalls {
		attrs, _ := call.block.Body.JustAttributes()
		var names []string
		for name := range attrs {
			if corsInputs[name] {
				names = append(names, name)
			}
		}
		if len(names) == 0 {
			continue
		}
		sort.Strings(names)
		source := "an unknown source"
		if a, ok := attrs["source"]; ok {
			if v := m.scalar(a, m.ctx); v.known {
				source = v.s
			}
		}
		first := attrs[names[0]]
		reason := "module." + call.name + " (" + source + ") sets CORS through its " + strings.Join(names, ", ") +
			" input, and corsguard does not evaluate the module it calls"
		ev := m.ev(hclv2.RangeBetween(first.NameRange, first.Expr.Range()))
		blockEv := m.ev(blockRange(call.block))
		p := rules.Policy{Format: "terraform", Scope: rules.Scope{Name: "module." + call.name, Range: toRange(blockRange(call.block))}}
		p.Actual.Origins = []rules.OriginRule{{Kind: rules.OriginUnknown, Reason: reason, Evidence: []rules.Evidence{ev}}}
		p.Preflight = rules.Preflight{Kind: rules.PreflightUnknown, Evidence: []rules.Evidence{blockEv}, Reason: reason}
		p.Notes = append(p.Notes, reason)
		out = append(out, p)
	}
	return out
}
