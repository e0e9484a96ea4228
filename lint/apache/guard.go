package apache

import (
	"regexp"
	"slices"
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// methodCond says for which request methods a guard can hold.
type methodCond uint8

const (
	mAny  methodCond = iota // any method
	mOnly                   // only OPTIONS (a preflight)
	mNot                    // never OPTIONS
)

// originCond lists what a guard that holds says about the request Origin:
// it matched one of these regexes or equals one of these strings.
type originCond struct {
	patterns []rules.Pattern
	list     []listed
}

// listed is an exact origin the condition compares with, and where.
type listed struct {
	value string
	ev    rules.Evidence
}

// regexCond is the condition "the Origin matches re". An anchored regex
// without metacharacters (`^https://app\.example\.com$`) is an exact
// comparison: it becomes an allowlist entry, which the checker indexes
// instead of searching the regex for bypasses. Generated allowlists of
// thousands of such SetEnvIf lines are common.
func regexCond(re string, ci bool, ev rules.Evidence) *originCond {
	if lit, ok := regexLiteral(re); ok && (!ci || strings.ToLower(lit) == lit) {
		return &originCond{list: []listed{{value: lit, ev: ev}}}
	}
	return &originCond{patterns: []rules.Pattern{{Expr: re, Dialect: rules.PCRE, CaseInsensitive: ci, Evidence: ev}}}
}

// globCond is "the Origin matches the wildcard pattern" of ap_expr's
// -strmatch / -strcmatch, which httpd runs with apr_fnmatch and no flags:
// `*` matches any run of characters (dots and slashes included), `?` one
// character, `[...]` a class, `\x` the character x. A pattern with `*`
// alone is the checker's glob dialect; anything else becomes the equivalent
// anchored regex.
func globCond(pat string, ci bool, ev rules.Evidence) *originCond {
	if !strings.ContainsAny(pat, "?[\\") {
		if !strings.Contains(pat, "*") {
			return &originCond{list: []listed{{value: pat, ev: ev}}}
		}
		return &originCond{patterns: []rules.Pattern{{Expr: pat, Dialect: rules.Glob, CaseInsensitive: ci, Evidence: ev}}}
	}
	return &originCond{patterns: []rules.Pattern{{Expr: fnmatchRegex(pat), Dialect: rules.PCRE, CaseInsensitive: ci, Evidence: ev}}}
}

// fnmatchRegex translates an apr_fnmatch pattern into an anchored regex.
func fnmatchRegex(pat string) string {
	var b strings.Builder
	b.WriteByte('^')
	for i := 0; i < len(pat); i++ {
		switch c := pat[i]; c {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteByte('.')
		case '\\':
			if i+1 < len(pat) {
				i++
				b.WriteString(regexp.QuoteMeta(pat[i : i+1]))
			}
		case '[':
			j := strings.IndexByte(pat[i+1:], ']')
			if j < 0 {
				b.WriteString(`\[`)
				continue
			}
			class := pat[i+1 : i+1+j]
			if strings.HasPrefix(class, "!") {
				class = "^" + class[1:]
			}
			b.WriteString("[" + strings.ReplaceAll(class, `\`, `\\`) + "]")
			i += j + 1
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteByte('$')
	return b.String()
}

// regexLiteral returns the one string an anchored PCRE matches when it has
// no metacharacters: `^` text `$`, where text may escape punctuation
// (`\.`, `\/`, `\-`). PCRE's `$` also matches before a final newline,
// which no header value carries.
func regexLiteral(re string) (string, bool) {
	if len(re) < 3 || re[0] != '^' || re[len(re)-1] != '$' {
		return "", false
	}
	body := re[1 : len(re)-1]
	var b strings.Builder
	b.Grow(len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '\\':
			if i+1 >= len(body) {
				return "", false // the final `$` is escaped
			}
			n := body[i+1]
			if n < 0x21 || n > 0x7e || isAlnum(n) {
				return "", false // \d, \w, \x41, \Q...: classes and codes
			}
			b.WriteByte(n)
			i++
		case strings.IndexByte(".^$*+?()[]{}|", c) >= 0:
			return "", false
		default:
			b.WriteByte(c)
		}
	}
	if b.Len() == 0 {
		return "", false
	}
	return b.String(), true
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// merge returns the union of two conditions without changing either
// (conditions are shared between setters and guards once built).
func (o *originCond) merge(p *originCond) *originCond {
	if o == nil {
		return p
	}
	if p == nil {
		return o
	}
	var acc originAcc
	acc.add(o)
	acc.add(p)
	return acc.cond()
}

// originAcc collects the union of many conditions in one pass: merging them
// pairwise copies the growing union each time, which made 100k SetEnvIf
// Origin lines that set one variable quadratic.
type originAcc struct {
	patterns []rules.Pattern
	list     []listed
	any      bool
}

// grow makes room for the conditions of setters, so that a union of
// thousands is built without regrowing.
func (a *originAcc) grow(setters []*setter) {
	np, nl := 0, 0
	for _, s := range setters {
		if s.origin != nil {
			np += len(s.origin.patterns)
			nl += len(s.origin.list)
		}
	}
	a.patterns = slices.Grow(a.patterns, np)
	a.list = slices.Grow(a.list, nl)
}

func (a *originAcc) add(p *originCond) {
	if p == nil {
		return
	}
	a.any = true
	a.patterns = append(a.patterns, p.patterns...)
	a.list = append(a.list, p.list...)
}

// cond is the union so far (nil when nothing was added).
func (a *originAcc) cond() *originCond {
	if !a.any {
		return nil
	}
	return &originCond{patterns: slices.Clip(a.patterns), list: slices.Clip(a.list)}
}

// guard is a condition under which a directive applies: an <If> branch,
// `env=VAR`, `expr=...`.
type guard struct {
	text      string
	ev        rules.Evidence
	origin    *originCond // when the guard holds, Origin matched one of these
	originNeg bool        // when the guard holds, Origin did NOT match (else branch, !~)
	// notOrigin, when known, is what the Origin did not match when the guard
	// holds (`!~ re`, `!= 'x'`, an Else after origin tests): the origins a
	// gate that rejects under this guard lets through.
	notOrigin *originCond
	method    methodCond
	opaque    bool // the Origin is involved in a way we cannot analyse
	other     bool // conditions on other request properties
	// requester is true when every non-Origin condition is on something the
	// requester writes (query, path, request headers): an attacker can
	// always make it hold.
	requester bool
}

// aboutRequestKind reports whether an <If> with this guard describes a
// kind of request (origin, preflight) rather than a part of the site; such
// Ifs fold into their enclosing scope as conditional headers.
func (g *guard) aboutRequestKind() bool {
	return g.origin != nil || g.originNeg || g.method != mAny || g.opaque
}

// pureOrigin reports a guard that only tests the Origin positively.
func (g *guard) pureOrigin() bool {
	return g.origin != nil && !g.originNeg && g.method == mAny && !g.opaque && !g.other
}

// requesterControlled tells whether an expression subject is request data
// the requester chooses freely: the query string, the path, request headers.
func requesterControlled(subject string) bool {
	s := strings.ToLower(subject)
	for _, p := range []string{"%{query_string}", "%{request_uri}", "%{the_request}", "%{request_filename}", "%{script_filename}", "%{path_info}", "%{http:", "%{req:", "%{req_novary:", "%{http_", "req(", "http(", "req_novary("} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// ignoresOrigin reports a guard that says nothing about the Origin.
func (g *guard) ignoresOrigin() bool {
	return g.origin == nil && !g.originNeg && !g.opaque
}

func (g *guard) pureMethod() bool {
	return g.method != mAny && g.origin == nil && !g.originNeg && !g.opaque && !g.other
}

// classify turns a parsed expression into a guard.
func classify(c *cond, text string, ev rules.Evidence) *guard {
	g := &guard{text: text, ev: ev}
	classifyInto(c, g, ev)
	if !g.opaque && g.origin == nil && !g.originNeg && c.op == "opaque" && strings.Contains(strings.ToLower(text), "origin") {
		g.opaque = true
	}
	return g
}

func classifyInto(c *cond, g *guard, ev rules.Evidence) {
	switch c.op {
	case "true":
	case "false", "opaque":
		g.other = true
	case "cmp":
		switch c.lhs {
		case "origin":
			switch c.cmpOp {
			case "=~":
				g.origin = g.origin.merge(regexCond(c.re, strings.Contains(c.flags, "i"), ev))
			case "==":
				g.origin = g.origin.merge(&originCond{list: []listed{{value: c.str, ev: ev}}})
			case "-in":
				l := make([]listed, len(c.list))
				for i, v := range c.list {
					l[i] = listed{value: v, ev: ev}
				}
				g.origin = g.origin.merge(&originCond{list: l})
			case "!~":
				g.originNeg = true
				g.notOrigin = g.notOrigin.merge(regexCond(c.re, strings.Contains(c.flags, "i"), ev))
			case "!=":
				g.originNeg = true
				g.notOrigin = g.notOrigin.merge(&originCond{list: []listed{{value: c.str, ev: ev}}})
			case "-strmatch", "-strcmatch":
				g.origin = g.origin.merge(globCond(c.str, c.cmpOp == "-strcmatch", ev))
			case "-n":
				// An Origin is present: says nothing about which.
			default:
				g.opaque = true
			}
		case "method":
			g.method = combineAnd(g.method, methodOf(c))
		default:
			g.other = true
			g.requester = requesterControlled(c.lhs)
		}
	case "&&":
		classifyInto(c.l, g, ev)
		classifyInto(c.r, g, ev)
	case "||":
		l := &guard{}
		r := &guard{}
		classifyInto(c.l, l, ev)
		classifyInto(c.r, r, ev)
		switch {
		case l.pureOrigin() && r.pureOrigin():
			g.origin = g.origin.merge(l.origin.merge(r.origin))
		case l.pureOrigin() && r.ignoresOrigin() && r.requester || r.pureOrigin() && l.ignoresOrigin() && l.requester:
			// `Origin =~ /re/ || %{QUERY_STRING} =~ /x/`: whenever the other
			// side holds (and the requester controls the query, path and
			// headers) any Origin passes, as in an else branch.
			g.originNeg = true
			g.other = true
		case l.pureMethod() && r.pureMethod():
			m := mAny
			if l.method == r.method {
				m = l.method
			}
			g.method = combineAnd(g.method, m)
		default:
			if l.origin != nil || r.origin != nil || l.originNeg || r.originNeg || l.opaque || r.opaque {
				g.opaque = true
			}
			g.other = true
		}
	case "!":
		in := &guard{}
		classifyInto(c.l, in, ev)
		switch {
		case in.pureOrigin():
			g.originNeg = true
			g.notOrigin = g.notOrigin.merge(in.origin)
		case in.pureMethod():
			g.method = combineAnd(g.method, flip(in.method))
		default:
			if in.origin != nil || in.originNeg || in.opaque {
				g.opaque = true
			}
			g.other = true
		}
	}
}

// methodOf evaluates a REQUEST_METHOD comparison for OPTIONS and for the
// methods of actual requests.
func methodOf(c *cond) methodCond {
	opt, ok := methodMatches(c)
	if !ok {
		return mAny
	}
	other := false
	for _, m := range []string{"GET", "POST", "PUT", "DELETE"} {
		cc := *c
		if matchesMethod(&cc, m) {
			other = true
		}
	}
	switch {
	case opt && !other:
		return mOnly
	case !opt && other:
		return mNot
	}
	return mAny
}

func matchesMethod(c *cond, method string) bool {
	var m bool
	switch c.cmpOp {
	case "==", "!=":
		m = c.str == method
	case "=~", "!~":
		m = regexMatches(c.re, strings.Contains(c.flags, "i"), method)
	case "-in":
		for _, v := range c.list {
			if v == method {
				m = true
			}
		}
	}
	if c.cmpOp == "!=" || c.cmpOp == "!~" {
		m = !m
	}
	return m
}

func combineAnd(a, b methodCond) methodCond {
	if a == mAny {
		return b
	}
	return a
}

func flip(m methodCond) methodCond {
	switch m {
	case mOnly:
		return mNot
	case mNot:
		return mOnly
	}
	return mAny
}

// elseGuard is the guard of an <Else> (or the negated part of an <ElseIf>)
// after the given earlier branches.
func elseGuard(prev []*guard, text string, ev rules.Evidence) *guard {
	g := &guard{text: text, ev: ev}
	allOrigin, allMethod := len(prev) > 0, len(prev) > 0
	for _, p := range prev {
		if !p.pureOrigin() {
			allOrigin = false
		}
		if !p.pureMethod() {
			allMethod = false
		}
	}
	switch {
	case allOrigin:
		g.originNeg = true
		for _, p := range prev {
			g.notOrigin = g.notOrigin.merge(p.origin)
		}
	case allMethod:
		m := flip(prev[0].method)
		for _, p := range prev[1:] {
			if flip(p.method) != m {
				m = mAny
			}
		}
		g.method = m
	default:
		for _, p := range prev {
			if p.origin != nil || p.originNeg || p.opaque {
				g.opaque = true
			}
		}
		g.other = true
	}
	return g
}
