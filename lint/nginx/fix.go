package nginx

import (
	"errors"
	"fmt"
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// Spell turns a remedy into byte edits of src, the contents of path (the
// file r.At cites), the way nginx writes it: one token replaced in its own
// quoting, `always` appended, a directive deleted with its line, new
// add_header lines at the indentation of their neighbours, a map in the
// http context, an OPTIONS branch at the top of a block. It never guesses:
// a remedy it cannot place exactly (the directive is not found or not the
// expected one, a value appears twice, the file has no http context for a
// map, the tokenizer is not exact on the file) comes back as an error
// saying why, and the finding stays unfixed.
func Spell(path string, src []byte, r rules.Remedy) ([]rules.Edit, error) {
	edits, err := spell(src, r)
	if err != nil {
		line := r.At.Range.Line
		return nil, fmt.Errorf("%s:%d: %s: %w", path, line, r.Kind, err)
	}
	for i := range edits {
		edits[i].File = path
	}
	return edits, nil
}

func spell(src []byte, r rules.Remedy) ([]rules.Edit, error) {
	t, err := scanCached(src)
	if err != nil {
		return nil, err
	}
	d, err := t.find(r.At)
	if err != nil {
		return nil, err
	}
	switch r.Kind {
	case rules.ReplaceValue:
		return t.replaceValue(d, r.Old, r.New)
	case rules.AddAlways:
		return t.addAlways(d)
	case rules.RemoveDirective:
		return t.remove(d), nil
	case rules.AddHeaders:
		return t.addHeaders(d, r.Headers)
	case rules.ReplaceEcho:
		return t.replaceEcho(d, r.Origins)
	case rules.AnswerPreflight:
		return t.answerPreflight(d, r.Headers)
	}
	return nil, fmt.Errorf("remedy kind %d is not known to the nginx speller", r.Kind)
}

// vtok is one value of a directive: the bytes an edit replaces (the
// token, quotes included, without the parenthesis of an `if` condition
// glued to it) and its value as the front end decodes it.
type vtok struct {
	pos, end int
	val      string
	quote    byte // 0 for a bare word
	// part: the value of a more_set_headers "Name: value" argument, a
	// span inside its token (the quotes are around the whole token).
	part bool
}

// values returns the directive's argument values; a map entry's key (the
// "name" of an entry in a map-like block) comes first.
func (t *stree) values(d *sdir) []vtok {
	var out []vtok
	if d.parent != nil && d.parent != t.root {
		if _, isMap := mapBodies[d.parent.name.val]; isMap {
			out = append(out, t.vtok(d.name))
		}
	}
	for i, a := range d.args {
		v := t.vtok(a)
		if d.name.val == "if" && v.quote == 0 {
			if i == 0 && strings.HasPrefix(v.val, "(") {
				v.pos, v.val = v.pos+1, v.val[1:]
			}
			if i == len(d.args)-1 && strings.HasSuffix(v.val, ")") {
				v.end, v.val = v.end-1, v.val[:len(v.val)-1]
			}
			if v.val == "" {
				continue
			}
		}
		out = append(out, v)
		if d.name.val == "more_set_headers" {
			if _, p, ok := t.headerPart(a); ok {
				out = append(out, p)
			}
		}
	}
	return out
}

// headerPart returns the value of a more_set_headers "Name: value"
// argument as a span of its own, when the token's bytes are its value
// (no escapes, so that offsets map one to one).
func (t *stree) headerPart(a ftok) (string, vtok, bool) {
	inner, off := t.src[a.pos:a.end], a.pos
	var q byte
	if a.quoted {
		q, inner, off = inner[0], inner[1:len(inner)-1], off+1
	}
	name, _, found := strings.Cut(inner, ":")
	if inner != a.val || !found {
		return "", vtok{}, false
	}
	start, end := len(name)+1, len(inner)
	for start < end && (inner[start] == ' ' || inner[start] == '\t') {
		start++
	}
	for end > start && (inner[end-1] == ' ' || inner[end-1] == '\t') {
		end--
	}
	if start == end {
		return "", vtok{}, false
	}
	return strings.TrimSpace(name), vtok{pos: off + start, end: off + end, val: inner[start:end], quote: q, part: true}, true
}

func (t *stree) vtok(f ftok) vtok {
	v := vtok{pos: f.pos, end: f.end, val: f.val}
	if f.quoted {
		v.quote = t.src[f.pos]
	}
	return v
}

// replaceValue writes New over the one value that reads Old, keeping a
// regex marker (`~`, `~*`) and the token's quoting.
func (t *stree) replaceValue(d *sdir, old, repl string) ([]rules.Edit, error) {
	if old == "" || repl == "" {
		return nil, errors.New("the remedy has no old or no new value")
	}
	var hits []vtok
	var prefixes []string
	for _, v := range t.values(d) {
		for _, p := range []string{"", "~*", "~"} {
			if strings.HasPrefix(v.val, p) && v.val[len(p):] == old {
				hits, prefixes = append(hits, v), append(prefixes, p)
				break
			}
		}
	}
	switch len(hits) {
	case 0:
		return nil, fmt.Errorf("%q has no value %q", d.text(), old)
	case 1:
	default:
		return nil, fmt.Errorf("%q has the value %q %d times: which one to change is unclear", d.text(), old, len(hits))
	}
	if isHeaderDirective(d.name.val) && strings.Contains(repl, "$") {
		return nil, fmt.Errorf("the new value %q has a `$`, which %s reads as a variable", repl, d.name.val)
	}
	encodeAs := encode
	if hits[0].part {
		encodeAs = encodePart
	}
	enc, err := encodeAs(prefixes[0]+repl, hits[0].quote)
	if err != nil {
		return nil, err
	}
	return []rules.Edit{{Start: hits[0].pos, End: hits[0].end, New: enc}}, nil
}

func isHeaderDirective(name string) bool {
	return name == "add_header" || name == "more_set_headers" || name == "add_trailer"
}

// encode writes v as one nginx token: in quote q when the original was
// quoted, bare when it may be, in double quotes when a bare word would
// split or start a comment.
func encode(v string, q byte) (string, error) {
	if err := escapesAgree(v); err != nil {
		return "", err
	}
	if q == 0 && !needsQuotes(v) && v[0] != '#' && !strings.Contains(v, "${") {
		return v, nil
	}
	if q == 0 {
		q = '"'
	}
	return string(q) + strings.ReplaceAll(v, string(q), `\`+string(q)) + string(q), nil
}

// encodePart writes v inside a token quoted with q (or bare).
func encodePart(v string, q byte) (string, error) {
	if err := escapesAgree(v); err != nil {
		return "", err
	}
	if q == 0 {
		if needsQuotes(v) || strings.Contains(v, "${") {
			return "", fmt.Errorf("the value %q would need quotes inside a bare argument", v)
		}
		return v, nil
	}
	return strings.ReplaceAll(v, string(q), `\`+string(q)), nil
}

// escapesAgree refuses backslash sequences that nginx and the linter read
// differently: nginx turns `\\`, `\"`, `\'`, `\t`, `\n`, `\r` into one
// character, the linter keeps them.
func escapesAgree(v string) error {
	for i := 0; i < len(v); i++ {
		if v[i] != '\\' {
			continue
		}
		if i+1 == len(v) {
			return fmt.Errorf("the value %q ends with a backslash, which would escape the closing quote", v)
		}
		switch v[i+1] {
		case '\\', '"', '\'', 't', 'n', 'r':
			return fmt.Errorf("the value %q has %q, which nginx and the linter read differently", v, v[i:i+2])
		}
		i++
	}
	return nil
}

// addAlways appends `always` to an add_header.
func (t *stree) addAlways(d *sdir) ([]rules.Edit, error) {
	if d.name.val != "add_header" {
		return nil, fmt.Errorf("%q is not an add_header: `always` applies to add_header only", d.text())
	}
	switch {
	case len(d.args) == 3 && d.args[2].val == "always":
		return nil, fmt.Errorf("%q already has always", d.text())
	case len(d.args) != 2:
		return nil, fmt.Errorf("%q does not have the form `add_header NAME VALUE;`", d.text())
	}
	end := d.args[1].end
	return []rules.Edit{{Start: end, End: end, New: " always"}}, nil
}

// remove deletes d; with its whole line (and a comment on it) when
// nothing else is written there.
func (t *stree) remove(d *sdir) []rules.Edit {
	start, end := d.start(), d.end()
	eol, alone := t.eol(end)
	if alone && t.startsLine(start) {
		start = t.lineStart(start)
		end = eol
		switch {
		case strings.HasPrefix(t.src[end:], "\r\n"):
			end += 2
		case strings.HasPrefix(t.src[end:], "\n"):
			end++
		case start > 0:
			// The last line of a file without a final newline: take the
			// line break before it instead.
			start--
			if start > 0 && t.src[start-1] == '\r' {
				start--
			}
		}
		return []rules.Edit{{Start: start, End: end}}
	}
	// Shares its line: take the blanks after it, or before it when it
	// is the last thing on the line.
	if alone {
		for start > 0 && (t.src[start-1] == ' ' || t.src[start-1] == '\t') {
			start--
		}
	} else {
		for end < len(t.src) && (t.src[end] == ' ' || t.src[end] == '\t') {
			end++
		}
	}
	return []rules.Edit{{Start: start, End: end}}
}

// headerLine is `add_header NAME VALUE always;` with the value quoted
// unless it is one plain word (`add_header Vary Origin always;`).
func headerLine(h rules.HeaderLine) (string, error) {
	if h.Name == "" || strings.ContainsAny(h.Name, " \t\r\n;{}\"'\\$#:") {
		return "", fmt.Errorf("header name %q is not a token", h.Name)
	}
	if h.Value == "" {
		return "", fmt.Errorf("header %s has an empty value, which nginx does not send", h.Name)
	}
	if strings.ContainsAny(h.Value, "\\\r\n") {
		return "", fmt.Errorf("header %s: the value %q has a backslash or a line break", h.Name, h.Value)
	}
	v := h.Value
	if !plainWord(v) {
		v = `"` + strings.ReplaceAll(v, `"`, `\"`) + `"`
	}
	return "add_header " + h.Name + " " + v + " always;", nil
}

// plainWord: letters, digits and - _ . * $ / : (a variable, an origin),
// which nginx reads the same bare or quoted.
func plainWord(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; !isVarByte(c) && !strings.ContainsRune("-.*$/:", rune(c)) {
			return false
		}
	}
	return v != ""
}

// addHeaders writes one add_header per header right after d, in d's
// block, at d's indentation.
func (t *stree) addHeaders(d *sdir, hs []rules.HeaderLine) ([]rules.Edit, error) {
	if len(hs) == 0 {
		return nil, errors.New("the remedy names no header to add")
	}
	if !t.addHeaderAllowed(d.parent) {
		return nil, fmt.Errorf("nginx allows no add_header in the %s block that holds %q", d.parent.name.val, d.text())
	}
	lines := make([]string, len(hs))
	for i, h := range hs {
		l, err := headerLine(h)
		if err != nil {
			return nil, err
		}
		lines[i] = l
	}
	eol, alone := t.eol(d.end())
	if alone && t.startsLine(d.start()) {
		nl, in := t.newline(), t.indent(d.start())
		return []rules.Edit{{Start: eol, End: eol, New: nl + in + strings.Join(lines, nl+in)}}, nil
	}
	return []rules.Edit{{Start: d.end(), End: d.end(), New: " " + strings.Join(lines, " ")}}, nil
}

// addHeaderAllowed reports whether nginx accepts add_header directly in
// block b: http, server, location and an if inside a location (not a
// server-level if, limit_except...). A file's top level is whatever
// includes it; the front end reads it as the http or location body.
func (t *stree) addHeaderAllowed(b *sdir) bool {
	switch b.name.val {
	case "http", "server", "location":
		return true
	case "if":
		return b.parent == t.root || b.parent.name.val == "location"
	}
	return b == t.root
}
