package hcl

import (
	"bytes"
	"strings"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// The speller (fix.go) works on one file's text, never on the evaluated
// module: an edit must land on the bytes that spell a value, and only a
// literal written in this file can be rewritten. fixtree reads native
// syntax, JSON and the header map of an agent configuration into one small
// tree of written values with their byte ranges, so that every remedy kind
// is spelled once for all three.

// vkind is what a written value is.
type vkind uint8

const (
	// vLiteral is a string, number or bool written out.
	vLiteral vkind = iota + 1
	// vList is a list (tuple) constructor.
	vList
	// vObject is an object constructor.
	vObject
	// vVia is an expression whose value is one of its operands' (a
	// conditional, concat(), tolist()…): literals among the operands are
	// values of the whole, but the whole is not a list written here.
	vVia
	// vIndirect is a value not written here: a reference, a call, a
	// template with interpolations, a for expression.
	vIndirect
)

// vnode is one written value.
type vnode struct {
	kind vkind
	rng  hclv2.Range // Start.Byte/End.Byte index the file's bytes
	// literal
	value   string   // decoded, as the front end reads it (numbers in string form)
	typ     cty.Type // cty.String, cty.Number or cty.Bool
	heredoc bool
	json    bool
	// list, object, via
	kids  []*vnode
	items []*property // object items (kids holds their values too)
	// via, indirect: what the value comes from ("var.origins", "a call of
	// format()"); local is set when it is exactly local.NAME.
	from  string
	local string
	// iter is set for each.value… or a dynamic block's ITERATOR.value…:
	// the value is one element of a for_each collection written here.
	iter *iterRef
}

// iterRef is a reference to the elements of a for_each collection, and
// the attributes taken of each (cors_rule.value.origins: path [origins]).
type iterRef struct {
	coll *vnode
	path []string
}

// property is an attribute of a body or an item of an object constructor:
// a name bound to a written value.
type property struct {
	name  string
	rng   hclv2.Range // name to the end of the value
	value *vnode
	// block is the top-level block the property sits in (nil at the top
	// level), with its labels: resource TYPE NAME says what service the
	// value configures.
	block []string
	// attribute is set for a native body attribute (which owns its line);
	// items of object constructors are separated by commas or newlines.
	attribute bool
}

// listPreserving are functions whose result holds their arguments'
// elements unchanged: a literal among the arguments is one of the values.
var listPreserving = map[string]bool{
	"concat": true, "tolist": true, "toset": true, "distinct": true, "compact": true, "flatten": true, "sort": true,
	"coalescelist": true,
}

// written is one file read for fixing.
type written struct {
	src  []byte
	json bool
	// native: a Terraform file in native syntax, which `terraform fmt`
	// formats (agent configurations are HCL 1 and are not).
	native bool
	props  []*property // every property, outer before inner
	// locals defined in this file, by name.
	locals map[string]*vnode
}

// nativeValue reads a native syntax expression.
func nativeValue(expr hclsyntax.Expression, src []byte, iters map[string]*vnode) *vnode {
	n := &vnode{rng: expr.Range()}
	switch e := expr.(type) {
	case *hclsyntax.TemplateExpr:
		var sb strings.Builder
		for _, p := range e.Parts {
			lit, ok := p.(*hclsyntax.LiteralValueExpr)
			if !ok || lit.Val.Type() != cty.String || lit.Val.IsNull() {
				n.kind = vIndirect
				n.from = "a template (" + referencesText(expr) + ")"
				return n
			}
			sb.WriteString(lit.Val.AsString())
		}
		n.kind, n.typ, n.value = vLiteral, cty.String, sb.String()
		n.heredoc = n.rng.Start.Byte < len(src) && src[n.rng.Start.Byte] == '<'
	case *hclsyntax.LiteralValueExpr:
		if e.Val.IsNull() {
			n.kind, n.from = vIndirect, "null"
			return n
		}
		s, err := convert.Convert(e.Val, cty.String)
		if err != nil {
			n.kind, n.from = vIndirect, "a "+e.Val.Type().FriendlyName()
			return n
		}
		n.kind, n.typ, n.value = vLiteral, e.Val.Type(), s.AsString()
	case *hclsyntax.TupleConsExpr:
		n.kind = vList
		for _, el := range e.Exprs {
			n.kids = append(n.kids, nativeValue(el, src, iters))
		}
	case *hclsyntax.ObjectConsExpr:
		n.kind = vObject
		for _, it := range e.Items {
			v := nativeValue(it.ValueExpr, src, iters)
			n.kids = append(n.kids, v)
			n.items = append(n.items, &property{name: keyName(it.KeyExpr), rng: hclv2.RangeBetween(it.KeyExpr.Range(), it.ValueExpr.Range()), value: v})
		}
	case *hclsyntax.TemplateWrapExpr:
		inner := nativeValue(e.Wrapped, src, iters)
		inner.rng = n.rng
		return inner
	case *hclsyntax.ParenthesesExpr:
		n.kind, n.from = vVia, "an expression in parentheses"
		n.kids = []*vnode{nativeValue(e.Expression, src, iters)}
	case *hclsyntax.ConditionalExpr:
		n.kind, n.from = vVia, "a conditional ("+strings.TrimSpace(string(rangeBytes(src, e.Condition.Range())))+" ? … : …)"
		n.kids = []*vnode{nativeValue(e.TrueResult, src, iters), nativeValue(e.FalseResult, src, iters)}
	case *hclsyntax.FunctionCallExpr:
		n.from = "a call of " + e.Name + "()"
		if !listPreserving[e.Name] || e.ExpandFinal {
			n.kind = vIndirect
			return n
		}
		n.kind = vVia
		for _, a := range e.Args {
			n.kids = append(n.kids, nativeValue(a, src, iters))
		}
	case *hclsyntax.ScopeTraversalExpr:
		n.kind, n.from = vIndirect, traversalString(e.Traversal)
		if e.Traversal.RootName() == "local" && len(e.Traversal) == 2 {
			n.local = attrStep(e.Traversal, 1)
		}
		if coll, ok := iters[e.Traversal.RootName()]; ok && attrStep(e.Traversal, 1) == "value" {
			n.iter = &iterRef{coll: coll}
			for i := 2; i < len(e.Traversal); i++ {
				step := attrStep(e.Traversal, i)
				if step == "" {
					n.iter = nil // an index into the value: not followed
					break
				}
				n.iter.path = append(n.iter.path, step)
			}
		}
	case *hclsyntax.ForExpr:
		n.kind, n.from = vIndirect, "a for expression"
	default:
		n.kind, n.from = vIndirect, "an expression ("+referencesText(expr)+")"
	}
	return n
}

// keyName is an object key as written: a bare name or a literal string;
// "" when the key is computed.
func keyName(k hclsyntax.Expression) string {
	v, diags := k.Value(nil)
	if diags.HasErrors() || !v.IsKnown() || v.IsNull() || v.Type() != cty.String {
		return ""
	}
	return v.AsString()
}

// referencesText names what an expression refers to.
func referencesText(expr hclv2.Expression) string {
	var names []string
	seen := map[string]bool{}
	for _, t := range expr.Variables() {
		s := traversalString(t)
		if !seen[s] {
			seen[s] = true
			names = append(names, s)
		}
	}
	if len(names) == 0 {
		return "computed"
	}
	return "with " + strings.Join(names, ", ")
}

func rangeBytes(src []byte, r hclv2.Range) []byte {
	if r.Start.Byte < 0 || r.End.Byte > len(src) || r.Start.Byte > r.End.Byte {
		return nil
	}
	return src[r.Start.Byte:r.End.Byte]
}

// readNative reads a native syntax file: every attribute of every block,
// and every item of the object constructors in their values.
func readNative(path string, src []byte) (*written, hclv2.Diagnostics) {
	f, diags := hclsyntax.ParseConfig(src, path, hclv2.Pos{Line: 1, Column: 1})
	if diags.HasErrors() {
		return nil, diags
	}
	w := &written{src: src, native: true, locals: map[string]*vnode{}}
	var walk func(b *hclsyntax.Body, block []string, iters map[string]*vnode)
	walk = func(b *hclsyntax.Body, block []string, iters map[string]*vnode) {
		for _, a := range sortedAttributes(b) {
			v := nativeValue(a.Expr, src, iters)
			w.props = append(w.props, &property{name: a.Name, rng: a.SrcRange, value: v, block: block, attribute: true})
			w.addItems(v, block)
			if len(block) > 0 && block[0] == "locals" {
				w.locals[a.Name] = v
			}
		}
		for _, sub := range b.Blocks {
			top := block
			if top == nil {
				// The top-level block (resource TYPE NAME, module NAME)
				// says which service its nested blocks configure.
				top = append([]string{sub.Type}, sub.Labels...)
			}
			walk(sub.Body, top, blockIterators(sub, src, iters))
		}
	}
	walk(f.Body.(*hclsyntax.Body), nil, nil)
	return w, nil
}

// blockIterators are the iterators in scope in a block's body: `each`
// in a resource, data source or module call with for_each, the
// iterator of a dynamic block (its label, or its iterator argument),
// bound to the for_each value as written (read in the outer scope).
func blockIterators(b *hclsyntax.Block, src []byte, outer map[string]*vnode) map[string]*vnode {
	fe, ok := b.Body.Attributes["for_each"]
	if !ok {
		return outer
	}
	name := ""
	switch {
	case b.Type == "dynamic" && len(b.Labels) == 1:
		name = b.Labels[0]
		if it, ok := b.Body.Attributes["iterator"]; ok {
			name = hclv2.ExprAsKeyword(it.Expr)
		}
	case b.Type == "resource" || b.Type == "data" || b.Type == "module":
		name = "each"
	}
	if name == "" {
		return outer
	}
	inner := make(map[string]*vnode, len(outer)+1)
	for k, v := range outer {
		inner[k] = v
	}
	inner[name] = nativeValue(fe.Expr, src, outer)
	return inner
}

// sortedAttributes returns a body's attributes in source order (the body
// keeps them in a map).
func sortedAttributes(b *hclsyntax.Body) []*hclsyntax.Attribute {
	out := make([]*hclsyntax.Attribute, 0, len(b.Attributes))
	for _, a := range b.Attributes {
		out = append(out, a)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].SrcRange.Start.Byte < out[j-1].SrcRange.Start.Byte; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// addItems records the items of every object constructor under v as
// properties, in the block the value sits in.
func (w *written) addItems(v *vnode, block []string) {
	for _, it := range v.items {
		it.block = block
		w.props = append(w.props, it)
	}
	for _, k := range v.kids {
		w.addItems(k, block)
	}
}

// jsonValue reads a JSON value. Terraform reads JSON strings as templates:
// a string with an interpolation is not a literal, and `$${` stands for `${`.
func jsonValue(expr hclv2.Expression) *vnode {
	n := &vnode{rng: expr.Range(), json: true}
	if l, ok := expr.(interface{ ExprList() []hclv2.Expression }); ok && l.ExprList() != nil {
		n.kind = vList
		for _, el := range l.ExprList() {
			n.kids = append(n.kids, jsonValue(el))
		}
		return n
	}
	if m, ok := expr.(interface{ ExprMap() []hclv2.KeyValuePair }); ok && m.ExprMap() != nil {
		n.kind = vObject
		for _, kv := range m.ExprMap() {
			v := jsonValue(kv.Value)
			name := ""
			if k, d := kv.Key.Value(nil); !d.HasErrors() && k.Type() == cty.String && !k.IsNull() {
				name = k.AsString()
			}
			n.kids = append(n.kids, v)
			n.items = append(n.items, &property{name: name, rng: hclv2.RangeBetween(kv.Key.Range(), kv.Value.Range()), value: v})
		}
		return n
	}
	v, diags := expr.Value(nil)
	if diags.HasErrors() || !v.IsKnown() || v.IsNull() {
		n.kind, n.from = vIndirect, "null"
		return n
	}
	if v.Type() == cty.String && strings.Contains(v.AsString(), "{") {
		t, d := hclsyntax.ParseTemplate([]byte(v.AsString()), n.rng.Filename, n.rng.Start)
		if d.HasErrors() {
			n.kind, n.from = vIndirect, "a template that does not parse"
			return n
		}
		if tv := nativeValue(t, nil, nil); tv.kind == vLiteral {
			n.kind, n.typ, n.value = vLiteral, cty.String, tv.value
			return n
		}
		n.kind, n.from = vIndirect, "a template ("+referencesText(t)+")"
		if st, ok := t.(*hclsyntax.TemplateWrapExpr); ok {
			if sc, ok := st.Wrapped.(*hclsyntax.ScopeTraversalExpr); ok {
				n.from = traversalString(sc.Traversal)
				if sc.Traversal.RootName() == "local" && len(sc.Traversal) == 2 {
					n.local = attrStep(sc.Traversal, 1)
				}
			}
		}
		return n
	}
	s, err := convert.Convert(v, cty.String)
	if err != nil {
		n.kind, n.from = vIndirect, "a "+v.Type().FriendlyName()
		return n
	}
	n.kind, n.typ, n.value = vLiteral, v.Type(), s.AsString()
	return n
}

// readJSON reads a .tf.json file: every property of every object, with the
// block it sits in (resource.TYPE.NAME).
func readJSON(path string, src []byte) (*written, hclv2.Diagnostics) {
	expr, diags := json.ParseExpression(src, path)
	if diags.HasErrors() {
		return nil, diags
	}
	root := jsonValue(expr)
	w := &written{src: src, json: true, locals: map[string]*vnode{}}
	var walk func(v *vnode, path []string)
	walk = func(v *vnode, path []string) {
		for _, it := range v.items {
			it.block = jsonBlock(path)
			w.props = append(w.props, it)
			if len(path) == 1 && path[0] == "locals" {
				w.locals[it.name] = it.value
			}
			walk(it.value, append(path[:len(path):len(path)], it.name))
		}
		if v.kind == vList {
			for _, k := range v.kids {
				// A list of objects stands for repeated blocks
				// ("locals": [{…}], "cors_rule": [{…}, {…}]).
				walk(k, path)
			}
		}
	}
	walk(root, nil)
	return w, nil
}

// jsonBlock is the block a JSON property sits in, from the path of keys
// leading to it: resource.TYPE.NAME.… is the resource TYPE NAME.
func jsonBlock(path []string) []string {
	if len(path) >= 3 && (path[0] == "resource" || path[0] == "data") {
		return []string{path[0], path[1], path[2]}
	}
	if len(path) >= 2 && path[0] == "module" {
		return []string{"module", path[1]}
	}
	if len(path) > 0 {
		return []string{path[len(path)-1]}
	}
	return nil
}

// readAgent reads the header maps of a Nomad or Consul agent
// configuration, as parseAgent does (the rest of an agent file is HCL 1).
func readAgent(path string, src []byte) (*written, hclv2.Diagnostics) {
	w := &written{src: src, locals: map[string]*vnode{}}
	maps, _, _ := agentMaps(path, src)
	for _, m := range maps {
		ab, keyStart, close, expr := m.block, m.keyStart, m.close, m.expr
		if m.diags.HasErrors() {
			return nil, m.diags
		}
		v := nativeValue(expr, src, nil)
		block := append([]string{ab.format}, ab.path...)
		w.props = append(w.props, &property{name: strings.Join(ab.path, "."), block: block, value: v,
			rng: hclv2.Range{Filename: path, Start: posAt(src, keyStart), End: posAt(src, close+1)}})
		w.addItems(v, block)
	}
	return w, nil
}

// lineEnding is the file's newline: CRLF when its first line ends so.
func lineEnding(src []byte) string {
	if i := bytes.IndexByte(src, '\n'); i > 0 && src[i-1] == '\r' {
		return "\r\n"
	}
	return "\n"
}

// lineStart is the offset of the start of the line holding off.
func lineStart(src []byte, off int) int {
	return bytes.LastIndexByte(src[:off], '\n') + 1
}

// indentOf is the leading blanks of the line holding off.
func indentOf(src []byte, off int) string {
	s := lineStart(src, off)
	e := s
	for e < len(src) && (src[e] == ' ' || src[e] == '\t') {
		e++
	}
	return string(src[s:e])
}
