package nginx

import (
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// Gates (issue 9 item 1): an `if` that ends the request when the Origin
// fails a test, before anything is sent,
//
//	if ($http_origin !~ '^https://app\.example\.org$') { return 403; }
//
// validates the Origin for everything after it on the request's path: an
// echo of $http_origin there echoes only Origins that passed, and the
// test's pattern is what the rules judge (not CG101). The inverted flag
// (`!~` raising a flag that enables the echo) is no gate.

// gatesOrigin reports whether an if block is a gate of any kind (collect
// uses it: $http_origin then depends on the request's path).
func gatesOrigin(n *node, c condition) bool {
	if _, ok := gate(n, c, rules.Evidence{}); ok {
		return true
	}
	return strings.EqualFold(c.variable, "http_origin") && c.op == "!=" && returns(n)
}

// applyGate applies the if block n to the rewrite-phase env when it is a
// gate, and reports whether it was.
func (a *analyzer) applyGate(n *node, c condition, ev rules.Evidence, e *env) bool {
	if cons, ok := gate(n, c, ev); ok {
		a.passGate(e, cons)
		return true
	}
	if !returns(n) {
		return false
	}
	if strings.EqualFold(c.variable, "http_origin") && c.op == "!=" && strings.Contains(c.operand, "$") {
		// nginx expands variables in a string comparison: the Origin
		// that passes is whatever the variable holds.
		e.put("http_origin", []alt{{
			unknown: "the Origin is compared with " + quoteArg(c.operand) + " at " + n.rng().String(),
			ev:      []rules.Evidence{ev},
		}})
		return true
	}
	if s, ok := a.res.setters[c.variable]; ok && s.readsOrigin {
		// A gate on a check the linter cannot see (Lua reading the
		// Origin): whatever Origin goes on is unknown, not unvalidated.
		e.put("http_origin", []alt{{
			unknown: "the Origin is checked by $" + c.variable + ", " + s.reason + ", at " + n.rng().String(),
			ev:      []rules.Evidence{ev},
		}})
		return true
	}
	return false
}

// gate recognises the gate idiom: an `if` that refuses (returns) when the
// Origin does NOT pass a test (`!~`, `!~*`, `!=`) and sends nothing itself.
// Every request that goes on has passed the test: the constraint returned.
func gate(n *node, c condition, ev rules.Evidence) (constraint, bool) {
	if !strings.EqualFold(c.variable, "http_origin") || c.operand == "" {
		return constraint{}, false
	}
	var cons constraint
	switch c.op {
	case "!~":
		cons = constraint{kind: consRegex, expr: c.operand, ev: ev}
	case "!~*":
		cons = constraint{kind: consRegex, expr: c.operand, ci: true, ev: ev}
	case "!=":
		if strings.Contains(c.operand, "$") {
			// nginx expands variables in a string comparison (not in a
			// regex): the operand is not the literal written.
			return constraint{}, false
		}
		cons = constraint{kind: consExact, expr: c.operand, ev: ev}
	default:
		return constraint{}, false
	}
	return cons, returns(n)
}

// returns reports whether an if block ends the request (a `return`)
// without sending headers of its own.
func returns(n *node) bool {
	ret := false
	for _, s := range n.block {
		switch s.name {
		case "return":
			ret = true
		case "add_header", "more_set_headers":
			return false // it answers, with headers of its own
		}
	}
	return ret
}

// passGate makes $http_origin, from here on along this request's path,
// the Origin that passed the gate's test.
func (a *analyzer) passGate(e *env, cons constraint) {
	cur := a.res.lookup("http_origin", e)
	next := make([]alt, 0, len(cur))
	for _, v := range cur {
		v.guard = append(append(make([]constraint, 0, len(v.guard)+1), v.guard...), cons)
		v.ev = append(append(make([]rules.Evidence, 0, len(v.ev)+1), v.ev...), cons.ev)
		next = append(next, v)
	}
	e.put("http_origin", next)
}
