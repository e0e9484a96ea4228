package nginx

import (
	"strconv"
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// How an OPTIONS request is answered: the rewrite phase's return and
// if blocks, the access phase (limit_except, allow/deny, auth), then the
// content handler.

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
				if a.methodTestAt(n, c, "OPTIONS") != yes {
					continue
				}
				if lv == loc || loc == srv {
					explicit = explicit || a.optionsOnlyAt(n, c)
				}
				il := a.ifLevel(lv, n)
				for _, s := range il.body {
					if s.name != "return" && s.name != "rewrite" {
						continue
					}
					if st, ok := terminalStatus(s); ok {
						cond := n.evidence()
						pf := a.answer(il, st, f, s, "", []rules.Evidence{cond})
						a.guardAnswer(&pf, n, f)
						return pf, a.ifDrops(il, loc), explicit
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
