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
		if in.server != (loc == srv) || isOptionsOnly(in.cond) {
			continue
		}
		if len(in.lv.addHeaders) == 0 && len(in.lv.moreHeaders) == 0 {
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
	c := parseCondition(il.n)
	hs := a.hdrScratch[:0]
	for _, h := range headersAt(il) {
		h.cond = condText(c)
		hs = append(hs, h)
	}
	p.Actual = a.grant(hs, f.env)
	a.hdrScratch = hs[:0]
	if p.Actual.HasCORS() || len(p.Dropped) > 0 {
		a.policies = append(a.policies, p)
	}
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
			if a.res.declared[name] || len(name) == 1 && name[0] >= '0' && name[0] <= '9' {
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
			out = d.add(out, rules.OriginRule{Kind: rules.OriginList, Values: a.oneValue(v.lit), Evidence: ev})
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
		return rules.OriginRule{Kind: rules.OriginList, Values: a.oneValue(c.expr), Echo: true, Evidence: ev}
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

// handlers are the content handlers that pass a request on.
var handlers = map[string]string{
	"proxy_pass": "upstream", "fastcgi_pass": "FastCGI", "uwsgi_pass": "uWSGI", "scgi_pass": "SCGI",
	"grpc_pass": "gRPC", "memcached_pass": "memcached", "js_content": "njs", "perl": "Perl",
	"content_by_lua": "Lua", "content_by_lua_block": "Lua", "content_by_lua_file": "Lua",
}

func ownHandler(lv *level) *node {
	if lv == nil {
		return nil
	}
	return lv.handler
}

// preflightSkip are headers that do not matter on a preflight response.
var preflightSkip = map[string]bool{rules.HeaderExposeHeaders: true, rules.HeaderVary: true}

// preflight follows an OPTIONS request with Origin and
// Access-Control-Request-Method through the server rewrite phase, the
// location's rewrite phase, the access phase and the content handler.
func (a *analyzer) preflight(srv, loc *level, f flow) (rules.Preflight, []rules.Dropped, bool) {
	explicit := false
	levels := [2]*level{srv, loc}
	if loc == srv {
		levels[1] = nil
	}
	var active *level
	for _, lv := range levels {
		if lv == nil {
			continue
		}
		if lv == loc {
			active = nil // the matched location's configuration replaces the server's
		}
		for _, n := range lv.body {
			switch n.name {
			case "return", "rewrite":
				if st, ok := terminalStatus(n); ok {
					at := lv
					if active != nil {
						at = active
					}
					return a.answer(at, st, f, n, "", nil), a.ifDrops(at, loc), explicit
				}
			case "if":
				if !n.isBlock {
					continue
				}
				c := parseCondition(n)
				if methodTest(c, "OPTIONS") != yes {
					continue
				}
				if lv == loc || loc == srv {
					explicit = explicit || isOptionsOnly(c)
				}
				il := a.ifLevel(lv, n)
				for _, s := range il.body {
					if s.name != "return" && s.name != "rewrite" {
						continue
					}
					if st, ok := terminalStatus(s); ok {
						cond := n.evidence()
						return a.answer(il, st, f, s, "", []rules.Evidence{cond}), a.ifDrops(il, loc), explicit
					}
				}
				active = il
			}
		}
	}
	if active == nil {
		active = loc
	}
	var drops []rules.Dropped
	if active != loc {
		drops = a.ifDrops(active, loc)
	}

	// Access phase.
	if lx := loc.own("limit_except"); lx != nil && lx.isBlock && loc != srv {
		explicit = true
		if !methodListed(lx.args, "OPTIONS") {
			lim := a.pool.get(lvLocation, lx, active, loc.scopeName()+" > limit_except", lx.block, lx.rng())
			if pf, ok := a.access(lim, f, "limit_except "+strings.Join(lx.args, " ")+" does not list OPTIONS"); ok {
				pf.Evidence = append(append(make([]rules.Evidence, 0, 1+len(pf.Evidence)), lx.evidence()), pf.Evidence...)
				return pf, drops, explicit
			}
		}
	}
	if pf, ok := a.access(active, f, ""); ok {
		return pf, drops, explicit
	}

	// Content phase.
	h := ownHandler(active)
	if h == nil && active != loc {
		h = ownHandler(loc) // if blocks inherit the location's handler
	}
	if h == nil && loc != srv {
		if tf := loc.inherited("try_files"); tf != nil && strings.HasPrefix(tf.arg(len(tf.args)-1), "@") {
			if named := a.findNamed(srv, tf.arg(len(tf.args)-1)); named != nil {
				if nh := ownHandler(named); nh != nil {
					pf := a.toApp(active, f, nh)
					pf.Reason = "try_files falls back to " + tf.arg(len(tf.args)-1) + ", which passes it to " + pf.Reason
					pf.Evidence = append([]rules.Evidence{tf.evidence()}, pf.Evidence...)
					return pf, drops, explicit
				}
			}
		}
	}
	if h != nil {
		return a.toApp(active, f, h), drops, explicit
	}
	pf := a.answer(active, 405, f, nil, "static content: nginx answers OPTIONS on static files with 405 Not Allowed", nil)
	pf.Evidence = []rules.Evidence{{Range: loc.rng, Text: scopeText(loc)}}
	return pf, drops, explicit
}

func scopeText(lv *level) string {
	if lv.n != nil {
		return lv.n.text()
	}
	return lv.scopeName()
}

// ifDrops records the CORS headers an OPTIONS if-block loses from its
// location by declaring its own add_header (the classic preflight pitfall).
func (a *analyzer) ifDrops(lv, loc *level) []rules.Dropped {
	if lv.kind != lvIf || lv.parent != loc {
		return nil
	}
	return lv.dropped(preflightSkip)
}

// access applies the access phase to an OPTIONS request at lv.
func (a *analyzer) access(lv *level, f flow, why string) (rules.Preflight, bool) {
	// allow/deny: a level's rule list replaces its parent's.
	for l := lv; l != nil; l = l.parent {
		first := l.firstAccess
		if first == nil {
			continue
		}
		if first.name == "deny" && first.arg(0) == "all" {
			reason := "deny all rejects OPTIONS with 403"
			if why != "" {
				reason = why + "; " + reason
			}
			return a.answer(lv, 403, f, first, reason, nil), true
		}
		break
	}
	for _, name := range []string{"auth_basic", "auth_request", "auth_jwt", "auth_oidc"} {
		d := lv.inherited(name)
		if d == nil || d.arg(0) == "off" {
			continue
		}
		reason := name + " requires credentials, which browsers never send on a preflight"
		if name == "auth_request" {
			reason = "auth_request " + d.arg(0) + " decides OPTIONS; browsers send no credentials on a preflight"
		}
		if why != "" {
			reason = why + "; " + reason
		}
		pf := a.answer(lv, 401, f, d, reason, nil)
		pf.Kind = rules.PreflightAuth
		return pf, true
	}
	return rules.Preflight{}, false
}

// answer builds a preflight answered by nginx itself with a status.
func (a *analyzer) answer(lv *level, status int, f flow, by *node, reason string, pre []rules.Evidence) rules.Preflight {
	pf := rules.Preflight{Status: status, Reason: reason}
	switch {
	case status >= 200 && status < 300:
		pf.Kind = rules.PreflightAnswered
	case status >= 300 && status < 400:
		pf.Kind = rules.PreflightRedirect
	default:
		pf.Kind = rules.PreflightRejected
	}
	if n := len(pre); n > 0 || by != nil {
		if by != nil {
			n++
		}
		pf.Evidence = append(make([]rules.Evidence, 0, n), pre...)
		if by != nil {
			pf.Evidence = append(pf.Evidence, by.evidence())
		}
	}
	pf.Grant = a.levelGrant(lv, status, f.env)
	return pf
}

// toApp is a preflight passed to an upstream or script; nginx adds its
// headers to whatever comes back (on 2xx/3xx, or always).
func (a *analyzer) toApp(lv *level, f flow, h *node) rules.Preflight {
	return rules.Preflight{
		Kind:     rules.PreflightToApp,
		Reason:   h.name + " " + strings.Join(h.args, " ") + " (" + handlers[h.name] + ") decides; nginx adds the headers in Grant to its answer",
		Grant:    a.levelGrant(lv, 0, f.env),
		Evidence: []rules.Evidence{h.evidence()},
	}
}

// terminalStatus reads the status of `return` or of a catch-all redirecting
// `rewrite`.
func terminalStatus(n *node) (int, bool) {
	switch n.name {
	case "return":
		if len(n.args) == 0 {
			return 0, false
		}
		if st, err := strconv.Atoi(n.args[0]); err == nil {
			return st, true
		}
		if strings.Contains(n.args[0], "://") || strings.HasPrefix(n.args[0], "$scheme") {
			return 302, true
		}
		return 0, false
	case "rewrite":
		if len(n.args) < 3 {
			return 0, false
		}
		switch n.args[0] {
		case "^", "^.*$", "^(.*)$", "^/(.*)$", ".*", "(.*)", "^/?(.*)$", "^/", "^/.*$":
		default:
			return 0, false
		}
		switch n.args[2] {
		case "permanent":
			return 301, true
		case "redirect":
			return 302, true
		}
	}
	return 0, false
}

// methodListed reports whether limit_except's list allows the method (GET
// implies HEAD, nothing implies OPTIONS).
func methodListed(args []string, m string) bool {
	for _, a := range args {
		if strings.EqualFold(a, m) {
			return true
		}
	}
	return false
}

// findNamed finds a named location (@x) in a server.
func (a *analyzer) findNamed(srv *level, name string) *level {
	for _, n := range srv.locations {
		if len(n.args) == 1 && n.args[0] == name {
			return a.pool.get(lvLocation, n, srv, srv.scopeName()+" > location "+name, n.block, n.rng())
		}
	}
	return nil
}

// namedNode is a directive by canonical header name: a map of at most a
// few entries, where a later set replaces an earlier one.
type namedNode struct {
	name string
	n    *node
}

type namedNodes []namedNode

func (ns namedNodes) set(name string, n *node) namedNodes {
	for i := range ns {
		if ns[i].name == name {
			ns[i].n = n
			return ns
		}
	}
	return append(ns, namedNode{name, n})
}

func (ns namedNodes) get(name string) *node {
	for _, e := range ns {
		if e.name == name {
			return e.n
		}
	}
	return nil
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
