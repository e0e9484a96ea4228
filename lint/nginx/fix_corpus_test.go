//go:build unix

package nginx

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// corpusDirs are the nginx corpora: hand-made cases and configurations
// modelled on public material.
var corpusDirs = []string{"../../corpus/nginx", "../../corpus/realworld/nginx"}

// TestSpellOnTheCorpus spells, in every corpus file the front end reads
// without a diagnostic, a remedy of every kind at every header, pattern,
// origin and preflight its policies cite (as FuzzSpell does), applies the
// edits of each kind together (an edit overlapping an earlier one is left
// out, as lint/fix does) and requires: the fixed file parses without a
// diagnostic, and when the real `nginx -t` accepts the file as it is, it
// accepts every fixed version too. Refusals are counted by reason.
func TestSpellOnTheCorpus(t *testing.T) {
	// Every fixed version of every file gets its own nginx -t (about
	// 600 runs, some 45 CPU-seconds): left out with -short.
	bin := ""
	if p, err := findNginx(); err == nil && !testing.Short() {
		bin = p
	}
	var unchecked []string
	var files []string
	for _, dir := range corpusDirs {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".conf") {
				files = append(files, p)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	edited, refused, checked, runs := map[string]int{}, map[string]int{}, 0, 0
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			t.Fatal(err)
		}
		src, err := os.ReadFile(abs)
		if err != nil {
			t.Fatal(err)
		}
		res := ParseSource(abs, src)
		if len(res.Diagnostics) > 0 {
			continue
		}
		byKind := map[rules.RemedyKind][]rules.Edit{}
		for _, r := range fuzzRemedies(res.Policies, abs) {
			es, err := Spell(abs, src, r)
			if err != nil {
				refused[r.Kind.String()+": "+refusal(err)]++
				continue
			}
			edited[r.Kind.String()]++
			byKind[r.Kind] = append(byKind[r.Kind], es...)
		}
		ctx := fileContext(string(src))
		before := false
		if bin != "" {
			out := nginxAccepts(t, bin, ctx, string(src))
			before = out == ""
			if i := strings.Index(out, "[emerg]"); i >= 0 {
				// Files that need what a test cannot give (other files,
				// modules, upstream hosts): not checked with nginx -t.
				why := strings.SplitN(out[i:], "\n", 2)[0]
				if j := strings.Index(why, ": "); j >= 0 {
					why = why[j+2:]
				}
				if j := strings.Index(why, " in /"); j >= 0 {
					why = why[:j]
				}
				unchecked = append(unchecked, filepath.Base(f)+": "+why)
			}
		}
		if before {
			checked++
		}
		for kind, es := range byKind {
			fixed := applyNonOverlapping(string(src), es)
			if d := diagnostics(ParseSource(abs, []byte(fixed))); len(d) > 0 {
				t.Errorf("%s: %s edits: the fixed file does not parse: %v", f, kind, d)
			}
			if before {
				runs++
				if out := nginxAccepts(t, bin, ctx, fixed); out != "" {
					t.Errorf("%s: %s edits: nginx -t accepts the file but not its fixed version:\n%s\n%s", f, kind, out, fixed)
				}
			}
		}
	}
	t.Logf("%d corpus files, %d accepted by nginx -t as they are; %d nginx -t runs on fixed versions", len(files), checked, runs)
	t.Logf("not checked with nginx -t (%d):\n%s", len(unchecked), strings.Join(unchecked, "\n"))
	t.Logf("remedies spelled, by kind: %v", edited)
	var reasons []string
	for r, n := range refused {
		reasons = append(reasons, strings.Repeat(" ", 5-len(itoa(n)))+itoa(n)+" "+r)
	}
	sort.Strings(reasons)
	t.Logf("refused, by reason:\n%s", strings.Join(reasons, "\n"))
}

// refusal is an error without its file:line prefix and quoted directive,
// to count refusals by reason.
func refusal(err error) string {
	s := err.Error()
	if i := strings.Index(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	if i := strings.Index(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	if strings.HasPrefix(s, `"`) {
		if i := strings.Index(s[1:], `" `); i >= 0 {
			s = "<directive>" + s[i+2:]
		}
	}
	if i := strings.Index(s, "line "); i >= 0 && i < 3 {
		s = "line N" + strings.TrimLeft(s[i+5:], "0123456789")
	}
	return s
}

// applyNonOverlapping applies edits in order of offset the way lint/fix
// merges them: an edit identical to one taken counts once (a directive
// several policies cite), one overlapping an edit taken is left out.
func applyNonOverlapping(src string, edits []rules.Edit) string {
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].Start < edits[j].Start })
	var b strings.Builder
	last := 0
	var prev *rules.Edit
	for i, e := range edits {
		if e.Start < last || prev != nil && e == *prev {
			continue
		}
		prev = &edits[i]
		b.WriteString(src[last:e.Start])
		b.WriteString(e.New)
		last = e.End
	}
	b.WriteString(src[last:])
	return b.String()
}

// fileContext tells where a corpus file sits in an nginx.conf from its
// top-level directives.
func fileContext(src string) string {
	t, err := scanFile(src)
	if err != nil {
		return "location"
	}
	ctx := "location"
	for _, d := range t.root.kids {
		switch d.name.val {
		case "http", "events":
			return "main"
		case "server", "map", "upstream", "geo":
			ctx = "http"
		case "location":
			if ctx == "location" {
				ctx = "server"
			}
		}
	}
	return ctx
}
