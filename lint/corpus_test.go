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

// want is one expected finding, written in the corpus file itself in the
// style of go/analysis tests, on the line the finding must point at:
//
//	"~^https://app\.example\.com" $http_origin;  # want CG103 "app\.example\.com\.evil\.test"
//
// Each rule ID may be followed by a quoted regular expression that must
// match the finding's message or witness. A file without wants must produce
// no finding at all.
//
// Formats without trailing comments (httpd reads a `#` after a directive as
// more arguments) write the expectation on a full-line comment above:
//
//	# want-next CG101 "evil\.test"
//	Header always set Access-Control-Allow-Origin "%{Origin}i"
//
// A want-next applies to the first line below it that is not a comment, so
// it can sit above a `# corsguard:ignore` comment. Findings about a comment
// itself (CG001) are wanted on that comment line with a plain `# want`.
type want struct {
	file   string
	line   int
	ruleID string
	re     *regexp.Regexp
	raw    string
}

var (
	wantComment     = regexp.MustCompile(`#\s*want\s+(.*)$`)
	wantNextComment = regexp.MustCompile(`^\s*#\s*want-next\s+(.*)$`)
	commentLine     = regexp.MustCompile(`^\s*#`)
	wantItem        = regexp.MustCompile(`(CG\d{3})(?:\s+"((?:[^"\\]|\\.)*)")?`)
)

// readWants collects the expectations of every file under dir. With
// fullLineOnly, a `# want` trailing a directive is refused (Apache).
func readWants(t *testing.T, dir string, fullLineOnly bool) []want {
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
				if fullLineOnly && !commentLine.MatchString(text) {
					t.Errorf("%s:%d: write `# want-next` on the line above: this format has no trailing comments", p, n)
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

func (w want) matches(f rules.Finding) bool {
	if filepath.Clean(f.Range.File) != w.file || f.Range.Line != w.line || f.RuleID != w.ruleID {
		return false
	}
	return w.re == nil || w.re.MatchString(f.Message) || w.re.MatchString(f.Witness)
}

// checkCorpus lints dir as a user would (`corsguard lint dir`) and compares
// every finding with the want comments.
func checkCorpus(t *testing.T, dir string) *Result { return checkCorpusWants(t, dir, false) }

func checkCorpusWants(t *testing.T, dir string, fullLineOnly bool) *Result {
	t.Helper()
	res, err := LintPaths([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Errors {
		t.Errorf("unexpected input error: %s", d.Error())
	}
	wants := readWants(t, dir, fullLineOnly)
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
