package hcl

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

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

// maxModuleDepth bounds nested local module calls (a module that calls
// itself ends here too).
const maxModuleDepth = 4

// callMetaArguments are a module block's arguments that are not inputs.
var callMetaArguments = map[string]bool{"source": true, "version": true, "count": true, "for_each": true, "providers": true, "depends_on": true}

// moduleCallPolicies maps what module calls configure. A local module
// (source "./…" or "../…") is evaluated with the call's arguments bound to
// its variables, nested calls too, to maxModuleDepth; its policies are
// named module.NAME.… and located at the call. A call of any other module
// that passes CORS settings is reported as unevaluated (CG100, info, with
// the module and input named): never silently skipped.
func (m *module) moduleCallPolicies() []rules.Policy {
	var out []rules.Policy
	for _, call := range m.moduleCalls {
		attrs, _ := call.block.Body.JustAttributes()
		if ps, ok := m.localModulePolicies(call, attrs); ok {
			out = append(out, ps...)
			continue
		}
		if ps, ok := m.registryPolicies(call, attrs); ok {
			out = append(out, ps...)
			continue
		}
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
		source := callSource(attrs)
		if source == "" {
			source = "an unknown source"
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

// callSource is a module call's source when it is a literal string.
func callSource(attrs hclv2.Attributes) string {
	a, ok := attrs["source"]
	if !ok {
		return ""
	}
	v, diags := a.Expr.Value(nil) // Terraform requires a literal source
	if diags.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}

// localModulePolicies evaluates a call of a local module; ok is false when
// the call is not of a local module that can be read.
func (m *module) localModulePolicies(call *resourceBlock, attrs hclv2.Attributes) ([]rules.Policy, bool) {
	source := callSource(attrs)
	if !strings.HasPrefix(source, "./") && !strings.HasPrefix(source, "../") {
		return nil, false
	}
	at := fmt.Sprintf("%s:%d", call.file, call.block.DefRange.Start.Line)
	if m.callDepth >= maxModuleDepth {
		return []rules.Policy{m.unevaluatedCall(call, fmt.Sprintf("module.%s (%s) is nested deeper than %d module calls; not evaluated", call.name, source, maxModuleDepth))}, true
	}
	dir := filepath.Join(m.dir, filepath.FromSlash(source))
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, false
	}
	for _, a := range append([]string{m.dir}, m.callers...) {
		if sameDir(a, dir) {
			return []rules.Policy{m.unevaluatedCall(call, fmt.Sprintf("module.%s (%s) calls a module it is itself part of: a cycle, which Terraform rejects; not evaluated", call.name, source))}, true
		}
	}
	if m.budget.callsLeft <= 0 {
		return []rules.Policy{m.unevaluatedCall(call, fmt.Sprintf("module.%s (%s) not evaluated: the %d module calls one configuration may evaluate are spent", call.name, source, maxModuleCalls))}, true
	}
	m.budget.callsLeft--
	child := readModule(dir, nil, false)
	child.callDepth = m.callDepth + 1
	child.callers = append(append([]string(nil), m.callers...), m.dir)
	for name, a := range attrs {
		v, declared := child.vars[name]
		if callMetaArguments[name] || !declared {
			continue
		}
		val, diags := m.eval(a.Expr, m.ctx)
		if val.IsWhollyKnown() {
			v.val, v.known, v.source, v.unknownWhy = val, true, "module."+call.name+" argument", ""
			continue
		}
		v.val, v.known = cty.DynamicVal, false
		v.unknownWhy = fmt.Sprintf("var.%s is passed by module.%s at %s: %s", name, call.name, at, m.unknownReason(a.Expr, m.ctx, diags))
	}
	child.finish(m.budget)
	policies, _ := child.policies()
	scope := toRange(blockRange(call.block))
	for i := range policies {
		p := &policies[i]
		p.Scope.Name = "module." + call.name + "." + p.Scope.Name
		p.Scope.Range = scope
		p.Notes = append(p.Notes, fmt.Sprintf("evaluated through module.%s (%s) at %s, with the call's arguments", call.name, source, at))
	}
	return policies, true
}

// unevaluatedCall is the policy of a module call whose grant is unknown.
func (m *module) unevaluatedCall(call *resourceBlock, reason string) rules.Policy {
	blockEv := m.ev(blockRange(call.block))
	p := rules.Policy{Format: "terraform", Scope: rules.Scope{Name: "module." + call.name, Range: toRange(blockRange(call.block))}}
	p.Actual.Origins = []rules.OriginRule{{Kind: rules.OriginUnknown, Reason: reason, Evidence: []rules.Evidence{blockEv}}}
	p.Preflight = rules.Preflight{Kind: rules.PreflightUnknown, Evidence: []rules.Evidence{blockEv}, Reason: reason}
	p.Notes = append(p.Notes, reason)
	return p
}

func sameDir(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}
