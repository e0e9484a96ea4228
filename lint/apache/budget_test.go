package apache

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// `Define A ${A}${A}` doubles A: the budget stops it at the directive that
// crosses it, names that directive and the variable, and keeps the rest of
// the file (the CORS header after the bomb is still read).
func TestDefineDoublingIsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("Define A x\n")
	for range 60 {
		b.WriteString("Define A ${A}${A}\n")
	}
	b.WriteString("Header set X-Bomb \"${A}\"\nHeader set Access-Control-Allow-Origin \"*\"\n")
	res := parseConf(t, "site.conf", b.String())
	if len(res.Diagnostics) != 2 {
		t.Fatalf("diagnostics = %v", res.Diagnostics)
	}
	d := res.Diagnostics[0]
	// A is 2^19 bytes after the Define on line 20; the arguments of the one
	// on line 21 would be 2 + 2^20 bytes long.
	if d.Range.Line != 21 {
		t.Errorf("diagnostic at line %d, want 21", d.Range.Line)
	}
	wantContains(t, "diagnostic", d.Message, "Define expansion exceeds 1048576 bytes: ${A}")
	wantContains(t, "diagnostic", res.Diagnostics[1].Message, "40 more directive(s)")
	if len(res.Policies) != 1 || len(res.Policies[0].Actual.Origins) != 1 || res.Policies[0].Actual.Origins[0].Kind != rules.OriginAny {
		t.Fatalf("the header after the bomb was lost: %+v", res.Policies)
	}
}

// Near miss: Defines that use Defines within the budget expand as httpd does.
func TestDefineWithinBudget(t *testing.T) {
	res := parseConf(t, "site.conf", "Define H app.example.com\nDefine O https://${H}\nHeader set Access-Control-Allow-Origin \"${O}\"\nHeader set X-Undefined \"${NOPE}\"\n")
	if len(res.Diagnostics) != 0 {
		t.Fatalf("diagnostics = %v", res.Diagnostics)
	}
	o := onlyOrigin(t, res.Policies[0].Actual)
	if o.Kind != rules.OriginList || o.Values[0] != "https://app.example.com" {
		t.Fatalf("origin = %+v", o)
	}
}

// httpd refuses an ap_expr expression of MAX_STRING_LEN (8192) bytes or
// more; so does the linter, at the directive, without parsing it (a deeply
// nested expression of megabytes took a minute and 1.5 GB).
func TestExpressionTooLong(t *testing.T) {
	deep := strings.Repeat("(", 5000) + "%{HTTP:Origin} == 'https://a.test'" + strings.Repeat(")", 5000)
	res := parseConf(t, "site.conf", host(`<If "`+deep+`">
    Header set Access-Control-Allow-Origin "%{Origin}i"
</If>
Header set X-Test "expr=`+deep+`"
`))
	if len(res.Diagnostics) != 2 {
		t.Fatalf("diagnostics = %v", res.Diagnostics)
	}
	for i, line := range []int{3, 6} {
		d := res.Diagnostics[i]
		if d.Range.Line != line {
			t.Errorf("diagnostic %d at line %d, want %d", i, d.Range.Line, line)
		}
		wantContains(t, "diagnostic", d.Message, "Expression too long")
	}
	o := onlyOrigin(t, res.Policies[0].Actual)
	if o.Kind != rules.OriginUnknown {
		t.Errorf("an expression the linter did not read decides nothing: %+v", o)
	}
}

// Near miss: nesting well within the limit is read.
func TestExpressionNestedWithinLimit(t *testing.T) {
	deep := strings.Repeat("(", 100) + "%{HTTP:Origin} == 'https://a.test'" + strings.Repeat(")", 100)
	res := parseConf(t, "site.conf", host(`<If "`+deep+`">
    Header set Access-Control-Allow-Origin "%{Origin}i"
</If>
`))
	if len(res.Diagnostics) != 0 {
		t.Fatalf("diagnostics = %v", res.Diagnostics)
	}
	if o := onlyOrigin(t, res.Policies[0].Actual); o.Kind != rules.OriginList || o.Values[0] != "https://a.test" {
		t.Errorf("origin = %+v", o)
	}
}

// The files an entry includes are read within a total size budget; the
// include that crosses it is named once, with a count of what else was
// skipped, and what was read before it is linted.
func TestIncludedFilesAreBoundedInTotal(t *testing.T) {
	big := strings.Repeat("# filler line of a large included file\n", 12000) // ~480 KB
	dir := writeTree(t, map[string]string{
		"httpd.conf":    "Include conf.d/*.conf\nHeader set Access-Control-Allow-Origin \"*\"\n",
		"conf.d/a.conf": big,
		"conf.d/b.conf": big,
		"conf.d/c.conf": big,
		"conf.d/d.conf": big,
	})
	res, _ := parseTree(filepath.Join(dir, "httpd.conf"), nil, smallBudgets)
	if len(res.Diagnostics) != 2 || len(res.Files) != 3 {
		t.Fatalf("files = %v, diagnostics = %v", res.Files, res.Diagnostics)
	}
	d := res.Diagnostics[0]
	if d.Range.Line != 1 || !strings.Contains(d.Message, "exceed 1 MB in total") || !strings.Contains(d.Message, "c.conf") {
		t.Errorf("diagnostic = %v", d)
	}
	wantContains(t, "diagnostic", res.Diagnostics[1].Message, "1 more directive(s)")
	if len(res.Policies) != 1 || len(res.Policies[0].Actual.Origins) != 1 {
		t.Errorf("the entry's own header was lost: %+v", res.Policies)
	}
}
