package hcl

import (
	"bytes"
	encjson "encoding/json"
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/corsguard/corsguard/rules"
)

var stringType = cty.String

// spellLiteral writes value as a literal of the kind n is (string, number
// or bool, native or JSON), with the escapes its syntax needs.
func spellLiteral(n *vnode, value string) (string, error) {
	switch {
	case n.heredoc:
		return "", fmt.Errorf("unsure: line %d writes the value as a heredoc; not rewriting it", n.rng.Start.Line)
	case n.typ.Equals(cty.String):
		if n.json {
			return jsonString(value), nil
		}
		return string(hclwrite.TokensForValue(cty.StringVal(value)).Bytes()), nil
	case n.typ.Equals(cty.Number):
		num, err := cty.ParseNumberVal(value)
		if err != nil {
			return "", fmt.Errorf("line %d holds a number and %q is not one", n.rng.Start.Line, value)
		}
		return string(hclwrite.TokensForValue(num).Bytes()), nil
	case n.typ.Equals(cty.Bool) && (value == "true" || value == "false"):
		return value, nil
	}
	return "", fmt.Errorf("line %d holds a %s and %q is not one", n.rng.Start.Line, n.typ.FriendlyName(), value)
}

// jsonString writes a string for a .tf.json file: Terraform reads JSON
// strings as templates, so a literal `${` or `%{` is doubled first.
func jsonString(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "${", "$${"), "%{", "%%{")
	var b bytes.Buffer
	enc := encjson.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a Go string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// spellList writes a list of strings in place of the list target: on one
// line when target is on one line, else one element per line indented as
// target's elements were.
func (w *written) spellList(target *vnode, values []string) string {
	elems := make([]string, len(values))
	for i, v := range values {
		if w.json {
			elems[i] = jsonString(v)
		} else {
			elems[i] = string(hclwrite.TokensForValue(cty.StringVal(v)).Bytes())
		}
	}
	if target.rng.Start.Line == target.rng.End.Line {
		return "[" + strings.Join(elems, ", ") + "]"
	}
	src := w.src
	outer := indentOf(src, target.rng.Start.Byte)
	inner := outer + indentUnit(outer)
	if len(target.kids) > 0 {
		first := target.kids[0].rng.Start.Byte
		if onlyBlanks(src[lineStart(src, first):first]) {
			inner = indentOf(src, first)
		}
	}
	closing := outer
	if end := target.rng.End.Byte - 1; end >= 0 && onlyBlanks(src[lineStart(src, end):end]) {
		closing = indentOf(src, end)
	}
	nl := lineEnding(src)
	var sb strings.Builder
	sb.WriteString("[" + nl)
	for i, e := range elems {
		sb.WriteString(inner + e)
		if !w.json || i < len(elems)-1 {
			sb.WriteString(",") // HCL style keeps a trailing comma; JSON allows none
		}
		sb.WriteString(nl)
	}
	sb.WriteString(closing + "]")
	return sb.String()
}

func indentUnit(indent string) string {
	if strings.HasPrefix(indent, "\t") {
		return "\t"
	}
	return "  "
}

func onlyBlanks(b []byte) bool { return len(bytes.Trim(b, " \t")) == 0 }

// skipBlanks returns the offset of the first byte from i that is not a
// space or tab.
func skipBlanks(src []byte, i int) int {
	for i < len(src) && (src[i] == ' ' || src[i] == '\t') {
		i++
	}
	return i
}

// endOfLine returns the offset just past the newline ending the line at
// i when only blanks and a comment stand between i and it; ok is false
// when something else does.
func endOfLine(src []byte, i int) (int, bool) {
	i = skipBlanks(src, i)
	if i < len(src) && (src[i] == '#' || src[i] == '/' && i+1 < len(src) && src[i+1] == '/') {
		for i < len(src) && src[i] != '\n' {
			i++
		}
	}
	switch {
	case i >= len(src):
		return i, true
	case src[i] == '\n':
		return i + 1, true
	case src[i] == '\r' && i+1 < len(src) && src[i+1] == '\n':
		return i + 2, true
	}
	return i, false
}

// removalSpan is the bytes to delete to drop item i of a sequence whose
// item spans are given: the item with the comma after it (or, for the
// last one, the comma before it), and its whole line when nothing else
// is on it.
func removalSpan(src []byte, spans [][2]int, i int) (int, int) {
	s, e := spans[i][0], spans[i][1]
	if j := skipBlanks(src, e); j < len(src) && src[j] == ',' {
		e = j + 1
	} else if i > 0 {
		if k := skipBlanks(src, spans[i-1][1]); k < s && src[k] == ',' {
			s = spans[i-1][1]
		}
	}
	ls := lineStart(src, s)
	if onlyBlanks(src[ls:s]) {
		if le, ok := endOfLine(src, e); ok {
			return ls, le
		}
	}
	return s, e
}

// remove deletes the list element or the attribute At names.
func (w *written) remove(r rules.Remedy) ([]rules.Edit, error) {
	at := r.At.Range
	type hit struct {
		list *vnode
		i    int
	}
	var hits []hit
	w.eachNode(func(v *vnode) {
		if v.kind != vList {
			return
		}
		for i, k := range v.kids {
			start := k.rng.Start
			switch {
			case at.Col > 0 && (start.Line != at.Line || start.Column != at.Col):
			case at.Col > 0 && at.EndLine > 0 && (k.rng.End.Line != at.EndLine || k.rng.End.Column != at.EndCol):
			case at.Col <= 0 && (start.Line != at.Line || r.Old == "" || k.kind != vLiteral || k.value != r.Old):
			default:
				hits = append(hits, hit{v, i})
			}
		}
	})
	if len(hits) > 1 {
		return nil, fmt.Errorf("unsure: %d list elements match line %d", len(hits), at.Line)
	}
	if len(hits) == 1 {
		el := hits[0].list.kids[hits[0].i]
		if r.Old != "" && (el.kind != vLiteral || el.value != r.Old) {
			return nil, fmt.Errorf("unsure: the element at line %d is not %q", at.Line, r.Old)
		}
		s, e := removalSpan(w.src, nodeSpans(hits[0].list.kids), hits[0].i)
		return []rules.Edit{{Start: s, End: e}}, nil
	}
	props, err := w.at(at)
	if err != nil {
		return nil, err
	}
	p := props[0]
	if len(props) > 1 || at.Col > 0 && (p.rng.Start.Line != at.Line || p.rng.Start.Column != at.Col) {
		return nil, fmt.Errorf("unsure: line %d, column %d starts no single attribute or list element", at.Line, at.Col)
	}
	if p.attribute {
		ls := lineStart(w.src, p.rng.Start.Byte)
		le, ok := endOfLine(w.src, p.rng.End.Byte)
		if !onlyBlanks(w.src[ls:p.rng.Start.Byte]) || !ok {
			return nil, fmt.Errorf("unsure: %s at line %d shares its line with something else", p.name, p.rng.Start.Line)
		}
		return []rules.Edit{{Start: ls, End: le}}, nil
	}
	obj := w.objectOf(p)
	if obj == nil {
		return nil, fmt.Errorf("unsure: %s at line %d is not an item of an object", p.name, p.rng.Start.Line)
	}
	spans := make([][2]int, len(obj.items))
	idx := 0
	for i, it := range obj.items {
		spans[i] = [2]int{it.rng.Start.Byte, it.rng.End.Byte}
		if it == p {
			idx = i
		}
	}
	s, e := removalSpan(w.src, spans, idx)
	return []rules.Edit{{Start: s, End: e}}, nil
}

func nodeSpans(kids []*vnode) [][2]int {
	out := make([][2]int, len(kids))
	for i, k := range kids {
		out[i] = [2]int{k.rng.Start.Byte, k.rng.End.Byte}
	}
	return out
}

// eachNode visits every written value once.
func (w *written) eachNode(fn func(*vnode)) {
	seen := map[*vnode]bool{}
	var walk func(v *vnode)
	walk = func(v *vnode) {
		if seen[v] {
			return
		}
		seen[v] = true
		fn(v)
		for _, k := range v.kids {
			walk(k)
		}
	}
	for _, p := range w.props {
		walk(p.value)
	}
}

// objectOf is the object constructor p is an item of, nil for a body
// attribute.
func (w *written) objectOf(p *property) *vnode {
	var obj *vnode
	w.eachNode(func(v *vnode) {
		for _, it := range v.items {
			if it == p {
				obj = v
			}
		}
	})
	return obj
}

// addHeaders adds Headers next to At where the configuration has a map of
// response headers the front end reads: a Nomad/Consul agent's header map
// and an API Gateway gateway response's response_parameters. Everywhere
// else the service sends CORS headers itself.
func (w *written) addHeaders(r rules.Remedy) ([]rules.Edit, error) {
	if len(r.Headers) == 0 {
		return nil, fmt.Errorf("the remedy names no header to add")
	}
	props, err := w.at(r.At.Range)
	if err != nil {
		return nil, err
	}
	p := props[0]
	typ := resourceType(p)
	agent := len(p.block) > 0 && (p.block[0] == "nomad" || p.block[0] == "consul")
	keyOf := func(name string) string { return name }
	valueOf := func(v string) string { return v }
	switch {
	case agent:
	case typ == "aws_api_gateway_gateway_response" && isResponseParameters(p, w.props):
		keyOf = func(name string) string { return "gatewayresponse.header." + name }
		valueOf = func(v string) string { return "'" + v + "'" }
	case strings.HasPrefix(typ, "aws_api_gateway_"):
		h := r.Headers[0]
		return nil, fmt.Errorf("unsure: API Gateway maps a header on an integration response only when the method response declares it: add \"method.response.header.%s\" = true to the aws_api_gateway_method_response and \"method.response.header.%s\" = \"'%s'\" to this response", h.Name, h.Name, h.Value)
	default:
		svc := w.service(p)
		if typ == "aws_cloudfront_response_headers_policy" {
			return nil, fmt.Errorf("not applicable: %s sends CORS headers itself; a custom_headers_config could add %s, but corsguard does not read it, so the fix could not be proved", svc, r.Headers[0].Name)
		}
		return nil, fmt.Errorf("not applicable: %s sends CORS headers itself and has no setting for %s", svc, r.Headers[0].Name)
	}
	obj, after := p.value, (*property)(nil)
	if obj.kind == vObject && len(obj.items) > 0 {
		after = obj.items[len(obj.items)-1]
	} else {
		obj, after = w.objectOf(p), p
	}
	if obj == nil || after == nil {
		return nil, fmt.Errorf("unsure: %s at line %d is not a map of headers written in this file", p.name, p.rng.Start.Line)
	}
	var add []rules.HeaderLine
	for _, h := range r.Headers {
		present := false
		for _, it := range obj.items {
			present = present || strings.EqualFold(it.name, keyOf(h.Name))
		}
		if !present {
			add = append(add, h)
		}
	}
	if len(add) == 0 {
		return nil, fmt.Errorf("unsure: the headers are already in the map at line %d", obj.rng.Start.Line)
	}
	src := w.src
	jsonish := strings.HasSuffix(p.rng.Filename, ".json")
	at := after.rng.End.Byte
	sep := ""
	if j := skipBlanks(src, at); j < len(src) && src[j] == ',' && !jsonish {
		sep, at = ",", j+1
	}
	multi := obj.rng.Start.Line != obj.rng.End.Line
	indent := indentOf(src, after.rng.Start.Byte)
	eq := equalsColumn(src, after.rng.Start.Byte)
	var sb strings.Builder
	for _, h := range add {
		key, val := quoteFor(jsonish, keyOf(h.Name)), quoteFor(jsonish, valueOf(h.Value))
		item := key + strings.Repeat(" ", max(1, eq-len(key))) + "= " + val
		if jsonish {
			item = key + ": " + val
			sb.WriteString(",")
		}
		switch {
		case multi:
			sb.WriteString(lineEnding(src) + indent + item + sep)
		case sep == "" && !jsonish:
			sb.WriteString(", " + item)
		default:
			sb.WriteString(" " + item + sep)
		}
	}
	return []rules.Edit{{Start: at, End: at, New: sb.String()}}, nil
}

func quoteFor(jsonish bool, s string) string {
	if jsonish {
		return jsonString(s)
	}
	return string(hclwrite.TokensForValue(cty.StringVal(s)).Bytes())
}

// equalsColumn is how far the `=` of the item starting at off is from its
// key's start, so that an added item lines up as hclwrite aligns them.
func equalsColumn(src []byte, off int) int {
	i := off
	if i < len(src) && src[i] == '"' {
		i = skipString(src, i, len(src))
	} else {
		for i < len(src) && isIdentChar(src[i]) {
			i++
		}
	}
	j := skipBlanks(src, i)
	if j < len(src) && src[j] == '=' {
		return j - off
	}
	return i - off + 1
}
