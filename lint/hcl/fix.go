package hcl

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/corsguard/corsguard/rules"
	"github.com/corsguard/corsguard/rules/spec"
)

// Spell turns a remedy into edits of src, the bytes of the Terraform file
// (native or JSON syntax), variables file or Nomad/Consul agent
// configuration the remedy's evidence names. In HCL a cloud service sends
// the CORS headers itself from the values configured, so what can be
// edited is values: an origin in an allowlist, a Max-Age, the list that
// replaces an echo, a duplicate element. Only a literal written in this
// file is edited: in the attribute itself, or where it comes from when
// that is written in this file too (a local, the for_each collection
// each.value or a dynamic block's iterator reads); a value from a
// variable, another file's local, a data source or a computed expression
// is left alone and the error says where it comes from. The error says why whenever an edit is
// not certain or the remedy has no spelling in this service.
//
// Values are written the way hclwrite writes them (TokensForValue: HCL
// string escapes, `$${` for a literal `${`), in JSON with JSON escapes.
// Edits touch only the value's bytes; comments, alignment and CRLF line
// endings are kept.
func Spell(path string, src []byte, r rules.Remedy) ([]rules.Edit, error) {
	if filepath.Base(path) == rules.PolicyFileName {
		return nil, errors.New("not applicable: corsguard's own policy file is configuration, not a CORS setting")
	}
	texts := append([]string{r.New}, r.Origins...)
	for _, h := range r.Headers {
		texts = append(texts, h.Name, h.Value)
	}
	for _, s := range texts {
		if !utf8.ValidString(s) {
			return nil, fmt.Errorf("the new value %q is not valid UTF-8; not writing it", s)
		}
	}
	w, formatted, diags := readCached(path, src)
	if diags.HasErrors() {
		return nil, fmt.Errorf("%s does not parse, so no edit is certain: %s", path, diags[0].Error())
	}
	var edits []rules.Edit
	var err error
	switch r.Kind {
	case rules.ReplaceValue:
		edits, err = w.replaceValue(r)
	case rules.ReplaceEcho:
		edits, err = w.replaceEcho(r)
	case rules.RemoveDirective:
		edits, err = w.remove(r)
	case rules.AddHeaders:
		edits, err = w.addHeaders(r)
	case rules.AddAlways, rules.AnswerPreflight:
		err = w.notApplicable(r)
	default:
		err = fmt.Errorf("remedy kind %s has no spelling in HCL", r.Kind)
	}
	if err != nil {
		return nil, err
	}
	if w.native && formatted() {
		edits = keepFormatted(src, edits)
	}
	for i := range edits {
		edits[i].File = path
	}
	sort.Slice(edits, func(i, j int) bool { return edits[i].Start < edits[j].Start })
	return edits, nil
}

// lastRead is the file read last. lint/fix spells every remedy of a file
// against the same bytes, and reading it (the parse, and whether terraform
// fmt would change it) is most of what a spell costs: keeping the last
// one makes the remedies after the first cost a search and the edit.
var lastRead struct {
	sync.Mutex
	path      string
	sum       [sha256.Size]byte
	w         *written
	diags     hclv2.Diagnostics
	formatted int8 // 0 not known yet, 1 formatted, -1 not
}

// readCached is readWritten through lastRead; formatted reports (once per
// file) whether hclwrite.Format leaves src as it is. The tree is only
// read by the speller, never changed, so callers may share it.
func readCached(path string, src []byte) (w *written, formatted func() bool, diags hclv2.Diagnostics) {
	sum := sha256.Sum256(src)
	lastRead.Lock()
	defer lastRead.Unlock()
	if lastRead.w == nil || lastRead.path != path || lastRead.sum != sum {
		w, diags = readWritten(path, src)
		if diags.HasErrors() {
			return nil, nil, diags
		}
		lastRead.path, lastRead.sum, lastRead.w, lastRead.diags, lastRead.formatted = path, sum, w, diags, 0
	}
	w, diags = lastRead.w, lastRead.diags
	formatted = func() bool {
		lastRead.Lock()
		defer lastRead.Unlock()
		if lastRead.w != w {
			return bytes.Equal(hclwrite.Format(src), src) // replaced meanwhile by another file
		}
		if lastRead.formatted == 0 {
			lastRead.formatted = -1
			if bytes.Equal(hclwrite.Format(src), src) {
				lastRead.formatted = 1
			}
		}
		return lastRead.formatted == 1
	}
	return w, formatted, diags
}

// readWritten reads a file by its kind, as Parse does.
func readWritten(path string, src []byte) (*written, hclv2.Diagnostics) {
	base := filepath.Base(path)
	switch {
	case (isTerraform(base) || isTFVars(base)) && strings.HasSuffix(base, ".json"):
		return readJSON(path, src)
	case isTerraform(base) || isTFVars(base):
		return readNative(path, src)
	default:
		return readAgent(path, src)
	}
}

// at finds the property the remedy's evidence names: the innermost one
// holding its start, or, when the evidence has no column, the outermost
// ones starting on its line.
func (w *written) at(r rules.Range) ([]*property, error) {
	if r.Line <= 0 {
		return nil, errors.New("the remedy names no line")
	}
	if r.Col > 0 {
		pos := hclv2.Pos{Line: r.Line, Column: r.Col}
		var best *property
		for _, p := range w.props {
			if posLE(p.rng.Start, pos) && posLT(pos, p.rng.End) && (best == nil || span(p.rng) < span(best.rng)) {
				best = p
			}
		}
		if best == nil {
			return nil, fmt.Errorf("no attribute at line %d, column %d", r.Line, r.Col)
		}
		return []*property{best}, nil
	}
	var line []*property
	for _, p := range w.props {
		if p.rng.Start.Line == r.Line {
			line = append(line, p)
		}
	}
	// Outer before inner: by start, the longest first; a property that
	// starts before the end of the last kept one is inside it.
	sort.Slice(line, func(i, j int) bool {
		if line[i].rng.Start.Byte != line[j].rng.Start.Byte {
			return line[i].rng.Start.Byte < line[j].rng.Start.Byte
		}
		return line[i].rng.End.Byte > line[j].rng.End.Byte
	})
	var out []*property
	end := -1
	for _, p := range line {
		if p.rng.Start.Byte >= end {
			out = append(out, p)
			end = p.rng.End.Byte
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no attribute starts at line %d", r.Line)
	}
	return out, nil
}

func posLE(a, b hclv2.Pos) bool {
	return a.Line < b.Line || a.Line == b.Line && a.Column <= b.Column
}

func posLT(a, b hclv2.Pos) bool {
	return a.Line < b.Line || a.Line == b.Line && a.Column < b.Column
}

func span(r hclv2.Range) int { return r.End.Byte - r.Start.Byte }

// inside reports whether the evidence range r (when it has an end) holds n.
func inside(r rules.Range, n hclv2.Range) bool {
	if r.EndLine <= 0 || r.Col <= 0 {
		return true
	}
	return posLE(hclv2.Pos{Line: r.Line, Column: r.Col}, n.Start) && posLE(n.End, hclv2.Pos{Line: r.EndLine, Column: r.EndCol})
}

// maxLocalDepth bounds how far a chain of locals is followed.
const maxLocalDepth = 8

// found is what a search for a written value met.
type found struct {
	matches []*vnode
	// quoted marks matches written as API Gateway's '…' static values.
	quoted map[*vnode]bool
	// from lists where unwritten values come from.
	from []string
}

// search collects the literals equal to old under v (in object values,
// list elements, operands of conditionals and list functions, and locals
// of this file), and what the unwritten values come from. inAt filters
// literals of the property itself to the evidence range; literals reached
// through a local are in the local's definition.
func (w *written) search(v *vnode, old string, apigw bool, inAt func(*vnode) bool, f *found, seen map[string]bool, depth int) {
	switch v.kind {
	case vLiteral:
		if inAt != nil && !inAt(v) {
			return
		}
		switch {
		case v.value == old:
			f.matches = append(f.matches, v)
		case apigw && v.typ.Equals(stringType) && v.value == "'"+old+"'":
			f.matches = append(f.matches, v)
			f.quoted[v] = true
		}
	case vList, vObject, vVia:
		for _, k := range v.kids {
			w.search(k, old, apigw, inAt, f, seen, depth)
		}
	case vIndirect:
		if inAt != nil && !inAt(v) {
			return
		}
		if v.iter != nil {
			w.searchElements(v, old, apigw, f, seen, depth)
			return
		}
		def, ok := w.locals[v.local]
		switch {
		case v.local != "" && ok && !seen[v.local] && depth < maxLocalDepth:
			seen[v.local] = true
			w.search(def, old, apigw, nil, f, seen, depth+1)
		case v.local != "" && !ok:
			f.from = append(f.from, v.from+" (defined in another file of the module)")
		default:
			f.from = append(f.from, v.from)
		}
	}
}

// searchElements searches the elements of the for_each collection an
// iterator reference takes its value from (each.value, or the origins of
// every element for cors_rule.value.origins), written here or in a local
// of this file. The literal equal to Old there is the one the instance
// whose finding this is got its value from.
func (w *written) searchElements(v *vnode, old string, apigw bool, f *found, seen map[string]bool, depth int) {
	if depth >= maxLocalDepth {
		f.from = append(f.from, v.from)
		return
	}
	coll := v.iter.coll
	for coll.kind == vIndirect && coll.local != "" && w.locals[coll.local] != nil && !seen[coll.local] && depth < maxLocalDepth {
		seen[coll.local] = true
		coll, depth = w.locals[coll.local], depth+1
	}
	var elems []*vnode
	var collect func(c *vnode)
	collect = func(c *vnode) {
		switch c.kind {
		case vList, vObject:
			elems = append(elems, c.kids...)
		case vVia: // toset([…]), concat(…), a conditional
			for _, k := range c.kids {
				collect(k)
			}
		}
	}
	collect(coll)
	if len(elems) == 0 && coll.kind != vList && coll.kind != vObject {
		f.from = append(f.from, v.from+" (for_each = "+coll.from+")")
		return
	}
	for _, e := range elems {
		for _, step := range v.iter.path {
			var next *vnode
			for _, it := range e.items {
				if it.name == step {
					next = it.value
				}
			}
			if next == nil {
				e = nil
				break
			}
			e = next
		}
		if e != nil {
			w.search(e, old, apigw, nil, f, seen, depth+1)
		}
	}
}

// replaceValue writes New in place of the one literal equal to Old in the
// attribute At names.
func (w *written) replaceValue(r rules.Remedy) ([]rules.Edit, error) {
	if r.Old == r.New {
		return nil, fmt.Errorf("nothing to change: the new value is the old one, %q", r.Old)
	}
	props, err := w.at(r.At.Range)
	if err != nil {
		return nil, err
	}
	f := &found{quoted: map[*vnode]bool{}}
	for _, p := range props {
		inAt := func(n *vnode) bool { return inside(r.At.Range, n.rng) }
		w.search(p.value, r.Old, isResponseParameters(p, w.props), inAt, f, map[string]bool{}, 0)
	}
	name := props[0].name
	switch {
	case len(f.matches) == 1:
	case len(f.matches) > 1:
		var lines []string
		for _, m := range f.matches {
			lines = append(lines, fmt.Sprint(m.rng.Start.Line))
		}
		return nil, fmt.Errorf("unsure: %q is written %d times for %s (lines %s); not guessing which one is meant", r.Old, len(f.matches), name, strings.Join(lines, ", "))
	case len(f.from) > 0:
		return nil, fmt.Errorf("unsure: %s at line %d takes %q from %s, not from a literal written in this file; change it where it is set", name, props[0].rng.Start.Line, r.Old, strings.Join(dedupe(f.from), "; "))
	default:
		return nil, fmt.Errorf("%s at line %d has no literal %q", name, props[0].rng.Start.Line, r.Old)
	}
	m := f.matches[0]
	value := r.New
	if f.quoted[m] {
		value = "'" + r.New + "'"
	}
	text, err := spellLiteral(m, value)
	if err != nil {
		return nil, err
	}
	return []rules.Edit{{Start: m.rng.Start.Byte, End: m.rng.End.Byte, New: text}}, nil
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// isResponseParameters reports whether p is, or is an item of, an API
// Gateway REST API response_parameters map, whose static values are
// written in single quotes ('https://app.example.com').
func isResponseParameters(p *property, all []*property) bool {
	if p.name == "response_parameters" {
		return true
	}
	for _, q := range all {
		if q.name == "response_parameters" && q.value != p.value && posLE(q.rng.Start, p.rng.Start) && posLE(p.rng.End, q.rng.End) {
			return true
		}
	}
	return false
}

// originKeys are the attributes that hold an allowlist of origins, in
// resources and in the inputs of the modules the front end maps.
var originKeys = map[string]bool{"allowed_origins": true, "allow_origins": true, "origin": true, "items": true}

// replaceEcho writes the allowlist Origins in place of the list At names
// (["*"] that a service turns into an echo, or an echoing list).
func (w *written) replaceEcho(r rules.Remedy) ([]rules.Edit, error) {
	if len(r.Origins) == 0 {
		return nil, errors.New("no trusted origins are declared: declare them (--trusted-origin or trusted_origins in .corsguard.hcl) so the echo can become a list of them")
	}
	for _, o := range r.Origins {
		if !spec.IsSerialisedOrigin(o) || o == "null" {
			return nil, fmt.Errorf("%q is not a serialised origin (scheme://host[:port]); not writing it into the allowlist", o)
		}
	}
	props, err := w.at(r.At.Range)
	if err != nil {
		return nil, err
	}
	if len(props) != 1 {
		return nil, fmt.Errorf("unsure: %d attributes start at line %d", len(props), r.At.Range.Line)
	}
	p := props[0]
	target := p.value
	if target.kind == vObject {
		var lists []*property
		var walk func(v *vnode)
		walk = func(v *vnode) {
			for _, it := range v.items {
				if originKeys[it.name] {
					lists = append(lists, it)
				}
			}
			for _, k := range v.kids {
				walk(k)
			}
		}
		walk(target)
		if len(lists) != 1 {
			return nil, fmt.Errorf("unsure: %s at line %d holds %d lists of origins; not guessing which one echoes", p.name, p.rng.Start.Line, len(lists))
		}
		p, target = lists[0], lists[0].value
	}
	switch target.kind {
	case vList:
	case vIndirect:
		return nil, fmt.Errorf("unsure: %s at line %d is %s, not a list written in this file; write the allowlist where it is set", p.name, p.rng.Start.Line, target.from)
	case vVia:
		return nil, fmt.Errorf("unsure: %s at line %d is %s; not replacing a computed list", p.name, p.rng.Start.Line, target.from)
	default:
		return nil, fmt.Errorf("not applicable: %s sends %s as one static value, not a list it matches origins against: an allowlist needs code that checks the Origin", w.service(p), p.name)
	}
	return []rules.Edit{{Start: target.rng.Start.Byte, End: target.rng.End.Byte, New: w.spellList(target, r.Origins)}}, nil
}

// notApplicable explains why AddAlways and AnswerPreflight have no
// spelling: the cloud service or agent sends the headers and answers
// preflights itself, and no setting it has changes that.
func (w *written) notApplicable(r rules.Remedy) error {
	props, err := w.at(r.At.Range)
	if err != nil {
		return fmt.Errorf("not applicable in HCL (%v)", err)
	}
	p := props[0]
	svc := w.service(p)
	typ := resourceType(p)
	switch {
	case strings.HasPrefix(typ, "aws_api_gateway_") && r.Kind == rules.AddAlways:
		return fmt.Errorf("not applicable: %s sends these headers for the statuses this response covers; for errors, add an aws_api_gateway_gateway_response with the headers", svc)
	case strings.HasPrefix(typ, "aws_api_gateway_"):
		return fmt.Errorf("not applicable: %s answers preflights with an OPTIONS method (aws_api_gateway_method, a MOCK integration and its responses); corsguard does not write new resources", svc)
	case r.Kind == rules.AddAlways:
		return fmt.Errorf("not applicable: %s sends CORS headers itself, on every response it adds them to", svc)
	}
	return fmt.Errorf("not applicable: %s sends CORS headers itself and answers preflights from its CORS settings", svc)
}

// resourceType is the type of the resource a property sits in, "" when
// it is not in a resource.
func resourceType(p *property) string {
	if len(p.block) >= 2 && p.block[0] == "resource" {
		return p.block[1]
	}
	return ""
}

// service names what sends the headers a property configures.
func (w *written) service(p *property) string {
	typ := resourceType(p)
	switch {
	case len(p.block) > 0 && p.block[0] == "nomad":
		return "the Nomad agent"
	case len(p.block) > 0 && p.block[0] == "consul":
		return "the Consul agent"
	case len(p.block) >= 2 && p.block[0] == "module":
		for _, q := range w.props {
			if q.name == "source" && sameBlock(q.block, p.block) && q.value.kind == vLiteral {
				if reg, ok := findRegistryModule(q.value.value); ok {
					return reg.svc.name + " (through module." + p.block[1] + ")"
				}
			}
		}
		return "module." + p.block[1]
	case strings.HasPrefix(typ, "aws_s3_bucket"):
		return svcS3.name
	case typ == "aws_apigatewayv2_api":
		return svcAPIGWv2.name
	case typ == "aws_lambda_function_url":
		return svcLambdaURL.name
	case typ == "aws_cloudfront_response_headers_policy":
		return svcCloudFront.name
	case strings.HasPrefix(typ, "aws_api_gateway_"):
		return "API Gateway (REST API)"
	case typ == "azurerm_storage_account":
		return svcAzureStorage.name
	case typ == "google_storage_bucket":
		return svcGCS.name
	case typ != "":
		for _, t := range appServiceTypes {
			if t == typ {
				return svcAppService.name
			}
		}
		return typ
	}
	return "the service"
}

func sameBlock(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// keepFormatted keeps src, a file that `terraform fmt` (hclwrite.Format)
// leaves alone, that way: when an edit changes a line's length and with it the
// column hclwrite lines up the `=` or trailing comments of neighbouring
// lines at, the edit grows to realign them, as fmt would. A file that is
// not formatted keeps the minimal edits, its own spacing untouched.
func keepFormatted(src []byte, edits []rules.Edit) []rules.Edit {
	if len(edits) == 0 {
		return edits
	}
	var fixed bytes.Buffer
	last := 0
	for _, e := range edits {
		if e.Start < last || e.End > len(src) {
			return edits
		}
		fixed.Write(src[last:e.Start])
		fixed.WriteString(e.New)
		last = e.End
	}
	fixed.Write(src[last:])
	want := hclwrite.Format(fixed.Bytes())
	if bytes.Equal(want, fixed.Bytes()) {
		return edits
	}
	p := 0
	for p < len(src) && p < len(want) && src[p] == want[p] {
		p++
	}
	s := 0
	for s < len(src)-p && s < len(want)-p && src[len(src)-1-s] == want[len(want)-1-s] {
		s++
	}
	// Whole lines read better in a diff and merge more safely.
	start := lineStart(src, p)
	end := len(src) - s
	if i := bytes.IndexByte(src[end:], '\n'); i >= 0 {
		end += i
	} else {
		end = len(src)
	}
	wantEnd := len(want) - (len(src) - end)
	return []rules.Edit{{Start: start, End: end, New: string(want[start:wantEnd])}}
}
