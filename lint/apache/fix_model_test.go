package apache

import (
	"slices"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// The fixed file means what the remedy says, as the front end reads it:
// the proof lint/fix runs (lint again, the finding is gone) depends on it.

// spellParse spells r on src (At found by prefix), applies the edits and
// parses the result.
func spellParse(t *testing.T, name, src, at string, r rules.Remedy) (string, rules.ParseResult) {
	t.Helper()
	r.Format = "apache"
	r.At = evidenceAt(t, src, at)
	edits, err := Spell(name, []byte(src), r)
	if err != nil {
		t.Fatal(err)
	}
	got := applyEdits(t, src, edits)
	res := ParseSource(name, []byte(got))
	noDiagnostics(t, res)
	return got, res
}

func TestSpellReplaceEchoIsAnAllowlist(t *testing.T) {
	src := "<VirtualHost *:80>\n    ServerName api.example.com\n    Header set Access-Control-Allow-Origin \"%{HTTP_ORIGIN}e\"\n    Header always merge Vary Origin\n</VirtualHost>\n"
	before := ParseSource("httpd.conf", []byte(src))
	if k := originKinds(scope(t, before, "VirtualHost *:80 api.example.com").Actual); !slices.Equal(k, []rules.OriginKind{rules.OriginReflect}) {
		t.Fatalf("before: origin rules %v, want a reflection", k)
	}
	_, res := spellParse(t, "httpd.conf", src, "Header set", rules.Remedy{Kind: rules.ReplaceEcho, Origins: []string{"https://app.example.com", "https://admin.example.com"}})
	p := scope(t, res, "VirtualHost *:80 api.example.com")
	if len(p.Actual.Origins) != 1 || p.Actual.Origins[0].Kind != rules.OriginPattern {
		t.Fatalf("after: origin rules %+v, want the allowlist pattern", p.Actual.Origins)
	}
	if o := p.Actual.Origins[0]; !o.Echo || o.Pattern.Expr != `^(https://app\.example\.com|https://admin\.example\.com)$` {
		t.Errorf("after: %+v, want the echo of the anchored, escaped allowlist", o)
	}
	for _, h := range p.Actual.Find(rules.HeaderAllowOrigin) {
		if !h.Always {
			t.Errorf("after: %s is not in the always table", h.Evidence.Text)
		}
	}
}

func TestSpellAnswerPreflightAnswers(t *testing.T) {
	src := "<VirtualHost *:80>\n    ServerName api.example.com\n    Header always set Access-Control-Allow-Origin \"https://app.example.com\"\n    Header always set Access-Control-Allow-Methods \"GET, PUT\"\n</VirtualHost>\n"
	before := ParseSource("httpd.conf", []byte(src))
	if k := scope(t, before, "VirtualHost *:80 api.example.com").Preflight.Kind; k == rules.PreflightAnswered {
		t.Fatalf("before: the preflight is already answered")
	}
	got, res := spellParse(t, "httpd.conf", src, "Header always set Access-Control-Allow-Methods", rules.Remedy{Kind: rules.AnswerPreflight, Headers: []rules.HeaderLine{
		{Name: "Access-Control-Allow-Origin", Value: "https://app.example.com"},
		{Name: "Access-Control-Allow-Methods", Value: "GET, PUT"},
		{Name: "Access-Control-Allow-Headers", Value: "Content-Type"},
	}})
	if strings.Count(got, "Access-Control-Allow-Origin") != 1 || strings.Count(got, "Access-Control-Allow-Methods") != 1 {
		t.Errorf("headers already sent always are added again:\n%s", got)
	}
	pf := scope(t, res, "VirtualHost *:80 api.example.com").Preflight
	if pf.Kind != rules.PreflightAnswered || pf.Status != 204 {
		t.Fatalf("after: preflight %v %d (%s), want answered with 204\n%s", pf.Kind, pf.Status, pf.Reason, got)
	}
	for name, want := range map[string]string{
		rules.HeaderAllowOrigin:        "https://app.example.com",
		"Access-Control-Allow-Methods": "GET, PUT",
		"Access-Control-Allow-Headers": "Content-Type",
	} {
		hs := pf.Grant.Find(name)
		if len(hs) != 1 || hs[0].Value.Literal != want {
			t.Errorf("after: the preflight answer sends %s %+v, want %q", name, hs, want)
		}
	}
	// The marked headers are the preflight answer's only: the actual
	// response does not get Allow-Headers.
	if hs := scope(t, res, "VirtualHost *:80 api.example.com").Actual.Find("Access-Control-Allow-Headers"); len(hs) != 0 {
		t.Errorf("after: the actual response sends %+v", hs)
	}
}

func TestSpellAddAlwaysAndVary(t *testing.T) {
	src := "<VirtualHost *:80>\n    ServerName api.example.com\n    SetEnvIf Origin \"^https://app\\.example\\.com$\" ORIGIN=$0\n    Header set Access-Control-Allow-Origin %{ORIGIN}e env=ORIGIN\n</VirtualHost>\n"
	got, _ := spellParse(t, "httpd.conf", src, "Header set", rules.Remedy{Kind: rules.AddAlways})
	_, res := spellParse(t, "httpd.conf", got, "Header always set", rules.Remedy{Kind: rules.AddHeaders, Headers: []rules.HeaderLine{{Name: "Vary", Value: "Origin"}}})
	p := scope(t, res, "VirtualHost *:80 api.example.com")
	acao := p.Actual.Find(rules.HeaderAllowOrigin)
	if len(acao) != 1 || !acao[0].Always {
		t.Errorf("after: Allow-Origin %+v, want one, always", acao)
	}
	vary := p.Actual.Find("Vary")
	if len(vary) != 1 || !vary[0].Always || !strings.Contains(vary[0].Value.Literal, "Origin") {
		t.Errorf("after: Vary %+v, want Origin, always", vary)
	}
}

// scanLines and scanTokens read what splitLines and tokenize read.
func TestFixLexAgreesWithParser(t *testing.T) {
	for _, src := range []string{
		"",
		"a b c",
		"Header set X \"a \\\" b\" 'c \\' d' e\\\\f\n",
		"# comment \\\nstill comment\nSetEnvIf Origin \\\n  \"x\"  Y=1\r\n",
		"ends with continuation \\",
		"\"unterminated arg\nnext\n",
		"x\\\\\ny\n",
		"\n\n  \t\n<If \"%{HTTP:Origin} == 'a'\">\n</If>",
	} {
		checkLexAgreement(t, src)
	}
}

// checkLexAgreement fails when the offset readers and the parser's
// readers see different lines or words in src.
func checkLexAgreement(t *testing.T, src string) {
	t.Helper()
	var want []logicalLine
	splitLines(src, func(l logicalLine) { want = append(want, l) })
	var got []logicalLine
	for _, l := range scanLines(src) {
		b, _ := l.body()
		for i := range l.text {
			if o := l.off(i); o < l.start || o >= l.end || src[o] != l.text[i] {
				t.Fatalf("%q: byte %d of line %d is not at offset %d", src, i, l.first, o)
			}
		}
		if !l.isDirective() {
			continue
		}
		got = append(got, logicalLine{text: b, line: l.first, endLine: l.last, multiline: l.first != l.last})
		_, rest := splitName(b)
		wantArgs, _ := tokenize(rest, nil)
		var gotArgs []string
		for _, tk := range scanTokens(rest, 0) {
			gotArgs = append(gotArgs, tk.val)
		}
		if !slices.Equal(gotArgs, wantArgs) {
			t.Fatalf("%q line %d: words %q, tokenize reads %q", src, l.first, gotArgs, wantArgs)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%q: %d directive lines, splitLines reads %d", src, len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.text != w.text || g.line != w.line || g.endLine != w.endLine {
			t.Fatalf("%q: line %+v, splitLines reads %+v", src, g, w)
		}
	}
}

func TestSpellVaryLeavesTheIf(t *testing.T) {
	src := "<VirtualHost *:80>\n    ServerName api.example.com\n    <If \"%{HTTP:Origin} == 'https://app.example.com'\">\n        Header always set Access-Control-Allow-Origin \"expr=%{req:Origin}\"\n    </If>\n</VirtualHost>\n"
	_, res := spellParse(t, "httpd.conf", src, "Header always set Access-Control-Allow-Origin", rules.Remedy{Kind: rules.AddHeaders, Headers: []rules.HeaderLine{{Name: "Vary", Value: "Origin"}}})
	vary := scope(t, res, "VirtualHost *:80 api.example.com").Actual.Find("Vary")
	if len(vary) != 1 || vary[0].Condition != "" || !vary[0].Always {
		t.Errorf("after: Vary %+v, want one, always, under no condition", vary)
	}
}
