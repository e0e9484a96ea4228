package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// corpusPatternsFile lists every distinct origin pattern of corpus/, the
// input of rules/attack's BenchmarkAutomatonSearchCorpus (issue 13 asks for
// the search's median over the corpus patterns).
var corpusPatternsFile = filepath.Join("..", "rules", "attack", "testdata", "corpus-patterns.tsv")

// TestCorpusPatternsListed keeps that list equal to the patterns of the
// policies lint reads from corpus/ (CORSGUARD_UPDATE_PATTERNS=1 rewrites it).
func TestCorpusPatternsListed(t *testing.T) {
	res, err := LintPaths([]string{filepath.Join("..", "corpus")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range policyPatterns(t, res.Policies) {
		seen[fmt.Sprintf("%s\t%v\t%s", p.Dialect, p.CaseInsensitive, p.Expr)] = true
	}
	lines := make([]string, 0, len(seen))
	for l := range seen {
		lines = append(lines, l)
	}
	slices.Sort(lines)
	want := "# Every distinct origin pattern of corpus/ as lint reads it: dialect, case-insensitive flag, pattern.\n" +
		"# rules/attack's BenchmarkAutomatonSearchCorpus reads it; lint's TestCorpusPatternsListed keeps it current\n" +
		"# (CORSGUARD_UPDATE_PATTERNS=1 go test ./lint -run TestCorpusPatternsListed rewrites it).\n" +
		strings.Join(lines, "\n") + "\n"
	if os.Getenv("CORSGUARD_UPDATE_PATTERNS") != "" {
		if err := os.WriteFile(corpusPatternsFile, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(corpusPatternsFile)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("%s is not the corpus's list of patterns (%d now); rewrite it with CORSGUARD_UPDATE_PATTERNS=1", corpusPatternsFile, len(lines))
	}
}

// policyPatterns returns the distinct origin patterns of policies (deploy-
// time ones left out: nobody searches them): the model keeps a pattern on
// an origin rule of a policy's actual or preflight grant.
func policyPatterns(tb testing.TB, policies []rules.Policy) []rules.Pattern {
	tb.Helper()
	var out []rules.Pattern
	seen := map[rules.Pattern]bool{}
	for _, pol := range policies {
		for _, g := range []rules.Grant{pol.Actual, pol.Preflight.Grant} {
			for _, o := range g.Origins {
				if o.Pattern == nil || o.Pattern.DeployTime {
					continue
				}
				key := rules.Pattern{Expr: o.Pattern.Expr, Dialect: o.Pattern.Dialect, CaseInsensitive: o.Pattern.CaseInsensitive}
				if !seen[key] {
					seen[key] = true
					out = append(out, key)
				}
			}
		}
	}
	return out
}
