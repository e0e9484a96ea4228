package apache

import (
	"strconv"
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// gate is an origin check that rejects a request before its response is
// built: past it, only an Origin in allowed reaches the scope's headers, so
// echoing the request Origin there is validation, and allowed is the
// pattern to analyse. The idioms (issue 9):
//
//	RewriteCond %{HTTP:Origin} !^https://app\.example\.com$
//	RewriteRule ^ - [F]                      (or [G], [R=403])
//
//	<If "%{HTTP:Origin} !~ m#^https://app\.example\.com$#">
//	    Require all denied
//	</If>
//
//	SetEnvIf Origin "^https://app\.example\.com$" origin_ok
//	Require env origin_ok                    (or Allow from env=origin_ok)
//
// The rejection is a 403/410 with httpd's error page: a site that is not
// allowed can at most read that page.
type gate struct {
	allowed *originCond
	ev      []rules.Evidence // the check and the directive that rejects
	// opaque is set (and allowed nil) for a check on the Origin the linter
	// cannot evaluate (a RewriteMap, a function of the Origin): the echo
	// behind it is neither validated nor a plain reflection.
	opaque string
}

// gate returns the first origin gate of the scope (nil: none). Every gate
// must pass, so the first one's allowed set contains what passes them all.
func (a *analysis) gate() *gate {
	if a.gateDone {
		return a.gateVal
	}
	a.gateDone = true
	for _, rs := range []rewriteSet{a.server, a.perDir} {
		for _, r := range rs.rules {
			if g := rewriteGate(r); g != nil {
				a.gateVal = g
				return g
			}
		}
	}
	if g := a.ifGate(); g != nil {
		a.gateVal = g
		return g
	}
	a.gateVal = a.envGate()
	return a.gateVal
}

// rejects reports a RewriteRule that ends the request with an error: [F],
// [G], or [R=4xx/5xx] (mod_rewrite drops the substitution for a status
// outside 300-399 and stops, as with [L]).
func rejects(r *rwRule) bool {
	if hasFlag(r, "f") || hasFlag(r, "g") {
		return true
	}
	if v, ok := r.flags["r"]; ok {
		code, err := strconv.Atoi(v)
		return err == nil && code >= 400 && code < 600
	}
	return false
}

// emptyOnly reports a RewriteCond pattern that only the empty string
// matches: `!^$` and `!=""` say "an Origin is present", not which.
func emptyOnly(p string) bool {
	return p == "^$" || p == `=""` || p == "=" || p == "^\\s*$"
}

// rewriteGate reads `RewriteCond %{HTTP:Origin} !allowed` (any number,
// ANDed) + a rejecting RewriteRule that matches every URL. Conditions on
// the method are allowed when every method of an actual request passes
// them (`!=OPTIONS` lets preflights through to be answered elsewhere).
func rewriteGate(r *rwRule) *gate {
	if !rejects(r) || !matchesAll(r.pattern) {
		return nil
	}
	var acc originAcc
	var evs []rules.Evidence
	opaque := ""
	for _, c := range r.conds {
		if c.or {
			return nil
		}
		switch {
		case isOriginTest(c.test) && c.negate:
			if !emptyOnly(c.pattern) {
				acc.add(regexCond(c.pattern, c.nocase, c.n.evidence()))
			}
		case isOriginTest(c.test) && !c.negate && (c.pattern == "." || c.pattern == ".+" || c.pattern == "^.+$"):
			// "an Origin is present"
		case isMethodTest(c.test):
			for _, m := range []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"} {
				if !condMatchesMethod(c, m) {
					return nil
				}
			}
		case !isOriginTest(c.test) && strings.Contains(strings.ToLower(c.test), "origin"):
			// ${map:%{HTTP:Origin}}, %{HTTP:Origin}-derived tests.
			opaque = c.n.text
		default:
			return nil
		}
		evs = append(evs, c.n.evidence())
	}
	evs = append(evs, r.n.evidence())
	if opaque != "" {
		return &gate{opaque: opaque, ev: evs}
	}
	allowed := acc.cond()
	if allowed == nil {
		return nil
	}
	return &gate{allowed: allowed, ev: evs}
}

// ifGate reads an <If>/<ElseIf>/<Else> that holds exactly when the Origin
// is not allowed and denies access inside.
func (a *analysis) ifGate() *gate {
	for _, l := range a.layers {
		if len(l.guards) != 1 {
			continue
		}
		g := l.guards[0]
		pure := g.notOrigin != nil && g.origin == nil && !g.opaque && !g.other && g.method == mAny
		if !pure && !g.opaque {
			continue
		}
		for _, it := range l.items {
			if it.n.name == "require" && evalRequire(it.n) == azDeny {
				evs := []rules.Evidence{g.ev, it.n.evidence()}
				if !pure {
					return &gate{opaque: g.text, ev: evs}
				}
				return &gate{allowed: g.notOrigin, ev: evs}
			}
		}
	}
	return nil
}

// envGate reads authorization that admits a request only when a variable
// set from the Origin is set: `Require env VAR` (alone, or inside
// RequireAll), or `Order Deny,Allow` + `Deny from all` + `Allow from
// env=VAR`, in the layer whose authorization applies.
func (a *analysis) envGate() *gate {
	var last []item
	for _, l := range a.layers {
		for _, it := range l.items {
			switch it.n.name {
			case "require", "requireall", "requireany", "requirenone", "deny", "allow", "order", "satisfy":
				last = l.items
			}
		}
	}
	var vars []string
	var evs []rules.Evidence
	denyAll, allowEnv := false, false
	for _, it := range last {
		n := it.n
		switch n.name {
		case "require":
			name, ok := requireEnv(n)
			if !ok {
				return nil // another alternative admits other requests
			}
			vars, evs = append(vars, name), append(evs, n.evidence())
		case "requireall":
			name, ok := "", false
			for _, k := range n.kids {
				if v, isEnv := requireEnv(k); isEnv {
					name, ok = v, true
				}
			}
			if !ok {
				return nil
			}
			vars, evs = append(vars, name), append(evs, n.evidence())
		case "requireany", "requirenone":
			return nil
		case "deny":
			denyAll = strings.EqualFold(strings.Join(n.args, " "), "from all")
		case "allow":
			v, ok := strings.CutPrefix(strings.Join(n.args, " "), "from env=")
			if !ok || strings.HasPrefix(v, "!") {
				return nil
			}
			allowEnv = true
			vars, evs = append(vars, v), append(evs, n.evidence())
		}
	}
	if len(vars) == 0 || allowEnv && !denyAll {
		return nil
	}
	var acc originAcc
	for i, v := range vars {
		g := a.env.guardFor("env="+v, evs[i])
		if g.opaque && !g.originNeg {
			return &gate{opaque: "Require env " + v + ", set by a test of the Origin the linter cannot analyse", ev: evs}
		}
		if g.origin == nil || g.originNeg || g.opaque || g.other {
			return nil
		}
		acc.add(g.origin)
	}
	return &gate{allowed: acc.cond(), ev: evs}
}

// requireEnv reads `Require env VAR` (one variable).
func requireEnv(n *node) (string, bool) {
	if n.name != "require" || len(n.args) != 2 || !strings.EqualFold(n.args[0], "env") {
		return "", false
	}
	return n.args[1], true
}

// gatedRules are the rules of an Origin echoed behind a gate: the gate's
// allowed set, with the gate's directives as evidence.
func gatedRules(out []rules.OriginRule, gt *gate, hev rules.Evidence) []rules.OriginRule {
	if gt.opaque != "" {
		evs := append(gt.ev[:len(gt.ev):len(gt.ev)], hev)
		return append(out, rules.OriginRule{Kind: rules.OriginUnknown, Reason: "the request Origin is echoed behind a check the linter cannot analyse: " + gt.opaque, Evidence: uniqEvidence(evs)})
	}
	start := len(out)
	out = echoRules(out, gt.allowed, rules.Evidence{}, hev)
	for i := start; i < len(out); i++ {
		evs := out[i].Evidence[:len(out[i].Evidence):len(out[i].Evidence)]
		for _, ev := range gt.ev {
			evs = addEvidence(evs, ev)
		}
		out[i].Evidence = evs
	}
	return out
}
