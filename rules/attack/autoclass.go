package attack

import (
	"slices"
	"strings"
)

// The attack classes the automaton search decides, as anchored expressions
// over a source origin (scheme S, host H, registrable domain R, port P):
// each describes every serialised origin of the class that an attacker can
// obtain, under a public suffix (witnesses use the source's own top-level
// label or a few common ones; .test stands for any).
//
//	post-domain         S://(label.)*H.(label.)*evil.test P, else
//	                    S://(label.)*H.(label.)*label.TLD P
//	no-dot-post-domain  S://(label.)*H[a-z0-9-]+(.label)*.TLD P
//	pre-domain          S://(label.)*[a-z0-9-]+R P
//	sibling-subdomain   S://[a-z]+.R P
//	nested-subdomain    S://[a-z]+.H P            (H a subdomain of R)
//
// A subdomain witness has a label of letters only: "any subdomain" means a
// name the attacker picks, not one of a family the pattern spells
// (pr-[0-9]+\.preview\.example\.com trusts pull-request previews, not
// every name).
//
// The classes with finitely many members (downgrade, unescaped dot,
// substring, shared hosting, localhost, IP literals, special characters)
// are tested exactly by Search's candidates and need no automaton.
//
// Each class is a class expression (classprog.go), x: what the search
// compiles, and rendered by expr as the regular expression above.

// autoTLDs are the top-level labels witnesses may end in, besides the
// source's own.
var autoTLDs = []string{"test", "com", "org", "net", "io"}

type autoClass struct {
	class Class
	x     cx
}

// expr is the class as an anchored regular expression (for reading and
// for tests; the search compiles x directly).
func (ac autoClass) expr() string { return "^" + ac.x.regex() + "$" }

// autoClasses returns the class expressions for one source.
func autoClasses(o origin) []autoClass { return autoClassesOf(o, RegistrableDomain(o.host)) }

// autoClassesOf is autoClasses with the source's registrable domain
// already looked up.
func autoClassesOf(o origin, reg string) []autoClass {
	if isIP(o.host) || strings.HasPrefix(o.host, "[") {
		return nil
	}
	h := cxLit(o.host)
	p := cxNoPort
	if o.port != "" {
		p = cxLit(":" + o.port)
	}
	tld := cxAutoTLDs
	if last := lastLabel(o.host); last != "" && !slices.Contains(autoTLDs, last) {
		tld = append(cxAlt{cxLit(last)}, cxAutoTLDs...)
	}
	s := cxLit(o.scheme + "://")
	// The attacker's own domain first (the witness reads as what it is),
	// then any registrable name under a public suffix.
	out := make([]autoClass, 0, 6)
	out = append(out,
		autoClass{class: PostDomain, x: cxSeq{s, cxSubdomains, h, cxDot, cxSubdomains, cxEvil, p}},
		autoClass{class: PostDomain, x: cxSeq{s, cxSubdomains, h, cxDot, cxSubdomains, cxLabel, cxDot, tld, p}},
		autoClass{class: NoDotPostDomain, x: cxSeq{s, cxSubdomains, h, cxLDHs, cxDotLabels, cxDot, tld, p}},
	)
	if strings.Contains(o.host, ".") {
		r := cxLit(reg)
		out = append(out,
			autoClass{class: PreDomain, x: cxSeq{s, cxSubdomains, cxLDHs, r, p}},
			autoClass{class: SiblingSubdomain, x: cxSeq{s, cxLetters, cxDot, r, p}},
		)
		if reg != o.host {
			out = append(out, autoClass{class: NestedSubdomain, x: cxSeq{s, cxLetters, cxDot, h, p}})
		}
	}
	return out
}

// The parts every source's classes share, built once (each class
// expression of each search was built anew: most of a search's
// allocations).
var (
	cxDot        cx = cxLit(".")
	cxNoPort     cx = cxLit("")
	cxEvil       cx = cxLit(Attacker)
	cxSubdomains cx = cxStar{cxSeq{cxLabel, cxDot}} // any subdomain in front: (label.)*
	cxDotLabels  cx = cxStar{cxSeq{cxDot, cxLabel}} // (.label)*
	cxLDHs          = cxPlus(setLDH)
	cxLetters       = cxPlus(setLetters)
	cxAutoTLDs      = func() cxAlt {
		a := make(cxAlt, len(autoTLDs))
		for i, t := range autoTLDs {
			a[i] = cxLit(t)
		}
		return a
	}()
)

// maxAutoSources bounds how many sources the automaton search expands
// (maxAutoSources times six classes fit the 64 targets of one search).
const maxAutoSources = 8

// automatonWitnesses returns, for each source and each automaton class not
// in skip, the shortest most readable origin of the class that the pattern
// accepts, verified with m (the real engine). It returns nothing for
// patterns Go's parser cannot read (lookarounds, backreferences): those
// rely on Search's candidates alone. All classes of all sources are
// searched at once, in one product (productSearch).
//
// A witness must be what its class means, not only what its expression
// says: outside every registrable domain the sources name for the
// post-domain and pre-domain classes (https://example.com.example.com is a
// subdomain), not starting with the source host for pre-domain and not
// ending with its registrable domain for post-domain (both are the other
// class), under the source's registrable domain with a label the pattern
// does not name for the subdomain classes (admin.example.com in
// (app|admin)\.example\.com is listed, not "any subdomain"), never on
// shared hosting (its own class), never trusted and never a witness Search
// already has.
func automatonWitnesses(expr string, d Dialect, ci bool, m Matcher, sources []string, isTrusted func(string) bool, have map[string]bool, skip map[Class]bool) ([]Witness, error) {
	return automatonWitnessesOf(func() (*dfa, error) { return patternDFA(expr, d, ci) }, m, sources, isTrusted, have, skip)
}

// automatonWitnesses with the pattern's automaton built by auto (only
// when some class is left to search).
func automatonWitnessesOf(auto func() (*dfa, error), m Matcher, sources []string, isTrusted func(string) bool, have map[string]bool, skip map[Class]bool) ([]Witness, error) {
	pat, err := auto()
	if err != nil || pat.finite {
		return nil, nil
	}
	ctx := newClassContext(sources, func(w string) bool { return isTrusted(w) || have[w] })
	ts := ctx.targets(skip)
	// Targets the pattern's required suffix rules out need no search.
	ts = slices.DeleteFunc(ts, func(t target) bool { return ctx.ruledOut(t, pat.suffix) })
	if len(ts) == 0 {
		return nil, nil
	}
	found := ctx.search(pat, ts)
	var out []Witness
	done := map[Class]bool{}
	for t, tg := range ts {
		if t > 0 && ts[t-1].src != tg.src {
			clear(done)
		}
		w := found[t]
		if w == "" || done[tg.class] {
			continue
		}
		ok, err := m.Match(w)
		if err != nil {
			return out, err
		}
		if ok {
			done[tg.class] = true
			out = append(out, Witness{Origin: w, Class: tg.class, From: ctx.from[tg.src]})
		}
	}
	return out, nil
}

// target is one class expression of one source.
type target struct {
	src   int
	class Class
	x     cx
}

// targets lists the class expressions of every source, by source and
// then in autoClasses order, leaving out the classes in skip.
func (c *classContext) targets(skip map[Class]bool) []target {
	var ts []target
	for i, o := range c.sources {
		for _, ac := range autoClassesOf(o, c.reg[i]) {
			if !skip[ac.class] {
				ts = append(ts, target{src: i, class: ac.class, x: ac.x})
			}
		}
	}
	return ts
}

// ruledOut reports whether no witness of t can end with suffix, which
// every string the pattern accepts ends with: the class's own fixed ending
// (evil.test, the registrable domain, the port) and suffix disagree, or
// suffix ends with the source's registrable domain where the class means
// a host outside it (post-domain classes: means turns such strings down,
// and proving that string by string is most of a search's work).
func (c *classContext) ruledOut(t target, suffix string) bool {
	if suffix == "" {
		return false
	}
	end := fixedEnding(t.x)
	if !strings.HasSuffix(suffix, end) && !strings.HasSuffix(end, suffix) {
		return true
	}
	switch t.class {
	case PostDomain, NoDotPostDomain:
		return strings.HasSuffix(suffix, c.reg[t.src])
	}
	return false
}

// fixedEnding is the literal text every string of x ends with, as far as
// its trailing literal parts tell.
func fixedEnding(x cx) string {
	seq, ok := x.(cxSeq)
	if !ok {
		seq = cxSeq{x}
	}
	end := ""
	for i := len(seq) - 1; i >= 0; i-- {
		lit, ok := seq[i].(cxLit)
		if !ok {
			break
		}
		end = string(lit) + end
	}
	return end
}

// search runs one product search for all targets; found[t] is target t's
// witness (what its class means), or "".
func (c *classContext) search(pat *dfa, ts []target) []string {
	found, _ := c.searchAll(pat, ts)
	return found
}

func (c *classContext) searchAll(pat *dfa, ts []target) ([]string, bool) {
	xs := make([]cx, len(ts))
	for i, t := range ts {
		xs[i] = t.x
	}
	cls := newClassNFA(xs)
	defer cls.release()
	want := func(t int, w string) bool { return c.meansFor(ts[t].class, ts[t].src, w) }
	return productSearch(pat, cls, uint64(1)<<len(ts)-1, want)
}

// classContext is what deciding class membership needs to know about all
// the sources of one search.
type classContext struct {
	sources []origin
	reg     []string // each source's registrable domain
	from    []string
	regs    []string // registrable domains the sources name
	named   []string // labels the sources spell
	exclude func(string) bool
}

func newClassContext(sources []string, exclude func(string) bool) *classContext {
	// A few sources each: lists, not maps.
	c := &classContext{exclude: exclude}
	for _, src := range sources {
		o, ok := parseSource(src)
		if !ok {
			continue
		}
		for l := range strings.SplitSeq(o.host, ".") {
			if !slices.Contains(c.named, l) {
				c.named = append(c.named, l)
			}
		}
		reg := RegistrableDomain(o.host)
		if !slices.Contains(c.regs, reg) {
			c.regs = append(c.regs, reg)
		}
		// "https://app.example.com" and the literal "app.example.com"
		// are one source.
		if !slices.Contains(c.sources, o) && len(c.sources) < maxAutoSources {
			c.sources = append(c.sources, o)
			c.reg = append(c.reg, reg)
			c.from = append(c.from, src)
		}
	}
	return c
}

// meansFor is meansOf for the context's source number src.
func (c *classContext) meansFor(class Class, src int, w string) bool {
	return c.meansOf(class, c.sources[src], c.reg[src], w)
}

// meansOf reports whether w, an origin the class expression for source o
// (whose registrable domain is reg) accepts, is what the class means (see
// automatonWitnesses).
func (c *classContext) meansOf(class Class, o origin, reg string, w string) bool {
	if c.exclude != nil && c.exclude(w) {
		return false
	}
	wo, ok := parseSource(w)
	if !ok || !wo.is(w) {
		return false
	}
	if _, shared := IsSharedHosting(wo.host); shared {
		return false
	}
	under := func(host, reg string) bool { return host == reg || strings.HasSuffix(host, "."+reg) }
	switch class {
	case SiblingSubdomain, NestedSubdomain:
		// The new label must be the attacker's own, not a named label
		// or one extended (xapp.example.com through a missing start
		// anchor is the pre-domain mistake).
		first, _, _ := strings.Cut(wo.host, ".")
		for _, l := range c.named {
			if strings.Contains(first, l) {
				return false
			}
		}
		return wo.host != o.host && under(wo.host, reg)
	case PreDomain:
		if strings.HasPrefix(wo.host, o.host) {
			return false
		}
	default:
		if strings.HasSuffix(wo.host, reg) {
			return false
		}
	}
	for _, r := range c.regs {
		if under(wo.host, r) {
			return false
		}
	}
	return Obtainable(wo.host)
}
