package apache

import (
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

func TestRecursiveMacroIsBounded(t *testing.T) {
	res := parseConf(t, "site.conf", "<Macro Loop>\n    Use Loop\n</Macro>\nUse Loop\n")
	if len(res.Diagnostics) == 0 || !strings.Contains(res.Diagnostics[0].Message, "nested deeper") {
		t.Fatalf("diagnostics = %v", res.Diagnostics)
	}
}
