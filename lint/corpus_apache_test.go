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
// Consecutive want-next comments all apply to the first line after them.
var (
	wantNextComment = regexp.MustCompile(`^\s*#\s*want-next\s+(.*)$`)
	// trailingWant is a same-line `# want` as the nginx corpus writes it:
	// in an httpd file it is either an argument or a comment naming its own
	// line, and both are mistakes.
	trailingWant = regexp.MustCompile(`#\s*want\s`)
)

// readWantNext collects the `# want-next` expectations of every file under
// dir, each bound to the line that follows its block of want-next comments.
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
			if trailingWant.MatchString(text) {
				t.Errorf("%s:%d: write `# want-next` on the line above: httpd has no trailing comments", p, n)
			}
			m := wantNextComment.FindStringSubmatch(text)
			if m == nil {
				for i := range pending {
					pending[i].line = n
				}
				out = append(out, pending...)
				pending = pending[:0]
				continue
			}
			items := wantItem.FindAllStringSubmatch(m[1], -1)
			if len(items) == 0 {
				t.Errorf("%s:%d: malformed want-next comment %q", p, n, m[0])
			}
			for _, it := range items {
				w := want{file: filepath.Clean(p), ruleID: it[1], raw: it[0]}
				if it[2] != "" {
					re, err := regexp.Compile(strings.ReplaceAll(it[2], `\"`, `"`))
					if err != nil {
						t.Errorf("%s:%d: bad want-next regexp: %v", p, n, err)
						continue
					}
					w.re = re
				}
				pending = append(pending, w)
			}
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
