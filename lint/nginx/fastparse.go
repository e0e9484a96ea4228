package nginx

import (
	"strings"
	"unicode"
	"unicode/utf8"

	crossplane "github.com/nginxinc/nginx-go-crossplane"
)

// Why a second reader next to crossplane: crossplane's lexer reads one rune
// at a time through bufio.ScanRunes and sends every token over a channel
// to the parser goroutine; profiling put it at about 28 MB/s per core,
// under the 50 MB/s the linter needs to lint thousands of files a second.
//
// fastParse is a byte-level reimplementation of exactly the subset of
// crossplane's tokenizer and parser this package uses (SingleFile,
// SkipDirectiveContextCheck, no unknown-directive errors, comments dropped)
// including its argument-count checks, which it takes from crossplane's own
// directive tables. It gives up (ok == false) on anything crossplane would
// report or treat specially: unbalanced braces, `;;`, unterminated quotes,
// `${` with spaces, unicode spaces, invalid UTF-8, Lua blocks, a directive
// with the wrong number of arguments. The caller then parses the file with
// crossplane, which stays the authority on every diagnostic. A
// differential test holds the two to the same trees.

type ftok struct {
	val      string
	line     int
	quoted   bool
	pos, end int // the token's bytes in the source (quotes included)
}

// fastParse parses a whole file or reports that crossplane must. The
// file's contents come as one string: tokens are substrings of it, so
// lexing allocates nothing per token.
func fastParse(data, file string) ([]*node, bool) {
	if strings.Contains(data, "_by_lua") {
		return nil, false // crossplane's Lua lexer
	}
	if !asciiOrSafe(data) || strings.HasSuffix(data, "\\") || loneCR(data) || strings.Contains(data, "\\\n") {
		// Unicode spaces, invalid UTF-8, a trailing backslash,
		// backslash-newline and a CR outside CRLF are where crossplane's
		// rune lexer behaves oddly (it drops CR anywhere, even between `$`
		// and `{`).
		return nil, false
	}
	p := fparser{lex: flexer{src: data, line: 1}, file: file}
	nodes, ok := p.block(bctx{known: true}, true)
	if !ok || p.lex.bad || p.lex.depth != 0 {
		return nil, false
	}
	return nodes, true
}

// flexer is crossplane's tokenizer over bytes.
type flexer struct {
	src   string
	i     int
	line  int
	depth int
	dup   bool // crossplane's dupSpecialChar: `;;`, `{;` are errors
	bad   bool // crossplane would report an error here
}

// next returns the next token; ok is false at the end of input or on an
// error (bad is then set).
func (l *flexer) next() (ftok, bool) {
	src, n := l.src, len(l.src)
	for l.i < n {
		c := src[l.i]
		switch c {
		case '\n':
			l.line++
			l.i++
			continue
		case ' ', '\t', '\r', '\v', '\f':
			l.i++
			continue
		case '#':
			for l.i < n && src[l.i] != '\n' {
				l.i++
			}
			continue
		case '{', '}', ';':
			if l.dup && c != '}' {
				l.bad = true
				return ftok{}, false
			}
			l.dup = true
			switch c {
			case '{':
				l.depth++
			case '}':
				l.depth--
				if l.depth < 0 {
					l.bad = true
					return ftok{}, false
				}
			}
			l.i++
			return ftok{val: src[l.i-1 : l.i], line: l.line, pos: l.i - 1, end: l.i}, true
		case '"', '\'':
			start, startLine := l.i+1, l.line
			j := start
			clean := true
			for ; j < n && src[j] != c; j++ {
				switch src[j] {
				case '\\':
					clean = false
					if j+1 < n {
						j++
					}
				case '\n':
					l.line++
				case '\r':
					clean = false
				}
			}
			if j >= n {
				l.bad = true // unterminated quote
				return ftok{}, false
			}
			val := src[start:j]
			if !clean {
				val = unquoteLike(val, c)
			}
			l.dup = false
			l.i = j + 1
			return ftok{val: val, line: startLine, quoted: true, pos: start - 1, end: l.i}, true
		}
		// A word: up to whitespace or { } ;. Quotes inside a word are
		// literal; a backslash keeps the next character (and itself).
		start := l.i
		clean := true
		j := l.i
	word:
		for j < n {
			switch src[j] {
			case ' ', '\t', '\n', '\v', '\f', '}', ';':
				break word
			case '{':
				if j > start && src[j-1] == '$' {
					l.bad = true // `\${`: crossplane's variable state
					return ftok{}, false
				}
				break word
			case '\r':
				break word // always CRLF here (loneCR)
			case '\\':
				clean = false
				j += 2
			case '$':
				if j+1 < n && src[j+1] == '{' {
					k := j + 2
					for k < n && src[k] != '}' {
						switch src[k] {
						case ' ', '\t', '\n', '\r', '\v', '\f', '\\':
							l.bad = true // crossplane's odd `${` state
							return ftok{}, false
						}
						k++
					}
					if k >= n {
						l.bad = true
						return ftok{}, false
					}
					j = k + 1
					continue
				}
				j++
			default:
				j++
			}
		}
		if j > n {
			j = n
		}
		val := src[start:j]
		if !clean {
			val = unescapeWord(val)
		}
		l.dup = false
		l.i = j
		return ftok{val: val, line: l.line, pos: start, end: j}, true
	}
	return ftok{}, false
}

// asciiOrSafe rejects invalid UTF-8 (crossplane turns it into U+FFFD) and
// unicode spaces (crossplane splits words on them).
func asciiOrSafe(data string) bool {
	for i := 0; i < len(data); i++ {
		// Eight ASCII bytes at a time: configuration is nearly all ASCII.
		for i+8 <= len(data) && (data[i]|data[i+1]|data[i+2]|data[i+3]|data[i+4]|data[i+5]|data[i+6]|data[i+7]) < utf8.RuneSelf {
			i += 8
		}
		if i >= len(data) {
			break
		}
		if data[i] < utf8.RuneSelf {
			continue
		}
		r, size := utf8.DecodeRuneInString(data[i:])
		if r == utf8.RuneError && size == 1 || unicode.IsSpace(r) {
			return false
		}
		i += size - 1
	}
	return true
}

// unquoteLike mirrors crossplane inside quotes: CR dropped (with a
// backslash before it), `\<quote>` becomes the quote, other escapes stay.
func unquoteLike(b string, q byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '\r':
		case c == '\\' && i+1 < len(b):
			i++
			switch b[i] {
			case '\r':
			case q:
				sb.WriteByte(q)
			default:
				sb.WriteByte('\\')
				sb.WriteByte(b[i])
			}
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

// unescapeWord mirrors crossplane in a word: CR dropped (with a backslash
// before it), other escapes kept as written.
func unescapeWord(b string) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '\r':
		case c == '\\' && i+1 < len(b):
			i++
			if b[i] != '\r' {
				sb.WriteByte('\\')
				sb.WriteByte(b[i])
			}
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

type fparser struct {
	lex  flexer
	file string
	// Nodes and argument lists are carved out of chunks: one allocation
	// per few hundred directives instead of two per directive.
	nodes   []node
	args    []string
	scratch []string
	blocks  []*node // arena of child lists
	stack   []*node // children of the open blocks
}

func (p *fparser) newNode(name string, line int) *node {
	if len(p.nodes) == cap(p.nodes) {
		p.nodes = make([]node, 0, 256)
	}
	// Set the fields of the (zeroed) next slot: cheaper than copying a
	// whole node in, which takes write barriers for every pointer field.
	p.nodes = p.nodes[:len(p.nodes)+1]
	n := &p.nodes[len(p.nodes)-1]
	n.name, n.line, n.file = name, int32(line), p.file
	return n
}

// argList copies args into the arena, capacity-capped so that an append
// by a reader never writes into a neighbour's list.
func (p *fparser) argList(args []string) []string {
	if len(args) == 0 {
		return []string{}
	}
	if cap(p.args)-len(p.args) < len(args) {
		p.args = make([]string, 0, max(1024, len(args)))
	}
	start := len(p.args)
	p.args = append(p.args, args...)
	return p.args[start:len(p.args):len(p.args)]
}

// knownContexts are crossplane's contexts in which arguments are checked.
var knownContexts = map[string]bool{
	"": true, "events": true, "mail": true, "mail>server": true, "stream": true,
	"stream>server": true, "stream>upstream": true, "http": true, "http>server": true,
	"http>location": true, "http>upstream": true, "http>server>if": true,
	"http>location>if": true, "http>location>limit_except": true, "mgmt": true,
	"http>oidc_provider": true,
}

// mapBodies are crossplane's map-like blocks: their entries are data, with
// the special parameters' argument counts (-1: one or more).
var mapBodies = map[string]struct {
	special map[string]int
	args    int
}{
	"charset_map":   {args: 1},
	"geo":           {special: map[string]int{"ranges": 0, "proxy_recursive": 0}, args: 1},
	"map":           {special: map[string]int{"volatile": 0, "hostnames": 0}, args: 1},
	"match":         {args: -1},
	"types":         {args: -1},
	"split_clients": {args: 1},
	"geoip2":        {special: map[string]int{"auto_reload": 1}, args: -1},
	"otel_exporter": {args: 1},
}

// bctx is crossplane's block context, kept as its joined key (only
// computed while it can still be one of the known contexts), whether it
// starts with http, and its last element.
type bctx struct {
	key   string
	known bool // key is valid (a prefix of, or equal to, a known context)
	http  bool
	last  string
}

// enter is crossplane's enterBlockCtx.
func (c bctx) enter(name string) bctx {
	if c.http && name == "location" {
		return bctx{key: "http>location", known: true, http: true, last: name}
	}
	in := bctx{http: c.http || c.key == "" && c.known && name == "http", last: name}
	if c.known {
		// The map hands back its own copy of the key: building the
		// lookup key then allocates nothing.
		var k string
		var ok bool
		if c.key != "" {
			k, ok = knownPrefixes[c.key+">"+name]
		} else {
			k, ok = knownPrefixes[name]
		}
		if ok {
			in.key, in.known = k, true
		}
	}
	return in
}

// knownPrefixes are the known contexts and their prefixes.
var knownPrefixes = func() map[string]string {
	m := map[string]string{}
	for k := range knownContexts {
		parts := strings.Split(k, ">")
		for i := 1; i <= len(parts); i++ {
			p := strings.Join(parts[:i], ">")
			m[p] = p
		}
	}
	return m
}()

func (p *fparser) block(ctx bctx, top bool) ([]*node, bool) {
	// The block's children collect on a stack shared by all depths and
	// are copied out at their final size when the block closes.
	base := len(p.stack)
	defer func() { p.stack = p.stack[:base] }()
	checkArgs := ctx.known && knownContexts[ctx.key]
	mapBody, inMap := mapBodies[ctx.last]
	for {
		t, more := p.lex.next()
		if !more {
			break
		}
		if t.val == "}" && !t.quoted {
			if top {
				return nil, false
			}
			return p.children(base), true
		}
		n := p.newNode(t.val, t.line)
		start := t.pos
		args := p.scratch[:0]
		for {
			a, more := p.lex.next()
			if !more {
				return nil, false
			}
			if !a.quoted && (a.val == "{" || a.val == ";" || a.val == "}") {
				t = a
				break
			}
			args = append(args, a.val)
		}
		// The directive's source, which node.text uses when it reads
		// exactly as render would write it (the usual case).
		n.txt, n.txtSource = p.lex.src[start:t.end], true
		term := t.val
		p.scratch = args[:0]
		args = p.argList(args)
		n.args = args
		if term == "}" {
			return nil, false // not terminated: crossplane reports it
		}
		if inMap {
			want, special := mapBody.special[n.name]
			if !special {
				want = mapBody.args
			}
			if term != ";" || want >= 0 && len(args) != want || want < 0 && len(args) == 0 {
				return nil, false
			}
			p.stack = append(p.stack, n)
			continue
		}
		if checkArgs {
			if masks, known := crossplane.DefaultDirectivesMatchFunc(n.name); known && !argsValid(masks, args, term) {
				return nil, false
			}
		}
		if n.name == "if" {
			n.args = stripIfParens(n.args)
		}
		if term == "{" {
			body, ok := p.block(ctx.enter(n.name), false)
			if !ok {
				return nil, false
			}
			n.isBlock = true
			n.block = body
		}
		p.stack = append(p.stack, n)
	}
	if !top || p.lex.bad {
		return nil, false
	}
	return p.children(base), true
}

// children copies the nodes stacked since base into the block arena,
// capacity-capped (nil for none, as an empty block has always been).
func (p *fparser) children(base int) []*node {
	kids := p.stack[base:]
	if len(kids) == 0 {
		return nil
	}
	if cap(p.blocks)-len(p.blocks) < len(kids) {
		p.blocks = make([]*node, 0, max(1024, len(kids)))
	}
	start := len(p.blocks)
	p.blocks = append(p.blocks, kids...)
	return p.blocks[start:len(p.blocks):len(p.blocks)]
}

// Bits of crossplane's directive masks (analyze.go).
const (
	maskBlock  = 0x00000100
	maskExpr   = 0x00000200
	maskFlag   = 0x00000400
	maskAny    = 0x00000800
	mask1More  = 0x00001000
	mask2More  = 0x00002000
	maxTakeN   = 7
	parenOpen  = "("
	parenClose = ")"
)

// argsValid is crossplane's argument check for a known directive.
func argsValid(masks []uint, args []string, term string) bool {
	for _, m := range masks {
		if m&maskExpr != 0 && !validExpr(args) {
			continue
		}
		if m&maskBlock != 0 && term != "{" || m&maskBlock == 0 && term != ";" {
			continue
		}
		l := len(args)
		if (m>>uint(l))&1 != 0 && l <= maxTakeN ||
			m&maskFlag != 0 && l == 1 && (strings.EqualFold(args[0], "on") || strings.EqualFold(args[0], "off")) ||
			m&maskAny != 0 || m&mask1More != 0 && l >= 1 || m&mask2More != 0 && l >= 2 {
			return true
		}
	}
	return false
}

func validExpr(args []string) bool {
	l := len(args)
	return l > 0 && strings.HasPrefix(args[0], parenOpen) && strings.HasSuffix(args[l-1], parenClose) &&
		(l == 1 && len(args[0]) > 2 || l == 2 && (len(args[0]) > 1 || len(args[1]) > 1) || l > 2)
}

// stripIfParens is crossplane's prepareIfArgs.
func stripIfParens(args []string) []string {
	if len(args) == 0 || !strings.HasPrefix(args[0], parenOpen) || !strings.HasSuffix(args[len(args)-1], parenClose) {
		return args
	}
	// In place: the list is the node's own (argList copied it).
	b, e := 0, len(args)-1
	args[0] = strings.TrimLeftFunc(strings.TrimPrefix(args[0], parenOpen), unicode.IsSpace)
	args[e] = strings.TrimRightFunc(strings.TrimSuffix(args[e], parenClose), unicode.IsSpace)
	if len(args[0]) == 0 {
		b++
	}
	if len(args[e]) == 0 {
		e--
	}
	if b > e {
		return []string{}
	}
	return args[b : e+1]
}

// loneCR reports a CR that is not followed by LF, or preceded by a
// backslash.
func loneCR(data string) bool {
	for i := strings.IndexByte(data, '\r'); i >= 0; {
		if i+1 >= len(data) || data[i+1] != '\n' || i > 0 && data[i-1] == '\\' {
			return true
		}
		j := strings.IndexByte(data[i+1:], '\r')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}
