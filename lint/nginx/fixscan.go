package nginx

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"unsafe"

	"github.com/corsguard/corsguard/rules"
)

// The speller (fix.go) needs what crossplane does not give: the byte
// offsets of every directive and argument. It reads the file with the same
// byte-level tokenizer fastParse uses (flexer: crossplane's rules for
// comments, quotes, escapes and `${var}`, token values decoded the way the
// front end decodes them) and keeps only the shape: no argument checks,
// no includes. Input the tokenizer is not exact on (the cases fastParse
// hands to crossplane) is refused, so that no edit is ever placed on a
// guess.

// sdir is one directive as written.
type sdir struct {
	name   ftok
	args   []ftok
	term   ftok // the unquoted ";" or "{" that ends it
	closer int  // a block's "}" offset
	parent *sdir
	kids   []*sdir
}

func (d *sdir) isBlock() bool { return d.term.val == "{" }

// start and end are the directive's bytes in the source: from its name to
// its ";" or to the "}" closing its block.
func (d *sdir) start() int { return d.name.pos }
func (d *sdir) end() int {
	if d.isBlock() {
		return d.closer + 1
	}
	return d.term.end
}

// line is where the directive starts: the line evidence cites.
func (d *sdir) line() int { return d.name.line }

// text renders the directive the way node.text does (evidence texts),
// from the decoded values.
func (d *sdir) text() string {
	n := &node{name: d.name.val, isBlock: d.isBlock()}
	for _, a := range d.args {
		n.args = append(n.args, a.val)
	}
	if n.name == "if" {
		n.args = stripIfParens(n.args)
	}
	return n.render()
}

// ancestor returns the nearest enclosing block named name, or nil.
func (d *sdir) ancestor(name string) *sdir {
	for p := d.parent; p != nil && p.parent != nil; p = p.parent {
		if p.name.val == name {
			return p
		}
	}
	return nil
}

// stree is one file's directives with their offsets.
type stree struct {
	src  string
	root *sdir // the file itself: kids are the top-level directives
	all  []*sdir
}

// lastScan is the last file scanned, for the next remedy in the same
// file: lint/fix spells each finding's remedy on its own, and reading a
// big file again for each of its findings would make fixing it
// quadratic. It holds one file's tree (a few times the file's size, so
// at most some tens of MB for the largest file read) until another file
// is spelled. (A weak pointer was tried: the collections that fixing a
// big file triggers cleared it between nearly every two remedies.)
var lastScan struct {
	sync.Mutex
	tree *stree
	// from is the first byte of the slice the tree was scanned from: the
	// fixer passes one file's bytes (read once, never changed) for each
	// of its findings, and comparing a big file's bytes for each would
	// make fixing it quadratic again, so the same slice is recognised by
	// its address and length before any comparison of contents.
	from *byte
}

// scanCached is scanFile through lastScan. Trees are read-only once
// built, so callers may share one.
func scanCached(src []byte) (*stree, error) {
	lastScan.Lock()
	t, from := lastScan.tree, lastScan.from
	lastScan.Unlock()
	if t != nil && len(t.src) == len(src) && (from == unsafe.SliceData(src) || t.src == string(src)) {
		return t, nil
	}
	t, err := scanFile(string(src))
	if err != nil {
		return nil, err
	}
	lastScan.Lock()
	lastScan.tree, lastScan.from = t, unsafe.SliceData(src)
	lastScan.Unlock()
	return t, nil
}

// scanFile tokenizes src exactly or says why it cannot.
func scanFile(src string) (*stree, error) {
	switch {
	case len(src) > MaxFileSize:
		return nil, fmt.Errorf("file is larger than the %d MB limit", MaxFileSize>>20)
	case strings.IndexByte(src, 0) >= 0:
		return nil, fmt.Errorf("binary file (NUL byte)")
	case !asciiOrSafe(src):
		return nil, fmt.Errorf("invalid UTF-8 or a Unicode space: the tokenizer is not exact here")
	case strings.HasSuffix(src, "\\") || strings.Contains(src, "\\\n") || strings.Contains(src, "\\\r\n") || loneCR(src):
		return nil, fmt.Errorf("a backslash before a line break or a lone CR: the tokenizer is not exact here")
	}
	t := &stree{src: src, root: &sdir{term: ftok{val: "{"}}}
	l := flexer{src: src, line: 1}
	stack := []*sdir{t.root}
	luaSeen := 0
	for {
		tok, ok := l.next()
		if !ok {
			break
		}
		cur := stack[len(stack)-1]
		if !tok.quoted && tok.val == "}" {
			if len(stack) == 1 {
				return nil, fmt.Errorf("line %d: unexpected \"}\"", tok.line)
			}
			cur.closer = tok.pos
			stack = stack[:len(stack)-1]
			continue
		}
		if !tok.quoted && (tok.val == ";" || tok.val == "{") {
			return nil, fmt.Errorf("line %d: unexpected %q", tok.line, tok.val)
		}
		d := &sdir{name: tok, parent: cur}
		if !tok.quoted && luaBlocks[tok.val] {
			if err := t.luaBlock(&l, d); err != nil {
				return nil, err
			}
			luaSeen++
			cur.kids = append(cur.kids, d)
			t.all = append(t.all, d)
			continue
		}
		for {
			a, ok := l.next()
			if !ok {
				return nil, fmt.Errorf("line %d: directive %q is not terminated", tok.line, tok.val)
			}
			if !a.quoted && (a.val == ";" || a.val == "{" || a.val == "}") {
				if a.val == "}" {
					return nil, fmt.Errorf("line %d: directive %q is not terminated by \";\"", tok.line, tok.val)
				}
				d.term = a
				break
			}
			d.args = append(d.args, a)
		}
		cur.kids = append(cur.kids, d)
		t.all = append(t.all, d)
		if d.isBlock() {
			stack = append(stack, d)
		}
	}
	if l.bad {
		return nil, fmt.Errorf("line %d: syntax the tokenizer does not read exactly (`;;`, an unterminated quote, or `${` with spaces)", l.line)
	}
	if len(stack) != 1 {
		return nil, fmt.Errorf("line %d: the block opened here is never closed", stack[len(stack)-1].line())
	}
	if strings.Count(src, "_by_lua_block") != luaSeen {
		// crossplane switches to its Lua lexer on the word anywhere (an
		// argument, a comment's neighbour...): not mirrored here.
		return nil, fmt.Errorf("a *_by_lua_block word that does not start a directive: the tokenizer is not exact here")
	}
	return t, nil
}

// luaBlocks are the directives whose block crossplane (and so the front
// end) reads as one Lua token rather than as nginx syntax.
var luaBlocks = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range []string{"init", "init_worker", "exit_worker", "set", "content", "server_rewrite", "rewrite", "access",
		"header_filter", "body_filter", "log", "balancer", "ssl_client_hello", "ssl_certificate", "ssl_session_fetch", "ssl_session_store"} {
		m[n+"_by_lua_block"] = true
	}
	return m
}()

// luaBlock reads a *_by_lua_block directive the way crossplane's Lua
// lexer does: set_by_lua_block takes one word first; then `{`, and the
// block ends at the brace that balances it, braces inside '…' or "…"
// (no escapes) not counted. The directive's terminator is that brace.
func (t *stree) luaBlock(l *flexer, d *sdir) error {
	if d.name.val == "set_by_lua_block" {
		a, ok := l.next()
		if !ok || a.quoted || a.val == "{" || a.val == ";" || a.val == "}" {
			return fmt.Errorf("line %d: set_by_lua_block without its variable", d.line())
		}
		if a.end < len(l.src) && l.src[a.end] == '{' {
			// crossplane reads the variable up to a space: `$v{` would
			// be one word to it.
			return fmt.Errorf("line %d: set_by_lua_block's variable runs into its block: the tokenizer is not exact here", d.line())
		}
		d.args = append(d.args, a)
	}
	src, i := l.src, l.i
	for i < len(src) && strings.IndexByte(" \t\r\n\v\f", src[i]) >= 0 {
		if src[i] == '\n' {
			l.line++
		}
		i++
	}
	if i >= len(src) || src[i] != '{' {
		return fmt.Errorf("line %d: %s without a Lua block", d.line(), d.name.val)
	}
	depth, quote := 0, byte(0)
	for ; i < len(src); i++ {
		switch c := src[i]; {
		case c == '\n':
			l.line++
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				d.term = ftok{val: ";", line: l.line, pos: i, end: i + 1}
				l.i, l.dup = i+1, false
				return nil
			}
		}
	}
	return fmt.Errorf("line %d: the Lua block of %s is never closed", d.line(), d.name.val)
}

// errWholeSnippet: the evidence is a snippet file's own scope (the front
// end names it "snippet <file>"), not a directive.
var errWholeSnippet = errors.New("the scope is the whole snippet file: its block is in the file that includes it")

// find returns the directive evidence ev cites: the one starting on its
// line, and when several do, the one whose text is ev.Text.
func (t *stree) find(ev rules.Evidence) (*sdir, error) {
	// t.all is in source order, so by line: the directives starting on
	// the line are one run of it.
	i := sort.Search(len(t.all), func(i int) bool { return t.all[i].line() >= ev.Range.Line })
	j := i
	for j < len(t.all) && t.all[j].line() == ev.Range.Line {
		j++
	}
	on := t.all[i:j]
	if len(on) == 0 {
		if strings.HasPrefix(ev.Text, "snippet ") {
			return nil, errWholeSnippet
		}
		return nil, fmt.Errorf("no directive starts on line %d", ev.Range.Line)
	}
	if ev.Text == "" {
		if len(on) > 1 {
			return nil, fmt.Errorf("line %d holds %d directives and the evidence does not say which", ev.Range.Line, len(on))
		}
		return on[0], nil
	}
	var match []*sdir
	for _, d := range on {
		if d.text() == ev.Text {
			match = append(match, d)
		}
	}
	switch len(match) {
	case 0:
		if strings.HasPrefix(ev.Text, "snippet ") {
			return nil, errWholeSnippet
		}
		return nil, fmt.Errorf("line %d does not hold %q (has the file changed?)", ev.Range.Line, ev.Text)
	case 1:
		return match[0], nil
	}
	return nil, fmt.Errorf("line %d holds %q %d times", ev.Range.Line, ev.Text, len(match))
}

// Layout helpers: edits keep the file's indentation and line endings.

// lineStart is the offset of the first byte of the line holding pos.
func (t *stree) lineStart(pos int) int { return strings.LastIndexByte(t.src[:pos], '\n') + 1 }

// indent is the leading blanks of the line holding pos.
func (t *stree) indent(pos int) string {
	s := t.lineStart(pos)
	e := s
	for e < len(t.src) && (t.src[e] == ' ' || t.src[e] == '\t') {
		e++
	}
	return t.src[s:e]
}

// startsLine reports whether only blanks precede pos on its line.
func (t *stree) startsLine(pos int) bool {
	return strings.Trim(t.src[t.lineStart(pos):pos], " \t") == ""
}

// eol returns where the line holding pos ends (its CR or LF, or the end
// of the file) and whether only blanks and a comment follow pos there.
func (t *stree) eol(pos int) (int, bool) {
	e := strings.IndexByte(t.src[pos:], '\n')
	if e < 0 {
		e = len(t.src)
	} else {
		e += pos
	}
	if e > pos && t.src[e-1] == '\r' {
		e--
	}
	rest := strings.TrimLeft(t.src[pos:e], " \t")
	return e, rest == "" || rest[0] == '#'
}

// newline is the file's line ending: CRLF when its first line ends so.
func (t *stree) newline() string {
	if i := strings.IndexByte(t.src, '\n'); i > 0 && t.src[i-1] == '\r' {
		return "\r\n"
	}
	return "\n"
}

// unit is one level of indentation as the file writes it: the first
// nested directive's indentation beyond its block's; four spaces in a
// file with no nesting on separate lines.
func (t *stree) unit() string {
	for _, d := range t.all {
		p := d.parent
		if p == t.root || !t.startsLine(d.start()) || !t.startsLine(p.start()) {
			continue
		}
		in, pin := t.indent(d.start()), t.indent(p.start())
		if len(in) > len(pin) && strings.HasPrefix(in, pin) {
			return in[len(pin):]
		}
	}
	return "    "
}

// childIndent is the indentation of the directives inside block b.
func (t *stree) childIndent(b *sdir) string {
	for _, k := range b.kids {
		if t.startsLine(k.start()) {
			return t.indent(k.start())
		}
	}
	if b == t.root {
		return ""
	}
	return t.indent(b.start()) + t.unit()
}
