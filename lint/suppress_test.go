package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const wildcardWriteBucket = `resource "google_storage_bucket" "b" {
  cors {
    %s
    origin = ["*"]
    method = ["GET", "PUT"]
  }
}
`

// Terraform and HCL files take the three comment forms tflint accepts;
// each silences exactly the rules it names.
func TestInlineSuppressionCommentForms(t *testing.T) {
	tests := []struct {
		name, comment string
		suppressed    bool
		wantError     string
	}{
		{"hash", "# corsguard:ignore CG501 public upload bucket", true, ""},
		{"double slash", "// corsguard:ignore CG501 public upload bucket", true, ""},
		{"block comment", "/* corsguard:ignore CG501 public upload bucket */", true, ""},
		{"star", "# corsguard:ignore * sandbox account", true, ""},
		{"another rule", "# corsguard:ignore CG401 caches vary", false, ""},
		{"unknown rule ID", "// corsguard:ignore CG999,CG501 typo", true, `:3: corsguard:ignore names "CG999", which is not a corsguard rule ID`},
		{"rule name instead of ID", "# corsguard:ignore cloud-wildcard-write oops", false, `:3: corsguard:ignore names "cloud-wildcard-write"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "main.tf")
			if err := os.WriteFile(path, []byte(strings.Replace(wildcardWriteBucket, "%s", tt.comment, 1)), 0o600); err != nil {
				t.Fatal(err)
			}
			res, err := LintPaths([]string{path}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			suppressed := false
			for _, s := range res.Suppressed {
				if s.Finding.RuleID == "CG501" {
					suppressed = true
				}
			}
			if suppressed != tt.suppressed {
				t.Errorf("CG501 suppressed = %v, want %v (findings %v)", suppressed, tt.suppressed, res.Findings)
			}
			var errs []string
			for _, e := range res.Errors {
				errs = append(errs, e.Error())
			}
			if got := strings.Join(errs, "\n"); (tt.wantError == "") != (got == "") || !strings.Contains(got, tt.wantError) {
				t.Errorf("errors %q, want one containing %q", got, tt.wantError)
			}
		})
	}
}

// In nginx and Apache files only # starts a comment: "//" inside a value
// suppresses nothing.
func TestSlashesAreNoCommentInNginx(t *testing.T) {
	if _, _, ok := parseIgnore(`add_header X "// corsguard:ignore CG101";`, false); ok {
		t.Error(`"//" read as a comment in an nginx file`)
	}
	if ids, reason, ok := parseIgnore(`  # corsguard:ignore CG101, CG105 partner`, false); !ok || strings.Join(ids, "|") != "CG101|CG105" || reason != "partner" {
		t.Errorf("got %v %q %v", ids, reason, ok)
	}
}
