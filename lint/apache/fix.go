package apache

import (
	"fmt"
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// Spell turns a remedy into byte edits of src, the Apache httpd file (a
// server config, a vhost snippet or an .htaccess) that r.At names. The
// rules decide what changes; Spell only knows how httpd writes it:
//
//   - ReplaceValue rewrites the one argument (or the one regex or string
//     inside an ap_expr argument) whose value is r.Old, quoted as it was;
//   - AddAlways moves a Header directive to the always table;
//   - RemoveDirective deletes the directive's line(s);
//   - AddHeaders adds `Header always set` lines after the directive
//     (`Header always merge Vary …` for Vary);
//   - ReplaceEcho puts a SetEnvIf allowlist before an echoing Header and
//     makes it send that variable, only when it is set;
//   - AnswerPreflight answers OPTIONS in the directive's section with
//     mod_rewrite (R=204) and the CORS headers that answer needs.
//
// An error says why the edit would be a guess (the value is built from a
// ${VAR} or a macro, it appears twice, the section's mod_rewrite setup
// would change); the finding then stays unfixed with that reason.
func Spell(path string, src []byte, r rules.Remedy) ([]rules.Edit, error) {
	if r.Format != "" && r.Format != "apache" {
		return nil, fmt.Errorf("the Apache speller cannot write a %s remedy", r.Format)
	}
	if len(src) > maxFileSize {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, maxFileSize)
	}
	f := newFixFile(string(src))
	f.htaccess = isHtaccess(path)
	d, err := f.directiveAt(r.At)
	if err != nil {
		return nil, err
	}
	var edits []rules.Edit
	switch r.Kind {
	case rules.ReplaceValue:
		edits, err = f.replaceValue(d, r.Old, r.New)
	case rules.AddAlways:
		edits, err = f.addAlways(d)
	case rules.RemoveDirective:
		edits, err = f.removeDirective(d)
	case rules.AddHeaders:
		edits, err = f.addHeaders(d, r.Headers)
	case rules.ReplaceEcho:
		edits, err = f.replaceEcho(d, r.Origins)
	case rules.AnswerPreflight:
		edits, err = f.answerPreflight(d, r.Headers)
	default:
		err = fmt.Errorf("remedy kind %s has no Apache spelling", r.Kind)
	}
	if err != nil {
		return nil, fmt.Errorf("line %d: %w", d.line.first, err)
	}
	for i := range edits {
		edits[i].File = path
	}
	return edits, nil
}

// fixFile is a file read for editing: its logical lines, the directives
// on them and the section each directive sits in.
type fixFile struct {
	src   string
	lower string // src in lower case, once needed
	// htaccess is set for an .htaccess: its top level is per-directory.
	htaccess bool
	lines    []srcLine
	dirs     []*srcDirective // directives in file order
	// eol is the file's line ending, for new lines after a last line that
	// has none.
	eol string
}

// srcDirective is one directive with the positions of its parts.
type srcDirective struct {
	line    *srcLine
	name    string // lower case, without '<'
	section bool   // <Name …>
	closing bool   // </Name>
	toks    []srcToken
	tokDone bool
	// region is the text span of the arguments: the rest of the line, or
	// for a section what lies between the name and the closing '>'.
	region [2]int
	parent *srcDirective // the section it sits in (nil: top level)
	// scope is parent, looking through IfModule & co. (whose bodies
	// belong to the section around them).
	scope *srcDirective
	kids  []*srcDirective
	close *srcDirective // a section's closing line
}

func newFixFile(src string) *fixFile {
	f := &fixFile{src: src, lines: scanLines(src), eol: "\n"}
	if i := strings.IndexByte(src, '\n'); i > 0 && src[i-1] == '\r' {
		f.eol = "\r\n"
	}
	n := 0
	for i := range f.lines {
		if f.lines[i].isDirective() {
			n++
		}
	}
	slab := make([]srcDirective, 0, n)
	f.dirs = make([]*srcDirective, 0, n)
	var stack []*srcDirective
	for i := range f.lines {
		l := &f.lines[i]
		if !l.isDirective() {
			continue
		}
		slab = append(slab, srcDirective{})
		d := &slab[len(slab)-1]
		parseSrcDirective(l, d)
		if d.closing {
			// As the parser does: the innermost open section of that name.
			for k := len(stack) - 1; k >= 0; k-- {
				if stack[k].name == d.name {
					stack[k].close = d
					d.parent = stack[k].parent
					stack = stack[:k]
					break
				}
			}
			f.dirs = append(f.dirs, d)
			continue
		}
		if len(stack) > 0 {
			d.parent = stack[len(stack)-1]
			d.parent.kids = append(d.parent.kids, d)
			d.scope = d.parent
			if transparent(d.parent.name) {
				d.scope = d.parent.scope
			}
		}
		f.dirs = append(f.dirs, d)
		if d.section {
			stack = append(stack, d)
		}
	}
	return f
}

func parseSrcDirective(l *srcLine, d *srcDirective) {
	body, off := l.body()
	d.line = l
	switch {
	case strings.HasPrefix(body, "</"):
		d.closing = true
		d.name = lowerWord(strings.TrimSpace(strings.TrimSuffix(body[2:], ">")))
		return
	case body[0] == '<':
		d.section = true
		inner := strings.TrimSuffix(body[1:], ">")
		name, _ := splitName(inner)
		d.name = lowerWord(name)
		rs, re := off+1+len(name), off+1+len(inner)
		for rs < re && isSpace(l.text[rs]) {
			rs++
		}
		for re > rs && isSpace(l.text[re-1]) {
			re--
		}
		d.region = [2]int{rs, re}
	default:
		name, _ := splitName(body)
		d.name = lowerWord(name)
		d.region = [2]int{off + len(name), off + len(body)}
	}
}

// lowerWord is strings.ToLower without an allocation for the directive
// names a configuration repeats (commonNames, names.go).
func lowerWord(s string) string {
	if n, ok := commonNames[s]; ok {
		return n
	}
	return strings.ToLower(s)
}

// args returns the directive's argument words, read once when first
// needed: most directives of a file are never looked at.
func (d *srcDirective) args() []srcToken {
	if !d.tokDone {
		d.tokDone = true
		if !d.closing {
			d.toks = scanTokens(d.line.text[d.region[0]:d.region[1]], d.region[0])
		}
	}
	return d.toks
}

// directiveAt finds the directive the evidence points at: the logical
// line that starts on At's line, holding the directive At names.
func (f *fixFile) directiveAt(at rules.Evidence) (*srcDirective, error) {
	line := at.Range.Line
	if line <= 0 {
		return nil, fmt.Errorf("the remedy names no line")
	}
	var d *srcDirective
	for _, x := range f.dirs {
		if x.line.first == line {
			d = x
			break
		}
		if x.line.first < line && line <= x.line.last {
			return nil, fmt.Errorf("line %d continues the directive of line %d; the file changed since it was linted", line, x.line.first)
		}
	}
	if d == nil {
		return nil, fmt.Errorf("line %d holds no directive; the file changed since it was linted", line)
	}
	if want := evidenceName(at.Text); want != "" && want != d.name {
		if d.name == "use" {
			return nil, fmt.Errorf("line %d is a mod_macro Use: the %s directive comes from the macro's body, which is where to fix it", line, want)
		}
		return nil, fmt.Errorf("line %d holds %s, not the %s directive the finding names; the file changed since it was linted", line, d.name, want)
	}
	if d.closing {
		return nil, fmt.Errorf("line %d closes a section", line)
	}
	return d, nil
}

// evidenceName is the lower-case directive name of evidence text.
func evidenceName(text string) string {
	text = strings.TrimPrefix(strings.TrimSpace(text), "<")
	name, _ := splitName(text)
	return strings.ToLower(strings.TrimSuffix(name, ">"))
}

// edit replaces text[i:j] of a line.
func edit(l *srcLine, i, j int, repl string) rules.Edit {
	s, e := l.span(i, j)
	return rules.Edit{Start: s, End: e, New: repl}
}

// insertAfter returns an insertion of lines right after directive d's
// last physical line.
func (f *fixFile) insertAfter(d *srcDirective, lines []string) rules.Edit {
	eol := d.line.eol
	var b strings.Builder
	if eol == "" {
		eol = f.eol
		b.WriteString(eol) // the last line of the file had no line ending
	}
	for _, l := range lines {
		b.WriteString(l)
		b.WriteString(eol)
	}
	return rules.Edit{Start: d.line.end, End: d.line.end, New: b.String()}
}

// insertBefore returns an insertion of lines before directive d.
func (f *fixFile) insertBefore(d *srcDirective, lines []string) rules.Edit {
	eol := d.line.eol
	if eol == "" {
		eol = f.eol
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteString(eol)
	}
	return rules.Edit{Start: d.line.start, End: d.line.start, New: b.String()}
}

// bodyIndent is the indentation of the directives inside section s: that
// of its first child, else one level more than the section's own.
func bodyIndent(s *srcDirective) string {
	for _, k := range s.kids {
		if !k.closing {
			return k.line.indent()
		}
	}
	in := s.line.indent()
	if strings.Contains(in, "\t") {
		return in + "\t"
	}
	return in + "    "
}

// removeDirective deletes the directive's physical lines, line endings
// included: httpd has one directive per logical line, so nothing else
// lives there.
func (f *fixFile) removeDirective(d *srcDirective) ([]rules.Edit, error) {
	if d.section {
		return nil, fmt.Errorf("<%s> opens a section; removing it would remove what it holds", d.name)
	}
	return []rules.Edit{{Start: d.line.start, End: d.line.end}}, nil
}

// headerParts splits a Header directive's arguments: the table word
// (always/onsuccess) if any, the action, the header name, the rest.
type headerParts struct {
	table  *srcToken
	action srcToken
	name   srcToken
	rest   []srcToken
}

func splitHeader(d *srcDirective) (headerParts, error) {
	var h headerParts
	if d.name != "header" || d.section {
		return h, fmt.Errorf("%s is not a mod_headers Header directive", d.name)
	}
	args := d.args()
	if len(args) > 0 && (lowerIs(args[0].val, "always") || lowerIs(args[0].val, "onsuccess")) {
		h.table = &args[0]
		args = args[1:]
	}
	if len(args) < 2 {
		return h, fmt.Errorf("the Header directive has no action and header name")
	}
	h.action, h.name, h.rest = args[0], args[1], args[2:]
	return h, nil
}

// addAlways moves a Header directive to the always table: `Header set` →
// `Header always set`, `Header onsuccess set` → `Header always set`.
func (f *fixFile) addAlways(d *srcDirective) ([]rules.Edit, error) {
	h, err := splitHeader(d)
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(h.action.val) {
	case "set", "add", "append", "merge", "setifempty", "edit", "edit*", "unset":
	default:
		return nil, fmt.Errorf("the Header action %s is not one the always table takes", h.action.val)
	}
	if h.table != nil {
		if lowerIs(h.table.val, "always") {
			return nil, fmt.Errorf("the Header directive is already in the always table")
		}
		return []rules.Edit{edit(d.line, h.table.start, h.table.end, "always")}, nil
	}
	return []rules.Edit{edit(d.line, h.action.start, h.action.start, "always ")}, nil
}
