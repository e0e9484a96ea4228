package nginx

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// The two remedies that write new blocks: an allowlist map in place of an
// echoed Origin, and an OPTIONS branch that answers the preflight.

// mapVar is the variable the allowlist map sets; a number is appended
// when the file already uses the name.
const mapVar = "cors_allow_origin"

// serialisedOrigin is an origin as a browser sends it: scheme, lower-case
// host, an optional port, nothing else.
var serialisedOrigin = regexp.MustCompile(`^https?://(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]*[a-z0-9])?)(:[0-9]{1,5})?$`)

// replaceEcho declares `map $http_origin $cors_allow_origin { default "";
// "<origin>" $http_origin; … }` in the file's http context and makes the
// echoing add_header send that variable instead.
func (t *stree) replaceEcho(d *sdir, origins []string) ([]rules.Edit, error) {
	value, ok := t.echoValue(d)
	if !ok {
		return nil, fmt.Errorf("%q is not an add_header or more_set_headers of %s", d.text(), rules.HeaderAllowOrigin)
	}
	if len(origins) == 0 {
		return nil, errors.New("no trusted origins are declared: the allowlist that replaces the echo would be empty")
	}
	for _, o := range origins {
		if !serialisedOrigin.MatchString(o) {
			return nil, fmt.Errorf("trusted origin %q is not a serialised origin (scheme://host[:port], lower case)", o)
		}
	}
	name := t.freeVar(mapVar)
	valueEdit := rules.Edit{Start: value.pos, End: value.end, New: "$" + name}
	if value.quote != 0 && !value.part {
		q := string(value.quote)
		valueEdit.New = q + "$" + name + q
	}
	mapEdit, err := t.mapEdit(d, name, origins)
	if err != nil {
		return nil, err
	}
	return []rules.Edit{mapEdit, valueEdit}, nil
}

// echoValue is the value of the Allow-Origin header d sends: the second
// argument of an add_header, the value part of a more_set_headers
// argument.
func (t *stree) echoValue(d *sdir) (vtok, bool) {
	switch d.name.val {
	case "add_header":
		if len(d.args) >= 2 && strings.EqualFold(d.args[0].val, rules.HeaderAllowOrigin) {
			return t.vtok(d.args[1]), true
		}
	case "more_set_headers":
		var found []vtok
		for _, a := range d.args {
			if name, v, ok := t.headerPart(a); ok && strings.EqualFold(name, rules.HeaderAllowOrigin) {
				found = append(found, v)
			}
		}
		if len(found) == 1 {
			return found[0], true
		}
	}
	return vtok{}, false
}

// freeVar returns base, or base2, base3… : the first name no `$name` or
// `${name}` of the file uses.
func (t *stree) freeVar(base string) string {
	for i := 1; ; i++ {
		name := base
		if i > 1 {
			name += strconv.Itoa(i)
		}
		if !t.usesVar(name) {
			return name
		}
	}
}

func (t *stree) usesVar(name string) bool {
	if strings.Contains(t.src, "${"+name+"}") {
		return true
	}
	s, ref := t.src, "$"+name
	for {
		i := strings.Index(s, ref)
		if i < 0 {
			return false
		}
		s = s[i+len(ref):]
		if s == "" || !isVarByte(s[0]) {
			return true
		}
	}
}

func isVarByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// mapEdit inserts the map where nginx allows it: inside the http block
// that holds d, before its first server (or at its top); in a conf.d-style
// file of server blocks, before the first of them. A snippet with neither
// has no such place.
func (t *stree) mapEdit(d *sdir, name string, origins []string) (rules.Edit, error) {
	var block *sdir
	if h := d.ancestor("http"); h != nil {
		block = h
	} else if top := t.outermost(d); top.name.val == "server" && top.isBlock() {
		block = t.root
	} else {
		return rules.Edit{}, fmt.Errorf("this file has no http context for a map (a snippet included inside a server or location): "+
			"declare `%s` in the http context and send $%s instead", inlineMap(name, origins), name)
	}
	nl, unit := t.newline(), t.unit()
	for _, k := range block.kids {
		if k.name.val != "server" {
			continue
		}
		if !t.startsLine(k.start()) {
			return rules.Edit{Start: k.start(), End: k.start(), New: inlineMap(name, origins) + " "}, nil
		}
		in := t.indent(k.start())
		at := t.aboveComments(t.lineStart(k.start()))
		return rules.Edit{Start: at, End: at, New: in + blockMap(name, origins, in, unit, nl) + nl + nl}, nil
	}
	if block == t.root {
		return rules.Edit{}, errors.New("no server block at the top of the file to put the map before")
	}
	eol, alone := t.eol(block.term.end)
	if !alone {
		return rules.Edit{Start: block.term.end, End: block.term.end, New: " " + inlineMap(name, origins)}, nil
	}
	in := t.childIndent(block)
	return rules.Edit{Start: eol, End: eol, New: nl + in + blockMap(name, origins, in, unit, nl)}, nil
}

// outermost is d's top-level ancestor (or d itself).
func (t *stree) outermost(d *sdir) *sdir {
	for d.parent != nil && d.parent != t.root {
		d = d.parent
	}
	return d
}

// aboveComments moves a line start up over the comment lines right above
// it: they describe what follows, so the map goes before them.
func (t *stree) aboveComments(at int) int {
	for at > 0 {
		prev := t.lineStart(at - 1)
		line := strings.TrimSpace(t.src[prev:at])
		if !strings.HasPrefix(line, "#") {
			return at
		}
		at = prev
	}
	return at
}

func mapEntries(origins []string) []string {
	out := []string{`default "";`}
	for _, o := range origins {
		out = append(out, `"`+o+`" $http_origin;`)
	}
	return out
}

func blockMap(name string, origins []string, in, unit, nl string) string {
	var b strings.Builder
	b.WriteString("map $http_origin $" + name + " {")
	for _, e := range mapEntries(origins) {
		b.WriteString(nl + in + unit + e)
	}
	b.WriteString(nl + in + "}")
	return b.String()
}

func inlineMap(name string, origins []string) string {
	return "map $http_origin $" + name + " { " + strings.Join(mapEntries(origins), " ") + " }"
}

// answerPreflight writes `if ($request_method = OPTIONS) { add_header …;
// return 204; }` at the top of the location or server d is (or is in).
func (t *stree) answerPreflight(d *sdir, hs []rules.HeaderLine) ([]rules.Edit, error) {
	blk := d
	if !d.isBlock() || d.name.val != "location" && d.name.val != "server" {
		blk = d.parent
	}
	switch {
	case blk == t.root || blk.name.val != "location" && blk.name.val != "server":
		return nil, fmt.Errorf("%q is not in a location or server block, where the OPTIONS branch would go", d.text())
	case blk.name.val == "server":
		return nil, errors.New("the scope is a server block, and nginx allows no add_header in an if at server level: answer OPTIONS in its locations")
	}
	for _, k := range blk.kids {
		if k.name.val == "if" && strings.Contains(k.text(), "$request_method") {
			return nil, fmt.Errorf("line %d already branches on $request_method: a second branch would compete with it (edit that one by hand)", k.line())
		}
	}
	if len(hs) == 0 {
		return nil, errors.New("the remedy names no header for the preflight answer")
	}
	lines := make([]string, 0, len(hs)+1)
	for _, h := range hs {
		l, err := headerLine(h)
		if err != nil {
			return nil, err
		}
		lines = append(lines, l)
	}
	lines = append(lines, "return 204;")
	const open = "if ($request_method = OPTIONS) {"
	eol, alone := t.eol(blk.term.end)
	if !alone {
		return []rules.Edit{{Start: blk.term.end, End: blk.term.end, New: " " + open + " " + strings.Join(lines, " ") + " }"}}, nil
	}
	nl, in, unit := t.newline(), t.childIndent(blk), t.unit()
	text := nl + in + open + nl + in + unit + strings.Join(lines, nl+in+unit) + nl + in + "}"
	return []rules.Edit{{Start: eol, End: eol, New: text}}, nil
}
