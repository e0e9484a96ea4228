package apache

import (
	"strconv"
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// preflight decides how an OPTIONS request in the scope is answered,
// following httpd's request phases: server-context mod_rewrite and
// mod_alias (translate_name), then access control (Require, <Limit>), then
// per-directory mod_rewrite and Redirect (fixups), then the handler.
//
// actual and actualGrant are the actual response's entries and grant; when
// no directive depends on the method they are the preflight's too.
func (a *analysis) preflight(loc string, actual []entry, actualGrant rules.Grant) rules.Preflight {
	entries := actual
	if a.methodGuards {
		entries, _ = a.fold(preflightReq)
	}
	full := func() rules.Grant {
		if a.methodGuards {
			return a.grant(entries, false)
		}
		return actualGrant
	}
	if o := a.server.optionsOutcome("server-context"); o != nil && !o.stop {
		return a.decided(o, entries, full)
	}
	if o := a.aliasRedirect(loc, true); o != nil {
		return a.decided(o, entries, full)
	}
	if o := a.allowMethods(); o != nil {
		return a.decided(o, entries, full)
	}
	if o := a.access(); o != nil {
		return a.decided(o, entries, full)
	}
	if o := a.perDir.optionsOutcome("per-directory"); o != nil && !o.stop {
		return a.decided(o, entries, full)
	}
	if o := a.aliasRedirect(loc, false); o != nil {
		return a.decided(o, entries, full)
	}
	if o := a.handler(loc); o != nil {
		return a.decided(o, entries, full)
	}
	var optEv []rules.Evidence
	for i := range a.ops {
		h := &a.ops[i]
		if !h.cors {
			continue
		}
		for _, g := range h.guards {
			if g != nil && g.method == mOnly {
				optEv = append(optEv, g.ev)
			}
		}
		if g := h.cg; g != nil && g.method == mOnly {
			optEv = append(optEv, g.ev)
		}
	}
	if len(optEv) > 0 {
		return rules.Preflight{
			Kind:     rules.PreflightAnswered,
			Status:   200,
			Grant:    full(),
			Reason:   "CORS headers are set for OPTIONS and nothing hands OPTIONS to an application: httpd's default handler answers it with 200 and Allow (a handler configured outside this file would decide instead)",
			Evidence: uniqEvidence(optEv),
		}
	}
	return rules.Preflight{
		Kind:   rules.PreflightUnknown,
		Grant:  full(),
		Reason: "nothing in the configuration handles OPTIONS: httpd's default handler answers 200 for static files, an application handler (PHP, CGI, a proxied backend configured elsewhere) decides otherwise",
	}
}

// decided builds the preflight for an outcome. Responses httpd generates
// itself (rewrite R=, F, G, Redirect, 401/403) go through the error path,
// which sends only the `Header always` table; a handler's response gets both.
func (a *analysis) decided(o *outcome, entries []entry, full func() rules.Grant) rules.Preflight {
	generated := o.kind != rules.PreflightToApp
	p := rules.Preflight{Kind: o.kind, Status: o.status, Reason: o.reason, Evidence: o.ev}
	lost := 0
	if generated {
		for _, e := range entries {
			if e.op.cors && !e.op.always {
				lost++
			}
		}
	}
	if generated && lost > 0 {
		p.Grant = a.grant(entries, true)
	} else {
		// Nothing is lost on the error path: the grant is the full one
		// (shared with the actual response when no guard tests the method).
		p.Grant = full()
	}
	if generated {
		if lost > 0 {
			p.Reason += "; " + strconv.Itoa(lost) + " CORS header(s) set without `always` are not sent on this response (httpd builds it on the error path, which keeps only the always table)"
		}
	}
	return p
}

// aliasRedirect finds mod_alias Redirect / RedirectMatch that catch the
// scope's URL (server context when server is true, else per-directory).
func (a *analysis) aliasRedirect(loc string, server bool) *outcome {
	for _, l := range a.layers {
		if l.server != server {
			continue
		}
		for _, it := range l.items {
			n := it.n
			var status int
			switch n.name {
			case "redirect", "redirectmatch":
				status = 302
			case "redirectpermanent":
				status = 301
			case "redirecttemp":
				status = 302
			default:
				continue
			}
			args := n.args
			if len(args) > 0 {
				switch strings.ToLower(args[0]) {
				case "permanent":
					status, args = 301, args[1:]
				case "temp":
					status, args = 302, args[1:]
				case "seeother":
					status, args = 303, args[1:]
				case "gone":
					status, args = 410, args[1:]
				default:
					if c, err := strconv.Atoi(args[0]); err == nil {
						status, args = c, args[1:]
					}
				}
			}
			applies := false
			switch {
			case !server:
				applies = len(args) <= 1 || n.name == "redirectmatch"
			case n.name == "redirectmatch":
				applies = len(args) > 0 && regexMatches(args[0], false, loc)
			default:
				applies = len(args) > 0 && urlUnder(loc, args[0])
			}
			if !applies {
				continue
			}
			kind := rules.PreflightRedirect
			if status < 300 || status >= 400 {
				kind = rules.PreflightRejected
			}
			return &outcome{kind: kind, status: status, reason: directiveName(n) + " answers OPTIONS with " + strconv.Itoa(status), ev: []rules.Evidence{n.evidence()}}
		}
	}
	return nil
}

// authz results for one Require alternative, for an OPTIONS request.
const (
	azMaybe = iota
	azGrant
	azDeny
	azAuth
)

// allowMethods evaluates mod_allowmethods: the innermost section with an
// AllowMethods directive decides, and a list without OPTIONS answers it
// with 405 in the access phase, before any handler or header logic.
func (a *analysis) allowMethods() *outcome {
	var last *node
	for _, l := range a.layers {
		for _, it := range l.items {
			if it.n.name == "allowmethods" {
				last = it.n
			}
		}
	}
	if last == nil {
		return nil
	}
	for _, m := range last.args {
		if strings.EqualFold(m, "OPTIONS") || strings.EqualFold(m, "reset") {
			return nil
		}
	}
	return &outcome{kind: rules.PreflightRejected, status: 405, reason: "AllowMethods does not list OPTIONS: mod_allowmethods answers every preflight with 405", ev: []rules.Evidence{last.evidence()}}
}

// access evaluates the authorization that applies to OPTIONS. Sections
// replace each other's authorization (AuthMerging Off, the default), so
// the last layer that has any decides.
func (a *analysis) access() *outcome {
	var last []item
	for _, l := range a.layers {
		has := false
		for _, it := range l.items {
			switch it.n.name {
			case "require", "requireall", "requireany", "requirenone", "deny", "allow", "order", "satisfy":
				has = true
			}
		}
		if has {
			last = l.items
		}
	}
	if last == nil {
		return nil
	}
	var evs []rules.Evidence
	var altBuf [8]int
	alts := altBuf[:0]
	denyAll, allowAll := false, false
	var denyEv rules.Evidence
	for _, it := range last {
		if !it.limit.coversOptions() {
			continue
		}
		switch it.n.name {
		case "require", "requireall", "requireany", "requirenone":
			r := evalRequire(it.n)
			alts = append(alts, r)
			if r == azAuth || r == azDeny {
				evs = append(evs, it.n.evidence())
			}
		case "deny":
			if strings.EqualFold(strings.Join(it.n.args, " "), "from all") {
				denyAll, denyEv = true, it.n.evidence()
			}
		case "allow":
			if strings.EqualFold(strings.Join(it.n.args, " "), "from all") {
				allowAll = true
			}
		}
	}
	res := azMaybe
	if len(alts) > 0 {
		res = anyOf(alts)
	} else if denyAll && !allowAll {
		res, evs = azDeny, []rules.Evidence{denyEv}
	}
	switch res {
	case azDeny:
		return &outcome{kind: rules.PreflightRejected, status: 403, reason: "access control denies OPTIONS (403)", ev: evs}
	case azAuth:
		return &outcome{kind: rules.PreflightAuth, status: 401, reason: "OPTIONS requires authentication (401); browsers never send credentials on a preflight. Exempt it with <LimitExcept OPTIONS> or `Require method OPTIONS`", ev: evs}
	}
	return nil
}

func anyOf(rs []int) int {
	out := azDeny
	seenMaybe, seenAuth := false, false
	for _, r := range rs {
		switch r {
		case azGrant:
			return azGrant
		case azMaybe:
			seenMaybe = true
		case azAuth:
			seenAuth = true
		}
	}
	switch {
	case seenMaybe:
		out = azMaybe
	case seenAuth:
		out = azAuth
	}
	return out
}

// evalRequire evaluates a Require line or container for OPTIONS.
func evalRequire(n *node) int {
	if n.section {
		var rs []int
		for _, k := range n.kids {
			if k.name == "require" || k.name == "requireall" || k.name == "requireany" || k.name == "requirenone" {
				rs = append(rs, evalRequire(k))
			}
		}
		if len(rs) == 0 {
			return azMaybe
		}
		switch n.name {
		case "requireany":
			return anyOf(rs)
		case "requireall":
			out := azGrant
			for _, r := range rs {
				switch {
				case r == azDeny:
					return azDeny
				case r == azAuth:
					out = azAuth
				case r == azMaybe && out == azGrant:
					out = azMaybe
				}
			}
			return out
		}
		return azMaybe
	}
	if len(n.args) == 0 {
		return azMaybe
	}
	switch strings.ToLower(n.args[0]) {
	case "all":
		if strings.EqualFold(n.arg(1), "granted") {
			return azGrant
		}
		return azDeny
	case "method":
		for _, m := range n.args[1:] {
			if strings.EqualFold(m, "OPTIONS") {
				return azGrant
			}
		}
		return azDeny
	case "valid-user", "user", "group", "file-owner", "file-group", "dbd-group", "dbm-group",
		"ldap-user", "ldap-group", "ldap-dn", "ldap-attribute", "ldap-filter", "ldap-search":
		return azAuth
	}
	return azMaybe
}

// handler finds what produces the response when nothing earlier did:
// a proxy, a handler, a front controller.
func (a *analysis) handler(loc string) *outcome {
	var found *node
	for _, l := range a.layers {
		for _, it := range l.items {
			n := it.n
			switch n.name {
			case "proxypass", "proxypassmatch":
				if l.server {
					if len(n.args) < 2 || n.args[1] == "!" {
						continue
					}
					if n.name == "proxypass" && !urlUnder(loc, n.args[0]) {
						continue
					}
					if n.name == "proxypassmatch" && !regexMatches(n.args[0], false, loc) {
						continue
					}
				} else if len(n.args) == 0 || n.args[0] == "!" {
					found = nil
					continue
				}
				found = n
			case "scriptalias":
				if l.server && len(n.args) >= 2 && urlUnder(loc, n.args[0]) {
					found = n
				}
			case "sethandler":
				if strings.EqualFold(n.arg(0), "none") || strings.EqualFold(n.arg(0), "default-handler") {
					found = nil
					continue
				}
				found = n
			case "fallbackresource":
				if strings.EqualFold(n.arg(0), "disabled") {
					found = nil
					continue
				}
				found = n
			}
		}
	}
	if found == nil {
		return nil
	}
	return handlerOutcome(found)
}

// handlerOutcome is the preflight outcome of a directive that hands the
// request to an application. It depends only on the directive, which
// applies to many scopes, so it is built once; callers only read it.
func handlerOutcome(n *node) *outcome {
	f := n.parsed()
	if f.handler != nil {
		return f.handler
	}
	o := &outcome{kind: rules.PreflightToApp, ev: []rules.Evidence{n.evidence()}}
	switch n.name {
	case "scriptalias":
		o.reason = "ScriptAlias hands OPTIONS to a CGI program"
	case "sethandler":
		o.reason = "SetHandler " + n.arg(0) + " answers OPTIONS"
	case "fallbackresource":
		o.reason = "FallbackResource " + n.arg(0) + " sends unmatched URLs, OPTIONS included, to the application"
	default: // proxypass, proxypassmatch
		o.reason = directiveName(n) + " passes OPTIONS to a backend, which decides the preflight"
	}
	f.handler = o
	return o
}
