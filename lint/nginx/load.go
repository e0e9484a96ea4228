package nginx

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"
	"unsafe"

	crossplane "github.com/nginxinc/nginx-go-crossplane"

	"github.com/corsguard/corsguard/lint/source"
	"github.com/corsguard/corsguard/rules"
)

// Limits that keep a hostile or broken tree from exhausting the linter.
const (
	// MaxFileSize is the largest file read; bigger files get a diagnostic.
	MaxFileSize = source.MaxFileSize
	// maxIncludeDepth bounds nested includes (nginx itself has no limit,
	// but real trees are a few levels deep).
	maxIncludeDepth = 32
	// maxNodes bounds the size of the include-expanded tree (an include of
	// a glob of files that each include the glob again grows exponentially
	// without being a loop).
	maxNodes = 4 << 20
)

// node is one directive after include expansion, with the file it came
// from. Nodes are immutable once built; include expansion shares subtrees
// that contain no include.
type node struct {
	name  string
	args  []string
	file  string
	block []*node
	line  int32 // files are at most MaxFileSize bytes; 4 bytes keep node in a smaller size class
	// isBlock is true for `name args { ... }`, even when the block is empty.
	isBlock bool
	// txtSource: txt is the directive's source text, not yet compared
	// with what render writes.
	txtSource bool
	txt       string     // text(), computed once
	cond      *condition // parseCondition of an if, computed once
}

func (n *node) rng() rules.Range { return rules.Range{File: n.file, Line: int(n.line)} }

// text renders the directive on one line, the way it is written (block
// contents elided).
func (n *node) text() string {
	if n.txtSource {
		// Most directives are written the way render writes them: then
		// the source text is the text, and costs nothing.
		n.txtSource = false
		if !n.rendersAs(n.txt) {
			n.txt = ""
		}
	}
	if n.txt == "" {
		n.txt = n.render()
	}
	return n.txt
}

// rendersAs reports whether render() == s, without building it.
func (n *node) rendersAs(s string) bool {
	next := func(p string) bool {
		if !strings.HasPrefix(s, p) {
			return false
		}
		s = s[len(p):]
		return true
	}
	arg := func(a string) bool { return !needsQuotes(a) && next(a) }
	if !next(n.name) {
		return false
	}
	if n.name == "if" {
		if !next(" (") {
			return false
		}
		for i, a := range n.args {
			if i > 0 && !next(" ") || !arg(a) {
				return false
			}
		}
		if !next(")") {
			return false
		}
	} else {
		for _, a := range n.args {
			if !next(" ") || !arg(a) {
				return false
			}
		}
	}
	if n.isBlock {
		return s == " {"
	}
	return s == ";"
}

func (n *node) render() string {
	var b strings.Builder
	size := len(n.name) + 4
	for _, a := range n.args {
		size += len(a) + 3
	}
	b.Grow(size)
	b.WriteString(n.name)
	if n.name == "if" {
		// crossplane strips the parentheses; put them back.
		b.WriteString(" (")
		writeArgs(&b, n.args)
		b.WriteByte(')')
	} else {
		for _, a := range n.args {
			b.WriteByte(' ')
			b.WriteString(quoteArg(a))
		}
	}
	if n.isBlock {
		b.WriteString(" {")
	} else {
		b.WriteByte(';')
	}
	return b.String()
}

func (n *node) evidence() rules.Evidence {
	return rules.Evidence{Range: n.rng(), Text: n.text()}
}

func (n *node) arg(i int) string {
	if i >= 0 && i < len(n.args) {
		return n.args[i]
	}
	return ""
}

// quoteArg quotes an argument when nginx would need quotes to read it back.
func quoteArg(a string) string {
	if !needsQuotes(a) {
		return a
	}
	return `"` + strings.ReplaceAll(a, `"`, `\"`) + `"`
}

// needsQuotes reports whether quoteArg(a) != a.
func needsQuotes(a string) bool {
	if a == "" {
		return true
	}
	for i := 0; i < len(a); i++ {
		switch a[i] {
		case ' ', '\t', '\r', '\n', ';', '{', '}', '"', '\'':
			return true
		}
	}
	return false
}

// parsedFile is the cached result of reading and parsing one file.
type parsedFile struct {
	nodes []*node
	ok    bool // false when the file could not be read or parsed at all
}

// loader reads files, parses them with crossplane (one file at a time) and
// expands includes per including context.
type loader struct {
	prefix string // nginx's prefix: where relative includes resolve
	cache  map[string]*parsedFile
	given  map[string][]byte // contents already read by the caller
	files  []string
	seen   map[string]bool
	diags  []rules.Diagnostic
	// warnings: includes not found (linted without them).
	warnings []rules.Diagnostic
	nodes    int
	capped   bool
}

func newLoader(entry string) *loader {
	return &loader{
		prefix: findPrefix(entry),
		cache:  map[string]*parsedFile{},
		seen:   map[string]bool{},
	}
}

// findPrefix returns the directory relative includes resolve against: the
// nearest directory at or above the entry file's that holds nginx.conf (so
// that sites-enabled/x includes `snippets/cors.conf` from /etc/nginx), else
// the entry file's own directory.
func findPrefix(entry string) string {
	dir := filepath.Dir(entry)
	for d, i := dir, 0; i < 4; i++ {
		if st, err := os.Stat(filepath.Join(d, "nginx.conf")); err == nil && st.Mode().IsRegular() {
			return d
		}
		up := filepath.Dir(d)
		if up == d {
			break
		}
		d = up
	}
	return dir
}

func (l *loader) diag(r rules.Range, format string, args ...any) {
	l.diags = append(l.diags, rules.Errorf(r, format, args...))
}

func (l *loader) noteFile(path string) {
	if !l.seen[path] {
		l.seen[path] = true
		l.files = append(l.files, path)
	}
}

// load reads and parses one file, once. Files are read through
// lint/source: a FIFO, device or socket named by an include is refused by
// type before it is opened. The entry file's contents may have been read
// already by the caller (standard input, or the walker that detected its
// format): then they are used instead of reading the file again.
func (l *loader) load(path string, from rules.Range) *parsedFile {
	if pf, ok := l.cache[path]; ok {
		return pf
	}
	pf := &parsedFile{}
	l.cache[path] = pf
	raw, given := l.given[path]
	if !given {
		var err error
		if raw, err = source.Read(path); err != nil {
			r := rules.Range{File: path, Line: 1}
			if from.File != "" && !source.IsKind(err, source.TooBig) {
				r = from
			}
			l.diag(r, "%v", err)
			return pf
		}
	}
	l.noteFile(path)
	// The parser's tokens are substrings of data: the buffer is never
	// written again, so the text shares it instead of being copied.
	var data string
	if len(raw) > 0 {
		data = unsafe.String(&raw[0], len(raw))
	}
	if msg, line := binaryReason(data); msg != "" {
		l.diag(rules.Range{File: path, Line: line}, "%s, not nginx configuration", msg)
		return pf
	}
	nodes, ok := l.parseBytes(path, data)
	pf.nodes, pf.ok = nodes, ok
	return pf
}

// binaryReason reports why data is not text: NUL bytes, or mostly invalid
// UTF-8 (a few stray Latin-1 bytes in comments are tolerated).
func binaryReason(data string) (string, int) {
	if i := strings.IndexByte(data, 0); i >= 0 {
		return "binary file (NUL byte)", 1 + strings.Count(data[:i], "\n")
	}
	if utf8.ValidString(data) {
		return "", 0
	}
	bad, first := 0, -1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRuneInString(data[i:])
		if r == utf8.RuneError && size == 1 {
			bad++
			if first < 0 {
				first = i
			}
		}
		i += size
	}
	if bad*20 > len(data) || bad > 1024 {
		return "binary file (invalid UTF-8)", 1 + strings.Count(data[:first], "\n")
	}
	return "", 0
}

// parseBytes runs crossplane on one file's contents. Includes are left in
// place (SingleFile): crossplane parses an included file once, in the first
// context it meets it, and rejects the whole tree on an include cycle,
// while nginx semantics need each include expanded where it appears.
func (l *loader) parseBytes(path string, data string) ([]*node, bool) {
	if nodes, ok := fastParse(data, path); ok {
		return nodes, true
	}
	opts := &crossplane.ParseOptions{
		SingleFile:                true,
		ParseComments:             true,
		SkipDirectiveContextCheck: true,
		ErrorOnUnknownDirectives:  false,
		Open: func(p string) (io.ReadCloser, error) {
			if p != path {
				return nil, fmt.Errorf("%s: unexpected open", p)
			}
			return io.NopCloser(strings.NewReader(data)), nil
		},
	}
	// The Lua lexer keeps *_by_lua_block bodies (Lua, not nginx syntax) in
	// one token. It costs a map lookup per character, so only when needed.
	if strings.Contains(data, "_by_lua_block") {
		opts.LexOptions = crossplane.LexOptions{Lexers: []crossplane.RegisterLexer{(&crossplane.Lua{}).RegisterLexer()}}
	}
	payload, err := safeParse(path, opts)
	if err != nil {
		l.diag(rules.Range{File: path, Line: 1}, "%s", errText(err))
		return nil, false
	}
	if len(payload.Config) == 0 {
		return nil, true
	}
	// SingleFile: exactly one config, the file itself.
	c := payload.Config[0]
	for _, e := range c.Errors {
		line := 1
		if e.Line != nil {
			line = *e.Line
		}
		msg := errText(e.Error)
		if strings.Contains(msg, "unexpected end of file") {
			if open := unclosedBlock(data); open > 0 {
				msg += fmt.Sprintf("; the block opened at line %d is never closed", open)
			}
		}
		l.diag(rules.Range{File: path, Line: line}, "%s", msg)
	}
	return convert(c.Parsed, path), len(c.Errors) == 0 || len(c.Parsed) > 0
}

// safeParse runs crossplane, turning a panic into an error: it slices
// `if ()` out of range in contexts it does not check, for one. (Its lexer
// goroutine may then stay blocked on a full channel; that costs memory, not
// correctness.)
func safeParse(path string, opts *crossplane.ParseOptions) (p *crossplane.Payload, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, fmt.Errorf("nginx-go-crossplane failed on this file (%v); fix the syntax errors nginx -t reports", r)
		}
	}()
	return crossplane.Parse(path, opts)
}

// errText strips crossplane's " in file:line" suffix: the diagnostic's range
// carries the position.
func errText(err error) string {
	var pe *crossplane.ParseError
	if errors.As(err, &pe) {
		msg := pe.What
		if strings.Contains(msg, "unexpected end of file") {
			msg += " (unbalanced braces: the file looks truncated)"
		}
		return msg
	}
	return err.Error()
}

// unclosedBlock returns the line of the innermost `{` left open at the end
// of the file (quotes, escapes and comments respected), or 0.
func unclosedBlock(data string) int {
	var open []int
	line := 1
	var quote byte
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case c == '\n':
			line++
		case c == '\\':
			if i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#':
			for i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
		case c == '{':
			open = append(open, line)
		case c == '}' && len(open) > 0:
			open = open[:len(open)-1]
		}
	}
	if len(open) == 0 {
		return 0
	}
	return open[len(open)-1]
}

func convert(ds crossplane.Directives, file string) []*node {
	out := make([]*node, 0, len(ds))
	for _, d := range ds {
		if d.IsComment() {
			continue
		}
		n := &node{name: d.Directive, args: d.Args, file: file, line: int32(d.Line), isBlock: d.Block != nil}
		if d.Block != nil {
			n.block = convert(d.Block, file)
		}
		out = append(out, n)
	}
	return out
}

// expand returns nodes with every include replaced by the included files'
// contents, recursively, so that a snippet included in two locations yields
// facts in both. stack holds the files being expanded (loop detection).
func (l *loader) expand(nodes []*node, stack []string) []*node {
	if l.capped {
		return nil
	}
	var out []*node
	changed := false
	for i, n := range nodes {
		l.nodes++
		if l.nodes > maxNodes {
			l.capped = true
			l.diag(n.rng(), "configuration expands to more than %d directives through includes; stopped here", maxNodes)
			return out
		}
		switch {
		case n.name == "include" && !n.isBlock:
			if !changed {
				out = append(make([]*node, 0, len(nodes)+8), nodes[:i]...)
				changed = true
			}
			out = append(out, l.include(n, stack)...)
			continue
		case n.isBlock && len(n.block) > 0:
			inner := l.expand(n.block, stack)
			if !sameSlice(inner, n.block) {
				if !changed {
					out = append(make([]*node, 0, len(nodes)), nodes[:i]...)
					changed = true
				}
				cp := *n
				cp.block = inner
				out = append(out, &cp)
				continue
			}
		}
		if changed {
			out = append(out, n)
		}
	}
	if !changed {
		return nodes
	}
	return out
}

func sameSlice(a, b []*node) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// include resolves one include directive in its context.
func (l *loader) include(n *node, stack []string) []*node {
	if len(n.args) != 1 {
		l.diag(n.rng(), "include takes exactly one argument, got %d", len(n.args))
		return nil
	}
	pattern := n.args[0]
	paths, err := l.resolveInclude(pattern, filepath.Dir(n.file))
	if errors.Is(err, errNoInclude) {
		// mime.types, fastcgi_params, /etc/nginx/...: the files a package
		// installs are rarely in the repository being linted.
		l.warnings = append(l.warnings, rules.Errorf(n.rng(), "include %q: no such file in the linted tree; linted without it", pattern))
		return nil
	}
	if err != nil {
		l.diag(n.rng(), "include %q: %v", pattern, err)
		return nil
	}
	if len(stack) >= maxIncludeDepth {
		l.diag(n.rng(), "include %q: includes nested deeper than %d levels", pattern, maxIncludeDepth)
		return nil
	}
	var out []*node
	for _, p := range paths {
		if loop := indexOf(stack, p); loop >= 0 {
			chain := append(append([]string{}, stack[loop:]...), p)
			l.diag(n.rng(), "include loop: %s", strings.Join(chain, " -> "))
			continue
		}
		pf := l.load(p, n.rng())
		if !pf.ok && pf.nodes == nil {
			continue
		}
		out = append(out, l.expand(pf.nodes, append(stack, p))...)
	}
	return out
}

// resolveInclude finds the files an include names, as nginx does: relative
// to the prefix, globs sorted, a glob matching nothing is fine, an explicit
// missing file is an error. When the prefix does not have it, the
// including file's own directory is tried too (snippets linted outside
// their tree, pre-commit runs on a checkout).
func (l *loader) resolveInclude(pattern, ownDir string) ([]string, error) {
	glob := strings.ContainsAny(pattern, "*?[")
	var bases []string
	if filepath.IsAbs(pattern) {
		bases = []string{""}
	} else {
		bases = []string{l.prefix}
		if ownDir != l.prefix {
			bases = append(bases, ownDir)
		}
	}
	for _, base := range bases {
		full := filepath.Clean(filepath.Join(base, pattern))
		if glob {
			m, err := filepath.Glob(full)
			if err != nil {
				return nil, fmt.Errorf("bad glob: %v", err)
			}
			var files []string
			for _, p := range m {
				if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
					files = append(files, p)
				}
			}
			if len(files) > 0 {
				sort.Strings(files)
				return files, nil
			}
			continue
		}
		if _, err := os.Stat(full); err == nil {
			return []string{full}, nil
		}
	}
	if glob {
		return nil, nil
	}
	return nil, errNoInclude
}

// errNoInclude is an include naming a file that does not exist.
var errNoInclude = errors.New("no such file")

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}
