package apache

import (
	"bytes"
	"path/filepath"
	"strconv"
	"strings"
	"unsafe"

	"github.com/corsguard/corsguard/lint/source"
	"github.com/corsguard/corsguard/rules"
)

// Limits that keep a hostile or broken tree from exhausting the linter.
const (
	maxFileSize     = source.MaxFileSize // bytes per file
	maxIncludeDepth = 64                 // httpd itself stops at 128
	maxFiles        = 4096               // files read for one entry
	maxTreeSize     = 64 << 20           // bytes of all the files read for one entry
)

// node is one directive or section after includes, IfDefine and IfModule
// have been resolved. Sections keep their children; conditional wrappers
// (IfModule, IfDefine, ...) are spliced away.
type node struct {
	name    string   // lower-case directive name, without '<'
	args    []string // arguments after ${VAR} substitution and unquoting
	raw     string   // arguments as written (after substitution), for <If> expressions
	text    string   // the whole directive on one line, for evidence
	rng     span
	section bool
	// fromMacro: expanded from a <Macro> body; rng is the Use line, so
	// the directive itself is not at rng (a fix cannot edit it there).
	fromMacro bool
	kids      []*node
	// facts holds the parsed forms of a Header or environment directive,
	// computed once: a node is analysed once per scope it applies to, and
	// a server-wide directive applies to every VirtualHost. Other
	// directives (most of them) never allocate it.
	facts *nodeFacts
}

// span is where a directive is: rules.Range without the columns httpd
// never reports, so that a node stays small.
type span struct {
	file          string
	line, endLine int32 // files are at most maxFileSize bytes
}

func spanOf(r rules.Range) span {
	return span{file: r.File, line: int32(r.Line), endLine: int32(r.EndLine)}
}

// r is the span as the model's Range.
func (s span) r() rules.Range {
	return rules.Range{File: s.file, Line: int(s.line), EndLine: int(s.endLine)}
}

type nodeFacts struct {
	hdr     hop
	hdrOK   bool
	hdrDone bool
	env     []setter
	envDone bool
	handler *outcome // handlerOutcome
}

func (n *node) parsed() *nodeFacts {
	if n.facts == nil {
		n.facts = &nodeFacts{}
	}
	return n.facts
}

// header returns the parsed Header directive (nil if malformed).
func (n *node) header() *hop {
	f := n.parsed()
	if !f.hdrDone {
		f.hdrDone = true
		f.hdrOK = parseHeader(n, &f.hdr)
	}
	if !f.hdrOK {
		return nil
	}
	return &f.hdr
}

// setters returns the environment variables the directive sets.
func (n *node) setters() []setter {
	if !setsEnv(n.name) {
		return nil
	}
	f := n.parsed()
	if !f.envDone {
		f.env, f.envDone = envSetters(n), true
	}
	return f.env
}

func (n *node) arg(i int) string {
	if i < len(n.args) {
		return n.args[i]
	}
	return ""
}

// evidence points at the directive; for a section, at its opening line
// (where an <If> keeps its regex).
func (n *node) evidence() rules.Evidence {
	r := n.rng.r()
	if n.section {
		r.EndLine = 0
	}
	return rules.Evidence{Range: r, Text: n.text}
}

// frame is an open section while a file is being read.
type frame struct {
	name        string // lower-case section name
	written     string // as written, for messages
	open        rules.Range
	target      *node // where children go (nil while inactive)
	transparent bool  // IfModule, IfDefine...: children go to the parent section
	active      bool
	// macro collects the body of a <Macro> section while it is read.
	macro *macro
	// owns is set when this frame collects target's children on the
	// loader's pending stack from index start (see loader.pend).
	owns  bool
	start int
}

// loader reads an entry file and everything it includes.
type loader struct {
	defines  map[string]string
	diags    []rules.Diagnostic
	files    []string
	stack    []string // absolute paths of the files being read, for loop detection
	entryDir string
	given    map[string][]byte  // contents already read by the caller
	warnings []rules.Diagnostic // includes not found: linted without them
	roots    []string           // candidate ServerRoot directories, best first
	declRoot string             // ServerRoot as written
	nfiles   int
	// readBytes is what the files read so far hold.
	readBytes int64
	tokBuf    []string
	macros    map[string]*macro
	exp       expansion

	// Nodes and their argument slices are carved from chunks: a large
	// config has tens of thousands of directives, and one allocation per
	// directive dominated the parse.
	slab  []node
	arena []string

	// Children are collected on one pending stack while their section is
	// open and copied out, at their final size, when it closes: growing
	// every section's kids slice one append at a time cost several
	// allocations per section. The tail of pend always belongs to the
	// section currently receiving directives (an included file or a macro
	// body adds to the section around its Include or Use).
	pend    []*node
	kidsBuf []*node
	depth   int      // parseLines calls in progress
	frames  []*frame // closed frames, reused

	names [64]struct{ written, lower string } // see loader.lowerName
}

// flushKids moves the pending children of an owning frame into its node.
func (l *loader) flushKids(f *frame) {
	if !f.owns {
		return
	}
	f.owns = false
	kids := l.pend[f.start:]
	switch {
	case len(kids) == 0:
	case len(f.target.kids) > 0:
		f.target.kids = append(f.target.kids, kids...)
	default:
		if len(l.kidsBuf)+len(kids) > cap(l.kidsBuf) {
			l.kidsBuf = make([]*node, 0, max(1024, len(kids)))
		}
		start := len(l.kidsBuf)
		l.kidsBuf = append(l.kidsBuf, kids...)
		f.target.kids = l.kidsBuf[start:len(l.kidsBuf):len(l.kidsBuf)]
	}
	clear(kids)
	l.pend = l.pend[:f.start]
}

// newFrame returns a zeroed frame, reusing a closed one when there is one.
func (l *loader) newFrame() *frame {
	if n := len(l.frames); n > 0 {
		f := l.frames[n-1]
		l.frames = l.frames[:n-1]
		*f = frame{}
		return f
	}
	return &frame{}
}

func (l *loader) newNode() *node {
	if len(l.slab) == cap(l.slab) {
		l.slab = make([]node, 0, 512)
	}
	l.slab = l.slab[:len(l.slab)+1]
	return &l.slab[len(l.slab)-1]
}

func (l *loader) keepArgs(args []string) []string {
	if len(args) == 0 {
		return nil
	}
	if len(l.arena)+len(args) > cap(l.arena) {
		l.arena = make([]string, 0, max(1024, len(args)))
	}
	start := len(l.arena)
	l.arena = append(l.arena, args...)
	return l.arena[start:len(l.arena):len(l.arena)]
}

func newLoader(entry string) *loader {
	l := &loader{defines: map[string]string{}, entryDir: filepath.Dir(entry)}
	l.roots = guessRoots(l.entryDir, "")
	return l
}

func (l *loader) errorf(r rules.Range, format string, args ...any) {
	l.diags = append(l.diags, rules.Errorf(r, format, args...))
}

// readFile loads a file subject to the size and binary checks; ok is false
// when the file must be skipped (a diagnostic has been recorded). Files are
// read through lint/source, which refuses devices and FIFOs (an Include of
// /dev/zero would never end) by type before opening them. The entry file's
// contents may have been read already by the caller (standard input, or
// the walker that detected its format).
func (l *loader) readFile(path string, from rules.Range) (string, bool) {
	at := from
	if at.File == "" {
		at = rules.Range{File: path, Line: 1}
	}
	data, given := l.given[path]
	if !given {
		var err error
		if data, err = source.Read(path); err != nil {
			if source.IsKind(err, source.TooBig) {
				at = rules.Range{File: path, Line: 1}
			}
			l.errorf(at, "%v", err)
			return "", false
		}
	}
	if l.readBytes+int64(len(data)) > l.exp.limit.bytes {
		// Checked after the read: one file is at most maxFileSize.
		l.overBudget(at, "the files read exceed %d MB in total; %s and any later include skipped", l.exp.limit.bytes>>20, path)
		return "", false
	}
	l.readBytes += int64(len(data))
	if i := bytes.IndexByte(data, 0); i >= 0 {
		line := 1 + bytes.Count(data[:i], []byte{'\n'})
		l.errorf(rules.Range{File: path, Line: line}, "binary file (NUL byte): not an Apache configuration")
		return "", false
	}
	if len(data) == 0 {
		return "", true
	}
	// The buffer is never written again, so the text can share it instead
	// of being copied (strings from it live as long as the parse result).
	return unsafe.String(&data[0], len(data)), true
}

// load reads one file into parent. from is the Include directive that asked
// for it (zero for the entry file).
func (l *loader) load(path string, parent *node, from rules.Range) {
	clean := filepath.Clean(path)
	abs, err := filepath.Abs(clean)
	if err != nil {
		abs = clean
	}
	for i, s := range l.stack {
		if s == abs {
			chain := make([]string, 0, len(l.stack)-i+1)
			for _, p := range l.stack[i:] {
				chain = append(chain, filepath.Base(p))
			}
			chain = append(chain, filepath.Base(abs))
			l.errorf(from, "include loop: %s", strings.Join(chain, " -> "))
			return
		}
	}
	if len(l.stack) >= maxIncludeDepth {
		l.errorf(from, "includes nested deeper than %d levels", maxIncludeDepth)
		return
	}
	if l.nfiles >= l.exp.limit.files {
		l.overBudget(from, "more than %d files included; stopping", l.exp.limit.files)
		return
	}
	l.nfiles++
	src, ok := l.readFile(clean, from)
	if !ok {
		return
	}
	l.files = append(l.files, clean)
	l.stack = append(l.stack, abs)
	l.parse(clean, src, parent)
	l.stack = l.stack[:len(l.stack)-1]
}

// Conditional wrappers httpd resolves while reading: their contents belong
// to the enclosing section.
var transparentSections = map[string]bool{
	"ifmodule": true, "ifdefine": true, "ifversion": true, "ifdirective": true,
	"ifsection": true, "iffile": true, "macro": true,
}

// parse reads one file's text into parent, following httpd's rule that
// sections must be closed in the file that opens them.
func (l *loader) parse(file, src string, parent *node) {
	l.parseLines(file, src, nil, parent, nil)
}

// parseLines reads a file's text (src), or already split lines (a macro
// body being expanded, with use as the Use directive that expands it).
func (l *loader) parseLines(file, src string, lines []logicalLine, parent *node, use *node) {
	// The outermost call collects the entry's top level; a nested call (an
	// Include, a Use) adds to the section that is open in its caller.
	l.depth++
	root := &frame{name: "", target: parent, active: true, owns: l.depth == 1, start: len(l.pend)}
	stack := []*frame{root}
	each := func(emit func(logicalLine)) {
		if lines == nil {
			splitLines(src, emit)
			return
		}
		for _, ll := range lines {
			emit(ll)
		}
	}
	each(func(ll logicalLine) {
		top := stack[len(stack)-1]
		// A <Macro> body is recorded as written, to be expanded by Use.
		for _, f := range stack {
			if f.macro == nil {
				continue
			}
			closesIt := len(stack) > 1 && stack[len(stack)-1] == f && hasPrefixFold(ll.text, "</macro")
			if !closesIt {
				f.macro.lines = append(f.macro.lines, ll)
				break
			}
		}
		rng := rules.Range{File: file, Line: ll.line}
		if use != nil {
			// Expanded text: findings point at the Use that chose the
			// arguments; the text says which template line it came from.
			rng = use.rng.r()
			ll.text = strings.TrimSpace(ll.text)
		}
		if ll.endLine != ll.line {
			rng.EndLine = ll.endLine
		}
		text := ll.text
		if strings.HasPrefix(text, "</") {
			name := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(text[2:]), ">"))
			if !strings.HasSuffix(text, ">") {
				l.errorf(rng, "</%s directive missing closing '>'", name)
			}
			lname := l.lowerName(name)
			// Find the matching open section in this file.
			match := -1
			for i := len(stack) - 1; i > 0; i-- {
				if stack[i].name == lname {
					match = i
					break
				}
			}
			if match < 0 {
				if len(stack) > 1 {
					l.errorf(rng, "</%s> without matching <%s> (expected </%s> for the section opened at line %d)", name, name, top.written, top.open.Line)
				} else {
					l.errorf(rng, "</%s> without matching <%s>", name, name)
				}
				return
			}
			for i := len(stack) - 1; i > match; i-- {
				l.errorf(stack[i].open, "<%s> is not closed (found </%s> at line %d)", stack[i].written, name, ll.line)
			}
			for i := len(stack) - 1; i >= match; i-- {
				l.flushKids(stack[i])
			}
			closed := stack[match]
			if closed.macro != nil {
				if l.macros == nil {
					l.macros = map[string]*macro{}
				}
				l.macros[closed.macro.name] = closed.macro
			}
			if closed.target != nil && !closed.transparent && int(closed.target.rng.endLine) < ll.endLine {
				closed.target.rng.endLine = int32(ll.endLine)
			}
			l.frames = append(l.frames, stack[match:]...)
			clear(stack[match:])
			stack = stack[:match]
			return
		}
		if text[0] == '<' {
			body := text[1:]
			if strings.HasSuffix(body, ">") {
				body = body[:len(body)-1]
			} else {
				nm, _ := splitName(body)
				l.errorf(rng, "<%s> directive missing closing '>'", nm)
			}
			written, rest := splitName(body)
			lname := l.lowerName(written)
			f := l.newFrame()
			f.name, f.written, f.open = lname, written, rng
			if lname == "" {
				l.errorf(rng, "empty section name")
			}
			if !top.active {
				stack = append(stack, f)
				return
			}
			if strings.Contains(rest, "${") {
				var ok bool
				if rest, ok = l.substitute(rest, rng); !ok {
					// Left out with everything inside it.
					stack = append(stack, f)
					return
				}
			}
			if lname == "macro" {
				if args, _ := tokenize(rest, nil); len(args) > 0 {
					f.macro = &macro{name: strings.ToLower(args[0]), params: args[1:], file: file}
				}
			}
			if transparentSections[lname] {
				f.transparent = true
				f.active = l.conditionHolds(lname, rest)
				if f.active {
					f.target = top.target
				}
				stack = append(stack, f)
				return
			}
			n := l.newNode()
			*n = node{name: lname, raw: rest, text: text, rng: spanOf(rng), section: true}
			args, unterminated := tokenize(rest, l.tokBuf[:0])
			n.args = l.keepArgs(args)
			l.tokBuf = args
			if unterminated {
				l.errorf(rng, "unterminated quoted argument in <%s>", written)
			}
			n.rng.endLine = int32(ll.endLine)
			l.checkExpressions(n, rng)
			l.pend = append(l.pend, n)
			f.target = n
			f.active = true
			f.owns, f.start = true, len(l.pend)
			stack = append(stack, f)
			return
		}
		if !top.active {
			return
		}
		written, rest := splitName(text)
		if strings.Contains(rest, "${") {
			var ok bool
			if rest, ok = l.substitute(rest, rng); !ok {
				return
			}
		}
		args, unterminated := tokenize(rest, l.tokBuf[:0])
		if unterminated {
			l.errorf(rng, "unterminated quoted argument in %s", written)
		}
		n := l.newNode()
		*n = node{name: l.lowerName(written), raw: rest, text: text, rng: spanOf(rng)}
		if use != nil {
			n.text = text + "   (from macro " + use.args[0] + ", " + file + ":" + strconv.Itoa(ll.line) + ")"
			n.fromMacro = true
		}
		n.args = l.keepArgs(args)
		l.tokBuf = args
		l.checkExpressions(n, rng)
		switch n.name {
		case "use":
			l.expand(n, top.target)
			return
		case "undefmacro":
			if len(n.args) >= 1 {
				delete(l.macros, strings.ToLower(n.args[0]))
			}
		case "define":
			if len(n.args) >= 1 {
				l.defines[n.args[0]] = strings.Join(n.args[1:], " ")
			}
		case "undefine":
			if len(n.args) >= 1 {
				delete(l.defines, n.args[0])
			}
		case "serverroot":
			if len(n.args) >= 1 {
				l.declRoot = n.args[0]
				l.roots = guessRoots(l.entryDir, l.declRoot)
			}
		case "include", "includeoptional":
			l.include(n, top.target)
			return
		}
		l.pend = append(l.pend, n)
	})
	for i := len(stack) - 1; i > 0; i-- {
		l.errorf(stack[i].open, "<%s> is not closed before the end of the file", stack[i].written)
		l.flushKids(stack[i])
	}
	l.flushKids(root)
	l.depth--
}

// conditionHolds decides the wrappers httpd evaluates at read time.
// IfModule: the common modules (headers, rewrite, setenvif, ssl, proxy...)
// are taken to be loaded, so `<IfModule mod_x.c>` is read and
// `<IfModule !mod_x.c>` is not. IfDefine follows Define/UnDefine seen so far
// (and -D is unknown, so undefined names are false). Macro bodies are
// templates, not configuration.
func (l *loader) conditionHolds(name, rest string) bool {
	arg := unquote(rest)
	neg := strings.HasPrefix(arg, "!")
	arg = strings.TrimPrefix(arg, "!")
	switch name {
	case "macro":
		return false
	case "ifdefine":
		_, ok := l.defines[arg]
		return ok != neg
	default:
		return !neg
	}
}

// sectionName is a section's name as written: `Location`.
func sectionName(n *node) string {
	name, _ := splitName(strings.TrimPrefix(n.text, "<"))
	return strings.TrimSuffix(name, ">")
}

// describeLen is the length describeTo writes.
func describeLen(n *node) int {
	size := len(sectionName(n))
	for _, a := range n.args {
		size += 1 + len(a)
	}
	return size
}

// describeTo writes a section as scope names show it: `Location /v1`.
func describeTo(b *strings.Builder, n *node) {
	b.WriteString(sectionName(n))
	for _, a := range n.args {
		b.WriteByte(' ')
		b.WriteString(a)
	}
}
