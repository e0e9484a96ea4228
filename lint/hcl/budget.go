package hcl

import (
	"errors"
	"fmt"
	"math/big"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Evaluation is bounded by weight: a value's weight is its string bytes
// plus nodeWeight per element, key or scalar (about what it occupies in
// memory). A Terraform expression can double its input (`"${local.a}${local.a}"`,
// `concat(local.l, local.l)`), so forty locals of one line each would ask
// for terabytes; a for expression multiplies. Each expression's result
// weight is bounded from its syntax and the weights of what it refers to
// before it is evaluated, and every evaluation is charged to the module's
// budget. Where a bound does not fit, the value is unknown and its reason
// says "evaluation budget exceeded" with the expression's file:line, so
// that the finding that depends on it (CG100) explains itself.
const (
	nodeWeight = 16
	// maxValueWeight bounds one evaluated value: far above any CORS
	// setting, low enough that a runaway stops within a few MB.
	maxValueWeight = 4 << 20
	// baseModuleWork is the module's evaluation budget before the share
	// that grows with its source size (workPerSourceByte per byte read),
	// so a large legitimate module is never starved.
	baseModuleWork    = 64 << 20
	workPerSourceByte = 16
	saturated         = int64(1) << 60
)

// errBudget marks evaluation stopped by a budget.
var errBudget = errors.New("evaluation budget exceeded")

// budgetError says which budget ran out.
type budgetError struct{ why string }

func (e *budgetError) Error() string { return errBudget.Error() + ": " + e.why }
func (e *budgetError) Unwrap() error { return errBudget }

// budget is the work one module may still spend on evaluation. A module is
// evaluated by one goroutine, so it needs no lock.
type budget struct {
	left  int64
	total int64
	// callsLeft bounds the local module calls evaluated from one root
	// module: ten calls of "./" in a module that calls itself would
	// otherwise fan out to 10^depth loads.
	callsLeft int
}

// maxModuleCalls bounds the local module calls one root module evaluates.
const maxModuleCalls = 64

func newBudget(sourceBytes int64) *budget {
	total := addSat(baseModuleWork, mulSat(sourceBytes, workPerSourceByte))
	return &budget{left: total, total: total, callsLeft: maxModuleCalls}
}

// spend charges an evaluation of the given weight bound; it fails when the
// bound is over the limit for one value or more than the module has left.
func (b *budget) spend(w int64) error {
	if w > maxValueWeight {
		return &budgetError{fmt.Sprintf("the value could be %s, over the %s limit for one value", sizeText(w), sizeText(maxValueWeight))}
	}
	if w > b.left {
		return &budgetError{fmt.Sprintf("the module's evaluation budget of %s is spent", sizeText(b.total))}
	}
	b.left -= w
	return nil
}

func sizeText(w int64) string {
	switch {
	case w >= saturated:
		return "unbounded"
	case w >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(w)/(1<<30))
	case w >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(w)/(1<<20))
	case w >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(w)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", w)
}

func addSat(a, b int64) int64 {
	if a >= saturated || b >= saturated || a+b >= saturated {
		return saturated
	}
	return a + b
}

func mulSat(a, b int64) int64 {
	if a <= 0 || b <= 0 {
		return 0
	}
	if a >= saturated/b {
		return saturated
	}
	return a * b
}

// weight measures a value, stopping once it passes limit (the caller only
// needs to know that it did).
func weight(v cty.Value, limit int64) int64 {
	if !v.IsKnown() || v.IsNull() {
		return nodeWeight
	}
	v, _ = v.Unmark()
	ty := v.Type()
	switch {
	case ty == cty.String:
		return nodeWeight + int64(len(v.AsString()))
	case ty == cty.Number:
		return nodeWeight + numberDigits(v.AsBigFloat())
	case ty.IsListType(), ty.IsSetType(), ty.IsTupleType(), ty.IsMapType(), ty.IsObjectType():
		w := int64(nodeWeight)
		for it := v.ElementIterator(); it.Next() && w <= limit; {
			k, e := it.Element()
			if ty.IsMapType() || ty.IsObjectType() {
				w += int64(len(k.AsString()))
			}
			w = addSat(w, weight(e, limit-w))
		}
		return w
	}
	return nodeWeight
}

// numberDigits bounds the length of a number written out in decimal
// ('f' format, as Terraform converts numbers to strings): 1e999999999
// is a short literal with a billion digits.
func numberDigits(f *big.Float) int64 {
	if f.IsInf() {
		return 4
	}
	exp := f.MantExp(nil)
	if exp < 0 {
		exp = -exp
	}
	// log10(2) ≈ 0.30103; the mantissa adds at most ~160 digits at cty's
	// 512-bit precision.
	return int64(exp)*30103/100000 + 160
}

// estimator bounds the weight of an expression's result before it is
// evaluated. Function calls are counted as the sum of their arguments:
// functions whose result can be larger than their arguments are guarded
// themselves (see guarded), at the moment their arguments are known.
type estimator struct {
	m    *module
	ctx  *hclv2.EvalContext
	memo map[string]int64
}

// estimate returns an upper bound on the weight of expr's value in ctx.
func (m *module) estimate(expr hclv2.Expression, ctx *hclv2.EvalContext) int64 {
	e := &estimator{m: m, ctx: ctx, memo: map[string]int64{}}
	if x, ok := expr.(hclsyntax.Expression); ok {
		return e.native(x, nil)
	}
	return e.json(expr)
}

// json bounds an expression of JSON syntax: arrays and objects by their
// parts, strings holding templates as the templates they are.
func (e *estimator) json(expr hclv2.Expression) int64 {
	if items, diags := hclv2.ExprList(expr); !diags.HasErrors() {
		w := int64(nodeWeight)
		for _, it := range items {
			w = addSat(w, e.json(it))
		}
		return w
	}
	if pairs, diags := hclv2.ExprMap(expr); !diags.HasErrors() {
		w := int64(nodeWeight)
		for _, p := range pairs {
			w = addSat(w, addSat(e.json(p.Key), e.json(p.Value)))
		}
		return w
	}
	if t := jsonTemplate(expr); t != nil {
		return e.native(t, nil)
	}
	v, _ := expr.Value(nil)
	return weight(v, saturated)
}

// native bounds a native-syntax expression. iters bounds the weight of
// each for-expression iterator variable in scope ("" for a splat's
// current element).
func (e *estimator) native(x hclsyntax.Expression, iters map[string]int64) int64 {
	sum := func(xs ...hclsyntax.Expression) int64 {
		w := int64(nodeWeight)
		for _, s := range xs {
			if s != nil {
				w = addSat(w, e.native(s, iters))
			}
		}
		return w
	}
	switch x := x.(type) {
	case *hclsyntax.LiteralValueExpr:
		return weight(x.Val, saturated)
	case *hclsyntax.TemplateExpr:
		return sum(x.Parts...)
	case *hclsyntax.TemplateWrapExpr:
		return e.native(x.Wrapped, iters)
	case *hclsyntax.TemplateJoinExpr:
		return e.native(x.Tuple, iters)
	case *hclsyntax.ScopeTraversalExpr:
		return e.traversal(x.Traversal, iters)
	case *hclsyntax.RelativeTraversalExpr:
		return e.native(x.Source, iters)
	case *hclsyntax.IndexExpr:
		return sum(x.Collection, x.Key)
	case *hclsyntax.SplatExpr:
		return sum(x.Source)
	case *hclsyntax.AnonSymbolExpr:
		if w, ok := iters[""]; ok {
			return w
		}
		return nodeWeight
	case *hclsyntax.FunctionCallExpr:
		return sum(x.Args...)
	case *hclsyntax.ConditionalExpr:
		return sum(x.Condition, x.TrueResult, x.FalseResult)
	case *hclsyntax.BinaryOpExpr:
		return sum(x.LHS, x.RHS)
	case *hclsyntax.UnaryOpExpr:
		return sum(x.Val)
	case *hclsyntax.ParenthesesExpr:
		return e.native(x.Expression, iters)
	case *hclsyntax.TupleConsExpr:
		return sum(x.Exprs...)
	case *hclsyntax.ObjectConsExpr:
		w := int64(nodeWeight)
		for _, it := range x.Items {
			w = addSat(w, sum(it.KeyExpr, it.ValueExpr))
		}
		return w
	case *hclsyntax.ObjectConsKeyExpr:
		return e.native(x.Wrapped, iters)
	case *hclsyntax.ForExpr:
		return e.forExpr(x, iters)
	}
	return nodeWeight
}

// traversal bounds a reference by the weight of the value it reaches.
func (e *estimator) traversal(t hclv2.Traversal, iters map[string]int64) int64 {
	if w, ok := iters[t.RootName()]; ok {
		return w
	}
	key := traversalString(t)
	if w, ok := e.memo[key]; ok {
		return w
	}
	w := int64(nodeWeight)
	if v, diags := t.TraverseAbs(e.ctx); !diags.HasErrors() {
		w = weight(v, saturated)
	}
	e.memo[key] = w
	return w
}

// forExpr bounds `[for k, v in coll : body]`: the collection plus one body
// per element. When the collection does not depend on an enclosing
// iterator it is evaluated (under the budget) for its exact length and
// largest element; otherwise its weight bounds both.
func (e *estimator) forExpr(x *hclsyntax.ForExpr, iters map[string]int64) int64 {
	coll := e.native(x.CollExpr, iters)
	n, elem := coll, coll
	if !dependsOn(x.CollExpr, iters) {
		if v, diags := e.m.eval(x.CollExpr, e.ctx); !diags.HasErrors() && v.IsKnown() && !v.IsNull() && v.CanIterateElements() {
			n, elem = int64(v.LengthInt()), 0
			for it := v.ElementIterator(); it.Next(); {
				k, ev := it.Element()
				elem = max(elem, weight(k, saturated), weight(ev, saturated))
			}
		}
	}
	inner := make(map[string]int64, len(iters)+2)
	for k, w := range iters {
		inner[k] = w
	}
	if x.KeyVar != "" {
		inner[x.KeyVar] = elem
	}
	inner[x.ValVar] = elem
	body := int64(nodeWeight)
	for _, b := range []hclsyntax.Expression{x.KeyExpr, x.ValExpr, x.CondExpr} {
		if b != nil {
			body = addSat(body, e.native(b, inner))
		}
	}
	return addSat(coll, mulSat(n, body))
}

// dependsOn reports whether an expression refers to an iterator in scope.
func dependsOn(x hclsyntax.Expression, iters map[string]int64) bool {
	if len(iters) == 0 {
		return false
	}
	for _, t := range hclsyntax.Variables(x) {
		if _, ok := iters[t.RootName()]; ok {
			return true
		}
	}
	return false
}

// budgetDiag is the diagnostic for an evaluation a budget stopped; its
// detail names the expression's file:line, which the unknown value's
// reason repeats.
func budgetDiag(rng hclv2.Range, err error) *hclv2.Diagnostic {
	why := err.Error()
	var be *budgetError
	if errors.As(err, &be) {
		why = be.why
	}
	return &hclv2.Diagnostic{Severity: hclv2.DiagError, Summary: "Evaluation budget exceeded",
		Detail:  fmt.Sprintf("%v at %s:%d: %s", errBudget, rng.Filename, rng.Start.Line, why),
		Subject: rng.Ptr()}
}

// budgetFailure finds a function call a budget stopped among diags and
// restates it with the call's location.
func budgetFailure(diags hclv2.Diagnostics) (*hclv2.Diagnostic, bool) {
	for _, d := range diags {
		extra, ok := d.Extra.(interface{ FunctionCallError() error })
		if !ok || !errors.Is(extra.FunctionCallError(), errBudget) || d.Subject == nil {
			continue
		}
		return budgetDiag(*d.Subject, extra.FunctionCallError()), true
	}
	return nil, false
}
