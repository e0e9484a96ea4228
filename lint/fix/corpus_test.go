package fix

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/lint"
	"github.com/corsguard/corsguard/lint/source"
	"github.com/corsguard/corsguard/rules"
)

// corpusRuns are the settings the corpus is fixed under: the default
// (safe fixes only), --fix-unsafe, and declared trust, under which an
// unvalidated echo gets its allowlist and an untrusted origin its removal.
var corpusRuns = []struct {
	name    string
	unsafe  bool
	trusted []string
}{
	{name: "fix"},
	{name: "fix-unsafe", unsafe: true},
	{name: "trusted+fix-unsafe", unsafe: true, trusted: []string{"https://app.example.com"}},
}

// fixTally counts one rule's findings and fixes over the corpus.
type fixTally struct {
	findings map[string]int // run name → findings
	fixed    map[string]int // run name → findings fixed
	left     map[string]int // reason (first words) → findings, in the default run
}

// Every corpus file, fixed in memory under every run: each applied fix
// removes its finding and brings no new finding or error when the whole
// corpus directory is linted again with the fixed contents (a check
// independent of the plan's own proof, which re-lints only the affected
// entries); and nginx -t / apache2 -t accept every fixed entry whenever
// they accepted it before the fix, or fail on it exactly as before (a
// fragment the test cannot complete, such as an upstream host name).
// CORSGUARD_FIX_TABLE=path writes the per-rule table for the README.
func TestCorpusFixesAreProvedByReLintAndTheServers(t *testing.T) {
	if spellerFor("nginx", Options{}) == nil || spellerFor("apache", Options{}) == nil || spellerFor("terraform", Options{}) == nil {
		t.Skip("the front ends' spellers are not wired in lint.Formats")
	}
	tallies := map[string]*fixTally{}
	tally := func(rule string) *fixTally {
		if tallies[rule] == nil {
			tallies[rule] = &fixTally{findings: map[string]int{}, fixed: map[string]int{}, left: map[string]int{}}
		}
		return tallies[rule]
	}
	servers := map[string]*serverT{"nginx": nginxTest(t), "apache": apacheTest(t), "realworld": nil}
	checked := map[string]*[2]int{} // run → entries the server accepted after the fix, entries it failed on as before
	for _, dir := range []string{"nginx", "apache", "realworld", "hcl"} {
		root, err := filepath.Abs(filepath.Join("..", "..", "corpus", dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, run := range corpusRuns {
			lopts := lint.Options{Rules: rules.Options{TrustedOrigins: run.trusted}}
			res, err := lint.LintPaths([]string{root}, lopts)
			if err != nil {
				t.Fatal(err)
			}
			before := append([]rules.Finding(nil), res.Findings...)
			p := Compute(res, Options{Unsafe: run.unsafe, Lint: lopts})
			t.Run(dir+"/"+run.name, func(t *testing.T) {
				reLintHolds(t, root, lopts, before, res, p)
				for _, f := range p.Files {
					if !strings.HasPrefix(f.Path, root) {
						t.Errorf("a fix outside the corpus: %s", f.Path)
					}
				}
				ok, same := serversAccept(t, root, res, p, servers)
				c := checked[run.name]
				if c == nil {
					c = &[2]int{}
					checked[run.name] = c
				}
				c[0] += ok
				c[1] += same
			})
			for i, f := range before {
				tl := tally(f.RuleID)
				tl.findings[run.name]++
				if len(res.Findings[i].Edits) > 0 {
					tl.fixed[run.name]++
				}
			}
			if run.name == "fix" {
				for _, l := range p.Left {
					if l.Finding.Remedy != nil {
						tally(l.Finding.RuleID).left[shortReason(strings.ReplaceAll(l.Reason, root+string(filepath.Separator), dir+"/"))]++
					}
				}
			}
		}
	}
	table := fixTable(tallies, checked)
	t.Log("\n" + table)
	if path := os.Getenv("CORSGUARD_FIX_TABLE"); path != "" {
		if err := os.WriteFile(path, []byte(table), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// reLintHolds lints the whole directory again with every fixed file
// overlaid and compares with the findings before the fix.
func reLintHolds(t *testing.T, root string, lopts lint.Options, before []rules.Finding, res *lint.Result, p *Plan) {
	t.Helper()
	overlay := map[string][]byte{}
	for _, f := range p.Files {
		overlay[f.Path] = f.New
	}
	var after *lint.Result
	var err error
	source.WithOverlay(overlay, func() { after, err = lint.LintPaths([]string{root}, lopts) })
	if err != nil {
		t.Fatal(err)
	}
	var own []int // the fixes whose own remedy was written
	for _, i := range p.Fixed {
		if _, ok := p.FixedBy[i]; !ok {
			own = append(own, i)
		}
	}
	renames := renamesOf(before, own)
	was, gone, now := map[findingKey]int{}, map[findingKey]int{}, map[findingKey]int{}
	for _, f := range before {
		was[keyOf(f, renames)]++
	}
	for _, i := range p.Fixed {
		gone[keyOf(before[i], renames)]++
	}
	for _, f := range after.Findings {
		k := keyOf(f, nil)
		if now[k]++; now[k] > was[k] {
			t.Errorf("new finding after the fixes: %s %s: %s", f.Range, f.RuleID, f.Message)
		}
	}
	for k, n := range gone {
		if now[k] > was[k]-n {
			t.Errorf("a fixed finding is still reported: %s %s: %s", k.file, k.rule, k.message)
		}
	}
	errs := map[string]bool{}
	for _, d := range res.Errors {
		errs[diagKey(d)] = true
	}
	for _, d := range after.Errors {
		if !errs[diagKey(d)] {
			t.Errorf("new error after the fixes: %s", d.Error())
		}
	}
}

// serversAccept copies the directory twice, writes the fixed contents into
// the second copy, and runs the server's test on every entry that reads a
// fixed file, in both copies. It returns how many fixed entries the
// server accepted, and on how many it failed exactly as before the fix (a
// fragment the test cannot complete).
func serversAccept(t *testing.T, root string, res *lint.Result, p *Plan, servers map[string]*serverT) (accepted, same int) {
	t.Helper()
	if len(p.Files) == 0 {
		return 0, 0
	}
	orig, fixed := copyTree(t, root), copyTree(t, root)
	changed := map[string]bool{}
	for _, f := range p.Files {
		rel, _ := filepath.Rel(root, f.Path)
		if err := os.WriteFile(filepath.Join(fixed, rel), f.New, 0o644); err != nil {
			t.Fatal(err)
		}
		changed[f.Path] = true
	}
	for _, entry := range res.Files {
		if !readsAny(res.Reads[entry], changed) {
			continue
		}
		s := serverFor(entry, root, servers)
		if s == nil {
			continue
		}
		rel, _ := filepath.Rel(root, entry)
		okBefore, outBefore := s.run(t, filepath.Join(orig, rel), orig)
		okAfter, outAfter := s.run(t, filepath.Join(fixed, rel), fixed)
		switch {
		case okAfter:
			accepted++
		case okBefore:
			t.Errorf("%s: %s accepted the file and rejects its fix:\n%s", rel, s.name, outAfter)
		case outAfter != outBefore:
			t.Errorf("%s: %s fails differently after the fix:\nbefore: %s\nafter:  %s", rel, s.name, outBefore, outAfter)
		default:
			same++
			t.Logf("%s: %s fails before and after the fix on: %s", rel, s.name, strings.TrimSpace(outAfter))
		}
	}
	return accepted, same
}

// serverFor picks the server that tests an entry: by the corpus
// directory, and for corpus/realworld by its subdirectory.
func serverFor(entry, root string, servers map[string]*serverT) *serverT {
	switch filepath.Base(root) {
	case "nginx":
		return servers["nginx"]
	case "apache":
		return servers["apache"]
	case "realworld":
		rel, _ := filepath.Rel(root, entry)
		return servers[strings.Split(filepath.ToSlash(rel), "/")[0]]
	}
	return nil
}

func copyTree(t *testing.T, root string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// shortReason groups reasons by their kind, without the file and line.
func shortReason(r string) string {
	r = withoutPositions(r)
	switch {
	case strings.HasPrefix(r, "unsafe"):
		return "unsafe (--fix-unsafe)"
	case strings.Contains(r, "re-lint proof failed"):
		if i := strings.Index(r, ": "); i >= 0 {
			r = r[i+2:]
		}
		if i := strings.Index(r, ": "); i >= 0 && strings.HasPrefix(r, "the fixed file gets a new finding") {
			return "proof: new " + strings.Fields(r[i+2:])[0]
		}
		return "proof: " + r
	case strings.HasPrefix(r, "unsure: "):
		return "speller: " + strings.TrimPrefix(r, "unsure: ")
	}
	return r
}

// fixTable is the README's table: per rule, the corpus findings, how many
// each run fixes (every one proved by re-lint and the servers' -t), and
// why the others with a remedy are left in the default run.
func fixTable(tallies map[string]*fixTally, checked map[string]*[2]int) string {
	var ids []string
	for id := range tallies {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var b strings.Builder
	b.WriteString("| rule | fixed of findings: --fix | --fix-unsafe | --fix-unsafe, trusted origin declared | left with a remedy under --fix: why |\n|---|---:|---:|---:|---|\n")
	total, findings := map[string]int{}, map[string]int{}
	for _, id := range ids {
		tl := tallies[id]
		var why []string
		for r, n := range tl.left {
			why = append(why, fmt.Sprintf("%d %s", n, r))
		}
		sort.Strings(why)
		if tl.fixed["fix"]+tl.fixed["fix-unsafe"]+tl.fixed["trusted+fix-unsafe"]+len(why) == 0 {
			continue // no remedy: the finding's advice needs a person
		}
		cells := make([]string, len(corpusRuns))
		for i, r := range corpusRuns {
			total[r.name] += tl.fixed[r.name]
			findings[r.name] += tl.findings[r.name]
			cells[i] = fmt.Sprintf("%d of %d", tl.fixed[r.name], tl.findings[r.name])
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", id, strings.Join(cells, " | "), strings.Join(why, "; "))
	}
	cells := make([]string, len(corpusRuns))
	for i, r := range corpusRuns {
		cells[i] = fmt.Sprintf("%d of %d", total[r.name], findings[r.name])
	}
	fmt.Fprintf(&b, "| all rules with a remedy | %s | |\n", strings.Join(cells, " | "))
	b.WriteString("\nnginx -t / apache2 -t on the fixed nginx and Apache entry files (each also tested before its fix):\n\n| run | accepted after the fix | failing before and after on the same error (a fragment the test cannot complete) |\n|---|---:|---:|\n")
	for _, r := range corpusRuns {
		if c := checked[r.name]; c != nil {
			fmt.Fprintf(&b, "| %s | %d | %d |\n", r.name, c[0], c[1])
		}
	}
	return b.String()
}
