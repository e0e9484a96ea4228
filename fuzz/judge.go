package fuzz

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/corsguard/corsguard/fuzz/driver"
	"github.com/corsguard/corsguard/fuzz/observe"
	"github.com/corsguard/corsguard/rules"
	"github.com/corsguard/corsguard/rules/attack"
	"github.com/corsguard/corsguard/rules/spec"
)

// fallback slugs and severities for live rules, used only if the catalog
// does not (yet) hold them.
var fallbackRules = map[string]rules.Rule{
	"CG601": {ID: "CG601", Slug: "live-policy-mismatch", Severity: rules.Medium, CredSeverity: rules.High},
	"CG602": {ID: "CG602", Slug: "live-inconsistent", Severity: rules.Low, CredSeverity: rules.Medium},
}

func lookupRule(id string) rules.Rule {
	if r, err := rules.Lookup(id); err == nil {
		return *r
	}
	if r, ok := fallbackRules[id]; ok {
		return r
	}
	return rules.Rule{ID: id, Slug: strings.ToLower(id), Severity: rules.Low, CredSeverity: rules.Medium}
}

// newResult builds a Result for rule id with the catalog's slug, severity
// and fix, and the exchanges as evidence (curl lines filled in).
func (r *targetRun) newResult(id string, creds bool, msg string, exs ...driver.Exchange) Result {
	rule := lookupRule(id)
	f := rules.Finding{
		RuleID: id, Slug: rule.Slug, Severity: rule.SeverityFor(creds), Confidence: rules.Certain,
		Credentials: creds, Message: msg, Range: rules.Range{File: r.t.URL}, Scope: r.t.URL, Fix: rule.Fix,
	}
	return Result{Finding: f, Target: r.t.URL, Seed: r.e.opts.Seed, Exchanges: r.evidence(exs...)}
}

func (r *targetRun) evidence(exs ...driver.Exchange) []driver.Exchange {
	out := make([]driver.Exchange, len(exs))
	for i, ex := range exs {
		ex.Curl = r.e.client.Curl(ex.Request)
		out[i] = ex
	}
	return out
}

func (r *targetRun) report(res Result) {
	key := res.RuleID + "|" + res.Witness
	if r.reported[key] {
		return
	}
	r.reported[key] = true
	r.emit(res)
}

func acao(h http.Header) string { return strings.Join(h.Values(rules.HeaderAllowOrigin), ", ") }

// describe renders the grant of a response for a message.
func describe(h http.Header) string {
	s := rules.HeaderAllowOrigin + ": " + acao(h)
	if c := h.Values(rules.HeaderAllowCredentials); len(c) > 0 {
		s += ", " + rules.HeaderAllowCredentials + ": " + strings.Join(c, ", ")
	}
	return s
}

// witness is an accepted origin and whether credentials were granted too.
type witness struct {
	o     outcome
	creds bool
}

// liveMatcher answers attack.Search from what the server did: an origin
// "matches" when the browser oracle lets a page on it read the response.
type liveMatcher map[string]bool

func (m liveMatcher) Match(origin string) (bool, error) { return m[origin], nil }

// judgeActual raises the origin-trust findings (CG101-CG112): an origin
// that is not trusted and that a browser would let read the response. The
// witnesses are chosen by attack.Search over the live answers, exactly as
// the linter chooses them over a pattern, so that one mistake gives one
// finding with the same ID from lint and from fuzz. Accepted origins no
// browser sends (case, port, userinfo...) are reported at info; random and
// corpus origins only when no class predicted the hole.
func (r *targetRun) judgeActual() {
	granted := liveMatcher{}
	byOrigin := map[string]witness{}
	var random, unsendable []witness
	for _, o := range r.outcomes {
		if o.kind != observe.Actual || o.purpose != "" || !o.hasOrigin || o.ex.Response == nil {
			continue
		}
		h := o.header()
		// No Allow-Origin is a refusal, the oracle's first step (most
		// answers: no verdict built); a credentialed grant is an
		// uncredentialed one plus Allow-Credentials: the oracle runs
		// twice only for a real grant.
		if _, present := spec.HeaderValues(h, rules.HeaderAllowOrigin); !present || acao(h) == "*" || !spec.CORSCheck(h, o.origin, false).OK {
			continue // refused, or public data for everyone
		}
		vc := spec.CORSCheck(h, o.origin, true)
		r.grantedBy[o.origin] = true
		if r.isTrusted(o.origin) {
			continue
		}
		w := witness{o: o, creds: vc.OK}
		if _, seen := byOrigin[o.origin]; !seen {
			byOrigin[o.origin] = w
		}
		granted[o.origin] = true
		switch {
		case o.class == classRandom || o.class == classCorpus:
			random = append(random, w)
		case !sendable(o):
			unsendable = append(unsendable, w)
		}
	}
	ws, _ := attack.Search(granted, r.trusted, r.literals())
	byRule := map[string][]witness{}
	var order []string
	for _, w := range ws {
		if r.isTrusted(w.Origin) {
			continue
		}
		id := rules.ClassRule[w.Class]
		if id == "" {
			continue
		}
		if _, seen := byRule[id]; !seen {
			order = append(order, id)
		}
		byRule[id] = append(byRule[id], byOrigin[w.Origin])
	}
	if len(order) == 0 && len(random) > 0 {
		order = append(order, "CG112")
		byRule["CG112"] = random
	}
	order = subsumeLive(order, byRule)
	sort.Strings(order)
	for _, id := range order {
		r.report(r.originResult(id, byRule[id]))
	}
	if len(order) == 0 && len(unsendable) > 0 {
		// Nothing a browser can exploit, but the check is sloppy: say so once.
		r.report(r.originResult("CG112", unsendable))
	}
}

func (r *targetRun) originResult(id string, ws []witness) Result {
	// Prefer a browser-sendable, credentialed witness: that is the exploit.
	best := 0
	score := func(w witness) int {
		s := 0
		if sendable(w.o) {
			s += 2
		}
		if w.creds {
			s++
		}
		return s
	}
	for i, w := range ws {
		if score(w) > score(ws[best]) {
			best = i
		}
	}
	w := ws[best]
	consequence := "a page on " + w.o.origin + " can read responses (without credentials)"
	if w.creds {
		consequence = "a page on " + w.o.origin + " can read responses made with the user's cookies"
	}
	from := ""
	if w.o.from != "" {
		from = ", from " + w.o.from
	}
	msg := fmt.Sprintf("%s %s with Origin: %s → %s: %s (%s%s)", w.o.method, r.t.URL, w.o.origin, describe(w.o.header()), consequence, w.o.class, from)
	var more []string
	var related []rules.Evidence
	for i, o := range ws {
		if i != best {
			if len(more) < 3 {
				more = append(more, o.o.origin)
			}
			related = append(related, rules.Evidence{Range: rules.Range{File: r.t.URL}, Text: "Origin: " + o.o.origin + " (" + o.o.class + ")"})
		}
	}
	if len(more) > 0 {
		msg += "; also " + strings.Join(more, ", ")
		if len(ws)-1 > len(more) {
			msg += fmt.Sprintf(" and %d more", len(ws)-1-len(more))
		}
	}
	res := r.newResult(id, w.creds, msg, w.o.ex)
	res.Witness, res.WitnessClass, res.Related = w.o.origin, w.o.class, related
	if org, err := spec.ParseOrigin(w.o.origin); err == nil && w.o.origin != "null" && sendable(w.o) &&
		attack.Class(w.o.class) != attack.Localhost && attack.Class(w.o.class) != attack.IPLiteral && !attack.Obtainable(org.Host) {
		// Same judgement as lint: a host nobody can register is a sloppy
		// check, not an exploit.
		res.Severity, res.Credentials = rules.Low, false
		res.Message += "; " + org.Host + " cannot be registered today, so this is a wrong check rather than an exploit"
	}
	if !sendable(w.o) {
		res.Severity, res.Confidence = rules.Info, rules.Likely
		res.Message += "; browsers never send this Origin, so only non-browser clients can use it"
	}
	return res
}

func sendable(o outcome) bool {
	if !spec.IsSerialisedOrigin(o.origin) {
		return false
	}
	switch o.class {
	case classRandom, classCorpus, classTrusted:
		return true
	}
	return attack.Class(o.class).BrowserSendable()
}

// judgeRest runs once everything is sent: preflight, consistency, header
// hygiene (through the rule catalog on the observed policy) and the
// comparison with the expected policy.
func (r *targetRun) judgeRest() {
	var obs []observe.Observation
	for _, o := range r.outcomes {
		if o.ex.Response != nil && o.hasOrigin {
			obs = append(obs, o.observation())
		}
	}
	r.observed = observe.Build(r.t.URL, obs)
	r.judgeHeaders()
	r.judgeNeverMatches()
	r.judgePreflights()
	r.judgeVary()
	r.judgeConsistency()
	if len(r.t.Expect) > 0 {
		r.judgeExpected()
	}
}

// headerOf says which response header a header-value rule is about, to
// pick the exchange that shows it.
var headerOf = map[string]string{
	"CG201": rules.HeaderAllowCredentials, "CG202": rules.HeaderAllowOrigin, "CG204": rules.HeaderAllowCredentials,
	"CG205": rules.HeaderAllowHeaders, "CG206": rules.HeaderAllowMethods, "CG207": rules.HeaderAllowCredentials,
	"CG208": rules.HeaderExposeHeaders, "CG209": rules.HeaderMaxAge,
}

func (r *targetRun) judgeHeaders() {
	fs, _ := rules.Check(&r.observed, rules.Options{TrustedOrigins: r.trusted, TrustedPatterns: r.e.opts.TrustedPatterns})
	for _, f := range fs {
		if !strings.HasPrefix(f.RuleID, "CG2") || f.RuleID == "CG203" {
			continue // origin trust and preflight are judged from the wire directly
		}
		var exs []driver.Exchange
		if f.RuleID == "CG205" || f.RuleID == "CG206" {
			exs = r.scaleReflection(&f)
		}
		if name := headerOf[f.RuleID]; name != "" && len(exs) == 0 {
			for _, o := range r.outcomes {
				if len(o.header().Values(name)) > 0 {
					exs = append(exs, o.ex)
					break
				}
			}
		}
		f.Range = rules.Range{File: r.t.URL}
		f.Scope = r.t.URL
		r.report(Result{Finding: f, Target: r.t.URL, Seed: r.e.opts.Seed, Exchanges: r.evidence(exs...)})
	}
	for _, o := range r.outcomes {
		if vs := o.header().Values(rules.HeaderAllowOrigin); len(vs) > 1 {
			res := r.newResult("CG203", false, fmt.Sprintf("%s %s with Origin: %s → %d Access-Control-Allow-Origin headers (%s): browsers see a list and block the read",
				o.ex.Request.Method, o.url, o.origin, len(vs), strings.Join(vs, " | ")), o.ex)
			r.report(res)
			break
		}
	}
}

func varyOrigin(h http.Header) bool {
	for _, v := range h.Values("Vary") {
		for v != "" {
			var t string
			t, v, _ = strings.Cut(v, ",")
			t = strings.TrimSpace(t)
			if t == "*" || strings.EqualFold(t, "Origin") {
				return true
			}
		}
	}
	return false
}

// judgeVary: the grant depends on Origin, and a response that carries it
// says nothing to caches (CG401).
func (r *targetRun) judgeVary() {
	values := map[string]bool{}
	var unvaried, varied, refusedPlain *outcome
	for i, o := range r.outcomes {
		if o.kind != observe.Actual || o.url != r.t.URL || !o.hasOrigin || o.ex.Response == nil || o.status() >= 400 {
			continue
		}
		a := acao(o.header())
		values[a] = true
		// Only a grant a browser can use matters to a cache (CG111 reports
		// the values that never match).
		usable := a != "" && a != "*" && spec.IsSerialisedOrigin(a)
		switch {
		case usable && !varyOrigin(o.header()) && unvaried == nil:
			unvaried = &r.outcomes[i]
		case usable && varied == nil && r.isTrusted(o.origin):
			varied = &r.outcomes[i]
		case a == "" && !varyOrigin(o.header()) && refusedPlain == nil && sendable(o):
			refusedPlain = &r.outcomes[i]
		}
	}
	if len(values) > 1 && unvaried != nil {
		o := *unvaried
		r.report(r.newResult("CG401", false, fmt.Sprintf("%s %s with Origin: %s → %s without Vary: Origin, while other origins get a different answer: a shared cache can serve this grant to them",
			o.method, r.t.URL, o.origin, describe(o.header())), o.ex))
		return
	}
	// The mirror image: grants vary, refusals do not. A shared cache that
	// stored a refusal serves it to the trusted origin, which is then
	// blocked until the entry expires (broken, not unsafe: low).
	if unvaried == nil && varied != nil && refusedPlain != nil {
		res := r.newResult("CG401", false, fmt.Sprintf("%s %s with Origin: %s is refused without Vary: Origin, while the grant to %s varies: a shared cache can serve the refusal to the trusted origin and block it",
			refusedPlain.method, r.t.URL, refusedPlain.origin, varied.origin), refusedPlain.ex, varied.ex)
		res.Severity, res.Witness = rules.Low, "refusal"
		r.report(res)
	}
}

// judgeConsistency: repeats that change their answer (CG602), and error
// responses that lose the CORS headers (CG402).
func (r *targetRun) judgeConsistency() {
	first := map[string]*outcome{} // into r.outcomes: an outcome is large
	for i, o := range r.outcomes {
		if o.kind == observe.Actual && o.purpose == "" && o.hasOrigin {
			if _, ok := first[o.origin]; !ok {
				first[o.origin] = &r.outcomes[i]
			}
		}
	}
	for _, o := range r.outcomes {
		if o.ex.Response == nil || o.kind != observe.Actual {
			continue
		}
		f, ok := first[o.origin]
		if !ok {
			continue
		}
		switch o.purpose {
		case "repeat":
			if grantKey(f.header()) != grantKey(o.header()) {
				r.report(r.newResult("CG602", false, fmt.Sprintf("%s %s with Origin: %s answered %q, then %q on a repeat: the grant is not stable (load balancer nodes or caches disagree)",
					o.method, r.t.URL, o.origin, grantKey(f.header()), grantKey(o.header())), f.ex, o.ex))
			}
		case "error":
			if o.status() >= 400 && acao(o.header()) == "" {
				r.report(r.newResult("CG402", false, fmt.Sprintf("%s %s with Origin: %s answers %d without Access-Control-Allow-Origin (the main path grants it): pages cannot read the error, and usually \"fix\" it by reflecting",
					o.method, o.url, o.origin, o.status()), o.ex, f.ex))
			}
		}
	}
}

func grantKey(h http.Header) string {
	return describe(h)
}

// judgeExpected compares the observed policy with the expected one (CG601).
func (r *targetRun) judgeExpected() {
	var actualProbed, preProbed []string
	seenA, seenP := map[string]bool{}, map[string]bool{}
	for _, o := range r.outcomes {
		if !o.hasOrigin || o.url != r.t.URL {
			continue
		}
		// The server sees the header without surrounding whitespace.
		o.origin = strings.TrimSpace(o.origin)
		// Only what a browser can send takes part in the comparison: an
		// upper-case or listed Origin granted by a case-insensitive map is
		// no grant a hostile page can use (judgeActual reports those at info).
		if !spec.IsSerialisedOrigin(o.origin) {
			continue
		}
		if o.kind == observe.Actual && !seenA[o.origin] {
			seenA[o.origin] = true
			actualProbed = append(actualProbed, o.origin)
		}
		if o.kind == observe.Preflight && !seenP[o.origin] {
			seenP[o.origin] = true
			preProbed = append(preProbed, o.origin)
		}
	}
	expected, errs := observe.Project(mergeExpected(r.t.Expect), actualProbed, preProbed)
	for _, err := range errs {
		r.notes = append(r.notes, fmt.Sprintf("%s: expected policy: %v", r.t.URL, err))
	}
	lines := observe.DiffLines(observe.Render(expected), observe.Render(r.observed))
	src := r.t.ExpectSource
	if src == "" {
		src = "expected"
	}
	diff := observe.Format(lines, src+" (expected)", r.t.URL+" (observed)", 2)
	if diff == "" {
		return
	}
	var extra, missing []string
	extraOrigin := false
	for _, l := range lines {
		if !l.Grant() || !browserUsable(l) {
			continue
		}
		switch l.Op {
		case '+':
			extra = append(extra, l.Text)
			extraOrigin = extraOrigin || strings.Contains(l.Text, " origin: ")
		case '-':
			missing = append(missing, l.Text)
		}
	}
	// An unexpected origin grant is as bad as the credentials that come
	// with it, whether or not the credentials line itself is new.
	creds := false
	for _, l := range extra {
		creds = creds || strings.Contains(l, "credentials: true")
	}
	if extraOrigin {
		for _, h := range r.observed.Actual.Find(rules.HeaderAllowCredentials) {
			creds = creds || strings.TrimSpace(h.Value.Literal) == "true"
		}
	}
	if len(extra) > 0 {
		res := r.newResult("CG601", creds, fmt.Sprintf("%s grants what %s does not: %s", r.t.URL, src, summarise(extra)))
		res.Diff = diff
		r.report(res)
	}
	if len(missing) > 0 {
		res := r.newResult("CG601", false, fmt.Sprintf("%s does not grant what %s expects: %s", r.t.URL, src, summarise(missing)))
		res.Severity = rules.Low // functional: something that should work does not
		res.Witness = "missing"
		res.Diff = diff
		r.report(res)
	}
	if len(extra)+len(missing) == 0 {
		res := r.newResult("CG601", false, fmt.Sprintf("%s differs from %s in caching or preflight handling", r.t.URL, src))
		res.Severity = rules.Info
		res.Diff = diff
		r.report(res)
	}
}

// browserUsable tells whether a rendered grant line is one a browser can
// act on: an origin line whose value is not one serialised origin (two
// ACAO headers joined, a list) grants nothing; CG203 reports those.
func browserUsable(l observe.Line) bool {
	_, rest, _ := strings.Cut(l.Text, " ")
	label, value, ok := strings.Cut(rest, ": ")
	if !ok || label != "origin" {
		return true
	}
	value = strings.TrimSpace(value)
	return value == "" || value == "*" || spec.IsSerialisedOrigin(value)
}

func summarise(lines []string) string {
	if len(lines) <= 3 {
		return strings.Join(lines, "; ")
	}
	return strings.Join(lines[:3], "; ") + fmt.Sprintf(" and %d more", len(lines)-3)
}

// pathInconsistencies: on one host, a trusted origin granted on some paths
// and refused on others (info: paths often differ on purpose, but a grant
// lost on one path is a common regression).
func pathInconsistencies(runs []*targetRun, seed int64) []Result {
	type key struct{ host, origin string }
	granted := map[key][]*targetRun{}
	refused := map[key][]*targetRun{}
	for _, r := range runs {
		if r == nil {
			continue
		}
		for _, t := range r.trusted {
			k := key{r.t.Host(), t}
			if r.grantedBy[t] {
				granted[k] = append(granted[k], r)
			} else {
				refused[k] = append(refused[k], r)
			}
		}
	}
	var out []Result
	for k, gs := range granted {
		rs := refused[k]
		if len(rs) == 0 {
			continue
		}
		r := rs[0]
		res := r.newResult("CG602", false, fmt.Sprintf("Origin %s is granted on %s but not on %s (same host)", k.origin, gs[0].t.URL, r.t.URL))
		res.Severity = rules.Info
		res.Seed = seed
		out = append(out, res)
	}
	SortResults(out)
	return out
}
