package lint

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/corsguard/corsguard/lint/source"
	"github.com/corsguard/corsguard/rules"
)

// sourceCache holds the files findings point into, read once, with an
// index of where each line starts: a large configuration has tens of
// thousands of findings, and each looks at its line and the one above.
type sourceCache struct {
	mu    sync.Mutex
	files map[string]*sourceFile
}

type sourceFile struct {
	data   []byte
	starts []int // offset of each line's first byte
}

func newSourceCache() *sourceCache { return &sourceCache{files: map[string]*sourceFile{}} }

func (c *sourceCache) file(name string) *sourceFile {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f, ok := c.files[name]; ok {
		return f
	}
	f := &sourceFile{}
	if data, err := source.Read(name); err == nil {
		f.index(data)
	}
	c.files[name] = f
	return f
}

// put records contents that cannot be read again (standard input).
func (c *sourceCache) put(name string, data []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f := &sourceFile{}
	f.index(data)
	c.files[name] = f
}

func (f *sourceFile) index(data []byte) {
	f.data = data
	f.starts = make([]int, 0, bytes.Count(data, []byte{'\n'})+1)
	for off := 0; off < len(data); {
		f.starts = append(f.starts, off)
		i := bytes.IndexByte(data[off:], '\n')
		if i < 0 {
			break
		}
		off += i + 1
	}
}

// lineBytes returns line n (1-based) without its line ending; it shares
// the cached file's memory.
func (c *sourceCache) lineBytes(name string, n int) ([]byte, bool) {
	f := c.file(name)
	if n < 1 || n > len(f.starts) {
		return nil, false
	}
	start, end := f.starts[n-1], len(f.data)
	if n < len(f.starts) {
		end = f.starts[n] - 1
	}
	return bytes.TrimSuffix(f.data[start:end], []byte{'\r'}), true
}

func (c *sourceCache) line(name string, n int) (string, bool) {
	b, ok := c.lineBytes(name, n)
	return string(b), ok
}

// ignoreMarker starts an inline suppression:
//
//	# corsguard:ignore CG105[,CG401] reason…
//
// In HCL files (.tf, .tf.json, .hcl) the comment may also start with // or
// be a /* … */ block on one line, as tflint accepts.
const ignoreMarker = "corsguard:ignore"

// inlineSuppression is one `corsguard:ignore` comment.
type inlineSuppression struct {
	ids    []string
	reason string
	line   int
}

// hclStyleComments reports whether a file takes //- and /* */-comments.
func hclStyleComments(file string) bool {
	return strings.HasSuffix(file, ".tf") || strings.HasSuffix(file, ".tf.json") || strings.HasSuffix(file, ".hcl")
}

// parseIgnore reads the suppression comment on a line, if there is one:
// a comment opener, optional blanks, the marker, blanks, then rule IDs
// (or *) separated by commas, then the reason.
func parseIgnore(line string, hclStyle bool) (ids []string, reason string, ok bool) {
	at := strings.Index(line, ignoreMarker)
	if at < 0 {
		return nil, "", false
	}
	before := strings.TrimRight(line[:at], " \t")
	block := hclStyle && strings.HasSuffix(before, "/*")
	opener := strings.HasSuffix(before, "#") || block || hclStyle && strings.HasSuffix(before, "//")
	if !opener {
		return nil, "", false
	}
	rest := line[at+len(ignoreMarker):]
	if rest == "" || (rest[0] != ' ' && rest[0] != '\t') {
		return nil, "", false
	}
	if block {
		end := strings.Index(rest, "*/")
		if end < 0 {
			return nil, "", false
		}
		rest = rest[:end]
	}
	rest = strings.TrimLeft(rest, " \t")
	for {
		n := strings.IndexFunc(rest, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
		if n < 0 {
			n = len(rest)
		}
		if n == 0 {
			break
		}
		ids = append(ids, rest[:n])
		rest = strings.TrimLeft(rest[n:], " \t")
		if !strings.HasPrefix(rest, ",") {
			break
		}
		rest = strings.TrimLeft(rest[1:], " \t")
	}
	if len(ids) == 0 {
		return nil, "", false
	}
	return ids, strings.TrimSpace(rest), true
}

// suppressionAt finds a suppression comment for ruleID on the finding's
// line or the line above.
func (c *sourceCache) suppressionAt(file string, line int, ruleID string) (*inlineSuppression, bool) {
	for _, n := range []int{line, line - 1} {
		raw, ok := c.lineBytes(file, n)
		if !ok || !bytes.Contains(raw, []byte(ignoreMarker)) {
			continue
		}
		ids, reason, ok := parseIgnore(string(raw), hclStyleComments(file))
		if !ok {
			continue
		}
		for _, id := range ids {
			if id == ruleID || id == "*" {
				return &inlineSuppression{ids: ids, reason: reason, line: n}, true
			}
		}
	}
	return nil, false
}

// checkSuppressionComments reports every inline suppression in the linted
// files that names something other than a corsguard rule ID or `*`: a
// typo would otherwise suppress nothing without a word, as an unknown ID
// given to --disable or in the policy file is an error too.
func checkSuppressionComments(res *Result) {
	files := append([]string(nil), res.Files...)
	for _, f := range res.Findings {
		files = append(files, f.Range.File)
	}
	seen := map[string]bool{}
	for _, name := range files {
		if seen[name] {
			continue
		}
		seen[name] = true
		data := res.sources.file(name).data
		if !bytes.Contains(data, []byte(ignoreMarker)) {
			continue
		}
		hclStyle := hclStyleComments(name)
		for n, line := range bytes.Split(data, []byte("\n")) {
			if !bytes.Contains(line, []byte(ignoreMarker)) {
				continue
			}
			ids, _, ok := parseIgnore(string(line), hclStyle)
			if !ok {
				continue
			}
			for _, id := range ids {
				if id == "*" {
					continue
				}
				if r, err := rules.Lookup(id); err != nil || r.ID != id {
					res.Errors = append(res.Errors, rules.Errorf(rules.Range{File: name, Line: n + 1},
						"corsguard:ignore names %q, which is not a corsguard rule ID (such as CG105; `corsguard rules` lists them)", id))
				}
			}
		}
	}
}

// applySettings fills columns, applies rule settings and suppressions.
func applySettings(res *Result, opts Options) {
	checkSuppressionComments(res)
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
	text, ok := r.sources.lineBytes(f.Range.File, f.Range.Line)
	if !ok {
		return
	}
	col := len(text) - len(bytes.TrimLeft(text, " \t")) + 1
	f.Range.Col = col
}
