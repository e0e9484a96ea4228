package rules

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/corsguard/corsguard/rules/attack"
	"github.com/corsguard/corsguard/rules/spec"
)

// patternAnalysis is the witness search's result for one origin pattern.
type patternAnalysis struct {
	byRule map[string][]attack.Witness // rule ID → accepted attack origins
	never  bool
	// matcher and trusted are kept from the shared search so that the
	// per-policy part does not compile or derive them again.
	matcher  attack.Matcher
	trusted  []string
	neverWhy string
	err      error
	// budget is set when the backtracking budget ran out before the
	// search was complete (a *attack.BudgetError): the witnesses are what
	// was found before, and CG100 says the rest is unknown.
	budget *attack.BudgetError
	// ranked is byRule after rankWitnesses, for policies that need no
	// site-specific change (read-only: shared between policies).
	ranked     map[string][]attack.Witness
	literalDot bool
	// sampled: the automaton could not read the pattern (attack.Pattern's
	// Sampled): its findings are likely, not certain.
	sampled bool
}

// ClassRule maps an attack class to the rule that names the mistake it
// exposes, for lint witnesses and live acceptances alike. Classes a browser
// cannot be made to send (case, whitespace, userinfo...) are absent: only
// what a hostile page can do is a finding.
var ClassRule = map[attack.Class]string{
	attack.Arbitrary:        "CG101",
	attack.Null:             "CG102",
	attack.PostDomain:       "CG103",
	attack.NoDotPostDomain:  "CG103",
	attack.PreDomain:        "CG104",
	attack.UnescapedDot:     "CG105",
	attack.Substring:        "CG106",
	attack.HTTPDowngrade:    "CG107",
	attack.SiblingSubdomain: "CG108",
	attack.NestedSubdomain:  "CG108",
	attack.SharedHosting:    "CG109",
	attack.Extension:        "CG109",
	attack.SpecialChars:     "CG110",
	attack.SpecialLabel:     "CG110",
	attack.IDN:              "CG110",
	attack.Localhost:        "CG112",
	attack.IPLiteral:        "CG112",
}

// analyse runs (once) the witness search for a pattern origin rule.
func (c *checkContext) analyse(o *OriginRule) patternAnalysis {
	if a, ok := c.witnessCache[o]; ok {
		return a
	}
	a := c.search(o)
	if c.witnessCache == nil {
		c.witnessCache = make(map[*OriginRule]patternAnalysis, 2)
	}
	c.witnessCache[o] = a
	if a.err != nil {
		ev := originEvidence(o)
		c.diags = append(c.diags, Errorf(ev.Range, "origin pattern %q: %v", o.Pattern.Expr, a.err))
	}
	return a
}

func (c *checkContext) search(o *OriginRule) patternAnalysis {
	p := o.Pattern
	shared := c.checker.search(p)
	if shared.err != nil || shared.never {
		return shared
	}
	// The shared search knows nothing of this policy's site: drop what the
	// site itself serves and downgrades that are no downgrade here, and
	// add the site's own plain-http twin. Most policies need none of it;
	// they get the shared, already ranked result without a copy.
	site := c.siteOrigins()
	https := c.httpsSite(shared.trusted)
	downgrade := c.siteDowngrade(shared.matcher, shared.byRule)
	dropDowngrades := len(shared.byRule["CG107"]) > 0 && !https
	if !downgrade.present && !dropDowngrades && !witnessesAny(shared.byRule, site) {
		shared.byRule = shared.ranked
		return shared
	}
	a := shared
	a.byRule = map[string][]attack.Witness{}
	for id, ws := range shared.byRule {
		if id == "CG107" && !https {
			continue
		}
		for _, w := range ws {
			if !slices.Contains(site, w.Origin) {
				a.byRule[id] = append(a.byRule[id], w)
			}
		}
		if len(a.byRule[id]) == 0 {
			delete(a.byRule, id)
		}
	}
	if downgrade.present {
		a.byRule["CG107"] = append(a.byRule["CG107"], downgrade.w)
	}
	a.byRule = rankWitnesses(a.byRule, shared.literalDot)
	return a
}

type optionalWitness struct {
	w       attack.Witness
	present bool
}

// siteDowngrade finds the plain-http twin of the site's own names that the
// pattern accepts, when the site is https and no other downgrade is known.
func (c *checkContext) siteDowngrade(m attack.Matcher, by map[string][]attack.Witness) optionalWitness {
	if len(by["CG107"]) > 0 || c.p.HTTPS != Known {
		return optionalWitness{}
	}
	for _, h := range c.p.Hosts {
		o := "http://" + strings.ToLower(h)
		if ok, _ := m.Match(o); ok && spec.IsSerialisedOrigin(o) && !c.isTrusted(o) {
			return optionalWitness{w: attack.Witness{Origin: o, Class: attack.HTTPDowngrade, From: "server_name " + h}, present: true}
		}
	}
	return optionalWitness{}
}

// witnessesAny tells whether any witness is one of the given origins.
func witnessesAny(by map[string][]attack.Witness, origins []string) bool {
	for _, ws := range by {
		for _, w := range ws {
			if slices.Contains(origins, w.Origin) {
				return true
			}
		}
	}
	return false
}

// search runs the witness search for a pattern once per checker. It uses
// only the pattern's own literals and the declared trust, so the result
// holds for every policy the pattern appears in.
func (ch *Checker) search(p *Pattern) patternAnalysis {
	key := searchKey{expr: p.Expr, dialect: p.Dialect, ci: p.CaseInsensitive}
	ch.mu.Lock()
	r, ok := ch.searches[key]
	if !ok {
		r = &searchResult{}
		ch.searches[key] = r
	}
	ch.mu.Unlock()
	r.once.Do(func() { r.a = ch.searchUncached(p) })
	return r.a // shared: callers build new maps rather than change these
}

func (ch *Checker) searchUncached(p *Pattern) patternAnalysis {
	// One budget for everything this pattern costs in the backtracking
	// engine, drawn from the run's.
	budget := attack.WithBudget(attack.NewBudget(attack.PatternBudget, ch.runBudget))
	// The pattern is parsed and compiled once for every analysis below.
	pat := attack.Prepare(p.Expr, p.Dialect, p.CaseInsensitive, budget)
	defer pat.Release()
	if err := pat.Err(); err != nil {
		return patternAnalysis{err: err}
	}
	m := pat.Matcher()
	trusted := ch.trustedFor(pat)
	a := patternAnalysis{byRule: map[string][]attack.Witness{}, matcher: m, trusted: trusted, sampled: pat.Sampled()}
	a.never, a.neverWhy = pat.NeverMatches()
	if a.never {
		return a
	}
	ws, err := pat.SearchWitnesses(trusted)
	var berr *attack.BudgetError
	switch {
	case errors.As(err, &berr):
		a.budget = berr
	case err != nil:
		a.err = err
		return a
	}
	// The pattern's own simplest matches with one dot turned into a letter
	// are the most telling unescaped-dot witnesses; put them first.
	var dots []attack.Witness
	for _, sample := range pat.DotWitnesses() {
		if o, ok := dotOrigin(m, sample); ok {
			dots = append(dots, attack.Witness{Origin: o, Class: attack.UnescapedDot, From: p.Expr})
		}
	}
	ws = append(dots, ws...)
	// Witnesses nobody can register today are kept aside per rule: they
	// stand for the rule only when it has no obtainable witness, and then
	// lower its severity; they never silence it.
	unregistrable := map[string][]attack.Witness{}
	for _, w := range ws {
		id, ok := ClassRule[w.Class]
		if !ok || ch.isTrusted(w.Origin) || slices.ContainsFunc(a.byRule[id], func(x attack.Witness) bool { return x.Origin == w.Origin }) {
			continue
		}
		if id == "CG112" && !ch.trustDeclared {
			// Without a declared trust set, a dev origin such as
			// http://localhost may be intended; only declared trust can say.
			continue
		}
		if !obtainable(w) {
			if !slices.ContainsFunc(unregistrable[id], func(x attack.Witness) bool { return x.Origin == w.Origin }) {
				unregistrable[id] = append(unregistrable[id], w)
			}
			continue
		}
		a.byRule[id] = append(a.byRule[id], w)
	}
	for id, uws := range unregistrable {
		if len(a.byRule[id]) == 0 {
			a.byRule[id] = uws
		}
	}
	a.literalDot = escapeDots(p.Expr) != p.Expr
	raw := make(map[string][]attack.Witness, len(a.byRule))
	for id, ws := range a.byRule {
		raw[id] = ws
	}
	a.ranked = rankWitnesses(raw, a.literalDot)
	return a
}

// trustedFor is the trust set a pattern is judged against: the declared
// one, or what the pattern's author evidently meant.
func (ch *Checker) trustedFor(p *attack.Pattern) []string {
	if ch.trustDeclared {
		return ch.opts.TrustedOrigins
	}
	var out []string
	for _, o := range p.Intended() {
		// A plain-http origin the pattern accepts (`https?://`, or an
		// `http://legacy...` branch) is never assumed trusted: it is the
		// downgrade CG107 exists to catch, and the per-policy step keeps
		// it only where the site is https. Loopback is development.
		if strings.HasPrefix(o, "http://") && !isLoopbackOrigin(o) {
			continue
		}
		out = append(out, o)
	}
	return out
}

// httpsSite tells whether the site (or what it trusts) is https, so that
// trusting http is a downgrade rather than the site's own scheme.
func (c *checkContext) httpsSite(trusted []string) bool {
	if c.p.HTTPS == Known {
		return true
	}
	for _, t := range trusted {
		if strings.HasPrefix(t, "https://") {
			return true
		}
	}
	return false
}

// rankWitnesses keeps one finding per mistake. An attack origin is often
// accepted for several reasons at once; the user needs the root cause:
//   - a pattern that accepts anything is reflection (CG101), nothing else;
//   - a pattern open at both ends is a substring match (CG106), not CG103
//     plus CG104;
//   - a missing anchor already admits the subdomain, http, shared-hosting
//     and special-character variants, so those are implied, unless the
//     anchor's witnesses are all unregistrable (a low finding does not
//     stand for a subdomain the owner's own);
//   - an "unescaped dot" witness only counts when the pattern has a literal
//     dot to escape (`.*example` is a boundary problem, CG104).
func rankWitnesses(by map[string][]attack.Witness, hasLiteralDot bool) map[string][]attack.Witness {
	if len(by["CG101"]) > 0 {
		return map[string][]attack.Witness{"CG101": by["CG101"]}
	}
	if !hasLiteralDot {
		delete(by, "CG105")
	}
	obtained := func(id string) bool { return slices.ContainsFunc(by[id], obtainable) }
	if len(by["CG103"]) > 0 && len(by["CG104"]) > 0 && obtained("CG103") == obtained("CG104") {
		// Open at both ends: one substring finding, as obtainable as its
		// parts.
		sub := append(by["CG106"], by["CG103"]...)
		by["CG106"] = append(sub, by["CG104"]...)
		delete(by, "CG103")
		delete(by, "CG104")
	}
	if obtained("CG103") || obtained("CG104") || obtained("CG106") {
		for _, implied := range []string{"CG107", "CG108", "CG109", "CG110", "CG112"} {
			delete(by, implied)
		}
	}
	return by
}

// reportWitnesses emits one finding of the current rule per pattern that
// has witnesses for it.
func (c *checkContext) reportWitnesses(what string) {
	for i := range c.p.Actual.Origins {
		o := &c.p.Actual.Origins[i]
		if o.Kind != OriginPattern || o.Pattern == nil || o.Pattern.DeployTime {
			continue // a deploy-time shape is not the attacker's to choose: CG100, CG107 speak for it
		}
		a := c.analyse(o)
		ws := a.byRule[c.rule.ID]
		if len(ws) == 0 {
			continue
		}
		ev := originEvidence(o)
		f := Finding{
			Witness:      ws[0].Origin,
			WitnessClass: string(ws[0].Class),
			Range:        ev.Range,
			Related:      o.Evidence,
		}
		c.severity(&f)
		if a.sampled && f.Confidence == Certain {
			// Found by sampling and checked with regexp2, which stands in
			// for PCRE on lookarounds and backreferences.
			f.Confidence = Likely
		}
		also := ""
		if len(ws) > 1 {
			var more []string
			for _, w := range ws[1:min(len(ws), 3)] {
				more = append(more, w.Origin)
			}
			also = " (also " + strings.Join(more, ", ") + ")"
		}
		f.Message = fmt.Sprintf("%s %s %s: accepts %s%s%s", patternLabel(o.Pattern.Dialect), quote(o.Pattern.Expr), what, ws[0].Origin, also, c.credNote())
		extension := ws[0].Class == attack.Extension
		if extension {
			f.Message = fmt.Sprintf("%s %s accepts any browser extension's origin, such as %s: anyone can publish an extension, so every extension author can read the responses%s", patternLabel(o.Pattern.Dialect), quote(o.Pattern.Expr), ws[0].Origin, c.credNote())
		}
		if !slices.ContainsFunc(ws, obtainable) {
			// Wrong, but the accepted host cannot be registered today.
			f.Severity = Low
			f.Credentials = false
			f.Message = fmt.Sprintf("%s %s %s: accepts %s, a host nobody can register today (%s); low until a new top-level domain makes it one", patternLabel(o.Pattern.Dialect), quote(o.Pattern.Expr), what, ws[0].Origin, unregistrableWhy(ws[0].Origin))
		}
		switch {
		case patternFixRules[c.rule.ID]:
			f.Remedy = c.patternRemedy(o, a)
			// Propose the corrected pattern in words only when it is the
			// proved one: a correction the remedy refused (it would never
			// match an origin, or would still have a witness) is bad
			// advice; the rule's generic fix is given instead.
			if f.Remedy != nil {
				f.Fix = fixFor(c.rule.ID, o.Pattern.Expr)
			}
		case c.rule.ID == "CG107":
			f.Remedy = c.downgradeRemedy(o, &a, "")
		}
		if extension {
			f.Fix = "allow your own extension's ID where the browser keeps one (Chrome, Edge: chrome-extension://<id>); Firefox and Safari make up a UUID per install, so authenticate those requests with a token instead of trusting the scheme"
		}
		c.report(f)
	}
}

// patternLabel names what kind of pattern a dialect is.
func patternLabel(d Dialect) string {
	if d == Glob {
		return "origin pattern"
	}
	return "origin regex"
}

// fixFor proposes the corrected pattern (correctPattern: the same text
// the remedy writes) for the regex mistakes that have a mechanical fix;
// the rule's generic advice covers the rest.
func fixFor(ruleID, expr string) string {
	fixed, ok := correctPattern(expr, PCRE)
	if !ok {
		return ""
	}
	switch ruleID {
	case "CG103":
		return "anchor the pattern: " + quote(fixed)
	case "CG104":
		return "anchor the pattern at the start: " + quote(fixed)
	case "CG105":
		return "escape the dots: " + quote(fixed)
	case "CG106":
		return "anchor both ends and match the whole origin: " + quote(fixed)
	}
	return ""
}

// escapeDots escapes every `.` that stands between two literal characters
// outside character classes: the dots of host names, not `.*` or `.+`.
func escapeDots(expr string) string {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(expr); i++ {
		ch := expr[i]
		switch {
		case ch == '\\' && i+1 < len(expr):
			b.WriteByte(ch)
			b.WriteByte(expr[i+1])
			i++
			continue
		case ch == '[':
			inClass = true
		case ch == ']':
			inClass = false
		case ch == '.' && !inClass && i > 0 && i+1 < len(expr) && (isHostByte(expr[i-1]) || expr[i-1] == ')' && !escapedAt(expr, i-1)) && isHostByte(expr[i+1]):
			// `(app|admin).example` too: a group of names before a dot
			// and a name is a host name.
			b.WriteString(`\.`)
			continue
		}
		b.WriteByte(ch)
	}
	return b.String()
}

func isHostByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
}

// quote shows a pattern the way it is written in the config: in double
// quotes, backslashes as they are (Go's %q would double them).
func quote(s string) string { return `"` + s + `"` }

// dotOrigin turns a pattern sample with one dot replaced into an origin a
// browser can send and an attacker can serve: a pattern unanchored at the
// start gets a scheme, one unanchored at the end may take the attacker's
// domain as a suffix (`examplexcom.evil.test`).
func dotOrigin(m attack.Matcher, sample string) (string, bool) {
	cands := []string{sample}
	if !strings.Contains(sample, "://") {
		cands = []string{"https://" + sample}
	}
	cands = append(cands, cands[0]+"."+attack.Attacker)
	for _, c := range cands {
		if ok, _ := m.Match(c); ok && obtainable(attack.Witness{Origin: c, Class: attack.UnescapedDot}) {
			return c, true
		}
	}
	if ok, _ := m.Match(cands[0]); ok {
		return cands[0], true // kept as an unregistrable witness
	}
	return "", false
}
