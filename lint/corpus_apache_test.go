package lint

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// httpd only knows comments that start a line: a `# want` after a directive
// would be read as more arguments of that directive (and `Header` refuses
// them at startup). The Apache corpus therefore writes its expectations on
// full-line comments above the line the finding must point at:
//
//	# want-next CG101 "evil\.test"
//	Header always set Access-Control-Allow-Origin "%{Origin}i"
//
// A want-next applies to the first line below it that is not a comment, so
// it can sit above a `# corsguard:ignore` comment, which must stay right
// above its directive. Findings about a comment itself (CG001, a suppression
// without a reason) are wanted on that comment line with a plain `# want`:
//
//	# want CG001 "without a reason" # corsguard:ignore *
//
// A `# want` after a directive is refused: httpd would read it as arguments.
var (
	wantNextComment = regexp.MustCompile(`^\s*#\s*want-next\s+(.*)$`)
	commentLine     = regexp.MustCompile(`^\s*#`)
)

// readWantNext collects the expectations of every file under dir: each
// want-next bound to the next line that is not a comment, each `# want` on
// a comment line bound to that line.
func readWantNext(t *testing.T, dir string) []want {
	t.Helper()
	var out []want
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.EqualFold(d.Name(), "README.md") {
			return err
		}
		fh, err := os.Open(p)
		if err != nil {
			return err
		}
		defer func() { _ = fh.Close() }()
		var pending []want
		sc := bufio.NewScanner(fh)
		n := 0
		for sc.Scan() {
			n++
			text := sc.Text()
			if m := wantNextComment.FindStringSubmatch(text); m != nil {
				pending = append(pending, parseWantItems(t, p, n, m[1])...)
				continue
			}
			if m := wantComment.FindStringSubmatch(text); m != nil {
				if !commentLine.MatchString(text) {
					t.Errorf("%s:%d: write `# want-next` on the line above: httpd has no trailing comments", p, n)
				}
				for _, w := range parseWantItems(t, p, n, m[1]) {
					w.line = n
					out = append(out, w)
				}
			}
			if commentLine.MatchString(text) {
				continue
			}
			for i := range pending {
				pending[i].line = n
			}
			out = append(out, pending...)
			pending = pending[:0]
		}
		if len(pending) > 0 {
			t.Errorf("%s:%d: want-next at the end of the file points at nothing", p, n)
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// parseWantItems reads `CG103 "re" CG105 ...` from a want comment.
func parseWantItems(t *testing.T, file string, line int, text string) []want {
	t.Helper()
	items := wantItem.FindAllStringSubmatch(text, -1)
	if len(items) == 0 {
		t.Errorf("%s:%d: malformed want comment %q", file, line, text)
	}
	var out []want
	for _, it := range items {
		w := want{file: filepath.Clean(file), ruleID: it[1], raw: it[0]}
		if it[2] != "" {
			re, err := regexp.Compile(strings.ReplaceAll(it[2], `\"`, `"`))
			if err != nil {
				t.Errorf("%s:%d: bad want regexp: %v", file, line, err)
				continue
			}
			w.re = re
		}
		out = append(out, w)
	}
	return out
}

// checkCorpusNext is checkCorpus for corpora written with want-next: it
// lints dir as `corsguard lint dir` would and requires every finding to be
// wanted and every want to be found.
func checkCorpusNext(t *testing.T, dir string) *Result {
	t.Helper()
	res, err := LintPaths([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Errors {
		t.Errorf("unexpected input error: %s", d.Error())
	}
	wants := readWantNext(t, dir)
	used := make([]bool, len(wants))
	var unexpected []string
	for _, f := range res.Findings {
		ok := false
		for i, w := range wants {
			if !used[i] && w.matches(f) {
				used[i], ok = true, true
				break
			}
		}
		if !ok {
			unexpected = append(unexpected, fmt.Sprintf("%s: %s %s: %s (witness %q)", f.Range, f.RuleID, f.Slug, f.Message, f.Witness))
		}
	}
	sort.Strings(unexpected)
	for _, u := range unexpected {
		t.Errorf("unexpected finding %s", u)
	}
	for i, w := range wants {
		if !used[i] {
			t.Errorf("%s:%d: missing finding: want %s", w.file, w.line, w.raw)
		}
	}
	return res
}

func TestCorpusApache(t *testing.T) {
	res := checkCorpusNext(t, filepath.Join("..", "corpus", "apache"))
	if n := res.Formats["apache"]; n < 30 {
		t.Errorf("corpus/apache has %d entry configs, want at least 30", n)
	}
	for f, n := range res.Formats {
		if f != "apache" {
			t.Errorf("corpus/apache: %d files detected as %s", n, f)
		}
	}
}
