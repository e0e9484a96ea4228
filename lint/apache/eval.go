package apache

import (
	"cmp"
	"path"
	"slices"
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// layer is one section's contribution to a request's merged configuration.
type layer struct {
	c      *container
	items  []item
	guards []*guard // the folded <If> chain the items sit in
	server bool     // server config or VirtualHost body
}

// scopeTarget is what a request in a scope looks like: the directory it
// maps to and its URL path.
type scopeTarget struct {
	chain []*container // the scope's own sections, innermost first
	dir   string       // filesystem directory ("" if unknown)
	loc   string       // URL path
}

func (t *scopeTarget) onChain(c *container) bool {
	for _, x := range t.chain {
		if x == c {
			return true
		}
	}
	return false
}

// layersFor lists, in httpd's merge order, the layers that apply to a
// request in the scope whose innermost section is leaf.
func layersFor(top *container, leaf *container, htaccess bool, s *scratch) []layer {
	t := scopeTarget{loc: "/", chain: s.chain[:0]}
	var host *container
	for c := leaf; c != nil; c = c.parent {
		t.chain = append(t.chain, c)
		if c.isHost {
			host = c
		}
		switch {
		case c.phase == phaseDir && t.dir == "":
			t.dir = c.path
		case c.phase == phaseLocation && !c.regex && t.loc == "/":
			t.loc = c.path
		}
	}
	if t.dir == "" {
		if host != nil && host.docroot != "" {
			t.dir = host.docroot
		} else {
			t.dir = top.docroot
		}
		// A Location's URL maps onto the file system under DocumentRoot
		// (Alias aside), so <Directory docroot/fonts> applies to
		// <Location /fonts/> too.
		if t.dir != "" && t.loc != "/" {
			t.dir = path.Join(t.dir, t.loc)
		}
	} else if root := docroot(top, host); t.loc == "/" && root != "" && pathUnder(t.dir, root) && t.dir != root {
		// And the other way: a Directory under DocumentRoot is reached
		// through the URL path that mirrors it.
		t.loc = "/" + strings.TrimPrefix(strings.TrimPrefix(t.dir, root), "/") + "/"
	}
	// In an .htaccess file the top level is the directory's own section.
	out := append(s.layers[:0], layer{c: top, items: top.body, server: !htaccess})
	if host != nil {
		out = append(out, layer{c: host, items: host.body, server: true})
	}
	// Sections of the server config come before the vhost's own (httpd
	// appends the vhost's section arrays to the main server's).
	for i := range s.groups {
		s.groups[i] = s.groups[i][:0]
	}
	w := layerWalker{t: &t, groups: &s.groups}
	w.visit(top.sections())
	if host != nil {
		w.visit(host.kids)
	}
	// Directory sections apply shortest path first; ties keep file order.
	dirs := s.groups[0]
	if len(dirs) > 1 {
		slices.SortStableFunc(dirs, func(a, b *container) int { return cmp.Compare(pathDepth(a.path), pathDepth(b.path)) })
	}
	applied := s.applied[:0]
	for _, group := range s.groups {
		for _, c := range group {
			out = append(out, layer{c: c, items: c.body})
			applied = append(applied, c)
		}
	}
	s.applied = applied
	s.chain = t.chain
	// Folded <If>s (origin / method tests) run last, in the order of the
	// sections that hold them.
	out = appendIfs(out, top)
	if host != nil {
		out = appendIfs(out, host)
	}
	for _, c := range applied {
		out = appendIfs(out, c)
	}
	s.layers = out
	return out
}

// layerWalker collects the sections that apply to a target, by phase.
type layerWalker struct {
	t      *scopeTarget
	groups *[5][]*container // Directory, DirectoryMatch, Files, Location, If
}

func (w layerWalker) visit(cs []*container) {
	t := w.t
	for _, c := range cs {
		g := -1
		switch c.phase {
		case phaseDir:
			if t.onChain(c) || (t.dir != "" && pathUnder(t.dir, c.path)) {
				g = 0
			}
		case phaseDirMatch:
			if t.onChain(c) || (t.dir != "" && c.matches(t.dir)) {
				g = 1
			}
		case phaseFiles:
			if t.onChain(c) {
				g = 2
			}
		case phaseLocation:
			if t.onChain(c) || (!c.regex && urlUnder(t.loc, c.path)) || (c.regex && c.matches(t.loc)) {
				g = 3
			}
		case phaseIf:
			if t.onChain(c) {
				g = 4
			}
		}
		if g >= 0 {
			w.groups[g] = append(w.groups[g], c)
			w.visit(c.kids)
		}
	}
}

// scratch holds buffers reused from one scope's analysis to the next: the
// emitter analyses scopes one at a time and nothing in a finished Policy
// points into them.
type scratch struct {
	chain   []*container
	layers  []layer
	groups  [5][]*container
	applied []*container
	ops     []scopedHop
	env     []*setter
	live    []*setter
	tables  [2][2][]entry // per request kind, per header table
	merged  [2][]entry    // per request kind
	cands   []candidate   // one header value's candidates while it is resolved
	res     []resolved    // per op (by seq), filled by the first grant that needs it
	// resolvedBuf holds one grant's resolved entries while it is built.
	resolvedBuf []*resolved
	a           analysis // the scope being analysed
}

// appendIfs adds the folded Ifs inside c, depth first, each with the chain
// of guards it sits under.
func appendIfs(out []layer, c *container) []layer {
	for _, f := range c.ifs {
		out = append(out, layer{c: f, items: f.body, guards: f.guards})
		out = appendIfs(out, f)
	}
	return out
}

func pathDepth(p string) int {
	if p == "/" {
		return 0
	}
	return strings.Count(strings.TrimSuffix(p, "/"), "/")
}

// pathUnder reports whether directory d is dir or below it. Wildcards in
// <Directory> paths match one component each, as fnmatch does there.
func pathUnder(d, dir string) bool {
	if dir == "/" {
		return true
	}
	if strings.ContainsAny(dir, "*?[") {
		dp := strings.Split(strings.Trim(dir, "/"), "/")
		tp := strings.Split(strings.Trim(d, "/"), "/")
		if len(tp) < len(dp) {
			return false
		}
		for i := range dp {
			if ok, err := path.Match(dp[i], tp[i]); err != nil || !ok {
				return false
			}
		}
		return true
	}
	return d == dir || strings.HasPrefix(d, strings.TrimSuffix(dir, "/")+"/")
}

func urlUnder(u, loc string) bool {
	if loc == "/" || loc == u {
		return true
	}
	return strings.HasPrefix(u, strings.TrimSuffix(loc, "/")+"/")
}

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
					dropped = append(dropped, rules.Dropped{Header: h.name, Inherited: e.op.n.evidence(), DroppedBy: h.n.evidence(), Explicit: true})
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
		r.origins = originRules(e, cands)
	}
	return r
}

// ruleKey identifies an origin rule up to its evidence: rules with equal
// keys are one rule reached from several places.
type ruleKey struct {
	kind   rules.OriginKind
	echo   bool
	reason string
	values string // Values joined with NUL
	hasPat bool
	expr   string
	ci     bool
	at     rules.Range
}

func keyOf(r *rules.OriginRule) ruleKey {
	k := ruleKey{kind: r.Kind, echo: r.Echo, reason: r.Reason, values: strings.Join(r.Values, "\x00")}
	if r.Pattern != nil {
		k.hasPat, k.expr, k.ci, k.at = true, r.Pattern.Expr, r.Pattern.CaseInsensitive, r.Pattern.Evidence.Range
	}
	return k
}

// ruleSet builds a grant's origin rules, merging identical ones. The index
// is built only for long lists: a handful of rules compare faster than they
// hash, and 100k SetEnvIf Origin lines made the pairwise scan quadratic.
type ruleSet struct {
	rs    []rules.OriginRule
	index map[ruleKey]int
}

const ruleIndexFrom = 16

// add appends r unless an identical rule is present, in which case the
// evidence is merged.
func (s *ruleSet) add(r rules.OriginRule) {
	i := -1
	if s.index == nil && len(s.rs) >= ruleIndexFrom {
		s.index = make(map[ruleKey]int, 2*len(s.rs))
		for j := range s.rs {
			if _, dup := s.index[keyOf(&s.rs[j])]; !dup {
				s.index[keyOf(&s.rs[j])] = j
			}
		}
	}
	if s.index != nil {
		k := keyOf(&r)
		if j, ok := s.index[k]; ok {
			i = j
		} else {
			s.index[k] = len(s.rs)
		}
	} else {
		for j := range s.rs {
			if sameRule(&s.rs[j], &r) {
				i = j
				break
			}
		}
	}
	if i < 0 {
		s.rs = append(s.rs, r)
		return
	}
	o := &s.rs[i]
	for _, ev := range r.Evidence {
		if !hasEvidence(o.Evidence, ev) {
			// Full-slice copy: rules are shared between grants.
			o.Evidence = append(o.Evidence[:len(o.Evidence):len(o.Evidence)], ev)
		}
	}
}

// sameRule is keyOf(o) == keyOf(r) without building the keys.
func sameRule(o, r *rules.OriginRule) bool {
	if o.Kind != r.Kind || o.Echo != r.Echo || o.Reason != r.Reason || !slices.Equal(o.Values, r.Values) {
		return false
	}
	if (o.Pattern == nil) != (r.Pattern == nil) {
		return false
	}
	return o.Pattern == nil || (o.Pattern.Expr == r.Pattern.Expr && o.Pattern.CaseInsensitive == r.Pattern.CaseInsensitive && o.Pattern.Evidence.Range == r.Pattern.Evidence.Range)
}

func hasEvidence(evs []rules.Evidence, ev rules.Evidence) bool {
	for _, e := range evs {
		if e.Range == ev.Range {
			return true
		}
	}
	return false
}

// originRules derives how an ACAO entry chooses the origin. Every rule
// gets its own evidence slice, built at its final size in one step.
func originRules(e entry, cands []candidate) []rules.OriginRule {
	hev := e.op.n.evidence()
	// The guard that decides the Origin: an enclosing <If>, or env=/expr=.
	var og *guard
	for _, g := range e.op.guards {
		if g.origin != nil || g.originNeg || g.opaque {
			og = g
			break
		}
	}
	if g := e.condG; og == nil && g != nil && (g.origin != nil || g.originNeg || g.opaque) {
		og = g
	}
	var out []rules.OriginRule
	for _, c := range cands {
		switch c.kind {
		case 'l':
			var pats []rules.Pattern
			var list []listed
			if c.origin != nil {
				pats, list = c.origin.patterns, c.origin.list
			}
			evs := make([]rules.Evidence, 0, len(pats)+3)
			for _, p := range pats {
				evs = addEvidence(evs, p.Evidence)
			}
			for _, l := range list {
				evs = addEvidence(evs, l.ev)
			}
			if og != nil {
				evs = addEvidence(evs, og.ev)
			}
			evs = addEvidence(addEvidence(evs, c.ev), hev)
			if c.lit == "*" {
				out = append(out, rules.OriginRule{Kind: rules.OriginAny, Evidence: evs})
			} else {
				out = append(out, rules.OriginRule{Kind: rules.OriginList, Values: []string{c.lit}, Evidence: evs})
			}
		case 'e':
			out = echoRules(out, c.origin, c.ev, hev)
		case 'r':
			switch {
			case og != nil && og.opaque:
				out = append(out, rules.OriginRule{Kind: rules.OriginUnknown, Reason: "the request Origin is echoed under a condition the linter cannot analyse: " + og.text, Evidence: evidenceOf(og.ev, hev)})
			case og != nil && og.origin != nil && !og.originNeg:
				out = echoRules(out, og.origin, og.ev, hev)
			default:
				var evs []rules.Evidence
				if og != nil {
					evs = evidenceOf(og.ev, hev)
				} else {
					evs = evidenceOf(hev)
				}
				out = append(out, rules.OriginRule{Kind: rules.OriginReflect, Echo: true, Evidence: evs})
			}
		default:
			out = append(out, rules.OriginRule{Kind: rules.OriginUnknown, Reason: c.reason, Evidence: evidenceOf(c.ev, hev)})
		}
	}
	return out
}

// echoRules appends the rules of an Origin echoed after matching oc; ev and
// hev are the evidence of the echo (a zero ev stands for none).
func echoRules(out []rules.OriginRule, oc *originCond, ev, hev rules.Evidence) []rules.OriginRule {
	if oc == nil {
		return append(out, rules.OriginRule{Kind: rules.OriginReflect, Echo: true, Evidence: evidenceOf(ev, hev)})
	}
	// The rules point at the condition's own patterns: nothing writes to
	// a pattern once it is parsed.
	for i := range oc.patterns {
		p := &oc.patterns[i]
		out = append(out, rules.OriginRule{Kind: rules.OriginPattern, Pattern: p, Echo: true, Evidence: evidenceOf(p.Evidence, ev, hev)})
	}
	// Exact origins compared at one place make one rule; each place its own,
	// so that a finding about a value points at the line that lists it.
	for i := 0; i < len(oc.list); {
		j := i + 1
		for j < len(oc.list) && oc.list[j].ev.Range == oc.list[i].ev.Range {
			j++
		}
		values := make([]string, j-i)
		for k := i; k < j; k++ {
			values[k-i] = oc.list[k].value
		}
		out = append(out, rules.OriginRule{Kind: rules.OriginList, Values: values, Echo: true, Evidence: evidenceOf(oc.list[i].ev, ev, hev)})
		i = j
	}
	return out
}

// evidenceOf returns the distinct evidence among evs, in order, in a new
// slice (never nil); entries without a file stand for "none" and are left out.
func evidenceOf(evs ...rules.Evidence) []rules.Evidence {
	out := make([]rules.Evidence, 0, len(evs))
	for _, e := range evs {
		out = addEvidence(out, e)
	}
	return out
}

// addEvidence appends e unless it has no file or is already present.
func addEvidence(evs []rules.Evidence, e rules.Evidence) []rules.Evidence {
	if e.Range.File == "" || hasEvidence(evs, e) {
		return evs
	}
	return append(evs, e)
}

func uniqEvidence(evs []rules.Evidence) []rules.Evidence {
	out := evs[:0:0]
	for _, e := range evs {
		out = addEvidence(out, e)
	}
	return out
}

// docroot is the DocumentRoot that applies: the vhost's, else the server's.
func docroot(top, host *container) string {
	if host != nil && host.docroot != "" {
		return host.docroot
	}
	return top.docroot
}
