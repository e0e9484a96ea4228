package hcl

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/corsguard/corsguard/lint/source"
)

// module is one Terraform module directory: its .tf files parsed, its
// variables resolved from defaults and tfvars, its locals evaluated.
type module struct {
	dir    string
	parser *hclparse.Parser
	given  map[string][]byte // contents read by the caller (standard input)
	// tfFiles are the module's .tf and .tf.json files, sorted; varFiles the
	// tfvars files read, in Terraform's precedence order.
	tfFiles  []string
	varFiles []string
	diags    hclv2.Diagnostics
	// broken are files with syntax errors: their resources are not mapped,
	// since error recovery leaves half-read attributes behind.
	broken map[string]bool

	vars       map[string]*variable
	locals     map[string]*hclv2.Attribute
	localVals  map[string]cty.Value
	resources  []*resourceBlock
	byTypeName map[string]*resourceBlock // "type.name"

	ctx *hclv2.EvalContext
}

// variable is a declared input variable and where its value came from.
type variable struct {
	name   string
	val    cty.Value // cty.DynamicVal when no value is known
	known  bool
	source string // "default", or the tfvars file that set it
}

type resourceBlock struct {
	typ, name string
	block     *hclv2.Block
	file      string
}

var rootSchema = &hclv2.BodySchema{Blocks: []hclv2.BlockHeaderSchema{
	{Type: "resource", LabelNames: []string{"type", "name"}},
	{Type: "variable", LabelNames: []string{"name"}},
	{Type: "locals"},
}}

var variableSchema = &hclv2.BodySchema{Attributes: []hclv2.AttributeSchema{{Name: "default"}, {Name: "type"}}}

// isTerraform reports whether a path is a Terraform configuration file.
func isTerraform(path string) bool {
	return strings.HasSuffix(path, ".tf") || strings.HasSuffix(path, ".tf.json")
}

// isTFVars reports whether a path is a variable definitions file.
func isTFVars(path string) bool {
	return strings.HasSuffix(path, ".tfvars") || strings.HasSuffix(path, ".tfvars.json")
}

// parseFile parses HCL native or JSON syntax by extension. The file is
// read through lint/source (regular files up to the size limit only),
// unless its contents were handed over by the caller (given) or the parser
// has it already.
func parseFile(p *hclparse.Parser, path string, given map[string][]byte) (*hclv2.File, hclv2.Diagnostics) {
	if src, ok := given[path]; ok {
		return parseSource(p, path, src)
	}
	if f, ok := p.Files()[path]; ok {
		return f, nil
	}
	src, err := source.Read(path)
	if err != nil {
		return nil, hclv2.Diagnostics{{Severity: hclv2.DiagError, Summary: "Cannot read file", Detail: err.Error(),
			Subject: &hclv2.Range{Filename: path, Start: hclv2.InitialPos, End: hclv2.InitialPos}}}
	}
	return parseSource(p, path, src)
}

// parseSource parses contents already read.
func parseSource(p *hclparse.Parser, path string, src []byte) (*hclv2.File, hclv2.Diagnostics) {
	if strings.HasSuffix(path, ".json") {
		return p.ParseJSON(src, path)
	}
	return p.ParseHCL(src, path)
}

// loadModule reads every .tf/.tf.json file in dir and the tfvars files
// Terraform loads automatically (terraform.tfvars[.json], then
// *.auto.tfvars[.json] in lexical order; later files win). given holds
// files whose contents the caller has read already (standard input under
// a --stdin-filename in dir): they are used instead of reading them.
func loadModule(dir string, given map[string][]byte) *module {
	m := &module{
		dir:        dir,
		parser:     hclparse.NewParser(),
		vars:       map[string]*variable{},
		locals:     map[string]*hclv2.Attribute{},
		localVals:  map[string]cty.Value{},
		byTypeName: map[string]*resourceBlock{},
		broken:     map[string]bool{},
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		m.diags = append(m.diags, &hclv2.Diagnostic{Severity: hclv2.DiagError, Summary: "Cannot read module directory", Detail: err.Error(),
			Subject: &hclv2.Range{Filename: dir, Start: hclv2.InitialPos, End: hclv2.InitialPos}})
		return m
	}
	var autoVars []string
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		name := e.Name()
		p := filepath.Join(dir, name)
		switch {
		case isTerraform(name):
			m.tfFiles = append(m.tfFiles, p)
		case strings.HasSuffix(name, ".auto.tfvars") || strings.HasSuffix(name, ".auto.tfvars.json"):
			autoVars = append(autoVars, p)
		}
	}
	m.given = given
	for p := range given {
		if isTerraform(p) && !slices.Contains(m.tfFiles, p) {
			m.tfFiles = append(m.tfFiles, p)
		}
	}
	sort.Strings(m.tfFiles)
	sort.Strings(autoVars)
	for _, name := range []string{"terraform.tfvars", "terraform.tfvars.json"} {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			m.varFiles = append(m.varFiles, p)
		}
	}
	m.varFiles = append(m.varFiles, autoVars...)

	for _, p := range m.tfFiles {
		f, diags := parseFile(m.parser, p, m.given)
		m.diags = append(m.diags, diags...)
		if diags.HasErrors() {
			m.broken[p] = true
		}
		if f == nil {
			continue
		}
		content, _, diags := f.Body.PartialContent(rootSchema)
		m.diags = append(m.diags, diags...)
		for _, b := range content.Blocks {
			switch b.Type {
			case "resource":
				r := &resourceBlock{typ: b.Labels[0], name: b.Labels[1], block: b, file: p}
				m.resources = append(m.resources, r)
				m.byTypeName[r.typ+"."+r.name] = r
			case "variable":
				m.declareVariable(b)
			case "locals":
				attrs, diags := b.Body.JustAttributes()
				m.diags = append(m.diags, diags...)
				for name, a := range attrs {
					m.locals[name] = a
				}
			}
		}
	}
	for _, p := range m.varFiles {
		m.applyTFVars(p)
	}
	m.buildContext()
	return m
}

func (m *module) declareVariable(b *hclv2.Block) {
	v := &variable{name: b.Labels[0], val: cty.DynamicVal}
	m.vars[v.name] = v
	content, _, diags := b.Body.PartialContent(variableSchema)
	m.diags = append(m.diags, diags...)
	if a, ok := content.Attributes["default"]; ok {
		// Defaults are constants in Terraform: no references, no functions.
		val, diags := a.Expr.Value(nil)
		if !diags.HasErrors() && val.IsWhollyKnown() {
			v.val, v.known, v.source = val, true, "default"
		}
	}
}

func (m *module) applyTFVars(path string) {
	f, diags := parseFile(m.parser, path, m.given)
	m.diags = append(m.diags, diags...)
	if f == nil {
		return
	}
	attrs, diags := f.Body.JustAttributes()
	m.diags = append(m.diags, diags...)
	for name, a := range attrs {
		val, diags := a.Expr.Value(nil)
		if diags.HasErrors() || !val.IsWhollyKnown() {
			continue
		}
		v, ok := m.vars[name]
		if !ok {
			// Terraform warns about values for undeclared variables and
			// ignores them; so do we.
			continue
		}
		v.val, v.known, v.source = val, true, filepath.Base(path)
	}
}

// functions are the Terraform built-ins that CORS settings plausibly use;
// anything else evaluates to unknown with the reason "no function named".
var functions = map[string]function.Function{
	"concat":     stdlib.ConcatFunc,
	"distinct":   stdlib.DistinctFunc,
	"flatten":    stdlib.FlattenFunc,
	"lower":      stdlib.LowerFunc,
	"upper":      stdlib.UpperFunc,
	"format":     stdlib.FormatFunc,
	"formatlist": stdlib.FormatListFunc,
	"split":      stdlib.SplitFunc,
	"join":       stdlib.JoinFunc,
	"toset":      stdlib.MakeToFunc(cty.Set(cty.DynamicPseudoType)),
	"tolist":     stdlib.MakeToFunc(cty.List(cty.DynamicPseudoType)),
	"tomap":      stdlib.MakeToFunc(cty.Map(cty.DynamicPseudoType)),
	"tostring":   stdlib.MakeToFunc(cty.String),
	"tonumber":   stdlib.MakeToFunc(cty.Number),
	"tobool":     stdlib.MakeToFunc(cty.Bool),
	"merge":      stdlib.MergeFunc,
	"compact":    stdlib.CompactFunc,
	"coalesce":   stdlib.CoalesceFunc,
	"contains":   stdlib.ContainsFunc,
	"element":    stdlib.ElementFunc,
	"keys":       stdlib.KeysFunc,
	"values":     stdlib.ValuesFunc,
	"lookup":     stdlib.LookupFunc,
	"length":     stdlib.LengthFunc,
	"replace":    stdlib.ReplaceFunc,
	"trimspace":  stdlib.TrimSpaceFunc,
	"trimprefix": stdlib.TrimPrefixFunc,
	"trimsuffix": stdlib.TrimSuffixFunc,
	"setunion":   stdlib.SetUnionFunc,
	"sort":       stdlib.SortFunc,
}

// buildContext sets var.* and evaluates locals to a fixpoint: locals may
// refer to each other in any order, so each round evaluates them all
// against the previous round's values until nothing changes.
func (m *module) buildContext() {
	vars := make(map[string]cty.Value, len(m.vars))
	for name, v := range m.vars {
		vars[name] = v.val
	}
	for name := range m.locals {
		m.localVals[name] = cty.DynamicVal
	}
	m.ctx = &hclv2.EvalContext{
		Variables: map[string]cty.Value{"var": cty.ObjectVal(vars), "local": cty.ObjectVal(m.localVals)},
		Functions: functions,
	}
	names := make([]string, 0, len(m.locals))
	for name := range m.locals {
		names = append(names, name)
	}
	sort.Strings(names)
	for round := 0; round <= len(names); round++ {
		changed := false
		next := make(map[string]cty.Value, len(names))
		for _, name := range names {
			val, _ := m.eval(m.locals[name].Expr, m.ctx)
			next[name] = val
			if !val.RawEquals(m.localVals[name]) {
				changed = true
			}
		}
		m.localVals = next
		m.ctx.Variables["local"] = cty.ObjectVal(next)
		if !changed {
			break
		}
	}
}

// eval evaluates an expression, first giving every reference the context
// cannot resolve (resources, data sources, module outputs, undeclared
// variables) a value: the configured literal for a resource argument the
// module sets, cty.DynamicVal otherwise. Errors are returned, never
// printed; an erroring expression is unknown.
func (m *module) eval(expr hclv2.Expression, ctx *hclv2.EvalContext) (cty.Value, hclv2.Diagnostics) {
	return m.evalDepth(expr, ctx, 0)
}

func (m *module) evalDepth(expr hclv2.Expression, ctx *hclv2.EvalContext, depth int) (cty.Value, hclv2.Diagnostics) {
	ctx = m.fillReferences(expr.Variables(), ctx, depth)
	val, diags := expr.Value(ctx)
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
	for _, t := range travs {
		root := t.RootName()
		if root == "var" {
			if name := attrStep(t, 1); name != "" {
				if _, ok := m.vars[name]; !ok {
					undeclared[name] = true
				}
			}
			continue
		}
		if root == "local" {
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
			resAttrs[root][name][attr] = m.resourceArgument(r, attr, depth)
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

// resourceArgument is the value of an argument another resource in the
// module sets in its configuration (aws_api_gateway_method.x.http_method),
// or unknown when it is computed by the provider.
func (m *module) resourceArgument(r *resourceBlock, attr string, depth int) cty.Value {
	if depth > 8 {
		return cty.DynamicVal
	}
	content, _, _ := r.block.Body.PartialContent(&hclv2.BodySchema{Attributes: []hclv2.AttributeSchema{{Name: attr}}})
	a, ok := content.Attributes[attr]
	if !ok {
		return cty.DynamicVal
	}
	v, _ := m.evalDepth(a.Expr, m.ctx, depth+1)
	return v
}

// attrStep returns the attribute name at step i of a traversal, or "".
func attrStep(t hclv2.Traversal, i int) string {
	if i >= len(t) {
		return ""
	}
	if a, ok := t[i].(hclv2.TraverseAttr); ok {
		return a.Name
	}
	return ""
}

// traversalString renders a traversal as written: aws_s3_bucket.b.arn.
func traversalString(t hclv2.Traversal) string {
	var sb strings.Builder
	for _, step := range t {
		switch s := step.(type) {
		case hclv2.TraverseRoot:
			sb.WriteString(s.Name)
		case hclv2.TraverseAttr:
			sb.WriteString("." + s.Name)
		case hclv2.TraverseIndex:
			if s.Key.IsKnown() && s.Key.Type() == cty.String {
				sb.WriteString(`["` + s.Key.AsString() + `"]`)
			} else if s.Key.IsKnown() && s.Key.Type() == cty.Number {
				sb.WriteString("[" + s.Key.AsBigFloat().Text('f', -1) + "]")
			} else {
				sb.WriteString("[?]")
			}
		case hclv2.TraverseSplat:
			sb.WriteString("[*]")
		}
	}
	return sb.String()
}

// unknownReason explains why an expression's value is not (wholly) known,
// naming each reference that is unknown and why. diags are the evaluation's
// diagnostics, used when no reference is to blame.
func (m *module) unknownReason(expr hclv2.Expression, ctx *hclv2.EvalContext, diags hclv2.Diagnostics) string {
	return m.reasonFor(expr.Variables(), ctx, diags, map[string]bool{})
}

func (m *module) reasonFor(travs []hclv2.Traversal, ctx *hclv2.EvalContext, diags hclv2.Diagnostics, seen map[string]bool) string {
	var reasons []string
	add := func(s string) {
		for _, r := range reasons {
			if r == s {
				return
			}
		}
		reasons = append(reasons, s)
	}
	for _, t := range travs {
		root := t.RootName()
		name := attrStep(t, 1)
		switch root {
		case "var":
			v, ok := m.vars[name]
			switch {
			case !ok:
				add("var." + name + " is not declared in the module")
			case !v.known:
				add("var." + name + " has no default and no tfvars value")
			}
			continue
		case "local":
			a, ok := m.locals[name]
			if !ok {
				add("local." + name + " is not defined")
				continue
			}
			if v := m.localVals[name]; v.IsWhollyKnown() {
				continue
			}
			if seen["local."+name] {
				add("local." + name + " refers to itself")
				continue
			}
			seen["local."+name] = true
			inner := m.reasonFor(a.Expr.Variables(), m.ctx, nil, seen)
			if inner == "" {
				_, d := m.eval(a.Expr, m.ctx)
				inner = diagReason(d)
			}
			if inner == "" {
				inner = "a value only known at apply time"
			}
			add("local." + name + " depends on " + inner)
			continue
		case "each":
			add(traversalString(t) + " is set per instance by the resource's for_each")
			continue
		case "count":
			add("count.index is set per instance by the resource's count")
			continue
		case "data":
			add(traversalString(t) + " is read from a data source at plan time")
			continue
		case "module":
			add(traversalString(t) + " is an output of another module")
			continue
		case "path", "terraform", "self":
			add(traversalString(t) + " is not evaluated by corsguard")
			continue
		}
		if v, ok := lookupVar(ctx, root); ok {
			// A dynamic block iterator or another context variable.
			tv, _ := t.TraverseAbs(ctx)
			if v.IsWhollyKnown() || tv.IsWhollyKnown() {
				continue
			}
			add(traversalString(t) + " is not known")
			continue
		}
		if r, ok := m.byTypeName[root+"."+name]; ok {
			if attr := attrStep(t, 2); attr != "" && m.resourceArgument(r, attr, 0).IsWhollyKnown() {
				continue
			}
		}
		add(traversalString(t) + " is known only after apply")
	}
	if len(reasons) == 0 {
		return diagReason(diags)
	}
	return strings.Join(reasons, "; ")
}

func diagReason(diags hclv2.Diagnostics) string {
	for _, d := range diags {
		if d.Severity == hclv2.DiagError {
			if d.Detail != "" {
				return strings.TrimSuffix(d.Detail, ".")
			}
			return d.Summary
		}
	}
	return ""
}

// source returns the text a range covers, on one line, shortened.
func (m *module) source(r hclv2.Range) string {
	return sourceText(m.parser.Files(), r)
}

func sourceText(files map[string]*hclv2.File, r hclv2.Range) string {
	f, ok := files[r.Filename]
	if !ok || r.Start.Byte < 0 || r.End.Byte > len(f.Bytes) || r.Start.Byte > r.End.Byte {
		return ""
	}
	s := strings.Join(strings.Fields(string(f.Bytes[r.Start.Byte:r.End.Byte])), " ")
	const max = 200
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

// blockRange is the whole extent of a block (header to closing brace) for
// native syntax, the definition range for JSON.
func blockRange(b *hclv2.Block) hclv2.Range {
	if body, ok := b.Body.(*hclsyntax.Body); ok {
		return hclv2.RangeBetween(b.DefRange, body.SrcRange)
	}
	return b.DefRange
}
