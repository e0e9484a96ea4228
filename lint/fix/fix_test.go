package fix

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/corsguard/corsguard/lint"
	"github.com/corsguard/corsguard/rules"
)

// lineSpeller is a test speller for nginx: ReplaceValue replaces the one
// occurrence of Old on the directive's line, AddAlways inserts ` always`
// before its `;`. The real spellers live in the front ends; this one only
// has to be exact for the configurations below.
func lineSpeller(path string, src []byte, r rules.Remedy) ([]rules.Edit, error) {
	start := 0
	for l := 1; l < r.At.Range.Line; l++ {
		i := bytes.IndexByte(src[start:], '\n')
		if i < 0 {
			return nil, errors.New("no such line")
		}
		start += i + 1
	}
	end := len(src)
	if i := bytes.IndexByte(src[start:], '\n'); i >= 0 {
		end = start + i
	}
	line := string(src[start:end])
	switch r.Kind {
	case rules.ReplaceValue:
		if strings.Count(line, r.Old) != 1 {
			return nil, errors.New("the value is not on the line exactly once")
		}
		at := start + strings.Index(line, r.Old)
		return []rules.Edit{{File: path, Start: at, End: at + len(r.Old), New: r.New}}, nil
	case rules.AddAlways:
		semi := strings.Index(line, ";")
		if semi < 0 {
			return nil, errors.New("no ; on the line")
		}
		return []rules.Edit{{File: path, Start: start + semi, End: start + semi, New: " always"}}, nil
	}
	return nil, errors.New(r.Kind.String() + " is not spelled by the test speller")
}

func writeConf(t *testing.T, name, content string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	return path
}

func plan(t *testing.T, path string, opts Options) (*lint.Result, *Plan) {
	t.Helper()
	res, err := lint.LintPaths([]string{path}, opts.Lint)
	if err != nil {
		t.Fatal(err)
	}
	return res, Compute(res, opts)
}

const dottedMap = `map $http_origin $cors {
    default "";
    "~^https://app.example.com$" $http_origin;
}
server {
    listen 443 ssl;
    server_name api.example.com;
    location / {
        add_header Access-Control-Allow-Origin $cors always;
        add_header Vary Origin always;
        add_header Access-Control-Max-Age 86400 always;
    }
}
`

func TestFixEscapesTheDotsProvesAndWritesAtomically(t *testing.T) {
	path := writeConf(t, "api.conf", dottedMap, 0o640)
	opts := Options{Spellers: map[string]SpellFunc{"nginx": lineSpeller}}
	res, p := plan(t, path, opts)
	if len(p.Files) != 1 || len(p.Fixed) != 2 {
		t.Fatalf("plan: %d files, fixed %v, left %+v", len(p.Files), p.Fixed, p.Left)
	}
	for _, i := range p.Fixed {
		if len(res.Findings[i].Edits) == 0 || res.Findings[i].Edits[0].Range.Line == 0 {
			t.Errorf("%s: the fixed finding carries no positioned edit: %+v", res.Findings[i].RuleID, res.Findings[i].Edits)
		}
	}
	want := strings.Replace(strings.Replace(dottedMap, `app.example.com$`, `app\.example\.com$`, 1), "Max-Age 86400", "Max-Age 7200", 1)
	if got := string(p.Files[0].New); got != want {
		t.Fatalf("fixed content:\n%s\nwant:\n%s", got, want)
	}
	if err := p.Write(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	st, _ := os.Stat(path)
	if string(got) != want || st.Mode().Perm() != 0o640 {
		t.Errorf("written: mode %v, content:\n%s", st.Mode().Perm(), got)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*corsguard*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
	again, _ := lint.LintPaths([]string{path}, lint.Options{})
	for _, f := range again.Findings {
		if f.RuleID == "CG105" || f.RuleID == "CG209" {
			t.Errorf("still reported after the fix: %s %s", f.RuleID, f.Message)
		}
	}
}

func TestDiffIsUnifiedWithThreeLinesOfContext(t *testing.T) {
	old := "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nm\nn\n"
	new := "a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\nM\nn\no\n"
	var b bytes.Buffer
	if err := UnifiedDiff(&b, "conf/api.conf", []byte(old), []byte(new)); err != nil {
		t.Fatal(err)
	}
	want := `--- a/conf/api.conf
+++ b/conf/api.conf
@@ -1,5 +1,5 @@
 a
-b
+B
 c
 d
 e
@@ -10,5 +10,6 @@
 j
 k
 l
-m
+M
 n
+o
`
	if b.String() != want {
		t.Errorf("diff:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestDiffMarksAMissingFinalNewline(t *testing.T) {
	var b bytes.Buffer
	_ = UnifiedDiff(&b, "x", []byte("a\nb\nc"), []byte("a\nB\nc"))
	want := "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n\\ No newline at end of file\n"
	if b.String() != want {
		t.Errorf("diff:\n%q\nwant:\n%q", b.String(), want)
	}
}

func TestUnsafeRemediesWaitForFixUnsafe(t *testing.T) {
	conf := `server {
    listen 443 ssl;
    server_name api.example.com;
    location / {
        add_header Access-Control-Allow-Origin "http://app.example.com" always;
    }
}
`
	path := writeConf(t, "api.conf", conf, 0o644)
	opts := Options{Spellers: map[string]SpellFunc{"nginx": lineSpeller}}
	_, p := plan(t, path, opts)
	if len(p.Files) != 0 {
		t.Fatalf("an unsafe remedy was applied without --fix-unsafe: %s", p.Files[0].New)
	}
	if !leftWith(p, "CG107", "--fix-unsafe") {
		t.Errorf("left: %+v", p.Left)
	}
	opts.Unsafe = true
	_, p = plan(t, path, opts)
	if len(p.Files) != 1 || !strings.Contains(string(p.Files[0].New), `"https://app.example.com"`) {
		t.Fatalf("with --fix-unsafe: %+v", p.Left)
	}
}

func TestAFixThatBringsANewFindingIsLeftAlone(t *testing.T) {
	path := writeConf(t, "api.conf", dottedMap, 0o644)
	// A speller that gets the value wrong: the new pattern accepts any
	// origin, which the re-lint reports (CG101).
	bad := func(p string, src []byte, r rules.Remedy) ([]rules.Edit, error) {
		if r.Kind == rules.ReplaceValue && r.Old != "86400" {
			r.New = "."
		}
		return lineSpeller(p, src, r)
	}
	_, p := plan(t, path, Options{Spellers: map[string]SpellFunc{"nginx": bad}})
	if len(p.Files) != 0 {
		t.Fatalf("the file was fixed despite a failed proof:\n%s", p.Files[0].New)
	}
	if !leftWith(p, "CG105", "re-lint proof failed") || !leftWith(p, "CG209", "re-lint proof failed") {
		t.Errorf("left: %+v", p.Left)
	}
}

func TestOverlappingDifferentEditsKeepTheFirst(t *testing.T) {
	a := rules.Edit{Start: 4, End: 9, New: "x"}
	for _, c := range []struct {
		b    rules.Edit
		want bool
	}{
		{rules.Edit{Start: 8, End: 12, New: "y"}, true},
		{rules.Edit{Start: 9, End: 12, New: "y"}, false}, // adjacent
		{rules.Edit{Start: 6, End: 6, New: "y"}, true},   // insertion inside
		{rules.Edit{Start: 9, End: 9, New: "y"}, false},  // insertion at the end
	} {
		if got := overlaps(a, c.b); got != c.want {
			t.Errorf("overlaps(%+v, %+v) = %v", a, c.b, got)
		}
	}
	if !overlaps(rules.Edit{Start: 3, End: 3, New: "a"}, rules.Edit{Start: 3, End: 3, New: "b"}) {
		t.Error("two insertions at one offset must conflict (their order would be a guess)")
	}
	fs := []rules.Finding{{RuleID: "CG105", Remedy: &rules.Remedy{Summary: "one"}}, {RuleID: "CG107", Remedy: &rules.Remedy{Summary: "two"}}}
	reasons := map[int]string{}
	kept, within := merge([]candidate{
		{finding: 0, file: "f", edits: []rules.Edit{a}},
		{finding: 1, file: "f", edits: []rules.Edit{{Start: 5, End: 7, New: "z"}}},
		{finding: 1, file: "f", edits: []rules.Edit{a}},
	}, fs, reasons)
	if len(kept) != 2 || !strings.Contains(reasons[1], "overlaps the fix of CG105") || within[1] != 0 {
		t.Errorf("kept %d, reasons %v, within %v", len(kept), reasons, within)
	}
}

func TestStandardInputIsNeverRewritten(t *testing.T) {
	opts := Options{Spellers: map[string]SpellFunc{"nginx": lineSpeller}}
	opts.Lint.Stdin = strings.NewReader(dottedMap)
	opts.Lint.StdinFilename = "api.conf"
	res, err := lint.LintPaths([]string{"-"}, opts.Lint)
	if err != nil {
		t.Fatal(err)
	}
	p := Compute(res, opts)
	if len(p.Files) != 0 || !leftWith(p, "CG105", "standard input") {
		t.Errorf("files %d, left %+v", len(p.Files), p.Left)
	}
}

func leftWith(p *Plan, rule, reason string) bool {
	for _, l := range p.Left {
		if l.Finding.RuleID == rule && strings.Contains(l.Reason, reason) {
			return true
		}
	}
	return false
}

func TestEditRangesAreLinesAndColumns(t *testing.T) {
	src := []byte("ab\ncd\r\nef")
	ls := indexLines(src)
	for _, c := range []struct {
		start, end int
		want       rules.Range
	}{
		{0, 0, rules.Range{File: "f", Line: 1, Col: 1, EndLine: 1, EndCol: 1}},
		{1, 4, rules.Range{File: "f", Line: 1, Col: 2, EndLine: 2, EndCol: 2}},
		{7, 9, rules.Range{File: "f", Line: 3, Col: 1, EndLine: 3, EndCol: 3}},
	} {
		if got := ls.rangeOf("f", c.start, c.end); got != c.want {
			t.Errorf("rangeOf(%d, %d) = %+v, want %+v", c.start, c.end, got, c.want)
		}
	}
}

func TestAFailingUnsafeFixDoesNotTakeTheSafeOnesDown(t *testing.T) {
	conf := `server {
    listen 443 ssl;
    server_name api.example.com;
    location / {
        add_header Access-Control-Allow-Origin "http://legacy.example.com" always;
        add_header Access-Control-Max-Age 86400 always;
    }
}
`
	path := writeConf(t, "api.conf", conf, 0o644)
	// Under this trust, https://legacy.example.com is no better than its
	// http twin: the unsafe CG107 fix brings a CG112 and fails its proof.
	opts := Options{Unsafe: true, Spellers: map[string]SpellFunc{"nginx": lineSpeller}}
	opts.Lint.Rules.TrustedOrigins = []string{"https://app.example.com"}
	_, p := plan(t, path, opts)
	if len(p.Files) != 1 {
		t.Fatalf("files %d, left %+v", len(p.Files), p.Left)
	}
	want := strings.Replace(conf, "Max-Age 86400", "Max-Age 7200", 1)
	if string(p.Files[0].New) != want {
		t.Errorf("fixed:\n%s\nwant:\n%s", p.Files[0].New, want)
	}
	if !leftWith(p, "CG107", "re-lint proof failed") {
		t.Errorf("left: %+v", p.Left)
	}
}

func TestASpentBudgetLeavesTheRestWithThatReason(t *testing.T) {
	path := writeConf(t, "api.conf", dottedMap, 0o644)
	opts := Options{Budget: time.Nanosecond, Spellers: map[string]SpellFunc{"nginx": func(path string, src []byte, r rules.Remedy) ([]rules.Edit, error) {
		time.Sleep(time.Millisecond) // the budget runs out during the first remedy
		return lineSpeller(path, src, r)
	}}}
	_, p := plan(t, path, opts)
	if len(p.Fixed) > 1 {
		t.Fatalf("fixed %v past a spent budget", p.Fixed)
	}
	found := false
	for _, l := range p.Left {
		if strings.Contains(l.Reason, "fix budget of 1ns ran out") {
			found = true
		}
	}
	if !found {
		t.Errorf("no finding says the budget ran out: %+v", p.Left)
	}
}
