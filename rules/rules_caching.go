package rules

import (
	"fmt"
	"strings"
)

const groupCaching = "Caching and response consistency"

// originDependent tells whether the ACAO value depends on the request's
// Origin, which is when caches must be told with Vary: Origin. A grant
// whose only possible value is one exact origin does not: whether it is
// sent always or only when the request comes from that origin, a cached
// copy served to another origin names the first one, which the browser
// refuses, so no origin's grant reaches another.
func originDependent(g Grant) (bool, Evidence) {
	if singleOrigin(g) {
		return false, Evidence{}
	}
	for i := range g.Origins {
		o := &g.Origins[i]
		switch {
		case o.Kind == OriginReflect, o.Kind == OriginPattern, o.Kind == OriginList && o.Echo:
			return true, originEvidence(o)
		}
	}
	// A literal chosen by a guard on the Origin also varies with it
	// (`if ($http_origin = ...) { add_header ACAO "https://a" }`); a guard
	// on the method does not.
	for _, h := range headerLiterals(g, HeaderAllowOrigin) {
		if strings.Contains(strings.ToLower(h.Condition), "origin") {
			return true, h.Evidence
		}
	}
	return false, Evidence{}
}

// singleOrigin tells whether every way the grant sets
// Access-Control-Allow-Origin yields the same one exact origin (not `*`,
// not `null`, not a pattern, reflection or unknown value).
func singleOrigin(g Grant) bool {
	only := ""
	same := func(v string) bool {
		v = strings.TrimSpace(v)
		if v == "" || v == "*" || strings.EqualFold(v, "null") || (only != "" && v != only) {
			return false
		}
		only = v
		return true
	}
	for i := range g.Origins {
		o := &g.Origins[i]
		if o.Kind == OriginPattern && o.Pattern != nil && o.Pattern.DeployTime && len(g.Origins) == 1 && len(g.Find(HeaderAllowOrigin)) == 0 {
			return true // one origin fixed at deploy time, not chosen per request
		}
		if o.Kind != OriginList {
			return false
		}
		for _, v := range o.Values {
			if !same(v) {
				return false
			}
		}
	}
	for _, h := range g.Find(HeaderAllowOrigin) {
		if h.Value.State != Known || h.Value.Reflects != "" || !same(h.Value.Literal) {
			return false
		}
	}
	return only != ""
}

// grantsAnyOrigin tells whether the actual grant echoes any request
// Origin: reflection, or a pattern whose witness search found an arbitrary
// attacker origin accepted (what CG101 reports, e.g. API Gateway's
// `https://*`).
func (c *checkContext) grantsAnyOrigin() bool {
	for i := range c.p.Actual.Origins {
		o := &c.p.Actual.Origins[i]
		if o.Kind == OriginReflect {
			return true
		}
		if o.Kind == OriginPattern && o.Pattern != nil && len(c.analyse(o).byRule["CG101"]) > 0 {
			return true
		}
	}
	return false
}

// acaoAlways tells whether an origin-chosen ACAO is also sent on errors.
func acaoAlways(g Grant) bool {
	for _, h := range g.Find(HeaderAllowOrigin) {
		if h.Always {
			return true
		}
	}
	return false
}

// varyAlways tells whether a Vary naming Origin is also sent on errors.
func varyAlways(g Grant) bool {
	for _, h := range g.Find(HeaderVary) {
		for _, item := range splitList(h.Value.Literal) {
			if h.Always && (strings.EqualFold(item, "origin") || item == "*") {
				return true
			}
		}
	}
	return false
}

// varyState tells whether a grant's Vary covers Origin: known yes/no, or
// unknown when a Vary value cannot be resolved.
func varyState(g Grant) State {
	state := Absent
	for _, h := range g.Find(HeaderVary) {
		if h.Value.State == Unknown {
			state = Unknown
			continue
		}
		for _, item := range splitList(h.Value.Literal) {
			if strings.EqualFold(item, "origin") || item == "*" {
				return Known
			}
		}
	}
	return state
}

var _ = register(&Rule{
	ID: "CG401", Slug: "vary-origin-missing", Group: groupCaching,
	Title:    "Access-Control-Allow-Origin depends on Origin without `Vary: Origin`",
	Severity: Medium, CredSeverity: Medium,
	Rationale:  "A shared cache (CDN, proxy, the browser's own cache) keyed without Origin serves the response granted to one origin to the next: legitimate origins get blocked, or a grant leaks to an origin that should not have it. Not reported when the only origin ever granted is one exact origin (a cached copy names that origin, which the browser refuses for any other), nor for managed services that document adding `Vary: Origin` themselves (S3, Azure Storage).",
	Fix:        "Add `Vary: Origin` wherever the allowed origin is chosen per request (nginx: `add_header Vary Origin always;`).",
	Bad:        "add_header Access-Control-Allow-Origin $cors_origin always;",
	Good:       "add_header Access-Control-Allow-Origin $cors_origin always;\nadd_header Vary Origin always;",
	References: []string{"https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches"},
	check: func(c *checkContext) {
		dep, ev := originDependent(c.p.Actual)
		if !dep || c.p.ServiceVary != "" {
			return // nothing varies, or the service adds Vary: Origin itself
		}
		switch varyState(c.p.Actual) {
		case Unknown:
			return
		case Known:
			// Vary present; but if the grant also goes out on errors and
			// Vary does not, cached error responses still mix origins.
			if acaoAlways(c.p.Actual) && !varyAlways(c.p.Actual) {
				hs := c.actual(HeaderVary)
				f := Finding{Range: hs[0].Evidence.Range, Related: []Evidence{hs[0].Evidence}}
				c.severity(&f)
				f.Message = "the allowed origin is sent on every response, but Vary: Origin only on successful ones: cached error responses mix origins"
				f.Remedy = c.alwaysRemedy(hs[0], "Vary")
				c.report(f)
			}
			return
		}
		// Point at the header line: that is where Vary belongs.
		hs := c.actual(HeaderAllowOrigin)
		if len(hs) > 0 {
			ev = hs[0].Evidence
		}
		f := Finding{Range: ev.Range, Related: []Evidence{ev}}
		c.severity(&f)
		if len(hs) > 0 {
			f.Remedy = c.varyRemedy(ev)
		}
		f.Message = "the allowed origin is chosen per request, but responses carry no Vary: Origin: caches can serve one origin's grant to another"
		if c.grantsAnyOrigin() {
			// Every origin is granted anyway (CG101 says so): a mixed-up
			// cached copy cannot give an origin more, only block a caller.
			f.Severity = Low
			f.Message = "the allowed origin is the request's own, but responses carry no Vary: Origin: a cached copy for one origin blocks the next (nothing leaks: every origin is granted)"
		}
		c.report(f)
	},
})

var _ = register(&Rule{
	ID: "CG402", Slug: "cors-missing-on-errors", Group: groupCaching,
	Title:    "CORS headers are absent on error responses",
	Severity: Low, CredSeverity: Low,
	Rationale: "nginx `add_header` and Apache `Header set` (without `always`) only apply to successful responses. A 401, 404 or 500 then reaches the page as an opaque CORS error instead of a status the front end can handle; that confusion is a common reason people reach for reflection.",
	Fix:       "Add `always` (nginx: `add_header ... always;`, Apache: `Header always set ...`).",
	Bad:       "add_header Access-Control-Allow-Origin \"https://app.example.com\";",
	Good:      "add_header Access-Control-Allow-Origin \"https://app.example.com\" always;",
	check: func(c *checkContext) {
		hs := c.actual(HeaderAllowOrigin)
		// An `always` twin under the same guard (or none) carries the
		// header on errors; a guarded one does not cover unguarded callers.
		covered := func(h Header) bool {
			for _, t := range hs {
				if t.Always && (t.Condition == "" || t.Condition == h.Condition) {
					return true
				}
			}
			return false
		}
		for _, h := range hs {
			// An unknown value (an upstream's header rewritten) may reach
			// errors by another way: only judge headers the config sets.
			if h.Always || covered(h) || h.Value.State == Unknown {
				continue
			}
			f := Finding{Range: h.Evidence.Range, Related: []Evidence{h.Evidence}}
			c.severity(&f)
			f.Message = "Access-Control-Allow-Origin is only sent on successful responses: errors reach the page as CORS failures"
			f.Remedy = c.alwaysRemedy(h, "Access-Control-Allow-Origin")
			c.report(f)
			return
		}
	},
})

var _ = register(&Rule{
	ID: "CG403", Slug: "headers-dropped", Group: groupCaching,
	Title:    "A nested scope silently drops inherited CORS headers",
	Severity: Low, CredSeverity: Low,
	Rationale: "nginx inherits `add_header` from the enclosing level only when the nested level has none of its own: one `add_header X-Frame-Options` in a location discards every CORS header set on the server. Apache `Header unset` in a later section does the same.",
	Fix:       "Repeat the CORS headers in the nested scope (an `include` of a shared snippet keeps them in one place).",
	Bad:       "server { add_header Access-Control-Allow-Origin ... always;\n  location /api/ { add_header X-Frame-Options DENY; } }",
	Good:      "server { location /api/ { include snippets/cors.conf; add_header X-Frame-Options DENY; } }",
	check: func(c *checkContext) {
		for _, d := range c.p.Dropped {
			// Removing every CORS header on purpose turns CORS off for the
			// scope, which is consistent; removing some leaves a half grant.
			if d.Explicit && !c.p.Actual.HasCORS() {
				continue
			}
			f := Finding{Range: d.DroppedBy.Range, Related: []Evidence{d.Inherited, d.DroppedBy}}
			c.severity(&f)
			if d.Header == HeaderVary && c.rule.Severity < Medium {
				f.Severity = Medium // a lost Vary: Origin is a cache-poisoning risk, not just broken CORS
			}
			if d.Explicit {
				f.Message = fmt.Sprintf("%s set at %s is removed here while other CORS headers stay: the grant is half there", d.Header, d.Inherited.Range)
			} else {
				f.Message = fmt.Sprintf("%s set at %s is dropped here: this scope has its own headers and inherits none", d.Header, d.Inherited.Range)
				f.Remedy = c.droppedRemedy(d.DroppedBy)
			}
			c.report(f)
		}
	},
})
