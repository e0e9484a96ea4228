package apache

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// mod_macro: a Use expands the template with its arguments, and findings
// point at the Use that chose them.
func TestMacros(t *testing.T) {
	const template = `<Macro Cors $origin>
    Header always set Access-Control-Allow-Origin "$origin"
</Macro>
`
	tests := []struct {
		name     string
		use      string
		wantKind rules.OriginKind
		wantDiag string
	}{
		{"reflecting argument", `Use Cors "%{Origin}i"`, rules.OriginReflect, ""},
		{"literal argument", `Use Cors "https://app.example.com"`, rules.OriginList, ""},
		{"undefined macro", `Use Nope "x"`, 0, `undefined macro "Nope"`},
		{"wrong arity", `Use Cors`, 0, "takes 1 argument(s), Use gives 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := parseConf(t, "site.conf", template+"<VirtualHost *:443>\n    ServerName api.example.com\n    "+tt.use+"\n</VirtualHost>\n")
			if tt.wantDiag != "" {
				if len(res.Diagnostics) == 0 || !strings.Contains(res.Diagnostics[0].Message, tt.wantDiag) {
					t.Fatalf("diagnostics = %v, want %q", res.Diagnostics, tt.wantDiag)
				}
				return
			}
			if len(res.Diagnostics) > 0 || len(res.Policies) != 1 {
				t.Fatalf("policies = %d, diagnostics = %v", len(res.Policies), res.Diagnostics)
			}
			o := onlyOrigin(t, res.Policies[0].Actual)
			if o.Kind != tt.wantKind {
				t.Fatalf("origin rule = %+v, want %v", o, tt.wantKind)
			}
			if o.Evidence[0].Range.Line != 6 {
				t.Errorf("evidence at line %d, want the Use line 6", o.Evidence[0].Range.Line)
			}
		})
	}
}

// httpd refuses a macro used inside its own expansion, directly or through
// another macro; the diagnostic is at the Use line that started it.
func TestRecursiveMacroIsRefused(t *testing.T) {
	for name, src := range map[string]string{
		"direct":   "<Macro Loop>\n    Use Loop\n</Macro>\nUse Loop\n",
		"indirect": "<Macro A>\n    Use B\n</Macro>\n<Macro B>\n    Use A\n</Macro>\nUse A\n",
	} {
		t.Run(name, func(t *testing.T) {
			res := parseConf(t, "site.conf", src)
			if len(res.Diagnostics) != 1 || !strings.Contains(res.Diagnostics[0].Message, "recursive use of macro") {
				t.Fatalf("diagnostics = %v", res.Diagnostics)
			}
			lines := strings.Count(src, "\n")
			if d := res.Diagnostics[0]; d.Range.Line != lines {
				t.Errorf("diagnostic at line %d, want the Use on line %d", d.Range.Line, lines)
			}
		})
	}
}

// fanOut writes macros M0..M<levels> where each uses the one below `uses`
// times, and one Use of the top macro on the last line.
func fanOut(levels, uses int) string {
	var b strings.Builder
	b.WriteString("<Macro M0 $o>\n    Header append Access-Control-Allow-Origin \"$o\"\n</Macro>\n")
	for l := 1; l <= levels; l++ {
		fmt.Fprintf(&b, "<Macro M%d $o>\n", l)
		for range uses {
			fmt.Fprintf(&b, "    Use M%d $o\n", l-1)
		}
		b.WriteString("</Macro>\n")
	}
	fmt.Fprintf(&b, "Use M%d https://app.example.com\n", levels)
	return b.String()
}

// smallBudgets lets a test reach every budget in milliseconds.
var smallBudgets = budgets{directive: 1 << 10, define: 1 << 14, macroLines: 1000, macroBytes: 1 << 16, files: 16, bytes: 1 << 20}

// parseWith parses one inline config within the given budgets.
func parseWith(t *testing.T, conf string, limit budgets) rules.ParseResult {
	t.Helper()
	dir := writeTree(t, map[string]string{"site.conf": conf})
	res, _ := parseTree(filepath.Join(dir, "site.conf"), nil, limit)
	return res
}

// Macros that use macros multiply: a kilobyte asks for 10^7 lines. The
// expansion stops at its budget with one diagnostic at the Use line (and one
// count of what else was left out), not millions.
func TestMacroFanOutIsBounded(t *testing.T) {
	src := fanOut(7, 10)
	res := parseWith(t, src, smallBudgets)
	last := strings.Count(src, "\n")
	if len(res.Diagnostics) != 2 {
		t.Fatalf("diagnostics = %v, want the budget and the count of what was left out", res.Diagnostics)
	}
	for _, d := range res.Diagnostics {
		if d.Range.Line != last {
			t.Errorf("diagnostic at line %d, want the Use on line %d: %v", d.Range.Line, last, d)
		}
	}
	wantContains(t, "diagnostic", res.Diagnostics[0].Message, "macro expansion exceeds 1000 lines at Use M1 inside m7 > m6 > m5 > m4 > m3 > m2")
	wantContains(t, "diagnostic", res.Diagnostics[1].Message, "more directive(s)")
}

// Near miss: a fan-out within the budget (20 + 400 + 400 lines) expands
// completely.
func TestMacroFanOutWithinBudget(t *testing.T) {
	res := parseWith(t, fanOut(2, 20), smallBudgets)
	if len(res.Diagnostics) != 0 {
		t.Fatalf("diagnostics = %v", res.Diagnostics)
	}
	if n := len(res.Policies[0].Actual.Headers); n != 400 {
		t.Fatalf("%d Allow-Origin headers, want 20^2", n)
	}
}

// A long argument named many times on one line is sized before it is built.
func TestMacroArgumentBlowUpIsBounded(t *testing.T) {
	arg := strings.Repeat("a", 1<<10)
	line := strings.Repeat("$x", 100)
	src := "<Macro Big $x>\n    Header set X-Big \"" + line + "\"\n</Macro>\nUse Big " + arg + "\n"
	res := parseWith(t, src, smallBudgets)
	if len(res.Diagnostics) != 1 || res.Diagnostics[0].Range.Line != 4 {
		t.Fatalf("diagnostics = %v", res.Diagnostics)
	}
	wantContains(t, "diagnostic", res.Diagnostics[0].Message, "bytes at Use Big")
}
