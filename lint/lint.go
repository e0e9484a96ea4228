package lint

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/corsguard/corsguard/rules"
)

// MaxFileSize is the largest configuration file corsguard reads.
const MaxFileSize = 10 << 20

// headSize is how much of a file format detection looks at.
const headSize = 8 << 10

// Options are the user's settings for one lint run.
type Options struct {
	Rules rules.Options
	// Disabled rule IDs are not reported.
	Disabled map[string]bool
	// SeverityOverride replaces a rule's severity.
	SeverityOverride map[string]rules.Severity
	// Exclude maps a rule ID ("*" for all) to path globs it does not apply to.
	Exclude map[string][]string
	// Suppressions from the policy file, beside inline comments.
	Suppressions []Suppression
	// Jobs bounds parallel parsing; 0 means GOMAXPROCS.
	Jobs int
}

// Suppression silences one rule for a path (glob) and optionally a line.
type Suppression struct {
	RuleID string
	Path   string // doublestar glob, relative paths as given on the command line
	Line   int    // 0: the whole file
	Reason string
}

// Result is everything one lint run found.
type Result struct {
	Findings   []rules.Finding    `json:"findings"`
	Suppressed []SuppressedResult `json:"suppressed,omitempty"`
	Errors     []rules.Diagnostic `json:"errors,omitempty"`
	Policies   []rules.Policy     `json:"-"`
	// Files are the entry files linted (includes are not listed).
	Files []string `json:"files"`
	// Formats counts entry files per format.
	Formats map[string]int `json:"formats"`
	sources *sourceCache
}

// SuppressedResult is a finding that a suppression silenced, kept for the record.
type SuppressedResult struct {
	Finding rules.Finding `json:"finding"`
	Reason  string        `json:"reason"`
}

// Source returns one line of a linted file (1-based), for snippets.
func (r *Result) Source(file string, line int) (string, bool) {
	if r.sources == nil {
		return "", false
	}
	return r.sources.line(file, line)
}

// Count returns how many findings are at or above a severity.
func (r *Result) Count(min rules.Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity >= min {
			n++
		}
	}
	return n
}

// entry is one file to lint with its detected format.
type entry struct {
	path   string
	format *Format
}

// LintPaths lints files, directories (recursively; `dir/...` too) and globs.
// It returns an error only for a usage problem (a path that does not exist
// and is not a glob); problems in the input files are Result.Errors.
func LintPaths(paths []string, opts Options) (*Result, error) {
	res := &Result{Formats: map[string]int{}, sources: newSourceCache()}
	entries, err := collect(paths, res)
	if err != nil {
		return nil, err
	}
	parsed := parseAll(entries, opts.Jobs)

	// A file included by another entry was linted in its including
	// context; linting it alone too would report its facts twice, out of
	// context (an add_header snippet alone knows nothing of its location).
	includedBy := map[string]string{}
	for _, p := range parsed {
		for _, f := range p.result.Files {
			if f != p.entry.path {
				includedBy[f] = p.entry.path
			}
		}
	}
	type findingKey struct {
		rule    string
		at      rules.Range
		message string
	}
	total := 0
	for _, p := range parsed {
		total += len(p.result.Policies)
	}
	res.Policies = make([]rules.Policy, 0, total)
	res.Findings = make([]rules.Finding, 0, 2*total+16) // about two findings per policy in dense configs
	seen := make(map[findingKey]bool, total)
	checker := rules.NewChecker(opts.Rules)
	for _, p := range parsed {
		if parent, ok := includedBy[p.entry.path]; ok && !includes(parsed, p.entry.path, parent) {
			continue
		}
		res.Files = append(res.Files, p.entry.path)
		res.Formats[p.entry.format.Name]++
		res.Errors = append(res.Errors, p.result.Diagnostics...)
		for i := range p.result.Policies {
			pol := &p.result.Policies[i]
			res.Policies = append(res.Policies, *pol)
			before := len(res.Findings)
			var diags []rules.Diagnostic
			res.Findings, diags = checker.AppendCheck(res.Findings, pol)
			res.Errors = append(res.Errors, diags...)
			// A snippet included in several places can give the same
			// finding more than once: keep the first.
			kept := res.Findings[:before]
			for _, f := range res.Findings[before:] {
				key := findingKey{f.RuleID, f.Range, f.Message}
				if !seen[key] {
					seen[key] = true
					kept = append(kept, f)
				}
			}
			res.Findings = kept
		}
	}
	applySettings(res, opts)
	sortFindings(res.Findings)
	sort.SliceStable(res.Errors, func(i, j int) bool {
		a, b := res.Errors[i].Range, res.Errors[j].Range
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	res.Errors = dedupDiagnostics(res.Errors)
	return res, nil
}

// includes tells whether the entry `parent` is itself included by `child`
// (an include loop): then both are kept rather than both dropped.
func includes(parsed []parsedEntry, child, parent string) bool {
	for _, p := range parsed {
		if p.entry.path != child {
			continue
		}
		for _, f := range p.result.Files {
			if f == parent {
				return true
			}
		}
	}
	return false
}

type parsedEntry struct {
	entry  entry
	result rules.ParseResult
}

// parseAll parses entries in parallel, keeping the input order.
func parseAll(entries []entry, jobs int) []parsedEntry {
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	out := make([]parsedEntry, len(entries))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = parsedEntry{entry: entries[i], result: parseOne(entries[i])}
			}
		}()
	}
	for i := range entries {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// parseOne runs a front end, turning a panic (a bug in a front end) into a
// diagnostic: one broken file must never take the run down.
func parseOne(e entry) (res rules.ParseResult) {
	defer func() {
		if r := recover(); r != nil {
			res = rules.ParseResult{
				Files:       []string{e.path},
				Diagnostics: []rules.Diagnostic{rules.Errorf(rules.Range{File: e.path, Line: 1}, "internal error in the %s parser: %v (please report this file)", e.format.Name, r)},
			}
		}
	}()
	res = e.format.Parse(e.path)
	for i, f := range res.Files {
		res.Files[i] = filepath.Clean(f)
	}
	return res
}

// collect expands the command-line paths into entry files with formats.
func collect(paths []string, res *Result) ([]entry, error) {
	var out []entry
	added := map[string]bool{}
	add := func(path string, explicit bool) {
		path = filepath.Clean(path)
		if added[path] {
			return
		}
		added[path] = true
		f, diag := detect(path)
		switch {
		case diag != nil:
			res.Errors = append(res.Errors, *diag)
		case f != nil:
			out = append(out, entry{path: path, format: f})
		case explicit:
			res.Errors = append(res.Errors, rules.Errorf(rules.Range{File: path, Line: 1}, "not a recognised nginx, Apache httpd or HCL configuration"))
		}
	}
	for _, arg := range paths {
		recursive := strings.HasSuffix(arg, "/...") || arg == "..."
		if recursive {
			arg = strings.TrimSuffix(strings.TrimSuffix(arg, "..."), "/")
			if arg == "" {
				arg = "."
			}
		}
		info, err := os.Stat(arg)
		switch {
		case err == nil && info.IsDir():
			if err := walkDir(arg, func(p string) { add(p, false) }); err != nil {
				res.Errors = append(res.Errors, rules.Errorf(rules.Range{File: arg}, "%v", err))
			}
		case err == nil:
			add(arg, true)
		case hasGlobMeta(arg):
			matches, gerr := doublestar.FilepathGlob(arg)
			if gerr != nil {
				return nil, fmt.Errorf("bad pattern %q: %w", arg, gerr)
			}
			if len(matches) == 0 {
				return nil, fmt.Errorf("%s: no files match", arg)
			}
			for _, m := range matches {
				if st, err := os.Stat(m); err == nil && !st.IsDir() {
					add(m, false)
				}
			}
		default:
			return nil, fmt.Errorf("%s: %w", arg, unwrapPathError(err))
		}
	}
	return out, nil
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

func hasGlobMeta(s string) bool { return strings.ContainsAny(s, "*?[{") }

// walkDir visits the regular files under dir in lexical order, skipping
// version-control and hidden directories and files that are documentation
// or test expectations rather than configuration.
func walkDir(dir string, visit func(string)) error {
	return filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != dir && (strings.HasPrefix(name, ".") && name != "." || name == "node_modules" || name == "testdata" && p != dir) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || skipByName(name) {
			return nil
		}
		visit(p)
		return nil
	})
}

// skipByName leaves out files that are never configuration.
func skipByName(name string) bool {
	if name == ".htaccess" {
		return false
	}
	if strings.HasPrefix(name, ".") {
		return true
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".md", ".txt", ".json", ".golden", ".go", ".sarif", ".png", ".svg", ".yml", ".yaml", ".sh":
		return !strings.HasSuffix(name, ".tf.json")
	}
	return false
}

// detect picks the format for one file; it reads only the head.
func detect(path string) (*Format, *rules.Diagnostic) {
	fh, err := os.Open(path)
	if err != nil {
		d := rules.Errorf(rules.Range{File: path, Line: 1}, "cannot read: %v", unwrapPathError(err))
		return nil, &d
	}
	defer func() { _ = fh.Close() }()
	st, err := fh.Stat()
	if err != nil {
		d := rules.Errorf(rules.Range{File: path, Line: 1}, "cannot read: %v", err)
		return nil, &d
	}
	if st.Size() > MaxFileSize {
		d := rules.Errorf(rules.Range{File: path, Line: 1}, "file is %d MB, larger than the %d MB limit", st.Size()>>20, MaxFileSize>>20)
		return nil, &d
	}
	head := make([]byte, headSize)
	n, err := io.ReadFull(fh, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		d := rules.Errorf(rules.Range{File: path, Line: 1}, "cannot read: %v", err)
		return nil, &d
	}
	head = head[:n]
	if bytes.IndexByte(head, 0) >= 0 {
		if looksLikeConfigName(path) {
			d := rules.Errorf(rules.Range{File: path, Line: 1}, "binary file (NUL byte at offset %d), not a configuration", bytes.IndexByte(head, 0))
			return nil, &d
		}
		return nil, nil
	}
	for i := range Formats {
		if Formats[i].Detect(path, head) {
			return &Formats[i], nil
		}
	}
	return nil, nil
}

// looksLikeConfigName tells whether a file's name promises a configuration,
// so that a binary file there is an error rather than something to skip.
func looksLikeConfigName(path string) bool {
	base := filepath.Base(path)
	ext := filepath.Ext(base)
	return ext == ".conf" || ext == ".tf" || ext == ".hcl" || base == ".htaccess" || base == "nginx.conf"
}

func sortFindings(fs []rules.Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Range.File != b.Range.File {
			return a.Range.File < b.Range.File
		}
		if a.Range.Line != b.Range.Line {
			return a.Range.Line < b.Range.Line
		}
		return a.RuleID < b.RuleID
	})
}

func dedupDiagnostics(ds []rules.Diagnostic) []rules.Diagnostic {
	seen := map[string]bool{}
	out := ds[:0]
	for _, d := range ds {
		k := d.Error()
		if !seen[k] {
			seen[k] = true
			out = append(out, d)
		}
	}
	return out
}
