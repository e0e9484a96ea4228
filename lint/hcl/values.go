package hcl

import (
	"sort"
	"strings"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// schema describes the part of a block corsguard reads: the attributes
// and the nested block types. Decoding by schema (rather than walking
// native syntax) is what makes .tf.json work: in JSON an object is a block
// or an attribute only according to the schema.
type schema struct {
	attrs  []string
	blocks map[string]*schema
}

func (s *schema) body() *hclv2.BodySchema {
	bs := &hclv2.BodySchema{}
	for _, a := range s.attrs {
		bs.Attributes = append(bs.Attributes, hclv2.AttributeSchema{Name: a})
	}
	names := make([]string, 0, len(s.blocks))
	for name := range s.blocks {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		bs.Blocks = append(bs.Blocks, hclv2.BlockHeaderSchema{Type: name})
	}
	if len(s.blocks) > 0 {
		bs.Blocks = append(bs.Blocks, hclv2.BlockHeaderSchema{Type: "dynamic", LabelNames: []string{"name"}})
	}
	return bs
}

// node is one decoded block (or one expansion of a dynamic block).
type node struct {
	typ    string
	rng    hclv2.Range // the whole block
	attrs  hclv2.Attributes
	blocks map[string][]*node
	ctx    *hclv2.EvalContext
	// unknown is set for a dynamic block whose for_each cannot be
	// evaluated: it stands for an unknown number of blocks.
	unknown string
	// dynamic is the dynamic block's range, when this node came from one.
	dynamic *hclv2.Range
}

var dynamicSchema = &hclv2.BodySchema{
	Attributes: []hclv2.AttributeSchema{{Name: "for_each", Required: true}, {Name: "iterator"}, {Name: "labels"}},
	Blocks:     []hclv2.BlockHeaderSchema{{Type: "content"}},
}

// decode reads body by schema s, expanding dynamic blocks whose for_each
// is known.
func (m *module) decode(typ string, rng hclv2.Range, body hclv2.Body, s *schema, ctx *hclv2.EvalContext) (*node, hclv2.Diagnostics) {
	n := &node{typ: typ, rng: rng, blocks: map[string][]*node{}, ctx: ctx}
	content, _, diags := body.PartialContent(s.body())
	n.attrs = content.Attributes
	for _, b := range content.Blocks {
		if b.Type == "dynamic" {
			sub, ok := s.blocks[b.Labels[0]]
			if !ok {
				continue
			}
			kids, d := m.expandDynamic(b, sub, ctx)
			diags = append(diags, d...)
			n.blocks[b.Labels[0]] = append(n.blocks[b.Labels[0]], kids...)
			continue
		}
		kid, d := m.decode(b.Type, blockRange(b), b.Body, s.blocks[b.Type], ctx)
		diags = append(diags, d...)
		n.blocks[b.Type] = append(n.blocks[b.Type], kid)
	}
	return n, diags
}

func (m *module) expandDynamic(b *hclv2.Block, s *schema, ctx *hclv2.EvalContext) ([]*node, hclv2.Diagnostics) {
	name := b.Labels[0]
	dr := blockRange(b)
	content, diags := b.Body.Content(dynamicSchema)
	if diags.HasErrors() {
		return nil, diags
	}
	iter := name
	if a, ok := content.Attributes["iterator"]; ok {
		if kw := hclv2.ExprAsKeyword(a.Expr); kw != "" {
			iter = kw
		}
	}
	var contentBlock *hclv2.Block
	for _, cb := range content.Blocks {
		contentBlock = cb
	}
	if contentBlock == nil {
		return nil, append(diags, &hclv2.Diagnostic{Severity: hclv2.DiagError, Summary: "Missing content block",
			Detail: `A dynamic "` + name + `" block needs a content block.`, Subject: b.DefRange.Ptr()})
	}
	fe := content.Attributes["for_each"]
	val, d := m.eval(fe.Expr, ctx)
	if !val.IsWhollyKnown() || (!val.CanIterateElements() && !val.IsNull()) {
		reason := m.unknownReason(fe.Expr, ctx, d)
		if reason == "" && val.IsKnown() {
			reason = "for_each is a " + val.Type().FriendlyName() + ", not a collection"
		}
		return []*node{{typ: name, rng: dr, blocks: map[string][]*node{}, ctx: ctx, dynamic: &dr,
			unknown: `dynamic "` + name + `" for_each = ` + m.source(fe.Expr.Range()) + ": " + reason}}, diags
	}
	if val.IsNull() {
		return nil, diags
	}
	var out []*node
	for it := val.ElementIterator(); it.Next(); {
		k, v := it.Element()
		child := ctx.NewChild()
		child.Variables = map[string]cty.Value{iter: cty.ObjectVal(map[string]cty.Value{"key": k, "value": v})}
		kid, d := m.decode(name, blockRange(contentBlock), contentBlock.Body, s, child)
		diags = append(diags, d...)
		kid.dynamic = &dr
		out = append(out, kid)
	}
	return out, diags
}

// strElem is one element of a list of strings after evaluation.
type strElem struct {
	known bool
	s     string // the value, when known
	// glob is set when only part of the value is known: the known text
	// with `*` where the unknown parts are ("https://*.example.com").
	glob   string
	reason string // why it is (partly) unknown
	rng    hclv2.Range
}

// strList evaluates a list-of-strings attribute. whole is non-nil when the
// list itself is unknown (its length cannot be known).
func (m *module) strList(expr hclv2.Expression, ctx *hclv2.EvalContext) (elems []strElem, whole *strElem) {
	return m.strListDepth(expr, ctx, 0)
}

func (m *module) strListDepth(expr hclv2.Expression, ctx *hclv2.EvalContext, depth int) ([]strElem, *strElem) {
	if exprs, diags := hclv2.ExprList(expr); !diags.HasErrors() && isListSyntax(expr) {
		var out []strElem
		for _, e := range exprs {
			out = append(out, m.strOne(e, ctx, depth))
		}
		return out, nil
	}
	if a := m.localRef(expr); a != nil && depth < 8 {
		return m.strListDepth(a.Expr, m.ctx, depth+1)
	}
	val, diags := m.eval(expr, ctx)
	if val.IsNull() {
		return nil, nil
	}
	if !val.IsKnown() {
		e := strElem{reason: m.unknownReason(expr, ctx, diags), rng: expr.Range()}
		return nil, &e
	}
	if val.Type() == cty.String {
		return []strElem{valueElem(val, expr.Range(), func() string { return m.unknownReason(expr, ctx, diags) })}, nil
	}
	if !val.CanIterateElements() {
		e := strElem{reason: "expected a list of strings, got " + val.Type().FriendlyName(), rng: expr.Range()}
		return nil, &e
	}
	var out []strElem
	for it := val.ElementIterator(); it.Next(); {
		_, v := it.Element()
		out = append(out, valueElem(v, expr.Range(), func() string { return m.unknownReason(expr, ctx, diags) }))
	}
	return out, nil
}

// isListSyntax reports whether the expression is written as a list (a
// tuple constructor in native syntax, an array in JSON).
func isListSyntax(expr hclv2.Expression) bool {
	if _, ok := expr.(*hclsyntax.TupleConsExpr); ok {
		return true
	}
	_, native := expr.(hclsyntax.Expression)
	return !native
}

// localRef returns the local an expression is exactly a reference to.
func (m *module) localRef(expr hclv2.Expression) *hclv2.Attribute {
	if w, ok := expr.(*hclsyntax.TemplateWrapExpr); ok {
		expr = w.Wrapped
	}
	st, ok := expr.(*hclsyntax.ScopeTraversalExpr)
	if !ok || len(st.Traversal) != 2 || st.Traversal.RootName() != "local" {
		return nil
	}
	return m.locals[attrStep(st.Traversal, 1)]
}

// strOne evaluates one string element, keeping the known parts of a
// template so that "https://${var.env}.example.com" becomes the pattern
// https://*.example.com rather than unknown.
func (m *module) strOne(expr hclv2.Expression, ctx *hclv2.EvalContext, depth int) strElem {
	if w, ok := expr.(*hclsyntax.TemplateWrapExpr); ok {
		expr = w.Wrapped
	}
	if a := m.localRef(expr); a != nil && depth < 8 {
		e := m.strOne(a.Expr, m.ctx, depth+1)
		e.rng = expr.Range()
		return e
	}
	if t := jsonTemplate(expr); t != nil && depth < 8 {
		e := m.strOne(t, ctx, depth+1)
		e.rng = expr.Range()
		return e
	}
	if t, ok := expr.(*hclsyntax.TemplateExpr); ok && !t.IsStringLiteral() {
		var sb strings.Builder
		var reasons []string
		known, literal := true, false
		for _, part := range t.Parts {
			v, d := m.eval(part, ctx)
			if v.IsWhollyKnown() && !v.IsNull() {
				if s, err := convert.Convert(v, cty.String); err == nil {
					sb.WriteString(s.AsString())
					literal = true
					continue
				}
			}
			known = false
			if v.Type() == cty.String && !v.IsKnown() {
				if p := v.Range().StringPrefix(); p != "" {
					sb.WriteString(p)
					literal = true
				}
			}
			if !strings.HasSuffix(sb.String(), "*") {
				sb.WriteString("*")
			}
			if r := m.unknownReason(part, ctx, d); r != "" {
				reasons = append(reasons, r)
			}
		}
		if known {
			return strElem{known: true, s: sb.String(), rng: expr.Range()}
		}
		e := strElem{reason: strings.Join(reasons, "; "), rng: expr.Range()}
		if literal {
			e.glob = sb.String()
		}
		return e
	}
	val, diags := m.eval(expr, ctx)
	return valueElem(val, expr.Range(), func() string { return m.unknownReason(expr, ctx, diags) })
}

func valueElem(v cty.Value, rng hclv2.Range, reason func() string) strElem {
	if v.IsWhollyKnown() && !v.IsNull() {
		if s, err := convert.Convert(v, cty.String); err == nil {
			return strElem{known: true, s: s.AsString(), rng: rng}
		}
		return strElem{reason: "expected a string, got " + v.Type().FriendlyName(), rng: rng}
	}
	e := strElem{reason: reason(), rng: rng}
	if !v.IsKnown() && v.Type() == cty.String {
		if p := v.Range().StringPrefix(); p != "" {
			e.glob = p + "*"
		}
	}
	return e
}

// scalar evaluates a bool/number/string attribute to its string form.
func (m *module) scalar(a *hclv2.Attribute, ctx *hclv2.EvalContext) strElem {
	val, diags := m.eval(a.Expr, ctx)
	return valueElem(val, a.Expr.Range(), func() string { return m.unknownReason(a.Expr, ctx, diags) })
}

// jsonTemplate re-reads a JSON string holding a template ("https://${var.env}.example.com")
// as native template syntax, so that its known parts survive as a pattern
// the way they do in .tf files. JSON expressions evaluated without a
// context return their string literally, which is the template source.
func jsonTemplate(expr hclv2.Expression) hclsyntax.Expression {
	if _, native := expr.(hclsyntax.Expression); native {
		return nil
	}
	v, diags := expr.Value(nil)
	if diags.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.String || !strings.Contains(v.AsString(), "${") {
		return nil
	}
	start := expr.Range().Start
	start.Column++ // past the opening quote
	start.Byte++
	t, diags := hclsyntax.ParseTemplate([]byte(v.AsString()), expr.Range().Filename, start)
	if diags.HasErrors() {
		return nil
	}
	return t
}
