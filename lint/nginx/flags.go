package nginx

import "github.com/corsguard/corsguard/rules"

// Flag variables (issue 9 item 3): configurations without `else` compute a
// flag with `set` inside method tests and branch on it later:
//
//	set $pf ""; if ($request_method = OPTIONS) { set $pf yes; }
//	if ($pf = yes) { add_header ...; return 204; }
//
// and the concatenation family (`set $cors "${cors}options"`, then
// `if ($cors = "trueoptions")`). Each value of a `set` variable carries the
// request methods it cannot occur with (alt.notFor), so that an `if` on
// the flag can be tested for OPTIONS like an `if` on $request_method.

// Method classes a value can be impossible for: preflights (OPTIONS) and
// the simple methods of actual requests (GET and POST stand for them).
const (
	notOptions uint8 = 1 << iota
	notSimple
	notAny = notOptions | notSimple
)

// methodBits returns, for a condition, the method classes for which it
// surely fails (no) and surely holds (yes).
func methodBits(c condition) (fails, holds uint8) {
	switch methodTest(c, "OPTIONS") {
	case no:
		fails |= notOptions
	case yes:
		holds |= notOptions
	}
	get, post := methodTest(c, "GET"), methodTest(c, "POST")
	if get == no && post == no {
		fails |= notSimple
	}
	if get == yes && post == yes {
		holds |= notSimple
	}
	return fails, holds
}

// flagTest is methodTest for an `if` on a `set` variable, judged on the
// values the variable can have where the if runs: yes when some value
// possible for that method class passes, no when none does. An if that can
// pass only for OPTIONS is the preflight branch (for the requests that set
// the flag: the origin test that usually sets it is judged separately).
func (r *resolver) flagTest(c condition, e *env, method string) tri {
	if c.variable == "" || !r.declared[c.variable] || e == nil {
		return maybe
	}
	vals, ok := e.vars[c.variable]
	if !ok {
		return maybe
	}
	class := notSimple
	if method == "OPTIONS" {
		class = notOptions
	}
	pred := conditionPredicate(c)
	if pred == nil {
		return maybe
	}
	passes := false
	for _, v := range vals {
		if v.notFor&class != 0 {
			continue
		}
		if v.unknown != "" || v.reflects != "" {
			return maybe
		}
		ok, known := pred(v.lit)
		if !known {
			return maybe
		}
		passes = passes || ok
	}
	return boolTri(passes)
}

// conditionPredicate is the test an `if ($var op operand)` applies to the
// variable's value (nil for file tests and the like).
func conditionPredicate(c condition) func(string) (bool, bool) {
	switch c.op {
	case "":
		return func(v string) (bool, bool) { return v != "" && v != "0", true }
	case "=":
		return func(v string) (bool, bool) { return v == c.operand, true }
	case "!=":
		return func(v string) (bool, bool) { return v != c.operand, true }
	case "~":
		return regexPredicate(c.operand, false)
	case "~*":
		return regexPredicate(c.operand, true)
	case "!~", "!~*":
		p := regexPredicate(c.operand, c.op == "!~*")
		return func(v string) (bool, bool) { ok, known := p(v); return !ok, known }
	}
	return nil
}

// recordFlagTests remembers, for an if on a flag variable, how it tests
// for OPTIONS and for simple methods with the values the flag has there.
func (a *analyzer) recordFlagTests(n *node, c condition, e *env) {
	if !a.res.declared[c.variable] {
		return
	}
	if a.flagTests == nil {
		a.flagTests = map[*node][2]tri{}
	}
	a.flagTests[n] = [2]tri{a.res.flagTest(c, e, "OPTIONS"), a.res.flagTest(c, e, "GET")}
}

// methodTestAt is methodTest for the if block n, flags included.
func (a *analyzer) methodTestAt(n *node, c condition, method string) tri {
	if t, ok := a.flagTests[n]; ok {
		if method == "OPTIONS" {
			return t[0]
		}
		return t[1]
	}
	return methodTest(c, method)
}

// optionsOnlyAt is isOptionsOnly for the if block n, flags included.
func (a *analyzer) optionsOnlyAt(n *node, c condition) bool {
	if _, ok := a.flagTests[n]; ok {
		return a.methodTestAt(n, c, "OPTIONS") == yes && a.methodTestAt(n, c, "GET") == no
	}
	return isOptionsOnly(c)
}

// flagBits is methodBits for an if on a flag, from its recorded tests.
func flagBits(t [2]tri) (fails, holds uint8) {
	if t[0] == no {
		fails |= notOptions
	}
	if t[1] == no {
		fails |= notSimple
	}
	return fails, 0 // an if on a flag never surely holds for a whole class
}

// guardAnswer applies the origin test behind a flag to the preflight an
// `if` on that flag answers: `if ($cors = "trueoptions")` answers only
// for the origins that made $cors "true".
func (a *analyzer) guardAnswer(pf *rules.Preflight, n *node, f flow) {
	if _, flag := a.flagTests[n]; !flag {
		return
	}
	for i := range f.ifs {
		in := &f.ifs[i]
		if in.lv.n != n || !originRelated(*in) {
			continue
		}
		hs := a.hdrScratch[:0]
		for _, h := range sentWith(headersAt(in.lv), pf.Status) {
			h.cond = condText(in.cond)
			h.guard = in.guard
			h.guardEv = &in.ev
			hs = append(hs, h)
		}
		pf.Grant = a.grant(hs, f.env)
		a.hdrScratch = hs[:0]
		return
	}
}
