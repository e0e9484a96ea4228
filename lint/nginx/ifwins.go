package nginx

import (
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// When several `if` blocks of one location match a request, nginx uses the
// configuration of the last one: its add_header list replaces, rather than
// adds to, the earlier matching ones' (issue 9 item 4; the nginx wiki's
// "If is Evil" shows the same with headers). A CORS header set by an earlier
// if and not repeated by a later one that can match the same request is
// lost for the requests that match both.

// lostToLaterIf lists the CORS headers of earlier ifs of the same level
// that il replaces for requests matching both. An il without add_header
// of its own replaces them too (its configuration inherits from the
// location, not from the sibling if); the if itself is then the cause.
func (a *analyzer) lostToLaterIf(il *level, f flow) []rules.Dropped {
	me := parseCondition(il.n)
	by := il.n.evidence()
	if len(il.addHeaders) > 0 {
		by = il.addHeaders[0].evidence()
	}
	var out []rules.Dropped
	for i := range f.ifs {
		in := &f.ifs[i]
		if in.lv == il {
			break // only the ifs before this one
		}
		if in.lv.parent != il.parent || exclusive(in.cond, me) {
			continue
		}
		for _, h := range in.lv.addHeaders {
			name, ok := rules.CanonicalCORSHeader(h.arg(0))
			if !ok || declares(il.effectiveAddHeaders(), name) || droppedHas(out, name) {
				continue
			}
			out = append(out, rules.Dropped{Header: name, Inherited: h.evidence(), DroppedBy: by, Written: writtenValue(h)})
		}
	}
	return out
}

func droppedHas(ds []rules.Dropped, name string) bool {
	for _, d := range ds {
		if d.Header == name {
			return true
		}
	}
	return false
}

// exclusive reports whether no request can match both conditions: two
// equality tests of one variable against different strings, or two method
// tests no common method passes.
func exclusive(a, b condition) bool {
	if a.variable == "" || !strings.EqualFold(a.variable, b.variable) {
		return false
	}
	if a.op == "=" && b.op == "=" {
		return a.operand != b.operand
	}
	if strings.EqualFold(a.variable, "request_method") {
		for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"} {
			if methodTest(a, m) != no && methodTest(b, m) != no {
				return false
			}
		}
		return true
	}
	return false
}
