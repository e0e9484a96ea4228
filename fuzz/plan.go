package fuzz

// What a target is sent: the trusted origins, the actual requests with
// every origin class, the preflights and the repeats (see engine.go for
// how a plan is sent and fuzzTarget for its phases).

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/corsguard/corsguard/fuzz/observe"
	"github.com/corsguard/corsguard/rules"
	"github.com/corsguard/corsguard/rules/attack"
	"github.com/corsguard/corsguard/rules/spec"
)

// trustedFor returns the trusted origins for a target: declared ones, the
// expected policy's exact origins, or the target's own origin.
func trustedFor(t Target, declared []string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, s := range declared {
		add(s)
	}
	for _, s := range t.Trusted {
		add(s)
	}
	for _, p := range t.Expect {
		for _, g := range []rules.Grant{p.Actual, p.Preflight.Grant} {
			for _, o := range g.Origins {
				switch {
				case o.Kind == rules.OriginList:
					for _, v := range o.Values {
						if spec.IsSerialisedOrigin(v) && v != "null" {
							add(v)
						}
					}
				case o.Kind == rules.OriginPattern && o.Pattern != nil:
					// What the pattern is meant to allow is what the user trusts;
					// the attack classes are then derived from it.
					for _, v := range attack.Intended(o.Pattern.Expr, o.Pattern.Dialect) {
						if spec.IsSerialisedOrigin(v) && v != "null" {
							add(v)
						}
					}
				}
			}
		}
	}
	if len(out) == 0 {
		if o, err := spec.OriginOfURL(t.URL); err == nil {
			add(o.String())
		}
	}
	return out
}

func (r *targetRun) isTrusted(origin string) bool {
	for _, t := range r.trusted {
		if t == origin {
			return true
		}
	}
	for _, m := range r.trustedM {
		if ok, err := m.Match(origin); err == nil && ok {
			return true
		}
	}
	return false
}

// literals are the host-like fragments of the expected policy's patterns
// and the trusted globs, so that attack classes are derived from them too.
func (r *targetRun) literals() []string {
	var out []string
	for _, p := range r.t.Expect {
		for _, g := range []rules.Grant{p.Actual, p.Preflight.Grant} {
			for _, o := range g.Origins {
				if o.Kind == rules.OriginPattern && o.Pattern != nil {
					out = append(out, attack.Literals(o.Pattern.Expr, o.Pattern.Dialect)...)
				}
			}
		}
	}
	for _, g := range r.e.opts.TrustedPatterns {
		out = append(out, attack.Literals(g, attack.Glob)...)
	}
	return out
}

func (r *targetRun) planActual() []probe {
	m := r.e.opts.Method
	base := probe{kind: observe.Actual, url: r.t.URL, method: m}
	generated := attack.Generate(r.trusted, r.literals())
	var corpus []CorpusEntry
	if r.e.opts.Corpus != nil {
		corpus = r.e.opts.Corpus.Origins(r.t.Host())
	}
	size := 1 + len(r.trusted) + len(generated) + len(corpus) + r.e.opts.Random
	plan := make([]probe, 1, size)
	plan[0] = probe{kind: observe.Actual, url: r.t.URL, method: m, class: classBaseline}
	seen := make(map[string]bool, size)
	add := func(origin, class, from string) {
		if seen[origin] {
			return
		}
		seen[origin] = true
		p := base
		p.origin, p.hasOrigin, p.class, p.from = origin, true, class, from
		plan = append(plan, p)
	}
	for _, t := range r.trusted {
		add(t, classTrusted, "")
	}
	for _, c := range generated {
		add(c.Origin, string(c.Class), c.From)
	}
	for _, c := range corpus {
		add(c.Origin, classCorpus, c.Class)
	}
	from := fmt.Sprintf("seed %d", r.e.opts.Seed)
	for _, o := range r.e.src.Origins(r.trusted, r.e.opts.Random) {
		add(o, classRandom, from)
	}
	return plan
}

// preflightCombos are the (method, request headers) pairs of ATTACKS.md.
var preflightCombos = [][2]string{
	{"PUT", ""}, {"DELETE", ""}, {"PATCH", ""}, {"patch", ""},
	{"PUT", "x-custom"}, {"PUT", "authorization"}, {"POST", "content-type"},
}

func (r *targetRun) planPreflights() []probe {
	var plan []probe
	pre := func(origin, class, method, acrh string, pna bool) {
		plan = append(plan, probe{kind: observe.Preflight, url: r.t.URL, origin: origin, hasOrigin: true,
			class: class, method: method, acrh: acrh, pna: pna})
	}
	for i, t := range r.trusted {
		if i == 4 {
			break
		}
		for _, c := range preflightCombos {
			pre(t, classTrusted, c[0], c[1], false)
		}
		if i == 0 {
			pre(t, classTrusted, "PUT", "", true)
			// Random asks reveal reflection of ACRM/ACRH.
			for _, m := range r.e.src.Methods(2) {
				pre(t, classTrusted, m, "", false)
			}
			for _, hs := range r.e.src.HeaderLists(2) {
				pre(t, classTrusted, "PUT", strings.ToLower(strings.Join(hs, ",")), false)
			}
		}
	}
	hostile := []outcome{}
	for _, o := range r.outcomes {
		if o.kind == observe.Actual && o.purpose == "" && o.hasOrigin && o.class != classTrusted && r.grantedBy[o.origin] {
			hostile = append(hostile, o)
		}
	}
	if len(hostile) > 8 {
		hostile = hostile[:8]
	}
	evil := "https://" + attack.Attacker
	sawEvil := false
	for _, o := range hostile {
		sawEvil = sawEvil || o.origin == evil
		pre(o.origin, o.class, "PUT", "", false)
		pre(o.origin, o.class, "PUT", "x-custom", false)
		pre(o.origin, o.class, "DELETE", "authorization", false)
	}
	if !sawEvil {
		pre(evil, string(attack.Arbitrary), "PUT", "", false)
		pre(evil, string(attack.Arbitrary), "DELETE", "authorization", false)
	}
	return plan
}

func (r *targetRun) planConsistency() []probe {
	var plan []probe
	var picks []outcome
	for _, o := range r.outcomes {
		if o.kind != observe.Actual || o.purpose != "" || !o.hasOrigin {
			continue
		}
		if o.class == classTrusted && len(picks) == 0 || o.class != classTrusted && r.grantedBy[o.origin] && len(picks) < 2 {
			picks = append(picks, o)
		}
	}
	for _, o := range picks {
		for range r.e.opts.Repeats {
			p := o.probe
			p.purpose = "repeat"
			plan = append(plan, p)
		}
	}
	// An error path: does the grant survive a 404? Probe with an origin the
	// main path grants (trusted first).
	var granted *outcome
	for i, o := range r.outcomes {
		if o.kind == observe.Actual && o.purpose == "" && o.hasOrigin && r.grantedBy[o.origin] {
			if granted == nil || o.class == classTrusted && granted.class != classTrusted {
				granted = &r.outcomes[i]
			}
		}
	}
	if granted != nil {
		p := granted.probe
		p.url, p.purpose = errorPath(r.t.URL, r.e.opts.Seed), "error"
		plan = append(plan, p)
	}
	return plan
}

// errorPath is a path under the target that should not exist.
func errorPath(raw string, seed int64) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + fmt.Sprintf("/corsguard-404-%x", uint64(seed)&0xffffff)
	u.RawQuery = ""
	return u.String()
}
