package nginx

import (
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"sync"

	"github.com/corsguard/corsguard/rules"
)

// analyzer turns an include-expanded tree into policies.
type analyzer struct {
	file     string
	res      resolver
	policies []rules.Policy
	ifs      map[*node]*level // if-levels by block, built once per server
	// grants memoises the grants of levels outside any server (http);
	// srvGrants those of the current server's levels (pooled).
	grants, srvGrants map[grantKey]rules.Grant
	pool              levelPool // the current server's levels
	scopes            int       // servers and locations seen by collect: policies' capacity
	// nonEmpty caches the sent (non-empty) values of cached resolutions.
	nonEmpty map[string][]alt
	// patterns and values share a constraint's Pattern and one-origin
	// lists between the rules that use them.
	patterns map[constraint]*rules.Pattern
	values   map[string][]string
	// emptyConds caches the Header.Condition of a value that is empty for
	// some requests, by value expression.
	emptyConds map[string]string

	// Per-emit scratch, reset by simulate: one location is analysed at a
	// time, and nothing a policy keeps points into it.
	env        env      // the rewrite-phase variables
	ifsBuf     []ifInfo // flow.ifs
	hdrScratch []hdr    // headers of a conditional or if grant
	// grant's per-header scratch: guarded and sent (non-empty) values.
	guardedBuf, sentBuf []alt
	envGrants           map[grantKey]rules.Grant // grants that depend on env, for this env
	// flagTests: method tests of ifs on flag variables, for the current
	// location (flags.go).
	flagTests map[*node][2]tri
	// dedup finds duplicate origin rules; dedupSeen is its index's memory.
	dedup     ruleDedup
	dedupSeen map[string]struct{}
}

// luaAssign finds `ngx.var.name =` assignments in Lua code.
var luaAssign = regexp.MustCompile(`ngx\.var\.([A-Za-z0-9_]+)\s*=[^=]`)

// collect gathers what is global to the configuration: maps and variables
// set by other modules.
func (a *analyzer) collect(nodes []*node) {
	for _, n := range nodes {
		if n.name == "location" || n.name == "server" {
			a.scopes++
		}
		switch {
		case n.name == "map" && n.isBlock && len(n.args) == 2:
			a.addMap(n)
			continue
		case n.name == "if" && n.isBlock:
			if gatesOrigin(n, parseCondition(n)) {
				// $http_origin's value now depends on the request's path.
				a.res.gated = true
			}
		case n.name == "set" && len(n.args) == 2:
			a.res.declared[strings.TrimPrefix(strings.TrimSuffix(strings.TrimPrefix(n.args[0], "${"), "}"), "$")] = true
		case n.name == "perl_set" || n.name == "js_set":
			a.setVar(n.arg(0), "set by "+n.name+" (code outside this configuration)")
		case strings.HasPrefix(n.name, "set_by_lua"):
			a.setVar(n.arg(0), "set by "+n.name+" (Lua code)")
			a.readsOrigin(n)
		case n.name == "auth_request_set":
			a.setVar(n.arg(0), "set by auth_request_set from the auth subrequest's response")
		case n.name == "geo" && n.isBlock && len(n.args) > 0:
			a.setVar(n.args[len(n.args)-1], "set by geo from the client address")
		case n.name == "split_clients" && len(n.args) == 2:
			a.setVar(n.arg(1), "set by split_clients (random bucket)")
		case strings.Contains(n.name, "by_lua"):
			for _, arg := range n.args {
				for _, m := range luaAssign.FindAllStringSubmatch(arg, -1) {
					a.setVar("$"+m[1], "assigned in Lua ("+n.name+")")
				}
			}
		}
		if len(n.block) > 0 {
			a.collect(n.block)
		}
	}
}

func (a *analyzer) setVar(v, reason string) {
	if strings.HasPrefix(v, "$") && len(v) > 1 {
		a.res.setters[v[1:]] = setter{reason: reason}
	}
}

// readsOrigin marks a variable set by code that reads the request's
// Origin (a Lua or njs check): a gate on it may validate the Origin.
func (a *analyzer) readsOrigin(n *node) {
	if len(n.args) < 2 {
		return // `set_by_lua{}`: no variable and code (crossplane reports it)
	}
	for _, arg := range n.args[1:] {
		if strings.Contains(strings.ToLower(arg), "origin") {
			if s, ok := a.res.setters[strings.TrimPrefix(n.arg(0), "$")]; ok {
				s.readsOrigin = true
				a.res.setters[strings.TrimPrefix(n.arg(0), "$")] = s
				a.res.gated = true
			}
			return
		}
	}
}

func (a *analyzer) addMap(n *node) {
	dst := n.args[1]
	if !strings.HasPrefix(dst, "$") {
		return
	}
	m := &mapDef{n: n, src: n.args[0]}
	for _, e := range n.block {
		switch {
		case e.name == "hostnames" && len(e.args) == 0:
			m.hostnames = true
		case e.name == "volatile" && len(e.args) == 0:
		case len(e.args) != 1:
			// crossplane reports malformed entries; nothing to model.
		case e.name == "default":
			m.def = &mapEntry{key: e.name, value: e.args[0], n: e}
		default:
			m.entries = append(m.entries, mapEntry{key: e.name, value: e.args[0], n: e})
		}
	}
	a.res.maps[strings.TrimPrefix(dst, "$")] = m
}

// run builds the levels of the tree and emits the policies.
func (a *analyzer) run(top []*node) {
	a.collect(top)
	a.policies = make([]rules.Policy, 0, a.scopes)
	var https, servers, locs, locLevel int
	for _, n := range top {
		switch n.name {
		case "http":
			https++
		case "server":
			servers++
		case "location":
			locs++
		case "add_header", "more_set_headers", "if", "return", "proxy_pass", "limit_except",
			"fastcgi_pass", "uwsgi_pass", "grpc_pass", "auth_basic", "auth_request", "set":
			locLevel++
		}
	}
	file := a.file
	switch {
	case https > 0:
		for _, n := range top {
			if n.name == "http" && n.isBlock {
				a.http(newLevel(lvHTTP, n, nil, "http", n.block, n.rng()))
			}
		}
	case servers > 0:
		// conf.d/*.conf: server blocks included from http.
		a.http(newLevel(lvHTTP, nil, nil, "", top, rules.Range{File: file, Line: 1}))
	case locs > 0:
		// A server-level snippet: locations and server-level directives.
		h := newLevel(lvHTTP, nil, nil, "", nil, rules.Range{File: file, Line: 1})
		srv := newLevel(lvServer, nil, h, implicitName(file), top, rules.Range{File: file, Line: 1})
		a.server(srv)
	case locLevel > 0:
		// A location-level snippet: one implicit location.
		h := newLevel(lvHTTP, nil, nil, "", nil, rules.Range{File: file, Line: 1})
		srv := newLevel(lvServer, nil, h, "", nil, rules.Range{File: file, Line: 1})
		loc := newLevel(lvLocation, nil, srv, implicitName(file), top, rules.Range{File: file, Line: 1})
		a.location(srv, loc)
	}
}

func (a *analyzer) http(h *level) {
	for _, n := range h.body {
		if n.name == "server" && n.isBlock {
			name := "server"
			for _, c := range n.block {
				if c.name == "server_name" && len(c.args) > 0 {
					name = "server " + c.args[0]
					break
				}
			}
			// A new server: the previous one's levels and everything
			// keyed by them are done with.
			a.pool.reset()
			clear(a.ifs)
			clear(a.srvGrants)
			a.server(a.pool.get(lvServer, n, h, name, n.block, n.rng()))
		}
	}
}

func (a *analyzer) server(srv *level) {
	// Requests that match no location (or a server without locations).
	a.emit(srv, srv, len(srv.locations) == 0)
	a.locations(srv, srv)
}

// maxNesting bounds how deep nested locations are analysed. nginx has no
// limit of its own (ngx_conf_parse recurses per block: nginx 1.22.1 accepts
// 10,000 nested locations and dies of SIGSEGV at 20,000, measured in
// docs/measurements/nginx.md), so a deeper configuration is valid and exits 0 or 1
// here too; real ones nest three or four levels. What lies below the limit
// is one policy whose origin is unknown for that reason (CG100 at the
// location's line), never silently dropped.
const maxNesting = 64

func (a *analyzer) locations(srv, parent *level) {
	if parent.depth >= maxNesting && len(parent.locations) > 0 {
		a.tooDeep(parent.locations[0])
		return
	}
	for _, n := range parent.locations {
		name := scopeName(parent.scopeName(), n)
		loc := a.pool.get(lvLocation, n, parent, name, n.block, n.rng())
		a.location(srv, loc)
	}
}

func (a *analyzer) location(srv, loc *level) {
	a.emit(srv, loc, true)
	a.locations(srv, loc)
}

// tooDeep stands in for a location nested beyond maxNesting (and all it
// contains): its CORS behaviour is not analysed, and the policy says so.
func (a *analyzer) tooDeep(n *node) {
	ev := n.evidence()
	reason := "location nested deeper than " + strconv.Itoa(maxNesting) + " levels at " + n.rng().String() + ": not analysed (nesting budget exceeded)"
	a.policies = append(a.policies, rules.Policy{
		Format: "nginx",
		Scope:  rules.Scope{Name: "location nested " + strconv.Itoa(maxNesting+1) + " levels deep", Range: n.rng()},
		HTTPS:  rules.Unknown,
		Actual: rules.Grant{Origins: []rules.OriginRule{{Kind: rules.OriginUnknown, Reason: reason, Evidence: []rules.Evidence{ev}}}},
	})
}

// ifLevel returns the pseudo-location an `if` block opens.
func (a *analyzer) ifLevel(parent *level, n *node) *level {
	if lv, ok := a.ifs[n]; ok && lv.parent == parent {
		return lv
	}
	if a.ifs == nil {
		a.ifs = map[*node]*level{}
	}
	// The name (`parent > if (cond)`) is only needed when the if becomes a
	// policy of its own: scopeName builds it then.
	lv := a.pool.get(lvIf, n, parent, "", n.block, n.rng())
	lv.lazyName = true
	a.ifs[n] = lv
	return lv
}

// flow is the result of simulating the rewrite phases for one location.
type flow struct {
	env *env
	// ifs met on the way, with their origin guard, in order.
	ifs []ifInfo
}

type ifInfo struct {
	lv    *level
	cond  condition
	guard []guardSet
	ev    rules.Evidence
	// server is true for server-level ifs (their headers are replaced by
	// the location's configuration once a location matches).
	server bool
}

// simulate runs the rewrite-module directives of the server and then of
// the location (nginx runs the server's in the server rewrite phase, the
// matched location's in the rewrite phase; an outer location's never run
// for a nested one).
func (a *analyzer) simulate(srv, loc *level) flow {
	clear(a.env.vars)
	clear(a.envGrants)
	clear(a.flagTests)
	f := flow{env: &a.env, ifs: a.ifsBuf[:0]}
	defer func() { a.ifsBuf = f.ifs[:0] }()
	a.simulateLevel(srv, &f, true)
	if loc != srv {
		a.simulateLevel(loc, &f, false)
	}
	return f
}

func (a *analyzer) simulateLevel(lv *level, f *flow, server bool) {
	if !lv.hasRewrite {
		return
	}
	for _, n := range lv.body {
		switch n.name {
		case "set":
			a.set(n, f.env, unconstrained, "", nil, 0, 0)
		case "if":
			if !n.isBlock {
				continue
			}
			c := parseCondition(n)
			ev := n.evidence()
			a.recordFlagTests(n, c, f.env)
			g := a.res.originGuard(c, ev, f.env)
			il := a.ifLevel(lv, n)
			f.ifs = append(f.ifs, ifInfo{lv: il, cond: c, guard: g, ev: ev, server: server})
			if a.applyGate(n, c, ev, f.env) {
				continue
			}
			var saved map[string][]alt
			if usesCaptures(n.block) {
				saved = bindCaptures(f.env, c, ev)
			}
			fails, holds := methodBits(c)
			if t, ok := a.flagTests[n]; ok {
				fails, holds = flagBits(t)
			}
			for _, s := range n.block {
				if s.name == "set" {
					a.set(s, f.env, g, condText(c), &ev, fails, holds)
				}
			}
			restoreCaptures(f.env, saved)
		}
	}
}

// condText is the condition without its parentheses, for Header.Condition.
func condText(c condition) string {
	return strings.TrimSuffix(strings.TrimPrefix(c.text, "("), ")")
}

// set applies `set $v value` under a guard: unconditionally it replaces
// the variable; inside an if the old and new values are both possible.
// condNo and condYes are the method classes for which the if's condition
// surely fails (the new value never occurs for them) and surely holds (the
// old value never survives for them).
func (a *analyzer) set(n *node, e *env, g []guardSet, cond string, condEv *rules.Evidence, condNo, condYes uint8) {
	if len(n.args) < 2 || !strings.HasPrefix(n.args[0], "$") {
		return
	}
	name := strings.TrimPrefix(strings.TrimSuffix(strings.TrimPrefix(n.args[0], "${"), "}"), "$")
	ev := n.evidence()
	a.res.site = n.rng()
	vals := a.res.resolve(n.args[1], e)
	var next []alt
	if cond == "" {
		next = make([]alt, 0, len(vals))
		for _, v := range vals {
			v.ev = append(append(make([]rules.Evidence, 0, len(v.ev)+1), v.ev...), ev)
			next = append(next, v)
		}
	} else {
		old := a.res.lookup(name, e)
		next = make([]alt, 0, len(old)+len(vals)*len(g))
		for _, v := range old {
			if v.notFor|condYes != notAny {
				v.notFor |= condYes
				next = append(next, v)
			}
		}
		for _, v := range vals {
			if v.notFor|condNo == notAny {
				continue
			}
			v.notFor |= condNo
			next = v.appendGuarded(next, g, cond, condEv, &ev)
		}
	}
	if s, ok := a.res.setters[name]; ok && strings.HasPrefix(s.reason, "assigned in Lua") {
		next = []alt{{unknown: "variable $" + name + " is " + s.reason}}
	}
	if len(next) > 64 {
		next = []alt{{unknown: "variable $" + name + " has too many possible values to follow at " + n.rng().String()}}
	}
	for i := range next {
		if overBudget(&next[i]) {
			// Each set inside an if adds evidence to every value: bounded too.
			next = a.res.budgetExceeded()
			break
		}
	}
	e.put(name, next)
}

// bindCaptures makes $1..$9 available inside an `if ($http_origin ~ re)`
// block: a group spanning the whole anchored pattern is the Origin itself.
func bindCaptures(e *env, c condition, ev rules.Evidence) map[string][]alt {
	if !strings.EqualFold(c.variable, "http_origin") || (c.op != "~" && c.op != "~*") {
		return nil
	}
	saved := map[string][]alt{}
	for i := 1; i <= 9; i++ {
		k := strconv.Itoa(i)
		if v, ok := e.vars[k]; ok {
			saved[k] = v
		} else {
			saved[k] = nil
		}
		e.put(k, []alt{captureAlt(c.operand, i)})
	}
	return saved
}

// usesCaptures reports whether a block's set directives read $1..$9.
func usesCaptures(block []*node) bool {
	for _, s := range block {
		if s.name != "set" || len(s.args) < 2 {
			continue
		}
		var buf [4]varRef
		for _, ref := range appendVars(buf[:0], s.args[1]) {
			if len(ref.name) == 1 && ref.name[0] >= '0' && ref.name[0] <= '9' {
				return true
			}
		}
	}
	return false
}

func restoreCaptures(e *env, saved map[string][]alt) {
	for k, v := range saved {
		if v == nil {
			delete(e.vars, k)
		} else {
			e.vars[k] = v
		}
	}
}

// captureAlt is the value of capture group i of an origin regex.
func captureAlt(expr string, i int) alt {
	if i == 1 && wholeGroup(expr) {
		return alt{reflects: "Origin"}
	}
	return alt{unknown: "regex capture $" + strconv.Itoa(i) + " of " + quoteArg(expr) + " is part of the request Origin"}
}

// wholeGroup reports whether capture group 1 covers the whole match of an
// anchored pattern (`^(https://...)$`), so that $1 equals the Origin.
func wholeGroup(expr string) bool {
	if v, ok := wholeGroupCache.Load(expr); ok {
		return v.(bool)
	}
	v := wholeGroupUncached(expr)
	wholeGroupCache.Store(expr, v)
	return v
}

// wholeGroupCache remembers wholeGroup per pattern: generated and real
// configs repeat the same few patterns thousands of times.
var wholeGroupCache sync.Map

func wholeGroupUncached(expr string) bool {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return false
	}
	subs := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		subs = re.Sub
	}
	var groups []*syntax.Regexp
	begin, end := false, false
	for _, s := range subs {
		switch s.Op {
		case syntax.OpBeginText, syntax.OpBeginLine:
			begin = len(groups) == 0
		case syntax.OpEndText, syntax.OpEndLine:
			end = len(groups) == 1
		case syntax.OpCapture:
			groups = append(groups, s)
		default:
			return false
		}
	}
	return begin && end && len(groups) == 1 && groups[0].Cap == 1
}
