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

	"github.com/corsguard/corsguard/rules"
)

// want is one expected finding, written in the corpus file itself on the
// line the finding must point at, in the style of go/analysis tests:
//
//	"~^https://app\.example\.com" $http_origin;  # want CG103 "app\.example\.com\.evil\.test"
//
// Each rule ID may be followed by a quoted regular expression that must
// match the finding's message or witness. A file without `want` comments
// must produce no finding at all.
type want struct {
	file   string
	line   int
	ruleID string
	re     *regexp.Regexp
	raw    string
}

var (
	wantComment = regexp.MustCompile(`#\s*want\s+(.*)$`)
	wantItem    = regexp.MustCompile(`(CG\d{3})(?:\s+"((?:[^"\\]|\\.)*)")?`)
)

// readWants collects the `# want` expectations of every file under dir.
func readWants(t *testing.T, dir string) []want {
	t.Helper()
	var out []want
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fh, err := os.Open(p)
		if err != nil {
			return err
		}
		defer func() { _ = fh.Close() }()
		sc := bufio.NewScanner(fh)
		for n := 1; sc.Scan(); n++ {
			m := wantComment.FindStringSubmatch(sc.Text())
			if m == nil {
				continue
			}
			items := wantItem.FindAllStringSubmatch(m[1], -1)
			if len(items) == 0 {
				t.Errorf("%s:%d: malformed want comment %q", p, n, m[0])
			}
			for _, it := range items {
				w := want{file: filepath.Clean(p), line: n, ruleID: it[1], raw: it[0]}
				if it[2] != "" {
					re, err := regexp.Compile(strings.ReplaceAll(it[2], `\"`, `"`))
					if err != nil {
						t.Errorf("%s:%d: bad want regexp: %v", p, n, err)
						continue
					}
					w.re = re
				}
				out = append(out, w)
			}
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (w want) matches(f rules.Finding) bool {
	if filepath.Clean(f.Range.File) != w.file || f.Range.Line != w.line || f.RuleID != w.ruleID {
		return false
	}
	return w.re == nil || w.re.MatchString(f.Message) || w.re.MatchString(f.Witness)
}

// checkCorpus lints dir as a user would (`corsguard lint dir`) and compares
// every finding with the want comments.
func checkCorpus(t *testing.T, dir string) *Result {
	t.Helper()
	res, err := LintPaths([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Errors {
		t.Errorf("unexpected input error: %s", d.Error())
	}
	wants := readWants(t, dir)
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

func TestCorpusNginx(t *testing.T) {
	res := checkCorpus(t, filepath.Join("..", "corpus", "nginx"))
	if n := res.Formats["nginx"]; n < 40 {
		t.Errorf("corpus/nginx has %d entry configs, want at least 40", n)
	}
}
