package nginx

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// Tests on values: map keys and `if` conditions, as predicates on known
// values and as origin constraints.

// keyConstraint turns a map key compared against $http_origin into a
// constraint.
func keyConstraint(key string, hostnames bool, ev rules.Evidence) constraint {
	switch {
	case strings.HasPrefix(key, "~*"):
		return constraint{kind: consRegex, expr: key[2:], ci: true, ev: ev}
	case strings.HasPrefix(key, "~"):
		return constraint{kind: consRegex, expr: key[1:], ev: ev}
	case hostnames && strings.HasPrefix(key, "."):
		return constraint{kind: consGlob, expr: "*" + key, ci: true, ev: ev}
	case hostnames && strings.ContainsRune(key, '*'):
		return constraint{kind: consGlob, expr: key, ci: true, ev: ev}
	default:
		return constraint{kind: consExact, expr: unescapeKey(key), ci: true, ev: ev}
	}
}

// unescapeKey removes the backslash nginx map keys use to escape a leading
// `~` or special word (`\default`).
func unescapeKey(k string) string {
	if strings.HasPrefix(k, `\`) {
		return k[1:]
	}
	return k
}

// keyPredicate tests a known source value against a map key.
func keyPredicate(key string, hostnames bool) func(string) (bool, bool) {
	switch {
	case strings.HasPrefix(key, "~*"):
		return regexPredicate(key[2:], true)
	case strings.HasPrefix(key, "~"):
		return regexPredicate(key[1:], false)
	case hostnames && (strings.HasPrefix(key, ".") || strings.ContainsRune(key, '*')):
		return func(string) (bool, bool) { return false, false }
	default:
		k := unescapeKey(key)
		return func(v string) (bool, bool) { return strings.EqualFold(v, k), true }
	}
}

// regexPredicate approximates PCRE with Go's regexp; patterns Go cannot
// compile make the predicate unknown.
func regexPredicate(expr string, ci bool) func(string) (bool, bool) {
	if ci {
		expr = "(?i)" + expr
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return func(string) (bool, bool) { return false, false }
	}
	return func(v string) (bool, bool) { return re.MatchString(v), true }
}

// filterAlts returns, as a disjunction of guards, the conditions under
// which a source whose possible values are src satisfies pred. A value the
// predicate cannot decide (reflected, unknown) counts as satisfying it
// without any origin constraint: that is what it proves about the origin.
func filterAlts(src []alt, pred func(string) (bool, bool)) []guardSet {
	var d []guardSet
	for _, a := range src {
		if a.reflects != "" || a.unknown != "" {
			d = append(d, guardSet{ev: a.ev})
			continue
		}
		ok, known := pred(a.lit)
		if known && !ok {
			continue
		}
		if !known {
			d = append(d, guardSet{ev: a.ev})
			continue
		}
		d = append(d, guardSet{cons: a.guard, ev: a.ev})
	}
	return dedupeGuards(d)
}

func dedupeGuards(d []guardSet) []guardSet {
	var out []guardSet
	for _, g := range d {
		dup := false
		for _, o := range out {
			if sameCons(o.cons, g.cons) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, g)
		}
	}
	return out
}

func sameCons(a, b []constraint) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].kind != b[i].kind || a[i].expr != b[i].expr || a[i].ci != b[i].ci || a[i].ev.Range != b[i].ev.Range {
			return false
		}
	}
	return true
}

// condition is a parsed `if (...)` condition.
type condition struct {
	variable string // without $, empty for file tests
	op       string // "", =, !=, ~, ~*, !~, !~*, or a file test (-f ...)
	operand  string
	text     string // "($request_method = OPTIONS)"
}

func parseCondition(n *node) condition {
	if n.cond == nil {
		c := computeCondition(n)
		n.cond = &c
	}
	return *n.cond
}

func computeCondition(n *node) condition {
	var b strings.Builder
	size := 2
	for _, a := range n.args {
		size += len(a) + 1
	}
	b.Grow(size)
	b.WriteByte('(')
	writeArgs(&b, n.args)
	b.WriteByte(')')
	c := condition{text: b.String()}
	if len(n.args) == 0 {
		return c
	}
	var buf [2]varRef
	if refs := appendVars(buf[:0], n.args[0]); len(refs) == 1 && refs[0].start == 0 && refs[0].end == len(n.args[0]) {
		c.variable = refs[0].name
	} else {
		c.op = n.args[0]
		if len(n.args) > 1 {
			c.operand = n.args[1]
		}
		return c
	}
	if len(n.args) >= 3 {
		c.op, c.operand = n.args[1], n.args[2]
	} else if len(n.args) == 2 {
		c.op = n.args[1]
	}
	return c
}

// originGuard returns the origin constraints under which the condition
// holds, as a disjunction; nil means it never holds.
func (r *resolver) originGuard(c condition, ev rules.Evidence, e *env) []guardSet {
	if c.variable == "" {
		return unconstrained
	}
	if strings.EqualFold(c.variable, "http_origin") {
		switch c.op {
		case "~":
			return []guardSet{{cons: []constraint{{kind: consRegex, expr: c.operand, ev: ev}}}}
		case "~*":
			return []guardSet{{cons: []constraint{{kind: consRegex, expr: c.operand, ci: true, ev: ev}}}}
		case "=":
			if c.operand == "" {
				return nil // no Origin header: nothing to grant
			}
			return []guardSet{{cons: []constraint{{kind: consExact, expr: c.operand, ev: ev}}}}
		case "!~", "!~*", "!=":
			return []guardSet{{cons: []constraint{{kind: consNegated, expr: c.op + " " + c.operand, ev: ev}}}}
		default:
			return unconstrained
		}
	}
	src := r.lookup(c.variable, e)
	var pred func(string) (bool, bool)
	switch c.op {
	case "":
		pred = func(v string) (bool, bool) { return v != "" && v != "0", true }
	case "=":
		pred = func(v string) (bool, bool) { return v == c.operand, true }
	case "!=":
		pred = func(v string) (bool, bool) { return v != c.operand, true }
	case "~":
		pred = regexPredicate(c.operand, false)
	case "~*":
		pred = regexPredicate(c.operand, true)
	case "!~", "!~*":
		p := regexPredicate(c.operand, c.op == "!~*")
		pred = func(v string) (bool, bool) { ok, known := p(v); return !ok, known }
	default:
		return unconstrained
	}
	return filterAlts(src, pred)
}

// methodTest says whether a condition holds for a request with the given
// method: yes, no, or "depends on something else" (maybe).
type tri uint8

const (
	no tri = iota
	yes
	maybe
)

func methodTest(c condition, method string) tri {
	if !strings.EqualFold(c.variable, "request_method") {
		return maybe
	}
	switch c.op {
	case "=":
		return boolTri(c.operand == method)
	case "!=":
		return boolTri(c.operand != method)
	case "~", "~*", "!~", "!~*":
		ok, known := regexPredicate(c.operand, strings.HasSuffix(c.op, "*"))(method)
		if !known {
			return maybe
		}
		if strings.HasPrefix(c.op, "!") {
			ok = !ok
		}
		return boolTri(ok)
	case "":
		return yes
	}
	return maybe
}

func boolTri(b bool) tri {
	if b {
		return yes
	}
	return no
}

// isOptionsOnly reports whether a condition selects exactly the OPTIONS
// method (the usual preflight block).
func isOptionsOnly(c condition) bool {
	return methodTest(c, "OPTIONS") == yes && methodTest(c, "GET") == no && methodTest(c, "POST") == no
}

// captureEnv binds $1..$9 to the capture groups of an origin regex, for a
// map value such as `~^(https://.+)$ $1;`.
func captureEnv(e *env, expr string) *env {
	c := &env{vars: map[string][]alt{}}
	if e != nil {
		c = e.clone()
	}
	for i := 1; i <= 9; i++ {
		c.vars[strconv.Itoa(i)] = []alt{captureAlt(expr, i)}
	}
	return c
}
