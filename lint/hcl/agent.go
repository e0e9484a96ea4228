package hcl

import (
	"bytes"
	"strings"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/corsguard/corsguard/lint/source"
	"github.com/corsguard/corsguard/rules"
)

// Nomad and Consul agent configurations are HCL 1, which HCL 2's native
// syntax does not accept in general (quoted keys in blocks:
// `http_api_response_headers { "Access-Control-Allow-Origin" = "*" }`).
// The header maps themselves, though, are valid HCL 2 object
// constructors. So instead of parsing the whole file, the scanner below
// finds the header block (skipping strings and comments), and only its
// braces are parsed, as an expression positioned at its real line and
// column so diagnostics and evidence point into the original file.

// agentBlock locates a key path such as ["http_config", "response_headers"].
type agentBlock struct {
	format string
	path   []string
}

var agentBlocks = []agentBlock{
	{format: "nomad", path: []string{"http_api_response_headers"}},
	{format: "consul", path: []string{"http_config", "response_headers"}},
}

func skipSpace(src []byte, i int) int {
	for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r') {
		i++
	}
	return i
}

func isAgentConfig(head []byte) bool {
	return bytes.Contains(head, []byte("http_api_response_headers")) || bytes.Contains(head, []byte("http_config"))
}

// agentMap is one header map of an agent configuration, as written.
type agentMap struct {
	block    agentBlock
	keyStart int // offset of the map's key
	close    int // offset of its closing brace
	expr     hclsyntax.Expression
	diags    hclv2.Diagnostics
}

// agentMaps finds the header maps of an agent configuration and parses
// each as an HCL 2 expression: the rest of an agent file is HCL 1 (or
// JSON), so the keys are found by scanning. from and to bound the
// top-level keys (inside the top-level object of a JSON file). The
// front end and the speller both read the maps through here.
func agentMaps(path string, src []byte) (maps []agentMap, from, to int) {
	from, to = 0, len(src)
	if strings.HasSuffix(path, ".json") {
		// A JSON configuration's keys sit inside its top-level object.
		if open, close, ok := blockAfter(src, skipSpace(src, 0), len(src)); ok {
			from, to = open+1, close
		}
	}
	for _, ab := range agentBlocks {
		keyStart, open, close, ok := findPath(src, from, to, ab.path)
		if !ok {
			continue
		}
		expr, diags := hclsyntax.ParseExpression(src[open:close+1], path, posAt(src, open))
		maps = append(maps, agentMap{block: ab, keyStart: keyStart, close: close, expr: expr, diags: diags})
	}
	return maps, from, to
}

// parseAgent reads an agent configuration; src is nil when the file is
// still to be read.
func parseAgent(path string, src []byte) rules.ParseResult {
	res := rules.ParseResult{Files: []string{path}}
	if src == nil {
		var err error
		if src, err = source.Read(path); err != nil {
			res.Diagnostics = append(res.Diagnostics, rules.Diagnostic{Range: rules.Range{File: path, Line: 1}, Message: err.Error()})
			return res
		}
	}
	maps, from, to := agentMaps(path, src)
	for _, m := range maps {
		ab, keyStart, close, expr := m.block, m.keyStart, m.close, m.expr
		files := map[string]*hclv2.File{path: {Bytes: src}}
		if m.diags.HasErrors() {
			res.Diagnostics = append(res.Diagnostics, toDiagnostics(m.diags)...)
			continue
		}
		rng := hclv2.Range{Filename: path, Start: posAt(src, keyStart), End: posAt(src, close+1)}
		pol := agentPolicy(ab, expr, rng, files)
		pol.Agent = agentAccess(ab.format, path, src, from, to)
		res.Policies = append(res.Policies, pol)
	}
	return res
}

func agentPolicy(ab agentBlock, expr hclsyntax.Expression, rng hclv2.Range, files map[string]*hclv2.File) rules.Policy {
	name := ab.path[0]
	for _, p := range ab.path[1:] {
		name += "." + p
	}
	p := rules.Policy{Format: ab.format, Scope: rules.Scope{Name: name, Range: toRange(rng)}}
	pairs, diags := hclv2.ExprMap(expr)
	if diags.HasErrors() {
		return p
	}
	var g rules.Grant
	for _, kv := range pairs {
		k, d := kv.Key.Value(nil)
		if d.HasErrors() || !k.IsKnown() || k.IsNull() || !k.Type().Equals(cty.String) {
			continue
		}
		hdr, ok := rules.CanonicalCORSHeader(k.AsString())
		if !ok {
			continue
		}
		r := hclv2.RangeBetween(kv.Key.Range(), kv.Value.Range())
		ev := rules.Evidence{Range: toRange(r), Text: sourceText(files, r)}
		val := rules.UnknownValue("not a literal string")
		if v, d := kv.Value.Value(nil); !d.HasErrors() && v.IsWhollyKnown() && !v.IsNull() && v.Type().Equals(cty.String) {
			val = rules.LiteralValue(v.AsString())
		}
		// The agent adds these headers to every HTTP API response,
		// errors included.
		g.Headers = append(g.Headers, rules.Header{Name: hdr, Value: val, Always: true, Evidence: ev})
		if hdr != rules.HeaderAllowOrigin {
			continue
		}
		rule := rules.OriginRule{Evidence: []rules.Evidence{ev}}
		switch {
		case val.State != rules.Known:
			rule.Kind, rule.Reason = rules.OriginUnknown, val.Reason
		case val.Literal == "*":
			rule.Kind = rules.OriginAny
		default:
			rule.Kind, rule.Values = rules.OriginList, []string{val.Literal}
		}
		g.Origins = append(g.Origins, rule)
	}
	p.Actual = g
	p.Preflight = rules.Preflight{Kind: rules.PreflightUnknown,
		Reason: "the agent's HTTP API decides how OPTIONS is answered; the configuration only adds headers"}
	return p
}

// findPath finds the block at a key path and returns the offsets of its
// first key, its opening and its closing brace.
func findPath(src []byte, from, to int, path []string) (keyStart, open, close int, ok bool) {
	keyStart, open, close, ok = findKey(src, from, to, path[0])
	if !ok || len(path) == 1 {
		return keyStart, open, close, ok
	}
	_, open, close, ok = findPath(src, open+1, close, path[1:])
	return keyStart, open, close, ok
}

// findKey scans src[from:to] at nesting depth zero for `key {` or
// `key = {` (the key bare or quoted).
func findKey(src []byte, from, to int, key string) (keyStart, open, close int, ok bool) {
	eachTopLevelKey(src, from, to, func(name string, start, end int) bool {
		if name != key {
			return false
		}
		if open, close, ok = blockAfter(src, end, to); ok {
			keyStart = start
		}
		return ok
	})
	return keyStart, open, close, ok
}

// eachTopLevelKey calls visit with every bare or quoted name at nesting
// depth zero of src[from:to] and the offsets it spans, skipping comments,
// strings and nested blocks, until visit returns true. It is the one
// scanner of agent configurations, HCL and JSON alike, that findKey and
// findScalar ask for what follows a name.
func eachTopLevelKey(src []byte, from, to int, visit func(name string, start, end int) bool) {
	depth := 0
	for i := from; i < to; {
		c := src[i]
		switch {
		case c == '#' || (c == '/' && i+1 < to && src[i+1] == '/'):
			for i < to && src[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < to && src[i+1] == '*':
			end := bytes.Index(src[i+2:to], []byte("*/"))
			if end < 0 {
				return
			}
			i += end + 4
		case c == '{' || c == '[':
			depth++
			i++
		case c == '}' || c == ']':
			depth--
			i++
		case c == '"' || isIdentStart(c):
			s := i
			var name string
			if c == '"' {
				i = skipString(src, i, to)
				name = strings.Trim(string(src[s:i]), `"`)
			} else {
				for i < to && isIdentChar(src[i]) {
					i++
				}
				name = string(src[s:i])
			}
			if depth == 0 && visit(name, s, i) {
				return
			}
		default:
			i++
		}
	}
}

// blockAfter expects optional spaces, an optional `=`, and `{` at i, and
// returns the brace and its match.
func blockAfter(src []byte, i, to int) (open, close int, ok bool) {
	for i < to && (src[i] == ' ' || src[i] == '\t') {
		i++
	}
	if i < to && (src[i] == '=' || src[i] == ':') { // HCL, or JSON
		i++
		for i < to && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r') {
			i++
		}
	}
	if i >= to || src[i] != '{' {
		return 0, 0, false
	}
	open = i
	depth := 0
	for i < to {
		switch c := src[i]; {
		case c == '"':
			i = skipString(src, i, to)
			continue
		case c == '#' || (c == '/' && i+1 < to && src[i+1] == '/'):
			for i < to && src[i] != '\n' {
				i++
			}
			continue
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				return open, i, true
			}
		}
		i++
	}
	return 0, 0, false
}

// skipString returns the offset just past the string starting at i.
func skipString(src []byte, i, to int) int {
	for j := i + 1; j < to; j++ {
		switch src[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		case '\n':
			return j
		}
	}
	return to
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c == '-' || (c >= '0' && c <= '9') }

// posAt is the HCL position of a byte offset (columns count bytes, which
// is what matters for ASCII configuration files).
func posAt(src []byte, off int) hclv2.Pos {
	line := 1 + bytes.Count(src[:off], []byte("\n"))
	col := off + 1
	if nl := bytes.LastIndexByte(src[:off], '\n'); nl >= 0 {
		col = off - nl
	}
	return hclv2.Pos{Line: line, Column: col, Byte: off}
}
