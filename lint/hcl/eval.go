package hcl

import (
	"strings"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// localSlot is a local value (or a resource argument) evaluated once, on
// first use, with why it is not known when it is not.
type localSlot struct {
	state  slotState
	val    cty.Value
	reason string // why val is not wholly known; "" when it is
	// root is the innermost cause, kept so that a long chain of locals
	// can say what started it without repeating every link.
	root string
}

type slotState uint8

const (
	slotNew slotState = iota
	slotVisiting
	slotDone
)

type resourceArgKey struct {
	r    *resourceBlock
	attr string
}

// maxReasonChain bounds how much of a chain of "local.a depends on
// local.b depends on …" a reason repeats before it skips to the root cause.
const maxReasonChain = 300

// maxResourceDepth bounds references from one resource's argument to
// another's (aws_api_gateway_method.x.http_method).
const maxResourceDepth = 8

// eval evaluates an expression, first giving every reference the context
// cannot resolve a value: locals (evaluated on first use), the configured
// literal for a resource argument the module sets, cty.DynamicVal for
// anything else (data sources, module outputs, undeclared variables).
// Evaluation is bounded (see budget.go). Errors are returned, never
// printed; an erroring expression is unknown.
func (m *module) eval(expr hclv2.Expression, ctx *hclv2.EvalContext) (cty.Value, hclv2.Diagnostics) {
	return m.evalDepth(expr, ctx, 0)
}

func (m *module) evalDepth(expr hclv2.Expression, ctx *hclv2.EvalContext, depth int) (cty.Value, hclv2.Diagnostics) {
	ctx = m.fillReferences(expr.Variables(), ctx, depth)
	if err := m.budget.spend(m.estimate(expr, ctx)); err != nil {
		return cty.DynamicVal, hclv2.Diagnostics{budgetDiag(expr.Range(), err)}
	}
	val, diags := expr.Value(ctx)
	if d, ok := budgetFailure(diags); ok {
		return cty.DynamicVal, hclv2.Diagnostics{d}
	}
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}
	return val, diags
}

func lookupVar(ctx *hclv2.EvalContext, name string) (cty.Value, bool) {
	for c := ctx; c != nil; c = c.Parent() {
		if v, ok := c.Variables[name]; ok {
			return v, true
		}
	}
	return cty.NilVal, false
}

// fillReferences returns a child context defining the roots ctx lacks.
func (m *module) fillReferences(travs []hclv2.Traversal, ctx *hclv2.EvalContext, depth int) *hclv2.EvalContext {
	extra := map[string]cty.Value{}
	resAttrs := map[string]map[string]map[string]cty.Value{} // type -> name -> attr -> value
	undeclared := map[string]bool{}
	var locals map[string]cty.Value
	for _, t := range travs {
		root := t.RootName()
		switch root {
		case "var":
			if name := attrStep(t, 1); name != "" {
				if _, ok := m.vars[name]; !ok {
					undeclared[name] = true
				}
			}
			continue
		case "local":
			if locals == nil {
				locals = map[string]cty.Value{}
			}
			if name := attrStep(t, 1); name != "" {
				if _, done := locals[name]; !done {
					locals[name] = m.local(name).val
				}
			}
			continue
		}
		if _, ok := lookupVar(ctx, root); ok {
			continue
		}
		name, attr := attrStep(t, 1), attrStep(t, 2)
		if r, ok := m.byTypeName[root+"."+name]; ok && attr != "" {
			if resAttrs[root] == nil {
				resAttrs[root] = map[string]map[string]cty.Value{}
			}
			if resAttrs[root][name] == nil {
				resAttrs[root][name] = map[string]cty.Value{}
			}
			resAttrs[root][name][attr] = m.resourceArgument(r, attr, depth).val
			continue
		}
		extra[root] = cty.DynamicVal
	}
	for typ, byName := range resAttrs {
		if _, ok := extra[typ]; ok {
			continue
		}
		objs := map[string]cty.Value{}
		for name, attrs := range byName {
			objs[name] = cty.ObjectVal(attrs)
		}
		extra[typ] = cty.ObjectVal(objs)
	}
	if locals != nil {
		extra["local"] = cty.ObjectVal(locals)
	}
	if len(undeclared) > 0 {
		vars := map[string]cty.Value{}
		for name, v := range m.vars {
			vars[name] = v.val
		}
		for name := range undeclared {
			vars[name] = cty.DynamicVal
		}
		extra["var"] = cty.ObjectVal(vars)
	}
	if len(extra) == 0 {
		return ctx
	}
	child := ctx.NewChild()
	child.Variables = extra
	return child
}

// local returns a local's slot, evaluating the local and every local it
// depends on first. The walk keeps its own stack rather than recursing,
// so that a chain of many thousand locals costs one pass and no deep Go
// stack; a local met again while its own value is being computed (a
// cycle) is unknown.
func (m *module) local(name string) *localSlot {
	if s, ok := m.localSlots[name]; ok {
		return s // done, or visiting: part of a cycle
	}
	if _, ok := m.locals[name]; !ok {
		return &localSlot{state: slotDone, val: cty.DynamicVal, reason: "local." + name + " is not defined"}
	}
	type frame struct {
		name string
		deps []string
		next int
	}
	visit := func(name string) frame {
		m.localSlots[name] = &localSlot{state: slotVisiting, val: cty.DynamicVal}
		var deps []string
		for _, t := range m.locals[name].Expr.Variables() {
			if t.RootName() == "local" {
				if d := attrStep(t, 1); d != "" {
					deps = append(deps, d)
				}
			}
		}
		return frame{name: name, deps: deps}
	}
	stack := []frame{visit(name)}
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.next < len(top.deps) {
			d := top.deps[top.next]
			top.next++
			if _, defined := m.locals[d]; defined && m.localSlots[d] == nil {
				stack = append(stack, visit(d))
			}
			continue
		}
		m.evalLocal(top.name)
		stack = stack[:len(stack)-1]
	}
	return m.localSlots[name]
}

// evalLocal evaluates one local whose dependencies are all evaluated (or
// are part of a cycle, and so unknown).
func (m *module) evalLocal(name string) {
	s := m.localSlots[name]
	a := m.locals[name]
	val, diags := m.eval(a.Expr, m.ctx)
	s.val = val
	s.state = slotDone
	if val.IsWhollyKnown() {
		return
	}
	s.reason, s.root = m.reasonAndRoot(a.Expr.Variables(), m.ctx, diags)
	if s.reason == "" {
		s.reason = "a value only known at apply time"
	}
	if s.root == "" {
		s.root = s.reason
	}
}

// resourceArgument is the value of an argument another resource in the
// module sets in its configuration (aws_api_gateway_method.x.http_method),
// or unknown when it is computed by the provider; each is evaluated once.
func (m *module) resourceArgument(r *resourceBlock, attr string, depth int) *localSlot {
	key := resourceArgKey{r, attr}
	if s, ok := m.resourceArgs[key]; ok {
		if s.state == slotVisiting {
			return &localSlot{val: cty.DynamicVal}
		}
		return s
	}
	s := &localSlot{state: slotVisiting, val: cty.DynamicVal}
	m.resourceArgs[key] = s
	defer func() { s.state = slotDone }()
	if depth > maxResourceDepth {
		return s
	}
	content, _, _ := r.block.Body.PartialContent(&hclv2.BodySchema{Attributes: []hclv2.AttributeSchema{{Name: attr}}})
	a, ok := content.Attributes[attr]
	if !ok {
		return s
	}
	s.val, _ = m.evalDepth(a.Expr, m.ctx, depth+1)
	return s
}

// unknownReason explains why an expression's value is not (wholly) known,
// naming each reference that is unknown and why. diags are the evaluation's
// diagnostics, used when no reference is to blame.
func (m *module) unknownReason(expr hclv2.Expression, ctx *hclv2.EvalContext, diags hclv2.Diagnostics) string {
	r, _ := m.reasonAndRoot(expr.Variables(), ctx, diags)
	return r
}

// reasonAndRoot explains unknown references; root is the innermost cause
// of the first reason, for chains too long to repeat.
func (m *module) reasonAndRoot(travs []hclv2.Traversal, ctx *hclv2.EvalContext, diags hclv2.Diagnostics) (reason, root string) {
	var reasons []string
	add := func(s, r string) {
		for _, have := range reasons {
			if have == s {
				return
			}
		}
		if root == "" {
			root = r
		}
		reasons = append(reasons, s)
	}
	for _, t := range travs {
		rootName := t.RootName()
		name := attrStep(t, 1)
		if _, set := lookupVar(ctx, rootName); set && (rootName == "each" || rootName == "count") {
			rootName = "" // an instance's count.index or each.*: checked below like any context variable
		}
		switch rootName {
		case "var":
			v, ok := m.vars[name]
			switch {
			case !ok:
				s := "var." + name + " is not declared in the module"
				add(s, s)
			case !v.known && v.unknownWhy != "":
				add(v.unknownWhy, v.unknownWhy)
			case !v.known:
				s := "var." + name + " has no default and no tfvars value"
				add(s, s)
			}
			continue
		case "local":
			s := m.local(name)
			if s.state == slotVisiting {
				r := "local." + name + " refers to itself"
				add(r, r)
				continue
			}
			if s.reason == "" {
				continue
			}
			if _, defined := m.locals[name]; !defined {
				add(s.reason, s.reason)
				continue
			}
			inner := s.reason
			if len(inner) > maxReasonChain {
				inner = "… " + s.root
			}
			add("local."+name+" depends on "+inner, s.root)
			continue
		case "each":
			s := traversalString(t) + " is set per instance by the resource's for_each"
			add(s, s)
			continue
		case "count":
			s := "count.index is set per instance by the resource's count"
			add(s, s)
			continue
		case "data":
			s := traversalString(t) + " is read from a data source at plan time"
			add(s, s)
			continue
		case "module":
			s := traversalString(t) + " is an output of another module"
			add(s, s)
			continue
		case "path", "terraform", "self":
			s := traversalString(t) + " is not evaluated by corsguard"
			add(s, s)
			continue
		}
		if v, ok := lookupVar(ctx, t.RootName()); ok {
			// A dynamic block iterator, a resource instance's count or
			// each, or another context variable.
			tv, _ := t.TraverseAbs(ctx)
			if v.IsWhollyKnown() || tv.IsWhollyKnown() {
				continue
			}
			s := traversalString(t) + " is not known"
			add(s, s)
			continue
		}
		if r, ok := m.byTypeName[rootName+"."+name]; ok {
			if attr := attrStep(t, 2); attr != "" && m.resourceArgument(r, attr, 0).val.IsWhollyKnown() {
				continue
			}
		}
		s := traversalString(t) + " is known only after apply"
		add(s, s)
	}
	if len(reasons) == 0 {
		d := diagReason(diags)
		return d, d
	}
	return strings.Join(reasons, "; "), root
}
