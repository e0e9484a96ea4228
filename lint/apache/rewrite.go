package apache

import (
	"strconv"
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// rwCond is one RewriteCond.
type rwCond struct {
	n       *node
	test    string
	pattern string
	negate  bool
	nocase  bool
	or      bool
}

// rwRule is one RewriteRule with the conditions before it.
type rwRule struct {
	n       *node
	pattern string
	subst   string
	conds   []rwCond
	flags   map[string]string // lower-case flag name -> value
	envs    []string          // E= assignments, in order
	env     []setter
	envDone bool
	opts    []ruleOutcome // options, per context
}

// ruleOutcome is a rule's effect on OPTIONS in one context.
type ruleOutcome struct {
	where string
	o     *outcome
}

// setters returns the rule's E= setters, computed once.
func (r *rwRule) setters() []setter {
	if !r.envDone {
		r.env, r.envDone = r.envSetters(), true
	}
	return r.env
}

// rewriteSet is the mod_rewrite configuration of one context.
type rewriteSet struct {
	engine   *bool
	rules    []*rwRule
	inherit  string // "inherit", "inheritbefore" or ""
	engineEv rules.Evidence
	hasRules bool
}

// readRewrite collects mod_rewrite directives from a body in order.
func readRewrite(items []item) rewriteSet {
	var rs rewriteSet
	var pending []rwCond
	for _, it := range items {
		n := it.n
		switch n.name {
		case "rewriteengine":
			on := strings.EqualFold(n.arg(0), "on")
			rs.engine = &on
			rs.engineEv = n.evidence()
		case "rewriteoptions":
			for _, a := range n.args {
				if la := strings.ToLower(a); la == "inherit" || la == "inheritbefore" {
					rs.inherit = la
				}
			}
		case "rewritecond":
			if len(n.args) < 2 {
				continue
			}
			c := rwCond{n: n, test: n.args[0], pattern: n.args[1]}
			if strings.HasPrefix(c.pattern, "!") {
				c.negate = true
				c.pattern = c.pattern[1:]
			}
			if len(n.args) > 2 {
				for _, f := range splitFlags(n.args[2]) {
					switch strings.ToLower(f) {
					case "nc", "nocase":
						c.nocase = true
					case "or", "ornext":
						c.or = true
					}
				}
			}
			pending = append(pending, c)
		case "rewriterule":
			if len(n.args) < 2 {
				pending = nil
				continue
			}
			r := &rwRule{n: n, pattern: n.args[0], subst: n.args[1], conds: pending, flags: map[string]string{}}
			pending = nil
			if len(n.args) > 2 {
				for _, f := range splitFlags(n.args[2]) {
					k, v, _ := strings.Cut(f, "=")
					k = strings.ToLower(strings.TrimSpace(k))
					switch k {
					case "e", "env":
						r.envs = append(r.envs, v)
						continue
					case "redirect":
						k = "r"
					case "forbidden":
						k = "f"
					case "gone":
						k = "g"
					case "proxy":
						k = "p"
					case "last":
						k = "l"
					case "handler":
						k = "h"
					}
					r.flags[k] = v
				}
			}
			rs.rules = append(rs.rules, r)
			rs.hasRules = true
		}
	}
	return rs
}

func splitFlags(s string) []string {
	s = strings.TrimPrefix(strings.TrimSuffix(strings.TrimSpace(s), "]"), "[")
	return strings.Split(s, ",")
}

// isOriginTest reports a RewriteCond test string that is the request Origin.
func isOriginTest(t string) bool {
	lt := strings.ToLower(t)
	return lt == "%{http:origin}" || lt == "%{http_origin}"
}

func isMethodTest(t string) bool { return strings.EqualFold(t, "%{REQUEST_METHOD}") }

// condMatchesMethod evaluates a method RewriteCond for one method.
func condMatchesMethod(c rwCond, method string) bool {
	var m bool
	if strings.HasPrefix(c.pattern, "=") {
		v := c.pattern[1:]
		if c.nocase {
			m = strings.EqualFold(v, method)
		} else {
			m = v == method
		}
	} else {
		m = regexMatches(c.pattern, c.nocase, method)
	}
	return m != c.negate
}

// optionsVerdict says whether a rule's conditions can hold for OPTIONS:
// applies is false when a method condition excludes OPTIONS; definite is
// true when every condition is a method test that OPTIONS passes. others
// lists the conditions the linter cannot evaluate.
func (r *rwRule) optionsVerdict() (applies, definite bool, others []string) {
	applies, definite = true, true
	// Group [OR]-chained conditions; the rule needs every group to hold.
	var group []rwCond
	flush := func() {
		if len(group) == 0 {
			return
		}
		anyTrue, anyUnknown := false, false
		for _, c := range group {
			if isMethodTest(c.test) {
				if condMatchesMethod(c, "OPTIONS") {
					anyTrue = true
				}
			} else {
				anyUnknown = true
				others = append(others, c.n.text)
			}
		}
		if !anyTrue && !anyUnknown {
			applies = false
		}
		if !anyTrue {
			definite = false
		}
		group = group[:0]
	}
	for _, c := range r.conds {
		group = append(group, c)
		if !c.or {
			flush()
		}
	}
	flush()
	return applies, definite, others
}

// methodOnly reports whether the rule's conditions restrict it to OPTIONS.
func (r *rwRule) methodOnly() methodCond {
	m := mAny
	for _, c := range r.conds {
		if !isMethodTest(c.test) || c.or {
			continue
		}
		opt := condMatchesMethod(c, "OPTIONS")
		get := condMatchesMethod(c, "GET") || condMatchesMethod(c, "POST")
		switch {
		case opt && !get:
			m = mOnly
		case !opt && get:
			m = mNot
		}
	}
	return m
}

// envSetters turns the rule's E= flags into setters, following the Origin
// from `RewriteCond %{HTTP:Origin} regex` through `%N` backreferences.
func (r *rwRule) envSetters() []setter {
	if len(r.envs) == 0 {
		return nil
	}
	var acc originAcc
	var last *rwCond
	var lastEv rules.Evidence
	orChain := false
	for i := range r.conds {
		c := &r.conds[i]
		if c.or {
			orChain = true
		}
		if isOriginTest(c.test) && !c.negate {
			lastEv = c.n.evidence()
			acc.add(regexCond(c.pattern, c.nocase, lastEv))
		}
		last = c
	}
	oc := acc.cond()
	ev := r.n.evidence()
	var out []setter
	for _, e := range r.envs {
		s := setter{ev: ev, method: r.methodOnly()}
		if strings.HasPrefix(e, "!") {
			s.unset = true
			s.name = e[1:]
			out = append(out, s)
			continue
		}
		name, val, hasVal := strings.Cut(e, ":")
		s.name = name
		if !hasVal {
			val = ""
		}
		if oc != nil && !orChain {
			s.origin = oc
			s.ev = lastEv
		}
		switch {
		case isOriginTest(strings.TrimSpace(val)):
			if s.origin != nil {
				s.echo = true
			} else {
				s.reflect = true
			}
		case strings.ContainsRune(val, '%') && len(val) == 2 && val[1] >= '0' && val[1] <= '9':
			if last != nil && isOriginTest(last.test) && !last.negate && !orChain {
				assignFromMatch(&s, last.pattern, val, '%')
			} else {
				s.origin = nil
				s.other = "value " + val + " comes from a RewriteCond that does not test the Origin"
			}
		case strings.ContainsAny(val, "%$"):
			s.other = "value " + val + " is built from rewrite backreferences or variables"
		default:
			s.lit, s.hasLit = val, true
		}
		if s.origin == nil && s.method == mAny && !s.reflect && len(r.conds) > 0 && s.other == "" {
			s.other = "set by RewriteRule under conditions that do not test the Origin"
		}
		out = append(out, s)
	}
	return out
}

// matchesAll reports a RewriteRule pattern that matches every URL path.
func matchesAll(p string) bool {
	switch p {
	case "^", ".*", "^.*$", "^(.*)$", "(.*)", "^/?(.*)$", "^/(.*)$", ".?", "^.*", "^(.*)", "/?", "^/?", ".*$":
		return true
	}
	return false
}

// outcome is what a rule does to an OPTIONS request.
type outcome struct {
	kind   rules.PreflightKind
	status int
	reason string
	ev     []rules.Evidence
	stop   bool // processing ends here without deciding the preflight
}

// optionsOutcome returns the first decision the rules take for OPTIONS.
func (rs *rewriteSet) optionsOutcome(where string) *outcome {
	for _, r := range rs.rules {
		if o := r.options(where); o != nil {
			return o
		}
	}
	return nil
}

// options is what the rule alone does to OPTIONS (nil: nothing, go on to
// the next rule). It depends only on the rule, and a vhost's rules are
// consulted by every scope in it, so the answer is kept; callers only
// read it.
func (r *rwRule) options(where string) *outcome {
	for _, c := range r.opts {
		if c.where == where {
			return c.o
		}
	}
	o := r.decideOptions(where)
	r.opts = append(r.opts, ruleOutcome{where: where, o: o})
	return o
}

func (r *rwRule) decideOptions(where string) *outcome {
	if g := rewriteGate(r); g != nil && g.opaque == "" {
		// An origin gate rejects other origins only: the preflight of an
		// allowed origin goes on to the next rule.
		return nil
	}
	applies, definite, others := r.optionsVerdict()
	if !applies {
		return nil
	}
	ev := []rules.Evidence{}
	for _, c := range r.conds {
		ev = append(ev, c.n.evidence())
	}
	ev = append(ev, r.n.evidence())
	when := ""
	if len(others) > 0 {
		when = " when " + strings.Join(others, " and ")
	}
	if !matchesAll(r.pattern) {
		when += " for URLs matching " + r.pattern
	}
	switch {
	case hasFlag(r, "f"):
		return &outcome{kind: rules.PreflightRejected, status: 403, reason: where + " RewriteRule [F] answers OPTIONS with 403" + when, ev: ev}
	case hasFlag(r, "g"):
		return &outcome{kind: rules.PreflightRejected, status: 410, reason: where + " RewriteRule [G] answers OPTIONS with 410" + when, ev: ev}
	case hasFlag(r, "r"):
		code := 302
		if v := r.flags["r"]; v != "" {
			if c, err := strconv.Atoi(v); err == nil {
				code = c
			} else if strings.EqualFold(v, "permanent") {
				code = 301
			} else if strings.EqualFold(v, "seeother") {
				code = 303
			}
		}
		o := &outcome{status: code, ev: ev}
		switch {
		case code >= 200 && code < 300:
			o.kind = rules.PreflightAnswered
			o.reason = where + " RewriteRule answers OPTIONS with " + strconv.Itoa(code) + " itself" + when
		case code >= 300 && code < 400:
			o.kind = rules.PreflightRedirect
			o.reason = where + " RewriteRule redirects OPTIONS (" + strconv.Itoa(code) + ")" + when
		default:
			o.kind = rules.PreflightRejected
			o.reason = where + " RewriteRule answers OPTIONS with " + strconv.Itoa(code) + when
		}
		return o
	case hasFlag(r, "p") || strings.HasPrefix(strings.ToLower(r.subst), "http://") && hasFlag(r, "p"):
		return &outcome{kind: rules.PreflightToApp, reason: where + " RewriteRule [P] proxies OPTIONS to a backend" + when, ev: ev}
	case hasFlag(r, "h"):
		return &outcome{kind: rules.PreflightToApp, reason: where + " RewriteRule [H=" + r.flags["h"] + "] hands OPTIONS to a handler" + when, ev: ev}
	case isScript(r.subst):
		return &outcome{kind: rules.PreflightToApp, reason: where + " RewriteRule sends OPTIONS to " + r.subst + when, ev: ev}
	}
	if definite && matchesAll(r.pattern) && (hasFlag(r, "l") || hasFlag(r, "end")) {
		return &outcome{stop: true}
	}
	return nil
}

func hasFlag(r *rwRule, f string) bool {
	_, ok := r.flags[f]
	return ok
}

// isScript reports a substitution that hands the request to an application
// front controller.
func isScript(s string) bool {
	s = strings.ToLower(s)
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	for _, ext := range []string{".php", ".cgi", ".py", ".pl", ".fcgi", ".jsp", ".asp", ".aspx"} {
		if strings.HasSuffix(s, ext) {
			return true
		}
	}
	return false
}
