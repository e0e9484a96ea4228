package apache

import (
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// setter is one place that sets (or unsets) an environment variable:
// SetEnvIf, SetEnvIfNoCase, SetEnvIfExpr, SetEnv, UnsetEnv, BrowserMatch,
// or a RewriteRule E= flag.
type setter struct {
	name    string
	unset   bool
	origin  *originCond // set only when the Origin matched
	echo    bool        // the value is the (matched) request Origin
	reflect bool        // the value is the request Origin, unvalidated
	lit     string
	hasLit  bool
	method  methodCond
	other   string // why the value (or the condition) is not about the Origin
	// opaque is set when the condition tests the Origin in a way the
	// linter cannot analyse (a function of it, a comparison with a variable).
	opaque bool
	ev     rules.Evidence
	notes  []string
}

// setenvifSetters reads `SetEnvIf[NoCase] attribute regex [!]var[=value]...`.
func setenvifSetters(n *node) []setter {
	if len(n.args) < 3 {
		return nil
	}
	nocase := n.name == "setenvifnocase" || n.name == "browsermatchnocase"
	attr, re := n.args[0], n.args[1]
	assigns := n.args[2:]
	if strings.HasPrefix(n.name, "browsermatch") {
		attr, re, assigns = "User-Agent", n.args[0], n.args[1:]
	}
	ev := n.evidence()
	var out []setter
	for _, a := range assigns {
		s, val := parseAssign(a, ev)
		switch strings.ToLower(attr) {
		case "origin":
			s.origin = regexCond(re, nocase, ev)
			assignFromMatch(&s, re, val, '$')
		case "request_method":
			c := &cond{op: "cmp", lhs: "method", cmpOp: "=~", re: re}
			if nocase {
				c.flags = "i"
			}
			s.method = methodOf(c)
			s.lit, s.hasLit = val, true
			if strings.Contains(val, "$") {
				s.hasLit = false
				s.other = "value taken from the request method"
			}
		default:
			s.other = "set by " + directiveName(n) + " " + attr
			if !strings.Contains(val, "$") {
				s.lit, s.hasLit = val, true
			}
		}
		out = append(out, s)
	}
	return out
}

// assignFromMatch sets a setter's value from `$0`-style backreferences into
// an Origin regex (sigil `$` for SetEnvIf, `%` for RewriteCond).
func assignFromMatch(s *setter, re, val string, sigil byte) {
	switch {
	case len(val) == 2 && val[0] == sigil && val[1] == '0':
		s.echo = true
	case len(val) == 2 && val[0] == sigil && val[1] >= '1' && val[1] <= '9':
		if wholeGroup(re, int(val[1]-'0')) {
			s.echo = true
		} else {
			s.other = "value " + val + " is only part of the matched Origin"
		}
	case strings.IndexByte(val, sigil) >= 0:
		s.other = "value " + val + " is built from parts of the Origin"
	default:
		s.lit, s.hasLit = val, true
	}
	if s.echo && !anchoredBothEnds(re) {
		s.notes = append(s.notes, "the regex is not anchored at both ends, so "+val+" is the matched part of the Origin, not necessarily all of it")
	}
}

// anchoredBothEnds reports a regex that starts with ^ and ends with an
// unescaped $.
func anchoredBothEnds(re string) bool {
	return strings.HasPrefix(re, "^") && strings.HasSuffix(re, "$") && !strings.HasSuffix(re, `\$`)
}

// wholeGroup reports whether capture group n spans the whole regex between
// its anchors, so that $n is the entire matched Origin.
func wholeGroup(re string, n int) bool {
	if n != 1 {
		return false
	}
	s := strings.TrimPrefix(re, "^")
	if strings.HasSuffix(s, "$") && !strings.HasSuffix(s, `\$`) {
		s = s[:len(s)-1]
	}
	if len(s) < 2 || s[0] != '(' || strings.HasPrefix(s, "(?") {
		return false
	}
	depth := 0
	inClass := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			i++
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return i == len(s)-1
			}
		}
	}
	return false
}

// parseAssign reads one `[!]var[=value]` of SetEnvIf/SetEnvIfExpr: `!var`
// unsets, a bare `var` sets it to "1".
func parseAssign(a string, ev rules.Evidence) (setter, string) {
	s := setter{ev: ev}
	if strings.HasPrefix(a, "!") {
		s.unset = true
		a = a[1:]
	}
	name, val, hasVal := strings.Cut(a, "=")
	s.name = name
	if !hasVal {
		val = "1"
	}
	return s, val
}

// exprSetters reads `SetEnvIfExpr "expr" [!]var[=value]...`.
func exprSetters(n *node) []setter {
	if len(n.args) < 2 {
		return nil
	}
	ev := n.evidence()
	g := classify(parseCond(n.args[0]), n.args[0], ev)
	var out []setter
	for _, a := range n.args[1:] {
		s, val := parseAssign(a, ev)
		switch {
		case g.pureOrigin():
			s.origin = g.origin
			re := ""
			if len(g.origin.patterns) == 1 {
				re = g.origin.patterns[0].Expr
			}
			assignFromMatch(&s, re, val, '$')
		case g.pureMethod():
			s.method = g.method
			s.lit, s.hasLit = val, true
		default:
			s.other = "set by SetEnvIfExpr " + n.args[0]
			s.opaque = g.opaque
			if !strings.Contains(val, "$") {
				s.lit, s.hasLit = val, true
			}
		}
		out = append(out, s)
	}
	return out
}

// setsEnv reports the directives envSetters reads.
func setsEnv(name string) bool {
	switch name {
	case "setenvif", "setenvifnocase", "browsermatch", "browsermatchnocase", "setenvifexpr", "setenv", "unsetenv":
		return true
	}
	return false
}

// envSetters returns the setters a body directive contributes.
func envSetters(n *node) []setter {
	switch n.name {
	case "setenvif", "setenvifnocase", "browsermatch", "browsermatchnocase":
		return setenvifSetters(n)
	case "setenvifexpr":
		return exprSetters(n)
	case "setenv":
		if len(n.args) == 0 {
			return nil
		}
		val := strings.Join(n.args[1:], " ")
		return []setter{{name: n.args[0], lit: val, hasLit: true, ev: n.evidence()}}
	case "unsetenv":
		var out []setter
		for _, a := range n.args {
			out = append(out, setter{name: a, unset: true, ev: n.evidence()})
		}
		return out
	}
	return nil
}

// envFlow is every setter that reaches a scope, in order. A scope sees a
// handful of variables, so a slice beats a map here. It points at the
// setters the directives keep (a setter is large, and a generated
// allowlist has one per line).
type envFlow struct{ all, buf []*setter }

func (f *envFlow) add(s *setter) {
	if s.name != "" {
		f.all = append(f.all, s)
	}
}

// live returns the setters of name that set a value (variable names are
// case-sensitive in httpd). The result is valid until the next call.
func (f *envFlow) live(name string) []*setter {
	out := f.buf[:0]
	for _, s := range f.all {
		if s.name == name && !s.unset {
			out = append(out, s)
		}
	}
	f.buf = out
	return out
}

// guardFor turns `env=VAR` / `env=!VAR` into a guard from what sets VAR.
func (f *envFlow) guardFor(spec string, ev rules.Evidence) *guard {
	g := &guard{text: spec, ev: ev}
	name := strings.TrimPrefix(spec, "env=")
	neg := strings.HasPrefix(name, "!")
	name = strings.TrimPrefix(name, "!")
	setters := f.live(name)
	if len(setters) == 0 {
		g.other = true
		return g
	}
	allOrigin, allMethod := true, true
	var oc originAcc
	oc.grow(setters)
	m := setters[0].method
	anyOrigin := false
	for _, s := range setters {
		if s.opaque {
			anyOrigin = true
		}
		if s.origin == nil {
			allOrigin = false
		} else {
			anyOrigin = true
			oc.add(s.origin)
		}
		if s.method == mAny || s.method != m || s.origin != nil {
			allMethod = false
		}
	}
	switch {
	case allOrigin && !neg:
		g.origin = oc.cond()
		g.ev = setters[0].ev
	case allOrigin && neg:
		g.originNeg = true
	case allMethod && !neg:
		g.method = m
	case allMethod && neg:
		g.method = flip(m)
	default:
		g.other = true
		g.opaque = anyOrigin
	}
	return g
}
