package apache

import (
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// analysis is the merged configuration of one scope.
type analysis struct {
	layers []layer
	env    *envFlow
	flow   envFlow // what env points to
	ops    []scopedHop
	server rewriteSet // server-context mod_rewrite (translate_name)
	perDir rewriteSet // per-directory mod_rewrite (fixups)
	notes  []string
	s      *scratch
	// methodGuards is set when some Header directive depends on the
	// method, so the preflight's headers differ from the actual response's.
	methodGuards bool
	// gateVal is the scope's origin gate, found once (see gate.go).
	gateVal  *gate
	gateDone bool
}

func analyse(top, leaf *container, htaccess bool, s *scratch) *analysis {
	if s == nil {
		s = &scratch{}
	}
	a := &s.a
	*a = analysis{layers: layersFor(top, leaf, htaccess, s), flow: envFlow{all: s.env[:0], buf: s.live[:0]}, s: s}
	a.env = &a.flow
	var host *container
	for c := leaf; c != nil; c = c.parent {
		if c.isHost {
			host = c
		}
	}
	// Server-context rewrite: the vhost's own rules (the main server's are
	// inherited only with RewriteOptions Inherit).
	if !htaccess {
		main := top.rewrite()
		if host != nil {
			a.server = host.rewrite()
			switch a.server.inherit {
			case "inherit":
				a.server.rules = append(a.server.rules[:len(a.server.rules):len(a.server.rules)], main.rules...)
			case "inheritbefore":
				a.server.rules = append(append([]*rwRule{}, main.rules...), a.server.rules...)
			}
		} else {
			a.server = main
		}
		if a.server.engine == nil || !*a.server.engine {
			a.server.rules = nil
		}
	}
	// Per-directory rewrite: the most specific section with rules wins;
	// RewriteEngine is inherited between per-directory sections.
	var engine *bool
	for _, l := range a.layers {
		if l.server {
			continue
		}
		rs := l.c.rewriteRef()
		if rs.engine != nil {
			engine = rs.engine
		}
		if rs.hasRules {
			a.perDir = *rs
			a.perDir.engine = engine
		}
	}
	if a.perDir.engine == nil || !*a.perDir.engine {
		a.perDir.rules = nil
	}
	// Environment: SetEnvIf & co. in merge order, then rewrite E= flags.
	for _, l := range a.layers {
		for _, it := range l.items {
			ss := it.n.setters()
			for i := range ss {
				a.env.add(&ss[i])
				if len(ss[i].notes) > 0 {
					a.notes = append(a.notes, ss[i].notes...)
				}
			}
		}
	}
	for _, rs := range []rewriteSet{a.server, a.perDir} {
		for _, r := range rs.rules {
			ss := r.setters()
			for i := range ss {
				a.env.add(&ss[i])
				a.notes = append(a.notes, ss[i].notes...)
			}
		}
	}
	seq, count := 0, 0
	for _, l := range a.layers {
		for _, it := range l.items {
			if it.n.name == "header" {
				count++
			}
		}
	}
	if cap(s.ops) < count {
		s.ops = make([]scopedHop, 0, count)
	}
	a.ops = s.ops[:0]
	for li, l := range a.layers {
		for _, it := range l.items {
			if it.n.name != "header" {
				continue
			}
			tmpl := it.n.header()
			if tmpl == nil {
				continue
			}
			seq++
			a.ops = append(a.ops, scopedHop{hop: tmpl, layer: li, seq: seq, guards: l.guards})
		}
	}
	s.ops, s.env = a.ops, a.env.all
	if cap(s.res) < len(a.ops) {
		s.res = make([]resolved, len(a.ops))
	}
	s.res = s.res[:len(a.ops)]
	clear(s.res)
	for i := range a.ops {
		h := &a.ops[i]
		h.cg = a.condGuard(h)
		if h.cg != nil && h.cg.method != mAny {
			a.methodGuards = true
		}
		for _, g := range h.guards {
			if g.method != mAny {
				a.methodGuards = true
			}
		}
	}
	return a
}

// condGuard classifies a header's env=/expr= condition.
func (a *analysis) condGuard(h *scopedHop) *guard {
	if h.cond == "" {
		return nil
	}
	if hasPrefixFold(h.cond, "env=") {
		return a.env.guardFor(h.cond, h.n.evidence())
	}
	e := h.cond[5:]
	return classify(parseCond(e), h.cond, h.n.evidence())
}

// reqKind is the request a grant is computed for.
type reqKind uint8

const (
	actualReq reqKind = iota
	preflightReq
)

// entry is a header present in one of mod_headers' tables.
type entry struct {
	op     *scopedHop
	condG  *guard
	edited *scopedHop
}

// fold applies the Header directives to the two tables for one kind of
// request and returns the surviving entries in directive order.
func (a *analysis) fold(kind reqKind) ([]entry, []rules.Dropped) {
	tables := [2][]entry{a.s.tables[kind][0][:0], a.s.tables[kind][1][:0]}
	var dropped []rules.Dropped
	for i := range a.ops {
		h := &a.ops[i]
		cg := h.cg
		if skipFor(kind, h.guards, cg) {
			continue
		}
		ti := 0
		if h.always {
			ti = 1
		}
		tab := tables[ti]
		cond := h.conditional(cg)
		switch h.action {
		case "set":
			keep := tab[:0]
			for _, e := range tab {
				if !strings.EqualFold(e.op.name, h.name) || (cond && e.op.condition() != h.condition()) {
					keep = append(keep, e)
				}
			}
			tab = append(keep, entry{op: h, condG: cg})
		case "setifempty":
			if !hasName(tab, h.name) {
				tab = append(tab, entry{op: h, condG: cg})
			}
		case "append", "add":
			tab = append(tab, entry{op: h, condG: cg})
		case "merge":
			dup := false
			for _, e := range tab {
				if strings.EqualFold(e.op.name, h.name) && e.edited == nil && sameTokens(e.op.value, h.value) {
					dup = true
				}
			}
			if !dup {
				tab = append(tab, entry{op: h, condG: cg})
			}
		case "unset":
			if cond {
				break
			}
			keep := tab[:0]
			for _, e := range tab {
				if !strings.EqualFold(e.op.name, h.name) {
					keep = append(keep, e)
					continue
				}
				if h.cors && kind == actualReq && a.layers[e.op.layer].c != a.layers[h.layer].c {
					dropped = append(dropped, rules.Dropped{Header: h.name, Inherited: e.op.n.evidence(), DroppedBy: h.n.evidence(), Explicit: true, Written: e.op.written()})
				}
			}
			tab = keep
		case "edit", "edit*":
			found := false
			for i := range tab {
				if strings.EqualFold(tab[i].op.name, h.name) {
					tab[i].edited = h
					found = true
				}
			}
			if !found && h.cors {
				// Nothing in the config sets it: the edit rewrites what the
				// backend sent, a value the config does not hold.
				tab = append(tab, entry{op: h, condG: cg, edited: h})
			}
		}
		tables[ti] = tab
	}
	a.s.tables[kind] = tables
	// Each table is in directive order; merge them.
	all := a.s.merged[kind][:0]
	i, j := 0, 0
	for i < len(tables[0]) || j < len(tables[1]) {
		if j >= len(tables[1]) || (i < len(tables[0]) && tables[0][i].op.seq < tables[1][j].op.seq) {
			all = append(all, tables[0][i])
			i++
		} else {
			all = append(all, tables[1][j])
			j++
		}
	}
	a.s.merged[kind] = all
	return all, dropped
}

// sameTokens compares comma-separated header values as `merge` does.
func sameTokens(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

func hasName(tab []entry, name string) bool {
	for _, e := range tab {
		if strings.EqualFold(e.op.name, name) {
			return true
		}
	}
	return false
}

// skipFor drops directives whose method guard excludes this request kind.
func skipFor(kind reqKind, gs []*guard, cg *guard) bool {
	check := func(g *guard) bool {
		if g == nil {
			return false
		}
		if kind == actualReq && g.method == mOnly {
			return true
		}
		return kind == preflightReq && g.method == mNot
	}
	for _, g := range gs {
		if check(g) {
			return true
		}
	}
	return check(cg)
}

// grant turns table entries into the model: headers and origin rules.
func (a *analysis) grant(entries []entry, alwaysOnly bool) rules.Grant {
	var g rules.Grant
	n := 0
	for _, e := range entries {
		if e.op.cors && (!alwaysOnly || e.op.always) {
			n++
		}
	}
	if n == 0 {
		return g
	}
	// Resolve first, so that the origin rules get one slice of the size
	// they can reach (identical rules merge, so it may be a little large).
	rs := a.s.resolvedBuf[:0]
	origins := 0
	for _, e := range entries {
		if !e.op.cors || (alwaysOnly && !e.op.always) {
			continue
		}
		r := a.resolve(e)
		rs = append(rs, r)
		origins += len(r.origins)
	}
	a.s.resolvedBuf = rs
	var set ruleSet
	if origins > 0 {
		set.rs = make([]rules.OriginRule, 0, origins)
	}
	g.Headers = make([]rules.Header, 0, n)
	i := 0
	for _, e := range entries {
		if !e.op.cors || (alwaysOnly && !e.op.always) {
			continue
		}
		r := rs[i]
		i++
		g.Headers = append(g.Headers, rules.Header{
			Name:      e.op.name,
			Value:     r.value,
			Always:    e.op.always,
			Condition: r.cond,
			Evidence:  e.op.n.evidence(),
			Written:   e.op.written(),
		})
		for _, o := range r.origins {
			set.add(o)
		}
	}
	g.Origins = set.rs
	return g
}

// resolved is a header entry's value and origin rules, computed once per
// scope (the actual and the preflight grant share entries).
type resolved struct {
	done    bool
	value   rules.Value
	cond    string
	origins []rules.OriginRule
}

func (a *analysis) resolve(e entry) *resolved {
	var r *resolved
	if e.edited == nil {
		// The scope's cache: ops are numbered from 1 in order.
		r = &a.s.res[e.op.seq-1]
		if r.done {
			return r
		}
	} else {
		r = new(resolved)
	}
	*r = resolved{cond: e.op.condition(), done: true}
	var cands []candidate
	if e.edited != nil {
		reason := "rewritten by Header edit at " + e.edited.n.rng.r().String()
		if e.edited == e.op {
			reason = "the backend's value, rewritten by Header edit at " + e.edited.n.rng.r().String()
		}
		r.value = rules.UnknownValue(reason)
		cands = []candidate{{kind: 'u', reason: reason}}
	} else {
		r.value, cands = resolveValue(e.op.value, a.env, a.s.cands[:0])
		a.s.cands = cands
	}
	if e.op.name == rules.HeaderAllowOrigin {
		r.origins = originRules(e, cands, a.gate())
	}
	return r
}
