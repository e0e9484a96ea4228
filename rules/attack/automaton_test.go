package attack

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestAutomatonFindsTheMetrikaBypass(t *testing.T) {
	// gixy's metrika shape: no candidate spells "stats", so sampling missed
	// the registrable xstats…example.org.
	expr := `^https://[a-z0-9-]+stats.*example\.org$`
	m, err := Compile(expr, PCRE, false)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := SearchPattern(m, expr, PCRE, false, []string{"https://example.org"}, Literals(expr, PCRE))
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ws, func(w Witness) bool { return w.Class == PreDomain })
	if i < 0 {
		t.Fatalf("no pre-domain witness in %v", ws)
	}
	if w := ws[i].Origin; !regexp.MustCompile(`^https://[a-z0-9-]+stats[a-z0-9-]*example\.org$`).MatchString(w) || !Obtainable(strings.TrimPrefix(w, "https://")) {
		t.Errorf("pre-domain witness %q is not an obtainable https://…stats…example.org", w)
	}
}

func TestAutomatonProvesAbsence(t *testing.T) {
	// An anchored, escaped allowlist has no witness in any automaton class,
	// and the product search says it looked everywhere.
	pat, err := patternDFA(`^https://(app|admin)\.example\.com$`, PCRE, false)
	if err != nil {
		t.Fatal(err)
	}
	o, _ := parseSource("https://app.example.com")
	// As in a search: the trusted origin and the pattern's literals.
	ctx := newClassContext([]string{"https://app.example.com", "app.example.com", "admin.example.com"}, nil)
	var all []target
	for _, ac := range autoClasses(o) {
		all = append(all, target{src: 0, class: ac.class, x: ac.x})
	}
	// Each class alone, and all of them in one product.
	for _, ts := range append([][]target{all}, splitTargets(all)...) {
		found, exhausted := ctx.searchAll(pat, ts)
		for i, tg := range ts {
			if found[i] != "" || !exhausted {
				t.Errorf("%s (of %d classes searched together): found %q (exhausted=%v), want a proof of absence", tg.class, len(ts), found[i], exhausted)
			}
		}
	}
}

func splitTargets(ts []target) [][]target {
	var out [][]target
	for _, t := range ts {
		out = append(out, []target{t})
	}
	return out
}

// randomPattern draws an origin pattern from a grammar of the shapes real
// configs use: anchors, alternations, classes, optional parts, `.*` in the
// middle, escaped and unescaped dots, ports and schemes.
func randomPattern(r *rand.Rand) string {
	pick := func(xs ...string) string { return xs[r.Intn(len(xs))] }
	var b strings.Builder
	b.WriteString(pick("^", "^", "^", ""))
	b.WriteString(pick("https://", "https?://", "http(s)?://", "https:\\/\\/", "", ".*://"))
	b.WriteString(pick("", "", "([a-z0-9-]+\\.)?", "(.*\\.)?", ".*", "[a-z]+", "[a-z0-9-]+\\.", "(app|admin)\\.", "app\\.", "app.", "([a-z]+\\.)*", "[^.]+\\."))
	b.WriteString(pick("", "", ".*", "[a-z0-9-]*", "-?"))
	b.WriteString(pick("example\\.com", "example.com", "example\\.(com|org)", "(example|sample)\\.com"))
	b.WriteString(pick("", "", "(:[0-9]+)?", ":8443", "/?"))
	b.WriteString(pick("$", "$", "$", ""))
	return b.String()
}

// hostile is a bounded brute-force set: origins of every automaton class
// for https://app.example.com, built from a few labels and suffixes.
func hostile() []string {
	labels := []string{"x", "ab", "evil", "a-b", "x1"}
	tlds := []string{"test", "com", "org"}
	var out []string
	for _, l := range labels {
		for _, t := range tlds {
			out = append(out,
				"https://app.example.com."+l+"."+t, "https://app.example.com."+l+".x."+t,
				"https://app.example.com"+l+"."+t, "https://app.example.com-"+l+"."+t,
				"https://"+l+"example.com", "https://"+l+"-example.com", "https://"+l+".x"+"example.com",
				"https://"+l+"app.example.com", "https://"+l+"-app.example.com",
				"https://"+l+".example.com", "https://"+l+".app.example.com",
				"http://app.example.com."+l+"."+t, "http://"+l+".example.com",
			)
		}
	}
	return out
}

// escapedPattern is expr with its lone dots escaped, as the automaton
// reads it: bypasses through a lone dot are the unescaped-dot class, not
// these.
func escapedPattern(t *testing.T, expr string) *regexp.Regexp {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		t.Fatalf("%q: %v", expr, err)
	}
	return regexp.MustCompile(escapeLoneDots(re).String())
}

func TestAutomatonMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewSource(13))
	trusted := []string{"https://app.example.com"}
	o, _ := parseSource(trusted[0])
	classes := autoClasses(o)
	classRE := map[Class]*regexp.Regexp{}
	for _, ac := range classes {
		classRE[ac.class] = regexp.MustCompile(ac.expr())
	}
	for _, scheme := range []string{"http"} {
		ho := o
		ho.scheme = scheme
		for _, ac := range autoClasses(ho) {
			classRE[ac.class+"/http"] = regexp.MustCompile(ac.expr())
		}
	}
	set := hostile()
	for range 400 {
		expr := randomPattern(r)
		m, err := Compile(expr, PCRE, false)
		if err != nil {
			t.Fatalf("%q: %v", expr, err)
		}
		isTrusted := func(s string) bool { return slices.Contains(trusted, s) }
		ws, err := automatonWitnesses(expr, PCRE, false, m, trusted, isTrusted, nil, nil)
		if err != nil {
			t.Fatalf("%q: %v", expr, err)
		}
		found := map[Class]bool{}
		for _, w := range ws {
			found[w.Class] = true
			if ok, _ := m.Match(w.Origin); !ok {
				t.Errorf("%q: witness %q (%s) is rejected by the pattern", expr, w.Origin, w.Class)
			}
		}
		esc := escapedPattern(t, expr)
		ctx := newClassContext(trusted, isTrusted)
		for _, h := range set {
			if !esc.MatchString(h) {
				continue
			}
			for _, ac := range classes {
				if classRE[ac.class].MatchString(h) && ctx.meansOf(ac.class, o, RegistrableDomain(o.host), h) && !found[ac.class] {
					t.Errorf("%q accepts %s origin %q, but the automaton found no %s witness (found %v)", expr, ac.class, h, ac.class, ws)
				}
			}
		}
	}
}

func BenchmarkAutomatonSearch(b *testing.B) {
	patterns := benchPatterns
	type prepared struct {
		expr    string
		d       Dialect
		m       Matcher
		sources []string
	}
	var ps []prepared
	for _, p := range patterns {
		m, err := Compile(p.expr, p.d, false)
		if err != nil {
			b.Fatal(err)
		}
		ps = append(ps, prepared{p.expr, p.d, m, slices.Concat(Intended(p.expr, p.d), Literals(p.expr, p.d))})
	}
	never := func(string) bool { return false }
	// One sub-benchmark per pattern, so that the median can be read off.
	for i, p := range ps {
		b.Run(fmt.Sprintf("%02d", i), func(b *testing.B) {
			b.ReportAllocs()
			cpu := cpuTime()
			for range b.N {
				if _, err := automatonWitnesses(p.expr, p.d, false, p.m, p.sources, never, nil, nil); err != nil {
					b.Fatal(err)
				}
			}
			// CPU time per search, which a loaded machine disturbs less
			// than wall time (ns/op).
			b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

func TestAutomatonFindsSubdomainPostDomain(t *testing.T) {
	// Anchored at neither end: a subdomain label before the trusted name
	// and the attacker's domain after it (no candidate has both).
	expr := `(.*\.example\.com)`
	m, _ := Compile(expr, PCRE, true)
	ws, err := SearchPattern(m, expr, PCRE, true, []string{"https://example.com"}, Literals(expr, PCRE))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(ws, Witness{Origin: "https://x.example.com.evil.test", Class: PostDomain, From: "https://example.com"}) {
		t.Errorf("witnesses %v lack https://x.example.com.evil.test (post-domain)", ws)
	}
}

func TestMissingEndAnchorIsNotAlsoAMissingStartAnchor(t *testing.T) {
	// https://app.example.comexample.com ends in a name an attacker can
	// register and so belongs to the pre-domain class of the sibling
	// trusted origin admin.example.com; but the pattern accepts it only
	// because nothing follows app.example.com. One mistake: post-domain.
	expr := `^https://app\.example\.com`
	m, _ := Compile(expr, PCRE, false)
	trusted := []string{"https://app.example.com", "https://admin.example.com"}
	ws, err := SearchPattern(m, expr, PCRE, false, trusted, Literals(expr, PCRE))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(ws, func(w Witness) bool { return w.Class == PostDomain }) {
		t.Errorf("witnesses %v lack a post-domain witness", ws)
	}
	if i := slices.IndexFunc(ws, func(w Witness) bool { return w.Class == PreDomain }); i >= 0 {
		t.Errorf("pre-domain witness %v for a pattern anchored at the start", ws[i])
	}
}

func TestRequiredSuffixRulesOutClassesWithoutSearching(t *testing.T) {
	// A pattern whose every match ends with example.com has no post-domain
	// witness for example.com (such a host is under example.com, which
	// the class excludes) and none ending in evil.test; its pre-domain
	// and subdomain classes must still be searched.
	ctx := newClassContext([]string{"https://app.example.com"}, nil)
	tests := []struct {
		expr   string
		suffix string
		out    []Class // ruled out, in autoClasses order
	}{
		{`^https://([a-z0-9-]+\.)*example\.com$`, "example.com", []Class{PostDomain, PostDomain, NoDotPostDomain}},
		{`(?i)^https://.*\.EXAMPLE\.com$`, ".example.com", []Class{PostDomain, PostDomain, NoDotPostDomain}},
		// https://app.example.com.evil.test may be a witness; the other
		// classes end in example.com.
		{`^https://.*\.evil\.test$`, ".evil.test", []Class{PreDomain, SiblingSubdomain, NestedSubdomain}},
		{`^https://app\.example\.com`, "", nil},                                                                 // no end anchor
		{`(?m)^https://.*example\.com$`, "", nil},                                                               // $ at any line end
		{`^https://(app|www)\.example\.com$`, ".example.com", []Class{PostDomain, PostDomain, NoDotPostDomain}}, // the common ending is factored out of the alternation
		{`^https://(app\.example\.com|x\.test)$`, "", nil},                                                      // no common ending
	}
	for _, tt := range tests {
		pat, err := patternDFA(tt.expr, PCRE, false)
		if err != nil {
			t.Fatal(err)
		}
		if pat.suffix != tt.suffix {
			t.Errorf("%s: required suffix %q, want %q", tt.expr, pat.suffix, tt.suffix)
		}
		var out []Class
		for _, tg := range ctx.targets(nil) {
			if ctx.ruledOut(tg, pat.suffix) {
				out = append(out, tg.class)
			}
		}
		if !slices.Equal(out, tt.out) {
			t.Errorf("%s: ruled out %v, want %v", tt.expr, out, tt.out)
		}
	}
}

// benchPatterns are the origin patterns of the corpus (nginx, Apache,
// HCL).
var benchPatterns = []struct {
	expr string
	d    Dialect
}{
	{`^https://app\.example\.com`, PCRE}, {`example\.com$`, PCRE}, {`(example.com)`, PCRE},
	{`^https://app.example.com$`, PCRE}, {`^https?://app\.example\.com$`, PCRE},
	{`^https://([a-z0-9-]+\.)*example\.com$`, PCRE}, {`^https://(.*\.)?example.com`, PCRE},
	{`^https://[a-z0-9-]+\.github\.io$`, PCRE}, {`^https://pr-[0-9]+\.preview.example\.com$`, PCRE},
	{`^https?://(localhost|.*\.example\.com)(:[0-9]+)?$`, PCRE}, {`^https://[a-z0-9-]+stats.*example\.org$`, PCRE},
	{`^(https://app\.example\.com|https://admin\.example\.com|https://partner.example.org|http://localhost:3000)$`, PCRE},
	{`http(s)?://(www\.)?(example.com|staging.example.com|partner.example.org)$`, PCRE},
	{`https://*.example.com`, Glob}, {`https://*.herokuapp.com`, Glob},
}

// BenchmarkAutomatonSearchCorpus times the automaton search on every
// origin pattern of corpus/ (testdata/corpus-patterns.tsv, kept current by
// lint's TestCorpusPatternsListed). Each pattern is prepared once, as lint
// does for every analysis of a pattern (Go's parse, the real engine's
// compile); then, per pass and pattern, its search program is compiled
// anew (for a case-insensitive pattern, the folded parse too) and the
// search runs from it: a fresh automaton determinised as the search goes,
// the class automata of its sources, the product search and the check of
// every witness with the real engine; the automaton is released after, as
// lint releases it. Reports, over the patterns, the median, 90th
// percentile and largest time of the search (issue 13: median ≤ 20 µs),
// and the median with the program's compile. Run it with -cpu 1.
func BenchmarkAutomatonSearchCorpus(b *testing.B) {
	type prepared struct {
		p       *Pattern
		sources []string
	}
	var ps []prepared
	for _, c := range readCorpusPatterns(b) {
		p := Prepare(c.expr, c.d, c.ci)
		if p.Err() != nil {
			continue // the lint reports these as errors; nothing to search
		}
		ps = append(ps, prepared{p, slices.Concat(p.Intended(), p.Literals())})
	}
	never := func(string) bool { return false }
	search := make([]time.Duration, len(ps))
	withCompile := make([]time.Duration, len(ps))
	b.ReportAllocs()
	for b.Loop() {
		for i, x := range ps {
			start := time.Now()
			x.p.progDone = false
			if _, err := x.p.program(); err != nil && !x.p.Sampled() {
				b.Fatal(err) // only what Go's parser refuses has no program
			}
			mid := time.Now()
			if _, err := automatonWitnessesOf(x.p.automaton, x.p.Matcher(), x.sources, never, nil, nil); err != nil {
				b.Fatal(err)
			}
			x.p.Release()
			end := time.Now()
			search[i] += end.Sub(mid)
			withCompile[i] += end.Sub(start)
		}
	}
	perPattern := func(spent []time.Duration) []float64 {
		per := make([]float64, len(spent))
		for i, d := range spent {
			per[i] = float64(d.Nanoseconds()) / float64(b.N) / 1e3
		}
		slices.Sort(per)
		return per
	}
	per, all := perPattern(search), perPattern(withCompile)
	b.ReportMetric(per[len(per)/2], "median-µs")
	b.ReportMetric(per[len(per)*9/10], "p90-µs")
	b.ReportMetric(per[len(per)-1], "max-µs")
	b.ReportMetric(all[len(all)/2], "median-with-compile-µs")
	b.ReportMetric(float64(len(per)), "patterns")
}

type corpusPattern struct {
	d    Dialect
	ci   bool
	expr string
}

// readCorpusPatterns reads testdata/corpus-patterns.tsv.
func readCorpusPatterns(tb testing.TB) []corpusPattern {
	raw, err := os.ReadFile(filepath.Join("testdata", "corpus-patterns.tsv"))
	if err != nil {
		tb.Fatal(err)
	}
	var out []corpusPattern
	for line := range strings.Lines(string(raw)) {
		line = strings.TrimSuffix(line, "\n")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.SplitN(line, "\t", 3)
		if len(f) != 3 {
			tb.Fatalf("corpus-patterns.tsv: %q is not dialect<TAB>ci<TAB>pattern", line)
		}
		d := map[string]Dialect{"pcre": PCRE, "re2": RE2, "glob": Glob}[f[0]]
		out = append(out, corpusPattern{d: d, ci: f[1] == "true", expr: f[2]})
	}
	return out
}
