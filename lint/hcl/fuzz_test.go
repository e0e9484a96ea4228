package hcl

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// addCorpusSeeds adds every file with one of the extensions under
// corpus/hcl as a seed.
func addCorpusSeeds(f *testing.F, exts ...string) {
	f.Helper()
	err := filepath.WalkDir(filepath.Join("..", "..", "corpus", "hcl"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		for _, ext := range exts {
			if strings.HasSuffix(p, ext) {
				src, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				f.Add(src)
			}
		}
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
}

// FuzzTerraform loads and evaluates a one-file module (native syntax) and
// holds the result to what every module must satisfy, whatever its text:
// no panic; evaluation within the module's budget (the budget never goes
// negative and no evaluated local is over the limit for one value);
// policies located in the file; unknown values explained; the same input
// giving the same policies twice.
func FuzzTerraform(f *testing.F) {
	addCorpusSeeds(f, ".tf")
	for _, seed := range []string{
		"locals {\n" + doubling(40, `"https://x.example.com"`, `"${PREV}${PREV}"`) + "}\n" + gcsBucket("b", "[local.a40]"),
		"locals {\n" + doubling(40, `["https://x.example.com"]`, `concat(PREV, PREV)`) + "}\n" + gcsBucket("b", "local.a40"),
		"locals {\n  a = local.b\n  b = local.a\n}\n" + gcsBucket("b", "[local.a]"),
		gcsBucket("b", `[for a in range(1000) : join("", [for b in range(1000) : "x"])]`),
		gcsBucket("b", `[format("%0900000000d", 1), replace("abc", "", "xyz"), try(local.nope, "https://a.example.com")]`),
	} {
		f.Add([]byte(seed))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, src []byte) {
		path := filepath.Join(dir, "main.tf")
		given := map[string][]byte{path: src}
		m := loadModule(dir, given)
		policies, _ := m.policies()
		if m.budget.left < 0 {
			t.Fatalf("budget overdrawn: %d left of %d", m.budget.left, m.budget.total)
		}
		for name, s := range m.localSlots {
			if w := weight(s.val, maxValueWeight+1); w > maxValueWeight {
				t.Errorf("local.%s weighs %d, over the %d limit", name, w, maxValueWeight)
			}
			if s.state == slotDone && !s.val.IsWhollyKnown() && s.reason == "" {
				t.Errorf("local.%s is unknown without a reason", name)
			}
		}
		lines := bytes.Count(src, []byte("\n")) + 1
		for _, p := range policies {
			checkPolicyLocated(t, p, path, lines)
		}
		again, _ := loadModule(dir, given).policies()
		if a, b := scopeNames(policies), scopeNames(again); a != b {
			t.Errorf("two evaluations differ:\n%s\n%s", a, b)
		}
	})
}

func checkPolicyLocated(t *testing.T, p rules.Policy, path string, lines int) {
	t.Helper()
	if p.Scope.Range.File != path || p.Scope.Range.Line < 1 || p.Scope.Range.Line > lines {
		t.Errorf("%s: scope range %v outside %s (%d lines)", p.Scope.Name, p.Scope.Range, path, lines)
	}
	for _, o := range p.Actual.Origins {
		if o.Kind == rules.OriginUnknown && o.Reason == "" {
			t.Errorf("%s: unknown origin without a reason", p.Scope.Name)
		}
		for _, ev := range o.Evidence {
			// Evidence may lie in a module the file calls; in the file it
			// must be within it.
			if ev.Range.File == path && (ev.Range.Line < 1 || ev.Range.Line > lines) {
				t.Errorf("%s: evidence %v outside %s (%d lines)", p.Scope.Name, ev.Range, path, lines)
			}
		}
	}
}

func scopeNames(ps []rules.Policy) string {
	var sb strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&sb, "%s %d|", p.Scope.Name, len(p.Actual.Origins))
	}
	return sb.String()
}

// FuzzPolicyFile loads arbitrary text as a .corsguard.hcl: it either loads
// or fails with diagnostics that all point into the file, and a file that
// loads names only rule IDs corsguard has, valid origins and severities
// (so that nothing it says is silently ignored).
func FuzzPolicyFile(f *testing.F) {
	addCorpusSeeds(f, ".corsguard.hcl")
	f.Add(StarterPolicyFile())
	f.Add([]byte("rule \"CG999\" {\n  enabled = false\n}\n"))
	f.Add([]byte("suppress \"CG101\" {\n  path = \"a.conf\"\n  reason = \"x\"\n  expires = \"2020-13-01\"\n}\n"))
	dir := f.TempDir()
	path := filepath.Join(dir, ".corsguard.hcl")
	f.Fuzz(func(t *testing.T, src []byte) {
		if err := os.WriteFile(path, src, 0o600); err != nil {
			t.Fatal(err)
		}
		pf, err := LoadPolicyFile(path)
		if err != nil {
			pe, ok := err.(*PolicyFileError)
			if !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if len(pe.Diags) == 0 || pe.Text == "" {
				t.Fatalf("error without diagnostics: %q", pe.Text)
			}
			for _, d := range pe.Diags {
				if d.Range.File != path || d.Range.Line < 1 {
					t.Errorf("diagnostic not located in the file: %v", d)
				}
			}
			return
		}
		if problems := pf.Validate(); len(problems) > 0 {
			t.Errorf("loaded a file with problems: %v", problems)
		}
		for _, r := range pf.Rules {
			if _, err := rules.Lookup(r.ID); err != nil || !strings.HasPrefix(r.ID, "CG") {
				t.Errorf("loaded a setting for unknown rule %q", r.ID)
			}
		}
		for _, s := range pf.Suppressions {
			if _, err := rules.Lookup(s.Rule); err != nil || !strings.HasPrefix(s.Rule, "CG") {
				t.Errorf("loaded a suppression of unknown rule %q", s.Rule)
			}
		}
	})
}
