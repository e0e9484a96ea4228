package nginx

import (
	"strconv"
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// emit builds the policy of one effective location (or of a server's
// requests that match no location) and keeps it when rules have something
// to look at.
func (a *analyzer) emit(srv, loc *level, alone bool) {
	f := a.simulate(srv, loc)
	p := rules.Policy{
		Format: "nginx",
		Scope:  rules.Scope{Name: loc.scopeName(), Range: loc.rng},
		HTTPS:  rules.Unknown,
	}
	if srv.n != nil {
		p.Hosts, p.HTTPS = serverFacts(srv)
	}
	hs := headersAt(loc)
	p.Dropped = loc.dropped(nil)

	var pseudo []*level
	conditional := false
	inherited := len(hs) // hs[:inherited] are the location's own headers
	for i := range f.ifs {
		in := &f.ifs[i]
		if in.server != (loc == srv) || a.optionsOnlyAt(in.lv.n, in.cond) {
			continue
		}
		if len(in.lv.addHeaders) == 0 && len(in.lv.moreHeaders) == 0 {
			// Matching, it still replaces earlier matching ifs' headers
			// with the location's own.
			if !returns(in.lv.n) {
				p.Dropped = appendDropped(p.Dropped, a.lostToLaterIf(in.lv, f))
			}
			continue
		}
		if !originRelated(*in) {
			pseudo = append(pseudo, in.lv)
			continue
		}
		// Headers set only when the Origin passes the test: conditional
		// grants of this location.
		if !conditional {
			hs = append(a.hdrScratch[:0], hs...) // hs is shared: extend a copy
		}
		conditional = true
		base := len(hs)
		for _, h := range headersAt(in.lv) {
			if declaredBy(hs[:base], h.n) {
				continue
			}
			h.cond = condText(in.cond)
			h.guard = in.guard
			h.guardEv = &in.ev // f.ifs outlives the grant
			hs = append(hs, h)
		}
		p.Dropped = appendDropped(p.Dropped, in.lv.dropped(nil))
	}
	if conditional {
		// The location's own headers resolve as they always do (and are
		// memoised): extend that grant with the conditional ones.
		p.Actual = a.extendGrant(a.levelGrant(loc, 0, f.env), hs[inherited:], f.env)
		a.hdrScratch = hs[:0]
	} else {
		p.Actual = a.levelGrant(loc, 0, f.env)
	}

	pf, drops, explicit := a.preflight(srv, loc, f)
	p.Preflight = pf
	p.Dropped = appendDropped(p.Dropped, drops)
	p.Notes = a.proxyNotes(loc, p.Actual)

	keep := p.Actual.HasCORS() || p.Preflight.Grant.HasCORS() || len(p.Dropped) > 0 || explicit
	if loc == srv && !alone {
		// Requests matching no location: only worth a policy when the
		// server itself sends CORS headers.
		keep = p.Actual.HasCORS() || len(p.Dropped) > 0
	}
	if keep {
		a.policies = append(a.policies, p)
	}
	for _, il := range pseudo {
		a.emitIf(il, f, p)
	}
}

// appendDropped is append(dst, src...), taking src itself when dst is
// empty (src is always freshly built).
func appendDropped(dst, src []rules.Dropped) []rules.Dropped {
	if len(dst) == 0 {
		return src
	}
	return append(dst, src...)
}

// declaredBy reports whether one of the headers comes from directive n.
func declaredBy(hs []hdr, n *node) bool {
	for _, h := range hs {
		if h.n == n {
			return true
		}
	}
	return false
}

// originRelated reports whether an if's condition constrains the Origin
// (directly or through a map/set derived from it).
func originRelated(in ifInfo) bool {
	if strings.EqualFold(in.cond.variable, "http_origin") {
		return true
	}
	for _, g := range in.guard {
		if len(g.cons) > 0 {
			return true
		}
	}
	return false
}

// emitIf emits the pseudo-location of an `if` block that sets headers on a
// condition unrelated to the Origin.
func (a *analyzer) emitIf(il *level, f flow, parent rules.Policy) {
	p := rules.Policy{
		Format:    "nginx",
		Scope:     rules.Scope{Name: il.scopeName(), Range: il.rng},
		Hosts:     parent.Hosts,
		HTTPS:     parent.HTTPS,
		Preflight: parent.Preflight,
		Dropped:   il.dropped(nil),
	}
	p.Dropped = appendDropped(p.Dropped, a.lostToLaterIf(il, f))
	c := parseCondition(il.n)
	hs := a.hdrScratch[:0]
	for _, h := range headersAt(il) {
		h.cond = condText(c)
		hs = append(hs, h)
	}
	p.Actual = a.grant(hs, f.env)
	a.hdrScratch = hs[:0]
	if returnsSuccess(il) {
		// `return 204` fixes the status: there is no error response
		// for these headers to be missing from.
		p.Actual.Headers = append([]rules.Header(nil), p.Actual.Headers...)
		for i := range p.Actual.Headers {
			p.Actual.Headers[i].Always = true
		}
	}
	if p.Actual.HasCORS() || len(p.Dropped) > 0 {
		a.policies = append(a.policies, p)
	}
}

// returnsSuccess reports whether a block ends with a `return` of a 2xx
// status of its own.
func returnsSuccess(lv *level) bool {
	for _, n := range lv.body {
		if n.name == "return" {
			st, ok := terminalStatus(n)
			return ok && st >= 200 && st < 300
		}
	}
	return false
}

// grantKey identifies the grant of a level's headers for a status (0: all).
type grantKey struct {
	lv     *level
	status int
}

// levelGrant is grant(headersAt(lv)) memoised when the headers do not
// depend on `set` variables: a server's headers inherited by a hundred
// locations are resolved once. Policies then share the grant's slices
// (capacity-capped, so an append copies): they are read-only.
func (a *analyzer) levelGrant(lv *level, status int, e *env) rules.Grant {
	// A level that declares no header directive sends what its parent
	// sends: share the parent's grant.
	for lv.parent != nil && len(lv.addHeaders) == 0 && len(lv.moreHeaders) == 0 && lv.inheritMode == "" && lv.inheritModeEffective() != "off" {
		lv = lv.parent
	}
	hs := headersAt(lv)
	if status != 0 {
		hs = sentWith(hs, status)
		if len(hs) == len(headersAt(lv)) {
			// Every header is sent with this status (sentWith only
			// filters): the grant is the level's grant for all statuses.
			status = 0
		}
	}
	k := grantKey{lv, status}
	// Headers that read `set` variables depend on this location's env:
	// memoised for the current emit only (its actual grant and preflight
	// often resolve the same level).
	memo := &a.grants
	if lv.pooled {
		memo = &a.srvGrants
	}
	if !a.envFree(lv) {
		memo = &a.envGrants
	}
	g, ok := (*memo)[k]
	if !ok {
		g = a.grant(hs, e)
		if *memo == nil {
			*memo = map[grantKey]rules.Grant{}
		}
		(*memo)[k] = g
	}
	return rules.Grant{
		Origins: g.Origins[:len(g.Origins):len(g.Origins)],
		Headers: g.Headers[:len(g.Headers):len(g.Headers)],
	}
}

// envFree reports whether a level's header values read no variable whose
// value depends on the request's path through `set`.
func (a *analyzer) envFree(lv *level) bool {
	if lv.envFreeDone {
		return lv.envFree
	}
	free := true
	for _, h := range headersAt(lv) {
		var buf [4]varRef
		for _, ref := range appendVars(buf[:0], h.raw) {
			name := ref.name
			if a.res.pathDependent(name) {
				free = false
			}
			if m, ok := a.res.maps[name]; ok && a.res.mapDependsOnEnv(m) {
				free = false
			}
		}
	}
	lv.envFree, lv.envFreeDone = free, true
	return free
}

// grant resolves header directives into a Grant.
func (a *analyzer) grant(hs []hdr, e *env) rules.Grant {
	return a.extendGrant(rules.Grant{}, hs, e)
}

// extendGrant is grant(append(base's headers, hs...)) given base, the
// grant of the base headers: it resolves only hs. base's slices are not
// written to (they are capacity-capped when shared).
func (a *analyzer) extendGrant(g rules.Grant, hs []hdr, e *env) rules.Grant {
	if len(hs) > 0 {
		g.Headers = growExact(g.Headers, len(hs))
	}
	for _, h := range hs {
		a.res.site = h.n.rng()
		alts, cached := a.res.resolveCached(h.raw, e)
		if h.guard != nil {
			cached = false
			// Scratch: the guarded values live until the next header.
			guarded := a.guardedBuf[:0]
			for _, v := range alts {
				guarded = v.appendGuarded(guarded, h.guard, "", h.guardEv, nil)
			}
			a.guardedBuf = guarded[:0]
			alts = guarded
		}
		sent := alts
		someEmpty := false
		for _, v := range alts {
			if v.isEmpty() {
				someEmpty = true
				break
			}
		}
		if someEmpty {
			if c, ok := a.nonEmpty[h.raw]; ok && cached {
				sent = c
			} else {
				if cached {
					sent = make([]alt, 0, len(alts)) // kept in nonEmpty
				} else {
					sent = a.sentBuf[:0] // scratch, as for guarded
				}
				for _, v := range alts {
					if !v.isEmpty() {
						sent = append(sent, v)
					}
				}
				if !cached {
					a.sentBuf = sent[:0]
				}
				if cached {
					if a.nonEmpty == nil {
						a.nonEmpty = map[string][]alt{}
					}
					a.nonEmpty[h.raw] = sent
				}
			}
		}
		if len(sent) == 0 {
			// nginx skips add_header with an empty value.
			continue
		}
		cond := h.cond
		if someEmpty && cond == "" {
			cond = a.emptyCond(h.raw)
		}
		hev := h.n.evidence()
		g.Headers = append(g.Headers, rules.Header{
			Name:      h.name,
			Value:     collapse(sent, h.raw),
			Always:    h.always,
			Condition: cond,
			Evidence:  hev,
			Written:   h.written,
		})
		if h.name == rules.HeaderAllowOrigin {
			g.Origins = growExact(g.Origins, len(sent))
			g.Origins = a.appendOriginRules(g.Origins, sent, hev)
		}
	}
	return g
}

// growExact returns s with room for n more elements, reallocating to
// exactly that size (append would double) when it has not.
func growExact[T any](s []T, n int) []T {
	if cap(s)-len(s) >= n {
		return s
	}
	t := make([]T, len(s), len(s)+n)
	copy(t, s)
	return t
}

// emptyCond is the condition under which a value that is empty for some
// requests is sent at all.
func (a *analyzer) emptyCond(raw string) string {
	c, ok := a.emptyConds[raw]
	if !ok {
		c = quoteArg(raw) + ` != ""`
		if a.emptyConds == nil {
			a.emptyConds = map[string]string{}
		}
		a.emptyConds[raw] = c
	}
	return c
}

// collapse turns the possible values of a header into one Value.
func collapse(sent []alt, raw string) rules.Value {
	first := sent[0]
	same := true
	for _, v := range sent[1:] {
		if v.lit != first.lit || v.reflects != first.reflects || v.unknown != first.unknown {
			same = false
			break
		}
	}
	if same {
		switch {
		case first.unknown != "":
			return rules.UnknownValue(first.unknown)
		case first.reflects != "":
			return rules.ReflectedValue(first.reflects)
		default:
			return rules.LiteralValue(first.lit)
		}
	}
	var opts []string
	seen := map[string]bool{}
	for _, v := range sent {
		var s string
		switch {
		case v.unknown != "":
			s = "unknown (" + v.unknown + ")"
		case v.reflects != "":
			s = "the request's " + v.reflects
		default:
			s = strconv.Quote(v.lit)
		}
		if !seen[s] {
			seen[s] = true
			opts = append(opts, s)
		}
	}
	return rules.UnknownValue(raw + " is one of: " + strings.Join(opts, ", "))
}

// appendOriginRules adds how the possible values of an ACAO header grant
// origins, skipping exact duplicates (the same map entry reached twice).
func (a *analyzer) appendOriginRules(out []rules.OriginRule, sent []alt, hev rules.Evidence) []rules.OriginRule {
	// Each rule's evidence is its value's chain plus the header: carved
	// out of one allocation, capacity-capped.
	total := 0
	for _, v := range sent {
		total += len(v.ev) + 1
	}
	evs := make([]rules.Evidence, 0, total)
	d := a.newDedup(out, len(sent))
	for _, v := range sent {
		start := len(evs)
		evs = append(evs, v.ev...)
		evs = append(evs, hev)
		ev := evs[start:len(evs):len(evs)]
		switch {
		case v.unknown != "":
			out = d.add(out, rules.OriginRule{Kind: rules.OriginUnknown, Reason: v.unknown, Evidence: ev})
		case v.reflects != "" && v.reflects != "Origin":
			out = d.add(out, rules.OriginRule{Kind: rules.OriginUnknown,
				Reason: "echoes the request header " + v.reflects, Evidence: ev})
		case v.reflects == "Origin":
			out = d.add(out, a.reflectRule(v, ev))
		case v.lit == "*":
			out = d.add(out, rules.OriginRule{Kind: rules.OriginAny, Evidence: ev})
		default:
			out = d.add(out, rules.OriginRule{Kind: rules.OriginList, Values: a.oneValue(v.lit), Evidence: ev, Entry: v.keyedBy(v.lit)})
		}
	}
	return out
}

// oneValue is []string{s}, shared by every rule that lists just s
// (policies are read-only; the slice is capacity-capped).
func (a *analyzer) oneValue(s string) []string {
	v, ok := a.values[s]
	if !ok {
		v = []string{s}
		if a.values == nil {
			a.values = map[string][]string{}
		}
		a.values[s] = v
	}
	return v[:1:1]
}

// reflectRule is the rule for an echoed Origin, shaped by the constraint
// closest to the value (a map entry before the if that uses the map).
func (a *analyzer) reflectRule(v alt, ev []rules.Evidence) rules.OriginRule {
	var c *constraint
	for i := range v.guard {
		if v.guard[i].kind != consNegated {
			c = &v.guard[i]
			break
		}
	}
	if c == nil {
		return rules.OriginRule{Kind: rules.OriginReflect, Evidence: ev}
	}
	if c.kind == consExact {
		return rules.OriginRule{Kind: rules.OriginList, Values: a.oneValue(c.expr), Echo: true, Evidence: ev, Entry: v.keyedBy(c.expr)}
	}
	return rules.OriginRule{Kind: rules.OriginPattern, Echo: true, Evidence: ev, Pattern: a.pattern(*c)}
}

// pattern is the Pattern a regex or glob constraint tests, one per
// constraint: a map entry's pattern is shared by every policy it reaches.
func (a *analyzer) pattern(c constraint) *rules.Pattern {
	if p, ok := a.patterns[c]; ok {
		return p
	}
	p := &rules.Pattern{Expr: c.expr, Dialect: rules.PCRE, CaseInsensitive: c.ci, Evidence: c.ev}
	if c.kind == consGlob {
		p.Dialect = rules.Glob
	}
	if !c.fromMap {
		return p // an if's test: one location's, not worth remembering
	}
	if a.patterns == nil {
		a.patterns = map[constraint]*rules.Pattern{}
	}
	a.patterns[c] = p
	return p
}

// joined reports whether s == prefix+suffix, without building the string.
func joined(s, prefix, suffix string) bool {
	return len(s) == len(prefix)+len(suffix) && strings.HasPrefix(s, prefix) && strings.HasSuffix(s, suffix)
}

// sends reports whether the grant has a header with the name
// (len(g.Find(name)) > 0 without collecting them).
func sends(g rules.Grant, name string) bool {
	for i := range g.Headers {
		if strings.EqualFold(g.Headers[i].Name, name) {
			return true
		}
	}
	return false
}

// rangeString is n.rng().String() without fmt (a node's range has no
// column).
func rangeString(n *node) string {
	if n.line <= 0 {
		return n.file
	}
	return n.file + ":" + itoa(int(n.line))
}

// proxyNotes records facts about upstream CORS headers: a proxied location
// that adds its own ACAO without hiding the upstream's may send two.
func (a *analyzer) proxyNotes(loc *level, actual rules.Grant) []string {
	h := ownHandler(loc)
	if h == nil || h.name == "js_content" || h.name == "perl" || strings.HasPrefix(h.name, "content_by_lua") {
		return nil
	}
	prefix := strings.TrimSuffix(h.name, "_pass")
	// At most one entry per tracked header: small lists, on the stack.
	var hiddenBuf, passedBuf [8]namedNode
	hidden, passed := namedNodes(hiddenBuf[:0]), namedNodes(passedBuf[:0])
	for l := loc; l != nil; l = l.parent {
		found := false
		for _, c := range l.hide {
			if !joined(c.name, prefix, "_hide_header") {
				continue
			}
			found = true
			if name, ok := rules.CanonicalCORSHeader(c.arg(0)); ok {
				hidden = hidden.set(name, c)
			}
		}
		for _, c := range l.pass {
			if name, ok := rules.CanonicalCORSHeader(c.arg(0)); ok && joined(c.name, prefix, "_pass_header") {
				passed = passed.set(name, c)
			}
		}
		if found {
			break // the hide list is inherited only by levels without one
		}
	}
	var notes []string
	for _, name := range rules.CORSHeaders {
		if d := hidden.get(name); d != nil {
			notes = append(notes, rangeString(d)+": "+d.name+" "+name+": the upstream's "+name+" is removed; nginx's own add_header is the only one sent")
		}
		if d := passed.get(name); d != nil {
			notes = append(notes, rangeString(d)+": "+d.name+" "+name+": the upstream's "+name+" is passed through")
		}
	}
	if hidden.get(rules.HeaderAllowOrigin) == nil && sends(actual, rules.HeaderAllowOrigin) {
		notes = append(notes, rangeString(h)+": "+h.name+" "+strings.Join(h.args, " ")+": the upstream's own "+rules.HeaderAllowOrigin+
			" is passed through as well (no "+prefix+"_hide_header "+rules.HeaderAllowOrigin+"): if the upstream sets it, responses carry two values, which browsers reject")
	}
	return notes
}
