package nginx

import (
	"fmt"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// Locations nested beyond maxNesting are valid nginx (nginx has no limit
// of its own): no diagnostic, the levels within the budget are analysed
// as usual, and what lies below becomes one policy whose origin is
// unknown, pointing at the first location over the budget.
func TestNestingBeyondBudgetIsReportedAtTheLocation(t *testing.T) {
	conf := nestedConf(200, 200)
	res := parseConf(t, conf)
	equal(t, "diagnostics", diagnostics(res), nil)
	if got := len(res.Policies); got != maxNesting+2 {
		t.Fatalf("policies %d, want the server, %d levels and the budget policy", got, maxNesting)
	}
	last := res.Policies[len(res.Policies)-1]
	want := lineOf([]byte(conf), fmt.Sprintf("location ~ ^/c0/l%d {", maxNesting), 0)
	if last.Scope.Range.Line != want || len(last.Actual.Origins) != 1 {
		t.Fatalf("budget policy at %v with %v, want line %d", last.Scope.Range, origins(last.Actual.Origins), want)
	}
	o := last.Actual.Origins[0]
	if o.Kind != rules.OriginUnknown || !strings.Contains(o.Reason, "nested deeper than 64 levels at ") || !strings.Contains(o.Reason, "nginx.conf:"+itoa(want)+": not analysed") {
		t.Errorf("budget origin %v", origins(last.Actual.Origins))
	}
	// Within the budget, inheritance still works level by level: the
	// innermost analysed location sends the server's header.
	inner := res.Policies[len(res.Policies)-2]
	equal(t, "level 64 origins", origins(inner.Actual.Origins), []string{"list[https://app.example.org]"})
}

// add_header_inherit is taken from the nearest level that sets it, however
// deep (memoised per level, not looked up from the root).
func TestInheritModeThroughNesting(t *testing.T) {
	var b strings.Builder
	b.WriteString("server {\nadd_header_inherit merge;\nadd_header Access-Control-Allow-Origin https://a.example.org;\n")
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&b, "location /l%d {\n", i)
	}
	b.WriteString("add_header Vary Origin;\n")
	b.WriteString(strings.Repeat("}\n", 10))
	b.WriteString("}\n")
	res := parseConf(t, b.String())
	p := policy(t, res, "location /l9")
	equal(t, "merged headers", headers(p.Actual), []string{
		`Access-Control-Allow-Origin: "https://a.example.org"`, `Vary: "Origin"`,
	})
}

// Doubling a value (`set $a "$a$a"`, through a map value, inside an if)
// runs out of the expansion budget: the value becomes unknown, naming the
// directive where it ran out, instead of exhausting memory.
func TestExpansionBudget(t *testing.T) {
	doubling := func(line string, n int) string { return strings.Repeat(line+"\n", n) }
	cases := map[string]struct {
		conf   string
		reason string // how the value's reason starts
		at     string // the directive the reason names
	}{
		"set": {
			conf: "location / {\nset $a https://x.example.org;\n" + doubling(`set $a "$a$a";`, 60) +
				"add_header Access-Control-Allow-Origin $a;\n}\n",
			reason: "expansion budget exceeded at ",
			at:     `set $a "$a$a";`,
		},
		"map value": {
			conf: "map $uri $m { default \"$a$a\"; }\nserver {\nlocation / {\nset $a https://x.example.org;\n" +
				doubling(`set $a "$m";`, 60) + "add_header Access-Control-Allow-Origin $a;\n}\n}\n",
			reason: "expansion budget exceeded at ",
			at:     `map $uri $m { default "$a$a"; }`,
		},
		"if": {
			conf: "location / {\nset $a https://x.example.org;\n" +
				doubling(`if ($http_origin) { set $a "$a$a"; }`, 60) +
				"add_header Access-Control-Allow-Origin $a;\n}\n",
			// Each if keeps the old values beside the new: the count of
			// values runs out before their size does.
			reason: "variable $a has too many possible values to follow at ",
			at:     `if ($http_origin) { set $a "$a$a"; }`,
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			res := parseConf(t, c.conf)
			equal(t, "diagnostics", diagnostics(res), nil)
			if len(res.Policies) != 1 || len(res.Policies[0].Actual.Origins) == 0 {
				t.Fatalf("policies %v", scopes(res))
			}
			got := origins(res.Policies[0].Actual.Origins)
			first := lineOf([]byte(c.conf), c.at, 0)
			if !strings.HasPrefix(got[0], "unknown("+c.reason) {
				t.Fatalf("origins %q", got)
			}
			var line int
			if _, err := fmt.Sscanf(got[0][strings.LastIndex(got[0], ":")+1:], "%d)", &line); err != nil {
				t.Fatalf("no line in %q", got[0])
			}
			if line < first || !strings.Contains(strings.Split(c.conf, "\n")[line-1], strings.Fields(c.at)[0]) {
				t.Errorf("budget reported at line %d, want a %q line", line, c.at)
			}
		})
	}
}

// The indexed duplicate search agrees with the pairwise comparison: two
// rules share a key exactly when sameRule holds.
func TestRuleKeyMatchesSameRule(t *testing.T) {
	ev := func(file string, line int) rules.Evidence {
		return rules.Evidence{Range: rules.Range{File: file, Line: line}}
	}
	pat := func(expr string, ci bool, line int) *rules.Pattern {
		return &rules.Pattern{Expr: expr, CaseInsensitive: ci, Evidence: ev("a.conf", line)}
	}
	base := rules.OriginRule{Kind: rules.OriginList, Values: []string{"https://a.example"}, Evidence: []rules.Evidence{ev("a.conf", 1)}}
	variants := []rules.OriginRule{
		base,
		{Kind: rules.OriginList, Values: []string{"https://a.example"}, Echo: true, Evidence: base.Evidence},
		{Kind: rules.OriginList, Values: []string{"https://a.exampl", "e"}, Evidence: base.Evidence},
		{Kind: rules.OriginList, Values: []string{"https://a.example"}, Evidence: []rules.Evidence{ev("a.conf", 2)}},
		{Kind: rules.OriginList, Values: []string{"https://a.example"}, Evidence: []rules.Evidence{ev("b.conf", 1)}},
		{Kind: rules.OriginList, Values: []string{"https://a.example"}, Evidence: []rules.Evidence{ev("a.conf", 1), ev("a.conf", 1)}},
		{Kind: rules.OriginUnknown, Reason: "x", Evidence: base.Evidence},
		{Kind: rules.OriginUnknown, Reason: "y", Evidence: base.Evidence},
		{Kind: rules.OriginPattern, Pattern: pat("^a$", false, 3), Evidence: base.Evidence},
		{Kind: rules.OriginPattern, Pattern: pat("^a$", true, 3), Evidence: base.Evidence},
		{Kind: rules.OriginPattern, Pattern: pat("^a$", false, 4), Evidence: base.Evidence},
		{Kind: rules.OriginAny, Evidence: base.Evidence},
	}
	var d ruleDedup
	for i := range variants {
		for j := range variants {
			a, b := variants[i], variants[j]
			b.Values = append([]string(nil), b.Values...) // equal content, other memory
			same := d.keyOf(&a) == d.keyOf(&b)
			if same != sameRule(a, b) || same != (i == j) {
				t.Errorf("variants %d and %d: same key %v, sameRule %v", i, j, same, sameRule(a, b))
			}
		}
	}
}

// A map reached twice from one header (its variable written twice in the
// value) yields each entry's rule once, also above the size where the
// index takes over from pairwise comparison.
func TestMapRulesDeduplicated(t *testing.T) {
	for _, n := range []int{3, dedupIndexAt * 4} {
		res := parseConf(t, mapConf(n))
		if got := len(res.Policies); got != 1 {
			t.Fatalf("%d entries: policies %v", n, scopes(res))
		}
		if got := len(res.Policies[0].Actual.Origins); got != n {
			t.Errorf("%d entries: %d origin rules", n, got)
		}
	}
}
