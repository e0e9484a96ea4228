package apache

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// writeTree writes files (path relative to a fresh temp dir) and returns the dir.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// parseConf parses one inline config written as name.
func parseConf(t *testing.T, name, conf string) rules.ParseResult {
	t.Helper()
	dir := writeTree(t, map[string]string{name: conf})
	return Parse(filepath.Join(dir, name))
}

// scope finds the policy with the given scope name.
func scope(t *testing.T, res rules.ParseResult, name string) *rules.Policy {
	t.Helper()
	var names []string
	for i := range res.Policies {
		if res.Policies[i].Scope.Name == name {
			return &res.Policies[i]
		}
		names = append(names, res.Policies[i].Scope.Name)
	}
	t.Fatalf("no policy %q; have %q (diagnostics %v)", name, names, res.Diagnostics)
	return nil
}

func noDiagnostics(t *testing.T, res rules.ParseResult) {
	t.Helper()
	if len(res.Diagnostics) > 0 {
		t.Fatalf("unexpected diagnostics: %v", res.Diagnostics)
	}
}

// originKinds lists the kinds of a grant's origin rules.
func originKinds(g rules.Grant) []rules.OriginKind {
	var out []rules.OriginKind
	for _, o := range g.Origins {
		out = append(out, o.Kind)
	}
	return out
}

func wantKinds(t *testing.T, g rules.Grant, want ...rules.OriginKind) {
	t.Helper()
	got := originKinds(g)
	if len(got) != len(want) {
		t.Fatalf("origin kinds = %v, want %v (rules %+v)", got, want, g.Origins)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("origin kinds = %v, want %v (rules %+v)", got, want, g.Origins)
		}
	}
}

// onlyOrigin returns the single origin rule of a grant.
func onlyOrigin(t *testing.T, g rules.Grant) rules.OriginRule {
	t.Helper()
	if len(g.Origins) != 1 {
		t.Fatalf("want one origin rule, got %+v", g.Origins)
	}
	return g.Origins[0]
}

// evidenceLines lists the first lines of a rule's evidence.
func evidenceLines(evs []rules.Evidence) []int {
	var out []int
	for _, e := range evs {
		out = append(out, e.Range.Line)
	}
	return out
}

func wantLines(t *testing.T, evs []rules.Evidence, lines ...int) {
	t.Helper()
	got := evidenceLines(evs)
	if len(got) != len(lines) {
		t.Fatalf("evidence lines = %v, want %v", got, lines)
	}
	for i := range got {
		if got[i] != lines[i] {
			t.Fatalf("evidence lines = %v, want %v", got, lines)
		}
	}
}

func wantContains(t *testing.T, what, s, sub string) {
	t.Helper()
	if !strings.Contains(s, sub) {
		t.Fatalf("%s = %q, want it to contain %q", what, s, sub)
	}
}

// headers returns the entries of a header name in a grant.
func headers(g rules.Grant, name string) []rules.Header { return g.Find(name) }
