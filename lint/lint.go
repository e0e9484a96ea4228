package lint

import (
	"bytes"
	"io"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/corsguard/corsguard/lint/source"
	"github.com/corsguard/corsguard/rules"
)

// MaxFileSize is the largest configuration file corsguard reads.
const MaxFileSize = source.MaxFileSize

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
	// Jobs bounds parallel parsing and checking; 0 means GOMAXPROCS.
	Jobs int
	// ExcludePaths are files and directories not to lint: a bare name
	// (`vendor`, `*.bak`) at any depth, or an absolute doublestar glob
	// (see AnchorExclude).
	ExcludePaths []string
	// StrictIncludes makes an include whose target is missing an error;
	// by default it is a warning and the file is linted without it.
	StrictIncludes bool
	// SkipUnknown skips a file named explicitly that is of no known format
	// (listed with the skipped files) instead of reporting an error:
	// pre-commit passes every staged file its pattern matches.
	SkipUnknown bool
	// Stdin is read for the argument "-"; StdinFilename is the name it is
	// linted and reported under (it picks the format; includes resolve
	// from its directory). Empty: "<stdin>", and the content decides.
	Stdin         io.Reader
	StdinFilename string
	// Checker, when set, runs the rules instead of a new one made from
	// Rules: lint/fix's proof re-lints with the run's checker, so that the
	// witness searches of the corrected patterns, already made when their
	// remedies were derived, are not made again. It must have been made
	// from the same Rules.
	Checker *rules.Checker
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
	// Warnings are includes that were not found (linted without them);
	// they do not change the exit status.
	Warnings []rules.Diagnostic `json:"warnings,omitempty"`
	// Skipped are files found but not linted (no known format, not a
	// regular file, a second path to a file already linted...), with why.
	Skipped  []Skip         `json:"skipped,omitempty"`
	Policies []rules.Policy `json:"-"`
	// Files are the entry files linted (includes are not listed).
	Files []string `json:"files"`
	// Formats counts entry files per format.
	Formats map[string]int `json:"formats"`
	// Reads lists, per entry file, every file its parse read (itself and
	// its includes or module siblings), as cleaned paths: lint/fix re-lints
	// the entries a fixed file belongs to.
	Reads map[string][]string `json:"-"`
	// Checker is the checker the run used (see Options.Checker).
	Checker *rules.Checker `json:"-"`
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

// LintPaths lints files, directories (recursively; `dir/...` too), globs
// and standard input ("-"). It returns an error only for a usage problem
// (a path that does not exist and is not a glob); problems in the input
// files are Result.Errors, and files it did not lint are Result.Skipped.
func LintPaths(paths []string, opts Options) (*Result, error) {
	res := &Result{Formats: map[string]int{}, Reads: map[string][]string{}, sources: newSourceCache()}
	cands, roots, err := collect(paths, opts, res)
	if err != nil {
		return nil, err
	}
	for _, c := range cands {
		if c.isStdin {
			res.sources.put(c.path, c.stdin)
		}
	}
	parsed := parseAll(cands, opts.Jobs, opts.SkipUnknown)

	// A file included by another entry was linted in its including
	// context; linting it alone too would report its facts twice, out of
	// context (an add_header snippet alone knows nothing of its location).
	// Files are compared by identity: sites-enabled/x includes the same
	// file as sites-available/x.
	includedBy := map[string]string{}
	ids := make(map[string]string, len(parsed)) // path -> identity, for included files
	for _, p := range parsed {
		ids[p.cand.path] = p.cand.id
	}
	for i := range parsed {
		p := &parsed[i]
		if p.format == nil {
			continue
		}
		p.id = p.cand.id
		for _, f := range p.result.Files {
			fid, ok := ids[f]
			if !ok {
				fid = identity(f)
				ids[f] = fid
			}
			p.reads = append(p.reads, fid)
			if f != p.cand.path && fid != p.id {
				includedBy[fid] = p.id
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
	checker := opts.Checker
	if checker == nil {
		checker = rules.NewChecker(opts.Rules)
	}
	res.Checker = checker
	linted := make([]int, len(roots))
	troubled := make([]int, len(roots))
	checks := make([]policyCheck, 0, total)
	for _, p := range parsed {
		switch {
		case p.err != nil:
			res.Errors = append(res.Errors, *p.err)
			troubled[p.cand.root]++
			continue
		case p.skip != "":
			res.Skipped = append(res.Skipped, Skip{Path: p.cand.path, Kind: p.skipKind, Reason: p.skip})
			continue
		}
		linted[p.cand.root]++
		if parent, ok := includedBy[p.id]; ok && !includes(parsed, p.id, parent) {
			continue
		}
		res.Files = append(res.Files, p.cand.path)
		res.Reads[p.cand.path] = p.result.Files
		res.Formats[p.format.Name]++
		res.Errors = append(res.Errors, p.result.Diagnostics...)
		if opts.StrictIncludes {
			res.Errors = append(res.Errors, p.result.Warnings...)
		} else {
			res.Warnings = append(res.Warnings, p.result.Warnings...)
		}
		for i := range p.result.Policies {
			res.Policies = append(res.Policies, p.result.Policies[i])
			checks = append(checks, policyCheck{policy: &p.result.Policies[i]})
		}
	}
	checkAll(checker, checks, opts.Jobs)
	for _, c := range checks {
		res.Errors = append(res.Errors, c.diags...)
		// A snippet included in several places can give the same
		// finding more than once: keep the first.
		for _, f := range c.findings {
			key := findingKey{f.RuleID, f.Range, f.Message}
			if !seen[key] {
				seen[key] = true
				res.Findings = append(res.Findings, f)
			}
		}
	}
	// A directory or glob that yields no configuration at all is not a
	// clean result: nothing was checked.
	for i, r := range roots {
		if r.many && linted[i] == 0 && troubled[i]+r.errs == 0 {
			res.Errors = append(res.Errors, rules.Errorf(rules.Range{File: r.arg}, "no nginx, Apache or HCL configuration found under %s", r.arg))
		}
	}
	applySettings(res, opts)
	sortFindings(res.Findings)
	sortDiagnostics(res.Errors)
	res.Errors = dedupDiagnostics(res.Errors)
	sort.SliceStable(res.Skipped, func(i, j int) bool { return res.Skipped[i].Path < res.Skipped[j].Path })
	sortDiagnostics(res.Warnings)
	res.Warnings = dedupDiagnostics(res.Warnings)
	return res, nil
}

func sortDiagnostics(ds []rules.Diagnostic) {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i].Range, ds[j].Range
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
}

// includes tells whether the entry `parent` is itself included by `child`
// (an include loop): then both are kept rather than both dropped.
func includes(parsed []parsedEntry, child, parent string) bool {
	for _, p := range parsed {
		if p.id != child {
			continue
		}
		for _, f := range p.reads {
			if f == parent {
				return true
			}
		}
	}
	return false
}

// parsedEntry is one candidate after reading: a format and its parse, a
// skip, or an error.
type parsedEntry struct {
	cand     candidate
	format   *Format
	result   rules.ParseResult
	skip     string // why it was not linted
	skipKind SkipKind
	err      *rules.Diagnostic // why it could not be linted
	id       string            // identity of the entry file
	reads    []string          // identities of every file the parse read
}

// parseAll reads, detects and parses candidates in parallel, keeping the
// input order. Each file is read once; its bytes serve detection and
// parsing, so that only jobs files are held in memory at a time.
func parseAll(cands []candidate, jobs int, skipUnknown bool) []parsedEntry {
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	out := make([]parsedEntry, len(cands))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < jobs; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = loadOne(cands[i], skipUnknown)
			}
		}()
	}
	for i := range cands {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// loadOne reads one candidate, decides its format and parses it.
func loadOne(c candidate, skipUnknown bool) parsedEntry {
	pe := parsedEntry{cand: c}
	fail := func(format string, args ...any) parsedEntry {
		d := rules.Errorf(rules.Range{File: c.path, Line: 1}, format, args...)
		pe.err = &d
		return pe
	}
	data := c.stdin
	if !c.isStdin {
		var err error
		data, err = source.Read(c.path)
		switch {
		case err == nil:
		case source.IsKind(err, source.TooBig):
			// Files too big to be configurations (dumps, archives without
			// an extension) are skipped by content before the size check.
			head, herr := source.Head(c.path, headSize)
			if herr == nil && detect(c.path, head) == nil && !looksLikeConfigName(c.path) {
				pe.skip, pe.skipKind = "larger than the 10 MB limit and not recognisable as configuration", SkipTooBig
				return pe
			}
			return fail("%s", source.Reason(err))
		case source.IsKind(err, source.NotRegular), source.IsKind(err, source.Missing):
			if c.explicit {
				return fail("%s%s", source.Reason(err), pipeHint(err))
			}
			pe.skip, pe.skipKind = source.Reason(err), SkipNotRegular
			return pe
		default:
			return fail("%s", source.Reason(err))
		}
	}
	if i := bytes.IndexByte(data[:min(len(data), headSize)], 0); i >= 0 {
		if c.isStdin || looksLikeConfigName(c.path) {
			return fail("binary file (NUL byte at offset %d), not a configuration", i)
		}
		pe.skip, pe.skipKind = "binary file", SkipBinary
		return pe
	}
	pe.format = detect(c.path, data)
	if pe.format == nil {
		if c.isStdin {
			return fail("standard input is not a recognised nginx, Apache httpd or HCL configuration; name it with --stdin-filename (nginx.conf, .htaccess, main.tf...)")
		}
		if c.explicit && !skipUnknown {
			return fail("not a recognised nginx, Apache httpd or HCL configuration (--skip-unknown skips such files with a notice)")
		}
		pe.skip, pe.skipKind = "not a recognised nginx, Apache httpd or HCL configuration", SkipUnknown
		return pe
	}
	pe.result = parseOne(pe.format, c.path, data)
	return pe
}

// pipeHint tells a user who passed a pipe (`lint <(cat api.conf)`) what
// works instead.
func pipeHint(err error) string {
	if source.IsKind(err, source.NotRegular) && !strings.Contains(err.Error(), "directory") {
		return "; to lint a stream, pipe it to `corsguard lint -` (--stdin-filename NAME picks the format)"
	}
	return ""
}

// parseOne runs a front end, turning a panic (a bug in a front end) into a
// diagnostic: one broken file must never take the run down.
func parseOne(f *Format, path string, data []byte) (res rules.ParseResult) {
	defer func() {
		if r := recover(); r != nil {
			res = rules.ParseResult{
				Files:       []string{path},
				Diagnostics: []rules.Diagnostic{rules.Errorf(rules.Range{File: path, Line: 1}, "internal error in the %s parser: %v (please report this file)", f.Name, r)},
			}
		}
	}()
	if data == nil {
		data = []byte{} // nil asks the front end to read the file
	}
	res = f.Parse(path, data)
	for i, p := range res.Files {
		res.Files[i] = filepath.Clean(p)
	}
	return res
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

// policyCheck is one policy's check and what it found.
type policyCheck struct {
	policy   *rules.Policy
	findings []rules.Finding
	diags    []rules.Diagnostic
}

// checkAll runs the checker on every policy, on up to jobs goroutines (0:
// GOMAXPROCS). The checker is safe for concurrent use and analyses each
// origin pattern once whichever policy asks first, so a config of many
// distinct regexes spreads their analyses over the cores; the results are
// merged afterwards in policy order, so the output does not depend on
// scheduling.
func checkAll(checker *rules.Checker, checks []policyCheck, jobs int) {
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	jobs = min(jobs, len(checks))
	if jobs <= 1 {
		for i := range checks {
			checks[i].findings, checks[i].diags = checker.AppendCheck(nil, checks[i].policy)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range jobs {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(checks) {
					return
				}
				checks[i].findings, checks[i].diags = checker.AppendCheck(nil, checks[i].policy)
			}
		})
	}
	wg.Wait()
}
