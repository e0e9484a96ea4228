package rules

import (
	stdreflect "reflect"
	"strings"
	"testing"
)

// Remedies read like the table in check_test.go: a policy, the rule, and
// the remedy its finding must carry (nil: the rule is unsure and says so
// in words only).

func evText(line int, text string) Evidence {
	e := ev(line)
	e.Text = text
	return e
}

// textHdr is a header set by a plain directive (text), whose value a
// fix may copy, as the front ends mark it (Written).
func textHdr(name, value string, always bool, line int, text string) Header {
	return Header{Name: name, Value: LiteralValue(value), Always: always, Evidence: evText(line, text), Written: value}
}

// remedyOf runs the catalog and returns the remedy of the first finding of
// rule; the test fails when the rule does not report.
func remedyOf(t *testing.T, p Policy, opts Options, rule string) *Remedy {
	t.Helper()
	fs, _ := Check(&p, opts)
	for _, f := range fs {
		if f.RuleID == rule {
			return f.Remedy
		}
	}
	t.Fatalf("%s not reported; got %v", rule, ruleIDs(fs))
	return nil
}

func ruleIDs(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.RuleID)
	}
	return out
}

func TestCorrectPatternAnchorsEveryAlternativeAndEscapesDots(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`^https://app\.example\.com`, `^https://app\.example\.com$`},
		{`^https://app.example.com$`, `^https://app\.example\.com$`},
		{`https://app\.example\.com`, `^https://app\.example\.com$`},
		{`^https://(app|admin).example.com`, `^https://(app|admin)\.example\.com$`},
		{`^https://a\.example\.com$|^https://b.example.com`, `^(?:https://a\.example\.com|https://b\.example\.com)$`},
		{`^https://app\.example\.com\$`, `^https://app\.example\.com\$$`}, // an escaped $ is a character, not an anchor
	} {
		got, ok := correctPattern(c.in, PCRE)
		if !ok || got != c.want {
			t.Errorf("correctPattern(%s) = %s, %v; want %s", c.in, got, ok, c.want)
		}
	}
	for _, unsure := range []string{`^https://app\.example\.com$`, `(unbalanced`, `a||b`, `[a-z`} {
		if got, ok := correctPattern(unsure, PCRE); ok {
			t.Errorf("correctPattern(%s) = %s; want no correction", unsure, got)
		}
	}
	if _, ok := correctPattern(`https://*.example.com`, Glob); ok {
		t.Error("a glob got a regex correction")
	}
}

func TestPatternRulesShareOneCorrectedPattern(t *testing.T) {
	p := policy([]OriginRule{pattern(`^https://(app|admin).example.com`, true, 5)}, hdr(HeaderAllowOrigin, "", 9), vary)
	p.Actual.Headers[0].Value = ReflectedValue("Origin")
	fs, _ := Check(&p, Options{})
	want := Remedy{Kind: ReplaceValue, Format: "nginx", At: ev(5), Old: `^https://(app|admin).example.com`, New: `^https://(app|admin)\.example\.com$`}
	seen := 0
	for _, f := range fs {
		if f.RuleID != "CG103" && f.RuleID != "CG105" {
			continue
		}
		seen++
		if f.Remedy == nil {
			t.Fatalf("%s has no remedy", f.RuleID)
		}
		got := *f.Remedy
		got.Summary = ""
		if !stdreflect.DeepEqual(got, want) {
			t.Errorf("%s remedy = %+v\nwant %+v", f.RuleID, got, want)
		}
	}
	if seen == 0 {
		t.Fatalf("neither CG103 nor CG105 reported: %v", ruleIDs(fs))
	}
}

func TestNoPatternRemedyWhenTheCorrectionStillLetsAttackersIn(t *testing.T) {
	// Anchoring `.*example\.com$` still accepts https://evilexample.com,
	// and a scheme-less substring anchored never matches an origin.
	for rule, expr := range map[string]string{"CG104": `.*example\.com$`, "CG106": `app\.example\.com`} {
		p := policy([]OriginRule{pattern(expr, true, 5)}, vary)
		if r := remedyOf(t, p, Options{}, rule); r != nil {
			t.Errorf("%s on %s: remedy %+v, want none", rule, expr, r)
		}
	}
}

func TestCanonicalOriginRemedy(t *testing.T) {
	p := policy([]OriginRule{literalOrigin("https://App.example.com:443/", 7)})
	r := remedyOf(t, p, Options{}, "CG111")
	if r == nil || r.Kind != ReplaceValue || r.Old != "https://App.example.com:443/" || r.New != "https://app.example.com" || r.At != ev(7) {
		t.Errorf("remedy %+v", r)
	}
	p = policy([]OriginRule{literalOrigin("https://app.example.com/", 7), literalOrigin("https://app.example.com", 8)})
	if r := remedyOf(t, p, Options{}, "CG111"); r != nil {
		t.Errorf("the canonical origin is already listed: %+v", r)
	}
	p = policy([]OriginRule{literalOrigin("https://*.example.com", 7)})
	if r := remedyOf(t, p, Options{}, "CG111"); r != nil {
		t.Errorf("a wildcard entry has no canonical origin, got %+v", r)
	}
}

func TestMaxAgeIsCapped(t *testing.T) {
	p := policy([]OriginRule{literalOrigin("https://app.example.com", 3)}, hdr(HeaderMaxAge, "86400", 12))
	r := remedyOf(t, p, Options{}, "CG209")
	if r == nil || r.Kind != ReplaceValue || r.Old != "86400" || r.New != "7200" || r.At != ev(12) {
		t.Errorf("remedy %+v", r)
	}
	p = policy([]OriginRule{literalOrigin("https://app.example.com", 3)}, hdr(HeaderMaxAge, "forever", 12))
	if r := remedyOf(t, p, Options{}, "CG209"); r != nil {
		t.Errorf("an invalid Max-Age has no obvious replacement, got %+v", r)
	}
}

func TestDuplicateAllowOriginRemovesTheOneNotSentOnErrors(t *testing.T) {
	set := textHdr(HeaderAllowOrigin, "https://app.example.com", false, 10, `Header set Access-Control-Allow-Origin "https://app.example.com"`)
	always := textHdr(HeaderAllowOrigin, "https://app.example.com", true, 11, `Header always set Access-Control-Allow-Origin "https://app.example.com"`)
	p := policy([]OriginRule{literalOrigin("https://app.example.com", 10)}, set, always)
	r := remedyOf(t, p, Options{}, "CG203")
	if r == nil || r.Kind != RemoveDirective || r.At != set.Evidence || r.Unsafe {
		t.Errorf("remedy %+v", r)
	}
	other := textHdr(HeaderAllowOrigin, "*", true, 11, `Header always set Access-Control-Allow-Origin "*"`)
	p = policy([]OriginRule{literalOrigin("https://app.example.com", 10)}, set, other)
	if r := remedyOf(t, p, Options{}, "CG203"); r == nil || !r.Unsafe {
		t.Errorf("removing one of two different values decides who may read: %+v", r)
	}
	third := textHdr(HeaderAllowOrigin, "https://app.example.com", true, 12, "")
	p = policy([]OriginRule{literalOrigin("https://app.example.com", 10)}, set, always, third)
	if r := remedyOf(t, p, Options{}, "CG203"); r != nil {
		t.Errorf("one removal leaves a duplicate of three: %+v", r)
	}
}

func TestAlwaysAndVary(t *testing.T) {
	acao := textHdr(HeaderAllowOrigin, "https://app.example.com", false, 8, "add_header Access-Control-Allow-Origin https://app.example.com;")
	p := policy([]OriginRule{literalOrigin("https://app.example.com", 8)}, acao)
	if r := remedyOf(t, p, Options{}, "CG402"); r == nil || r.Kind != AddAlways || r.At != acao.Evidence {
		t.Errorf("CG402 remedy %+v", r)
	}
	p.Format = "terraform"
	p.Actual.Headers[0].Evidence.Range.File = "main.tf"
	fs, _ := Check(&p, Options{})
	for _, f := range fs {
		if f.Remedy != nil && (f.RuleID == "CG402" || f.RuleID == "CG401") {
			t.Errorf("a managed service got %s: %+v", f.RuleID, f.Remedy)
		}
	}

	echo := Header{Name: HeaderAllowOrigin, Value: ReflectedValue("Origin"), Always: true, Evidence: evText(9, "add_header Access-Control-Allow-Origin $cors always;")}
	p = policy([]OriginRule{pattern(`^https://app\.example\.com$`, true, 5)}, echo)
	r := remedyOf(t, p, Options{}, "CG401")
	want := []HeaderLine{{Name: HeaderVary, Value: "Origin"}}
	if r == nil || r.Kind != AddHeaders || r.At != echo.Evidence || !stdreflect.DeepEqual(r.Headers, want) {
		t.Errorf("CG401 remedy %+v", r)
	}
	chosen := echo
	chosen.Always = false
	successVary := hdr(HeaderVary, "Origin", 10)
	successVary.Always = false
	p = policy([]OriginRule{pattern(`^https://app\.example\.com$`, true, 5)}, chosen, successVary)
	if r := remedyOf(t, p, Options{}, "CG402"); r != nil {
		t.Errorf("always on the grant alone would send it on errors without Vary: %+v", r)
	}
	late := hdr(HeaderVary, "Origin", 10)
	late.Always = false
	p = policy([]OriginRule{pattern(`^https://app\.example\.com$`, true, 5)}, echo, late)
	if r := remedyOf(t, p, Options{}, "CG401"); r == nil || r.Kind != AddAlways || r.At != late.Evidence {
		t.Errorf("a Vary sent on success only gets always: %+v", r)
	}
}

func TestDroppedHeadersAreRepeatedTogether(t *testing.T) {
	by := evText(15, "add_header X-Frame-Options DENY always;")
	p := policy([]OriginRule{literalOrigin("https://x.example.com", 16)}, hdr("X-Frame-Options", "DENY", 15))
	p.Dropped = []Dropped{
		{Header: HeaderAllowOrigin, Inherited: evText(7, "add_header Access-Control-Allow-Origin https://app.example.com always;"), DroppedBy: by, Written: "https://app.example.com"},
		{Header: HeaderAllowCredentials, Inherited: evText(8, `add_header 'Access-Control-Allow-Credentials' "true" always;`), DroppedBy: by, Written: "true"},
	}
	want := &Remedy{Kind: AddHeaders, Format: "nginx", At: by, Headers: []HeaderLine{
		{Name: HeaderAllowOrigin, Value: "https://app.example.com"}, {Name: HeaderAllowCredentials, Value: "true"}}}
	fs, _ := Check(&p, Options{})
	n := 0
	for _, f := range fs {
		if f.RuleID != "CG403" {
			continue
		}
		n++
		got := *f.Remedy
		got.Summary = ""
		if !stdreflect.DeepEqual(&got, want) {
			t.Errorf("remedy %+v\nwant %+v", got, want)
		}
	}
	if n != 2 {
		t.Fatalf("%d CG403 findings", n)
	}
	// The front end leaves Written empty for a directive a fix cannot
	// copy as it is (a headers-more directive, a conditional one).
	p.Dropped[1].Inherited.Text, p.Dropped[1].Written = `more_set_headers "Access-Control-Allow-Credentials: true";`, ""
	if r := remedyOf(t, p, Options{}, "CG403"); r != nil {
		t.Errorf("a value the remedy cannot read back: %+v", r)
	}
}

func TestEchoIsReplacedOnlyByDeclaredTrust(t *testing.T) {
	acao := Header{Name: HeaderAllowOrigin, Value: ReflectedValue("Origin"), Always: true, Evidence: evText(8, "add_header Access-Control-Allow-Origin $http_origin always;")}
	o := reflect(8)
	o.Evidence = []Evidence{acao.Evidence}
	p := policy([]OriginRule{o}, acao, vary)
	opts := Options{TrustedOrigins: []string{"https://b.example.com", "https://a.example.com"}}
	r := remedyOf(t, p, opts, "CG101")
	if r == nil || r.Kind != ReplaceEcho || r.At != acao.Evidence || !stdreflect.DeepEqual(r.Origins, []string{"https://a.example.com", "https://b.example.com"}) {
		t.Errorf("remedy %+v", r)
	}
	fs, _ := Check(&p, Options{})
	for _, f := range fs {
		if f.RuleID == "CG101" && (f.Remedy != nil || !strings.Contains(f.Fix, "--trusted-origin")) {
			t.Errorf("without declared trust: remedy %+v, fix %q", f.Remedy, f.Fix)
		}
	}
}

func TestUnansweredPreflightIsAnswered(t *testing.T) {
	methods := textHdr(HeaderAllowMethods, "GET, PUT", true, 9, `add_header Access-Control-Allow-Methods "GET, PUT" always;`)
	acao := textHdr(HeaderAllowOrigin, "https://app.example.com", true, 8, "add_header Access-Control-Allow-Origin https://app.example.com always;")
	p := policy([]OriginRule{literalOrigin("https://app.example.com", 8)}, acao, methods)
	p.Preflight = Preflight{Kind: PreflightRejected, Status: 405}
	r := remedyOf(t, p, Options{}, "CG301")
	want := []HeaderLine{{Name: HeaderAllowOrigin, Value: "https://app.example.com"}, {Name: HeaderAllowMethods, Value: "GET, PUT"}}
	if r == nil || r.Kind != AnswerPreflight || r.At != methods.Evidence || !stdreflect.DeepEqual(r.Headers, want) {
		t.Errorf("remedy %+v", r)
	}
	p = policy(nil, methods)
	p.Preflight = Preflight{Kind: PreflightRejected, Status: 405}
	if r := remedyOf(t, p, Options{}, "CG301"); r != nil {
		t.Errorf("a preflight answer without an Allow-Origin to send still fails: %+v", r)
	}
}

func TestUnsafeRemedies(t *testing.T) {
	p := policy([]OriginRule{pattern(`^https?://app\.example\.com$`, true, 5)}, vary)
	r := remedyOf(t, p, Options{}, "CG107")
	if r == nil || !r.Unsafe || r.New != `^https://app\.example\.com$` {
		t.Errorf("CG107 pattern remedy %+v", r)
	}
	p = policy([]OriginRule{literalOrigin("http://app.example.com", 6)})
	if r := remedyOf(t, p, Options{}, "CG107"); r == nil || !r.Unsafe || r.New != "https://app.example.com" {
		t.Errorf("CG107 list remedy %+v", r)
	}
	p = policy([]OriginRule{literalOrigin("http://app.example.com", 6), literalOrigin("https://app.example.com", 7)})
	p.Actual.Origins[0].Values = []string{"http://app.example.com", "https://app.example.com"}
	if r := remedyOf(t, p, Options{}, "CG107"); r != nil {
		t.Errorf("the https twin is already listed: %+v", r)
	}

	credsHdr := textHdr(HeaderAllowCredentials, "true", true, 11, "add_header Access-Control-Allow-Credentials true always;")
	p = policy([]OriginRule{anyOrigin(10)}, credsHdr)
	if r := remedyOf(t, p, Options{}, "CG201"); r == nil || !r.Unsafe || r.Kind != RemoveDirective || r.At != credsHdr.Evidence {
		t.Errorf("CG201 remedy %+v", r)
	}

	partner := literalOrigin("https://partner.example.org", 12)
	partner.Evidence[0].Text = `add_header Access-Control-Allow-Origin "https://partner.example.org" always;`
	partnerHdr := textHdr(HeaderAllowOrigin, "https://partner.example.org", true, 12, partner.Evidence[0].Text)
	p = policy([]OriginRule{partner}, partnerHdr)
	r = remedyOf(t, p, Options{TrustedOrigins: []string{"https://app.example.com"}}, "CG112")
	if r == nil || !r.Unsafe || r.Kind != RemoveDirective || r.At != partner.Evidence[0] {
		t.Errorf("CG112 remedy %+v", r)
	}
	partner.Evidence[0].Text = `<If "%{HTTP:Origin} == 'https://partner.example.org'">`
	p = policy([]OriginRule{partner})
	if r := remedyOf(t, p, Options{TrustedOrigins: []string{"https://app.example.com"}}, "CG112"); r != nil {
		t.Errorf("an entry without a directive of its own cannot be removed: %+v", r)
	}
}

func TestCorrectionSummarySaysWhatChanged(t *testing.T) {
	for _, c := range []struct{ expr, want string }{
		{`^https://app.example.com$`, "escape the literal dots of the origin pattern"},
		{`^https://app\.example\.com`, "anchor the origin pattern at both ends"},
		{`^https://app.example.com`, "anchor the origin pattern at both ends and escape its literal dots"},
		{`^https://a\.example\.com$|^https://b\.example\.com$`, "anchor the origin pattern at both ends"},
	} {
		fixed, ok := correctPattern(c.expr, PCRE)
		if !ok {
			t.Fatalf("no correction of %s", c.expr)
		}
		if got := correctionSummary(c.expr, fixed); got != c.want {
			t.Errorf("%s -> %s: %q, want %q", c.expr, fixed, got, c.want)
		}
	}
}
