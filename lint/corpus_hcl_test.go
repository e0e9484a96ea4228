package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/corsguard/corsguard/lint/hcl"
	"github.com/corsguard/corsguard/rules"
)

var corpusHCL = filepath.Join("..", "corpus", "hcl")

// TestCorpusHCL lints corpus/hcl as `corsguard lint corpus/hcl` would and
// holds every finding to the `# want` comments (in .tf.json files, a "//"
// property on the finding's line carries the comment).
//
// The count that matters is Terraform modules: the HCL front end parses a
// whole module directory for each of its .tf files, so one module with
// three files is one configuration, not three. The test therefore counts
// distinct module directories among the linted entries, and separately the
// .tf/.tf.json files on disk.
func TestCorpusHCL(t *testing.T) {
	res := checkCorpus(t, corpusHCL)

	modules := map[string]bool{}
	for _, f := range res.Files {
		if strings.HasSuffix(f, ".tf") || strings.HasSuffix(f, ".tf.json") {
			modules[filepath.Dir(f)] = true
		}
	}
	t.Logf("corpus/hcl: %d Terraform modules, %d entry files, %d findings", len(modules), len(res.Files), len(res.Findings))
	if n := len(modules); n < 30 {
		t.Errorf("corpus/hcl has %d Terraform modules, want at least 30", n)
	}
	if n := countTerraformFiles(t, corpusHCL); n < 32 {
		t.Errorf("corpus/hcl has %d .tf/.tf.json files, want at least 32", n)
	}
	for f, n := range res.Formats {
		if f != "hcl" {
			t.Errorf("corpus/hcl: %d files detected as %s", n, f)
		}
	}
	for _, f := range res.Files {
		if strings.HasSuffix(f, ".corsguard.hcl") {
			t.Errorf("%s: a policy file was linted as configuration", f)
		}
	}
}

func countTerraformFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".tf") || strings.HasSuffix(p, ".tf.json")) {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// policyFiles are the sample policy files kept beside the corpus; they are
// corsguard's own configuration, never linted as input.
func policyFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(corpusHCL, "policy", "*.corsguard.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("corpus/hcl/policy has %d sample policy files, want at least 2", len(files))
	}
	return files
}

func TestCorpusHCLPolicyFilesDecode(t *testing.T) {
	for _, path := range policyFiles(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			pf, err := hcl.LoadPolicyFile(path)
			if err != nil {
				t.Fatalf("does not load: %v", err)
			}
			if len(pf.Trusted())+len(pf.TrustedPatterns()) == 0 {
				t.Errorf("declares no trusted origins: a sample should show the trust set")
			}
			for _, s := range pf.Suppressions {
				if s.Expired(time.Now()) {
					t.Errorf("suppression of %s expired on %s: the sample would no longer show a live suppression", s.Rule, s.Expires)
				}
			}
		})
	}
}

// TestCorpusHCLPolicyFileEndToEnd lints one corpus module without and with
// policy/partner.corsguard.hcl: the declared trust set turns the partner
// origin into a CG112, and the file's suppression silences the CG501 the
// plain run reports.
func TestCorpusHCLPolicyFileEndToEnd(t *testing.T) {
	module := filepath.Join(corpusHCL, "policy_e2e", "partner_bucket")
	pf, err := hcl.LoadPolicyFile(filepath.Join(corpusHCL, "policy", "partner.corsguard.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := LintPaths([]string{module}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	withPolicy, err := LintPaths([]string{module}, policyOptions(pf))
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range []*Result{plain, withPolicy} {
		for _, d := range res.Errors {
			t.Errorf("unexpected input error: %s", d.Error())
		}
	}
	count := func(res *Result, rule, witness string) int {
		n := 0
		for _, f := range res.Findings {
			if f.RuleID == rule && (witness == "" || f.Witness == witness) {
				n++
			}
		}
		return n
	}
	tests := []struct {
		name          string
		rule, witness string
		plain, policy int
	}{
		{"the partner origin is untrusted only once trust is declared", "CG112", "https://partner.test", 0, 1},
		{"the trusted front end is never reported", "CG112", "https://app.example.com", 0, 0},
		{"the suppressed wildcard write disappears", "CG501", "", 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := count(plain, tt.rule, tt.witness); got != tt.plain {
				t.Errorf("without the policy file: %d %s findings, want %d", got, tt.rule, tt.plain)
			}
			if got := count(withPolicy, tt.rule, tt.witness); got != tt.policy {
				t.Errorf("with the policy file: %d %s findings, want %d", got, tt.rule, tt.policy)
			}
		})
	}
	suppressed := false
	for _, s := range withPolicy.Suppressed {
		if s.Finding.RuleID == "CG501" && s.Reason != "" {
			suppressed = true
		}
	}
	if !suppressed {
		t.Errorf("the CG501 should be recorded as suppressed with the policy file's reason; suppressed = %+v", withPolicy.Suppressed)
	}
}

// policyOptions builds lint options from a policy file as the CLI does.
func policyOptions(pf *rules.PolicyFile) Options {
	var o Options
	o.ApplyPolicyFile(pf, time.Now())
	return o
}
