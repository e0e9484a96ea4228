package apache

import (
	"regexp"
	"strings"
	"sync"

	"github.com/corsguard/corsguard/rules"
)

// This file understands the part of httpd's ap_expr language that decides
// CORS: comparisons of the request Origin or method against strings,
// regexes and lists, joined with &&, || and !. Anything else is kept as
// opaque text so that the caller can say why it could not resolve a value.

// exprKind says what a parsed condition is about.
type exprTok struct {
	kind  byte // 'v' variable, 's' string, 'r' regex, 'o' operator, '(' ')' '{' '}' ',', 'w' word
	text  string
	flags string // regex flags
	// at is where text starts in the expression: --fix rewrites a regex
	// or string in place (fix_value.go).
	at int
}

// lexExpr tokenizes an expression; ok is false on syntax it cannot read,
// and then the tokens are those read before it (checkExpressions looks
// at them for what httpd refuses).
func lexExpr(s string) ([]exprTok, bool) {
	var toks []exprTok
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case isSpace(c):
			i++
		case c == '%' && i+1 < len(s) && s[i+1] == '{':
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				return toks, false
			}
			toks = append(toks, exprTok{kind: 'v', text: s[i+2 : i+j]})
			i += j + 1
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(s) && s[j] != c {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return toks, false
			}
			toks = append(toks, exprTok{kind: 's', text: s[i+1 : j], at: i + 1})
			i = j + 1
		case c == '/' || (c == 'm' && i+1 < len(s) && !isWordChar(s[i+1]) && !isSpace(s[i+1]) && s[i+1] != '(' && (len(toks) > 0 && toks[len(toks)-1].kind == 'o')):
			delim := c
			j := i + 1
			if c == 'm' {
				delim = s[i+1]
				j = i + 2
			}
			// httpd's lexer (util_expr_scan.l) ends the regex at the first
			// delimiter: a backslash does not escape it, so /^https:\/\/x/
			// is the regex `^https:\` and httpd refuses the expression.
			// Read it as httpd does; a regex that needs the delimiter is
			// written m#...#.
			k := strings.IndexByte(s[j:], delim)
			if k < 0 {
				return toks, false
			}
			k += j
			if k >= len(s) {
				return toks, false
			}
			f := k + 1
			for f < len(s) && (s[f] == 'i' || s[f] == 'x' || s[f] == 's' || s[f] == 'm') {
				f++
			}
			toks = append(toks, exprTok{kind: 'r', text: s[j:k], flags: s[k+1 : f], at: j})
			i = f
		case c == '(' || c == ')' || c == '{' || c == '}' || c == ',':
			toks = append(toks, exprTok{kind: c, text: string(c)})
			i++
		case strings.HasPrefix(s[i:], "&&") || strings.HasPrefix(s[i:], "||") ||
			strings.HasPrefix(s[i:], "==") || strings.HasPrefix(s[i:], "!=") ||
			strings.HasPrefix(s[i:], "=~") || strings.HasPrefix(s[i:], "!~") ||
			strings.HasPrefix(s[i:], "<=") || strings.HasPrefix(s[i:], ">="):
			toks = append(toks, exprTok{kind: 'o', text: s[i : i+2]})
			i += 2
		case c == '!' || c == '<' || c == '>' || c == '=':
			toks = append(toks, exprTok{kind: 'o', text: string(c)})
			i++
		case c == '-' && i+1 < len(s) && isWordChar(s[i+1]):
			j := i + 1
			for j < len(s) && isWordChar(s[j]) {
				j++
			}
			toks = append(toks, exprTok{kind: 'o', text: s[i:j]})
			i = j
		case isWordChar(c):
			j := i
			for j < len(s) && isWordChar(s[j]) {
				j++
			}
			toks = append(toks, exprTok{kind: 'w', text: s[i:j]})
			i = j
		default:
			return toks, false
		}
	}
	return toks, true
}

func isWordChar(c byte) bool {
	return c == '_' || c == '-' || c == '.' || c == ':' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

// cond is a parsed boolean expression.
type cond struct {
	op   string // "&&", "||", "!", "cmp", "true", "false", "opaque"
	l, r *cond
	// cmp
	lhs   string // normalised subject: "origin", "method", or the text
	cmpOp string // ==, !=, =~, !~, -in, -strmatch, ...
	str   string
	list  []string
	re    string
	flags string
}

type exprParser struct {
	toks []exprTok
	pos  int
	bad  bool
}

// maxExprLen is httpd's limit on an ap_expr expression: ap_expr_parse
// (server/util_expr_eval.c) answers "Expression too long" from
// MAX_STRING_LEN (8192) bytes on, and the server does not start. It also
// bounds how deep this recursive-descent parser can nest.
const maxExprLen = 8192

func parseCond(s string) *cond {
	if len(s) >= maxExprLen {
		return &cond{op: "opaque"}
	}
	toks, ok := lexExpr(s)
	if !ok || len(toks) == 0 {
		return &cond{op: "opaque"}
	}
	p := &exprParser{toks: toks}
	c := p.or()
	if p.bad || p.pos != len(p.toks) {
		return &cond{op: "opaque"}
	}
	return c
}

func (p *exprParser) peek() *exprTok {
	if p.pos < len(p.toks) {
		return &p.toks[p.pos]
	}
	return nil
}

func (p *exprParser) or() *cond {
	l := p.and()
	for t := p.peek(); t != nil && t.kind == 'o' && t.text == "||"; t = p.peek() {
		p.pos++
		l = &cond{op: "||", l: l, r: p.and()}
	}
	return l
}

func (p *exprParser) and() *cond {
	l := p.unary()
	for t := p.peek(); t != nil && t.kind == 'o' && t.text == "&&"; t = p.peek() {
		p.pos++
		l = &cond{op: "&&", l: l, r: p.unary()}
	}
	return l
}

func (p *exprParser) unary() *cond {
	t := p.peek()
	if t == nil {
		p.bad = true
		return &cond{op: "opaque"}
	}
	if t.kind == 'o' && t.text == "!" {
		p.pos++
		return &cond{op: "!", l: p.unary()}
	}
	if t.kind == '(' {
		p.pos++
		c := p.or()
		if t := p.peek(); t == nil || t.kind != ')' {
			p.bad = true
		} else {
			p.pos++
		}
		return c
	}
	if t.kind == 'w' && (t.text == "true" || t.text == "false") {
		p.pos++
		return &cond{op: t.text}
	}
	return p.comparison()
}

// word reads an operand: a variable, a string, or a function call
// (req('Origin')); it returns the normalised subject.
func (p *exprParser) word() (string, bool) {
	t := p.peek()
	if t == nil {
		return "", false
	}
	switch t.kind {
	case 'v':
		p.pos++
		return "%{" + t.text + "}", true
	case 's':
		p.pos++
		return "'" + t.text + "'", true
	case 'w':
		p.pos++
		if n := p.peek(); n != nil && n.kind == '(' {
			p.pos++
			arg := ""
			if a := p.peek(); a != nil && a.kind == 's' {
				arg = a.text
				p.pos++
			}
			if c := p.peek(); c == nil || c.kind != ')' {
				return "", false
			}
			p.pos++
			return t.text + "('" + arg + "')", true
		}
		return t.text, true
	}
	return "", false
}

func (p *exprParser) comparison() *cond {
	t := p.peek()
	if t != nil && t.kind == 'o' && strings.HasPrefix(t.text, "-") {
		// Unary test (-n, -z, -f, -ipmatch...): `-n %{HTTP:Origin}` (an
		// Origin is present) is kept; the rest is opaque to us.
		p.pos++
		w, ok := p.word()
		if !ok {
			p.bad = true
		}
		if t.text == "-n" && subject(w) == "origin" {
			return &cond{op: "cmp", lhs: "origin", cmpOp: "-n"}
		}
		return &cond{op: "opaque"}
	}
	lhs, ok := p.word()
	if !ok {
		p.bad = true
		return &cond{op: "opaque"}
	}
	op := p.peek()
	if op == nil || op.kind != 'o' || op.text == "&&" || op.text == "||" || op.text == "!" {
		// A bare word is a (truthy) string test.
		return &cond{op: "opaque"}
	}
	p.pos++
	c := &cond{op: "cmp", lhs: subject(lhs), cmpOp: op.text}
	switch op.text {
	case "=~", "!~":
		r := p.peek()
		if r == nil || r.kind != 'r' {
			p.bad = true
			return c
		}
		p.pos++
		c.re, c.flags = r.text, r.flags
	case "-in":
		b := p.peek()
		if b == nil || b.kind != '{' {
			// -in with a function (split(...)): opaque.
			for p.pos < len(p.toks) && p.toks[p.pos].kind != 'o' {
				p.pos++
			}
			return &cond{op: "opaque"}
		}
		p.pos++
		for {
			t := p.peek()
			if t == nil {
				p.bad = true
				return c
			}
			p.pos++
			if t.kind == '}' {
				break
			}
			switch t.kind {
			case 's':
				c.list = append(c.list, t.text)
			case 'v', 'w':
				// A variable or function in the list: its value is not in
				// the configuration, so the list is not known either.
				c.cmpOp = "variable"
			}
		}
	default:
		rhs, ok := p.word()
		if !ok {
			p.bad = true
			return c
		}
		if strings.HasPrefix(lhs, "'") && subject(rhs) == "origin" && (op.text == "==" || op.text == "!=") {
			// 'https://a.test' == %{HTTP:Origin}
			rhs = lhs
			c.lhs = "origin"
		}
		c.str = strings.Trim(rhs, "'")
		if !strings.HasPrefix(rhs, "'") {
			// Comparing with a variable: nothing we can resolve (and, for
			// the Origin, nothing we can say about which one passes).
			if c.lhs == "origin" {
				c.cmpOp = "variable"
			} else {
				c.lhs = "other"
			}
		}
	}
	return c
}

// subject normalises the left-hand side of a comparison.
func subject(w string) string {
	for _, o := range originSubjects {
		if lowerIs(w, o) {
			return "origin"
		}
	}
	if lowerIs(w, "%{request_method}") {
		return "method"
	}
	return w
}

// originSubjects are the spellings of the request Origin in ap_expr.
var originSubjects = [...]string{"%{http:origin}", "%{req:origin}", "%{http_origin}", "%{req_novary:origin}",
	"req('origin')", "http('origin')", "req_novary('origin')"}

// isOriginRef reports whether an expression-string value is exactly the
// request Origin (used for `Header set X "expr=%{HTTP:Origin}"`).
func isOriginRef(s string) bool {
	s = strings.TrimSpace(s)
	return subject(s) == "origin"
}

// methodMatches evaluates a method comparison for OPTIONS.
func methodMatches(c *cond) (bool, bool) {
	var m bool
	switch c.cmpOp {
	case "==", "!=":
		m = c.str == "OPTIONS"
	case "=~", "!~":
		m = regexMatches(c.re, strings.Contains(c.flags, "i"), "OPTIONS")
	case "-in":
		for _, v := range c.list {
			if v == "OPTIONS" {
				m = true
			}
		}
	case "-strmatch", "-strcmatch":
		m = strings.EqualFold(c.str, "OPTIONS") || c.str == "*"
	default:
		return false, false
	}
	if c.cmpOp == "!=" || c.cmpOp == "!~" {
		m = !m
	}
	return m, true
}

// regexMatches runs a simple method regex; PCRE-only syntax falls back to
// a substring test.
func regexMatches(re string, ci bool, s string) bool {
	if ci {
		re = "(?i)" + re
	}
	regexMu.Lock()
	rx, ok := regexCache[re]
	regexMu.Unlock()
	if !ok {
		compiled, err := regexp.Compile(re)
		if err == nil {
			rx = compiled
		}
		regexMu.Lock()
		if len(regexCache) < maxCachedRegexes {
			// A nil entry remembers that Go cannot compile it.
			regexCache[re] = rx
		}
		regexMu.Unlock()
	}
	if rx == nil {
		return strings.Contains(strings.ToUpper(re), strings.ToUpper(s))
	}
	return rx.MatchString(s)
}

// regexCache holds compiled method and URL regexes: the same few patterns
// (OPTIONS tests) recur in every VirtualHost. Parse may run concurrently;
// the cache is bounded so a long run over many files cannot grow it without
// limit.
var (
	regexMu    sync.Mutex
	regexCache = map[string]*regexp.Regexp{}
)

const maxCachedRegexes = 1024

// expressions lists the ap_expr expressions a directive carries: an <If> or
// <ElseIf> condition, SetEnvIfExpr's, and Header's expr= value or condition.
func expressions(n *node) []string {
	switch n.name {
	case "if", "elseif":
		return []string{unquote(n.raw)}
	case "setenvifexpr":
		if len(n.args) > 0 {
			return n.args[:1]
		}
	case "header", "requestheader":
		var out []string
		for _, a := range n.args {
			if hasPrefixFold(a, "expr=") {
				out = append(out, a[len("expr="):])
			}
		}
		return out
	}
	return nil
}

// checkExpressions reports expressions httpd refuses: too long, or with
// a regex that ends in a backslash, which is what httpd reads when a
// /.../ regex "escapes" its delimiter (/^https:\/\/app/: its lexer ends
// the regex at the first slash, and the regex fails to compile).
func (l *loader) checkExpressions(n *node, rng rules.Range) {
	for _, e := range expressions(n) {
		if len(e) >= maxExprLen {
			l.errorf(rng, "Expression too long: %d bytes; httpd refuses ap_expr expressions of %d bytes or more", len(e), maxExprLen)
			continue
		}
		toks, _ := lexExpr(e)
		for _, t := range toks {
			if t.kind == 'r' && endsInBackslash(t.text) {
				l.errorf(rng, "httpd refuses the regex in %q (\"Failed to compile regular expression\"): a backslash does not escape the delimiter of /.../, so the regex ends at the first one; write it m#...# to use / inside", e)
				break
			}
		}
	}
}

// endsInBackslash tells whether s ends in an odd run of backslashes (a
// dangling escape).
func endsInBackslash(s string) bool {
	n := 0
	for i := len(s) - 1; i >= 0 && s[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}
