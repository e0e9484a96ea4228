package lint

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/corsguard/corsguard/rules"
)

// sourceCache holds the lines of files findings point into, read once.
type sourceCache struct {
	mu    sync.Mutex
	files map[string][]string
}

func newSourceCache() *sourceCache { return &sourceCache{files: map[string][]string{}} }

func (c *sourceCache) lines(file string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ls, ok := c.files[file]; ok {
		return ls
	}
	var ls []string
	if st, err := os.Stat(file); err == nil && st.Size() <= MaxFileSize {
		if data, err := os.ReadFile(file); err == nil {
			sc := bufio.NewScanner(bytes.NewReader(data))
			sc.Buffer(make([]byte, 64<<10), MaxFileSize)
			for sc.Scan() {
				ls = append(ls, sc.Text())
			}
		}
	}
	c.files[file] = ls
	return ls
}

func (c *sourceCache) line(file string, n int) (string, bool) {
	ls := c.lines(file)
	if n < 1 || n > len(ls) {
		return "", false
	}
	return ls[n-1], true
}

// ignoreComment matches `# corsguard:ignore CG105[,CG401] reason…`.
var ignoreComment = regexp.MustCompile(`#\s*corsguard:ignore\s+((?:CG\d{3}|\*)(?:\s*,\s*(?:CG\d{3}|\*))*)\s*(.*)$`)

// inlineSuppression is one `corsguard:ignore` comment.
type inlineSuppression struct {
	ids    []string
	reason string
	line   int
}

// suppressionAt finds a suppression comment for ruleID on the finding's
// line or the line above.
func (c *sourceCache) suppressionAt(file string, line int, ruleID string) (*inlineSuppression, bool) {
	for _, n := range []int{line, line - 1} {
		text, ok := c.line(file, n)
		if !ok {
			continue
		}
		m := ignoreComment.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		s := &inlineSuppression{reason: strings.TrimSpace(m[2]), line: n}
		for _, id := range strings.Split(m[1], ",") {
			s.ids = append(s.ids, strings.TrimSpace(id))
		}
		for _, id := range s.ids {
			if id == ruleID || id == "*" {
				return s, true
			}
		}
	}
	return nil, false
}

// applySettings fills columns, applies rule settings and suppressions.
func applySettings(res *Result, opts Options) {
	kept := res.Findings[:0]
	unjustified := map[string]bool{}
	var extra []rules.Finding
	for _, f := range res.Findings {
		if opts.Disabled[f.RuleID] || excluded(opts.Exclude, f) {
			continue
		}
		if sev, ok := opts.SeverityOverride[f.RuleID]; ok {
			f.Severity = sev
		}
		res.fillColumn(&f)
		if s, ok := res.sources.suppressionAt(f.Range.File, f.Range.Line, f.RuleID); ok {
			res.Suppressed = append(res.Suppressed, SuppressedResult{Finding: f, Reason: s.reason})
			key := fmt.Sprintf("%s:%d", f.Range.File, s.line)
			if s.reason == "" && !unjustified[key] {
				unjustified[key] = true
				extra = append(extra, unjustifiedFinding(f.Range.File, s.line))
			}
			continue
		}
		if s, ok := policySuppression(opts.Suppressions, f); ok {
			res.Suppressed = append(res.Suppressed, SuppressedResult{Finding: f, Reason: s.Reason})
			continue
		}
		kept = append(kept, f)
	}
	if !opts.Disabled["CG001"] {
		kept = append(kept, extra...)
	}
	res.Findings = kept
}

func unjustifiedFinding(file string, line int) rules.Finding {
	r, _ := rules.Lookup("CG001")
	return rules.Finding{
		RuleID: r.ID, Slug: r.Slug, Severity: r.Severity, Confidence: rules.Certain,
		Message: "suppression comment without a reason: say why the finding is safe to ignore",
		Range:   rules.Range{File: file, Line: line, Col: 1},
		Fix:     r.Fix,
	}
}

func policySuppression(ss []Suppression, f rules.Finding) (Suppression, bool) {
	for _, s := range ss {
		if s.RuleID != f.RuleID && s.RuleID != "*" {
			continue
		}
		if s.Line != 0 && s.Line != f.Range.Line {
			continue
		}
		if s.Path == "" || pathMatches(s.Path, f.Range.File) {
			return s, true
		}
	}
	return Suppression{}, false
}

func excluded(ex map[string][]string, f rules.Finding) bool {
	for _, id := range []string{f.RuleID, "*"} {
		for _, g := range ex[id] {
			if pathMatches(g, f.Range.File) {
				return true
			}
		}
	}
	return false
}

// pathMatches matches a glob against a path as given, and against its
// absolute form (policy-file globs are anchored at the file's directory).
func pathMatches(glob, path string) bool {
	if ok, _ := doublestar.Match(strings.TrimPrefix(glob, "./"), strings.TrimPrefix(path, "./")); ok {
		return true
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	ok, _ := doublestar.Match(glob, abs)
	return ok
}

// fillColumn points the finding at the construct on its line: the pattern
// or value the evidence quotes, else the first non-blank character.
// nginx-go-crossplane gives lines only.
func (r *Result) fillColumn(f *rules.Finding) {
	if f.Range.Col > 0 {
		return
	}
	text, ok := r.sources.line(f.Range.File, f.Range.Line)
	if !ok {
		return
	}
	col := len(text) - len(strings.TrimLeft(text, " \t")) + 1
	f.Range.Col = col
}
