package apache

import "testing"

// httpd's expression lexer ends a /.../ regex at the first slash, escaped
// or not: /^https:\/\/app/ is the regex `^https:\`, which fails to compile,
// and httpd refuses the configuration. corsguard says so where httpd would;
// the same regex written m#...# is read.
func TestEscapedSlashInASlashRegexIsRefusedAsHttpdDoes(t *testing.T) {
	res := parseConf(t, "site.conf", host(`<If "%{HTTP:Origin} =~ /^https:\/\/app\.example\.com$/">
    Header set Access-Control-Allow-Origin "%{Origin}i"
</If>
Header always set Access-Control-Allow-Origin "%{Origin}i" "expr=%{HTTP:Origin} =~ m#^https://app\.example\.com$#"
`))
	if len(res.Diagnostics) != 1 {
		t.Fatalf("want one diagnostic, for the /.../ regex: %v", res.Diagnostics)
	}
	d := res.Diagnostics[0]
	if d.Range.Line != 3 {
		t.Errorf("diagnostic at line %d, want 3 (the <If>)", d.Range.Line)
	}
	wantContains(t, "diagnostic", d.Message, "write it m#...#")
}

func TestLexExprKeepsTheTokensReadBeforeWhatItCannotRead(t *testing.T) {
	toks, ok := lexExpr(`%{HTTP:Origin} =~ /^https:\/x/`)
	if ok || len(toks) != 3 || toks[2].kind != 'r' || toks[2].text != `^https:\` {
		t.Fatalf("ok=%v toks=%+v", ok, toks)
	}
}
