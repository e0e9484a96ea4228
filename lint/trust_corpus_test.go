package lint

import (
	"path/filepath"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// corpus/realworld/nginx/trust-scheme-upgrade_fp.conf with a declared
// trust set (issue 9 item 9): an http origin's https twin is trusted; any
// other origin is not.
func TestCorpusTrustSchemeUpgrade(t *testing.T) {
	file := filepath.Join("..", "corpus", "realworld", "nginx", "trust-scheme-upgrade_fp.conf")
	lintWith := func(trusted ...string) []rules.Finding {
		t.Helper()
		res, err := LintPaths([]string{file}, Options{Rules: rules.Options{TrustedOrigins: trusted}})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range res.Errors {
			t.Errorf("unexpected input error: %s", d.Error())
		}
		return res.Findings
	}
	for _, f := range lintWith("http://app.example.org") {
		t.Errorf("trusting http://app.example.org, its https twin is reported: %s %s", f.RuleID, f.Message)
	}
	fs := lintWith("http://other.example.org")
	if len(fs) != 1 || fs[0].RuleID != "CG112" {
		t.Errorf("trusting another host, want one CG112 for https://app.example.org; got %v", fs)
	}
}
