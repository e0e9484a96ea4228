package hcl

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/corsguard/corsguard/lint/source"
	"github.com/corsguard/corsguard/rules"
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
	// fileDiags are about whole files (too large, unreadable), worded as
	// lint words them for entry files.
	fileDiags []rules.Diagnostic
	// broken are files with syntax errors: their resources are not mapped,
	// since error recovery leaves half-read attributes behind.
	broken map[string]bool

	vars      map[string]*variable
	locals    map[string]*hclv2.Attribute
	resources []*resourceBlock
	// moduleCalls are the module blocks, for their CORS-looking inputs.
	moduleCalls []*resourceBlock
	// callDepth is how many module calls led here (0 for the root);
	// callers are the directories of the modules that did.
	callDepth  int
	callers    []string
	byTypeName map[string]*resourceBlock // "type.name"

	// localSlots hold locals evaluated on first use, resourceArgs the
	// arguments other resources' expressions refer to.
	localSlots   map[string]*localSlot
	resourceArgs map[resourceArgKey]*localSlot

	// ctx defines var.* and the functions; fillReferences adds locals and
	// resources per expression.
	ctx    *hclv2.EvalContext
	budget *budget
	// sourceBytes is the size of every file read, for the budget.
	sourceBytes int64
}

// variable is a declared input variable and where its value came from.
type variable struct {
	name   string
	val    cty.Value // cty.DynamicVal when no value is known
	known  bool
	source string // "default", or the tfvars file that set it
	// unknownWhy explains an unknown value a module call passed.
	unknownWhy string
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
	{Type: "module", LabelNames: []string{"name"}},
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
	m := readModule(dir, given, true)
	m.finish(newBudget(m.sourceBytes))
	return m
}

// readModule reads a module's files and declarations. Only a root module
// reads tfvars files: Terraform gives a called module its values through
// the call's arguments.
func readModule(dir string, given map[string][]byte, root bool) *module {
	m := &module{
		dir:          dir,
		parser:       hclparse.NewParser(),
		given:        given,
		vars:         map[string]*variable{},
		locals:       map[string]*hclv2.Attribute{},
		byTypeName:   map[string]*resourceBlock{},
		broken:       map[string]bool{},
		localSlots:   map[string]*localSlot{},
		resourceArgs: map[resourceArgKey]*localSlot{},
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
		isAuto := strings.HasSuffix(name, ".auto.tfvars") || strings.HasSuffix(name, ".auto.tfvars.json")
		if !isTerraform(name) && !isAuto {
			continue
		}
		if !m.readable(p) {
			continue
		}
		if isAuto {
			autoVars = append(autoVars, p)
		} else {
			m.tfFiles = append(m.tfFiles, p)
		}
	}
	for p := range given {
		if isTerraform(p) && !slices.Contains(m.tfFiles, p) {
			m.tfFiles = append(m.tfFiles, p)
		}
	}
	sort.Strings(m.tfFiles)
	sort.Strings(autoVars)
	for _, name := range []string{"terraform.tfvars", "terraform.tfvars.json"} {
		if p := filepath.Join(dir, name); m.readable(p) {
			m.varFiles = append(m.varFiles, p)
		}
	}
	m.varFiles = append(m.varFiles, autoVars...)
	if !root {
		m.varFiles = nil
	}

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
			case "module":
				m.moduleCalls = append(m.moduleCalls, &resourceBlock{typ: "module", name: b.Labels[0], block: b, file: p})
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
	return m
}

// finish sets up evaluation once the variables' values are settled; b is
// the budget evaluation draws on (a called module shares its caller's).
func (m *module) finish(b *budget) {
	m.budget = b
	vars := make(map[string]cty.Value, len(m.vars))
	for name, v := range m.vars {
		vars[name] = v.val
	}
	m.ctx = &hclv2.EvalContext{Variables: map[string]cty.Value{"var": cty.ObjectVal(vars)}, Functions: m.functions()}
}

// readable reports whether a module file is a regular file within the size
// limit (checked by type and size before anything is opened); a file that
// is not is reported and left out of the module. The words for a file too
// large are lint's for an entry file, so that a directory run reports it
// once.
func (m *module) readable(p string) bool {
	if src, ok := m.given[p]; ok {
		m.sourceBytes += int64(len(src))
		return true
	}
	st, err := source.Check(p)
	var se *source.Error
	switch {
	case err == nil:
		m.sourceBytes += st.Size()
		return true
	case errors.As(err, &se) && se.Kind == source.TooBig:
		m.fileDiag(p, fmt.Sprintf("file is %d MB, larger than the %d MB limit", st.Size()>>20, source.MaxFileSize>>20))
	case errors.As(err, &se) && se.Kind == source.Missing:
		// Gone since the directory was listed, or a link to nothing: the
		// walker reports broken links it meets.
	default:
		m.fileDiag(p, err.Error())
	}
	return false
}

func (m *module) fileDiag(p, msg string) {
	m.fileDiags = append(m.fileDiags, rules.Errorf(rules.Range{File: p, Line: 1}, "%s", msg))
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
