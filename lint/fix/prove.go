package fix

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/corsguard/corsguard/lint"
	"github.com/corsguard/corsguard/lint/source"
	"github.com/corsguard/corsguard/rules"
)

// maxRounds bounds the proof: each round re-lints the affected entries
// once; a file that fails is dropped (or first retried without its unsafe
// fixes) and the rest proved again, in case a dropped file was what a kept
// one relied on.
const maxRounds = 3

// prove re-lints the entries the fixed files belong to, with the fixed
// contents, and keeps the files whose fixes hold: every fixed finding is
// gone and no finding or error appears that was not there before. The
// fixes of a file that fails are left with the reason.
// A file whose unsafe fixes (--fix-unsafe) come with safe ones is first
// retried with the safe ones alone: an unsafe fix changes who may read,
// which the re-lint often reports (a removed origin leaves a preflight
// without Allow-Origin), and should not take the safe fixes down with it.
// The candidates still applied and the lint result of the last round are
// returned with the files (nil when no file is left).
func prove(res *lint.Result, opts Options, files map[string]*File, accepted []candidate, reasons map[int]string) (map[string]*File, []candidate, *lint.Result) {
	fail := func(c candidate, why string) {
		reasons[c.finding] = "left alone, the re-lint proof failed: " + why
	}
	drop := func(path, why string) {
		delete(files, path)
		for _, c := range accepted {
			if c.file == path {
				fail(c, why)
			}
		}
	}
	// withoutUnsafe rebuilds a failed file from its safe fixes; false when
	// it has none or only safe ones.
	withoutUnsafe := func(path, why string) bool {
		var safe, unsafeOnes, rest []candidate
		for _, c := range accepted {
			switch {
			case c.file != path:
				rest = append(rest, c)
			case res.Findings[c.finding].Remedy.Unsafe:
				unsafeOnes = append(unsafeOnes, c)
			default:
				safe = append(safe, c)
			}
		}
		if len(safe) == 0 || len(unsafeOnes) == 0 {
			return false
		}
		for _, c := range unsafeOnes {
			fail(c, why)
		}
		old := files[path].Old
		rebuilt := apply(safe, map[string][]byte{path: old})
		files[path] = rebuilt[path]
		accepted = append(rest, safe...)
		return true
	}
	for round := 0; len(files) > 0; round++ {
		failed, after := proveOnce(res, opts, files, accepted)
		if len(failed) == 0 {
			return files, accepted, after
		}
		for path, why := range failed {
			if round == maxRounds-1 || !withoutUnsafe(path, why) {
				drop(path, why)
			}
		}
		if round == maxRounds-1 {
			for path := range files {
				drop(path, fmt.Sprintf("still failing after %d rounds with other files dropped", maxRounds))
			}
		}
	}
	return files, accepted, nil
}

// findingKey identifies a finding across a fix, which moves lines: rule,
// file, scope and message with file:line positions removed.
type findingKey struct{ rule, file, scope, message string }

// withoutPositions removes every ":line" and ":line:col" that follows a
// non-space character ("nginx.conf:12:5 " becomes "nginx.conf "): what
// the regular expression `(\S):\d+(?::\d+)?` replaced by its group does,
// by one scan (the expression, run over every finding's scope and
// message, was a fifth of planning the fixes for `lint --format json` on
// a config of thousands of findings). TestWithoutPositionsIsTheRegexp
// and FuzzWithoutPositions hold it to the expression.
func withoutPositions(s string) string {
	if !strings.Contains(s, ":") {
		return s
	}
	var b strings.Builder
	from := 0 // s[from:i] is copied as it is
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isRE2Space(r) {
			if end := colonDigits(s, i+size); end > i+size {
				if end2 := colonDigits(s, end); end2 > end {
					end = end2
				}
				if b.Len() == 0 {
					b.Grow(len(s))
				}
				b.WriteString(s[from : i+size])
				i, from = end, end
				continue
			}
		}
		i += size
	}
	if from == 0 {
		return s
	}
	b.WriteString(s[from:])
	return b.String()
}

// colonDigits is the end of ":" and one or more ASCII digits at s[i:], or
// i when there are none.
func colonDigits(s string, i int) int {
	if i >= len(s) || s[i] != ':' {
		return i
	}
	j := i + 1
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j == i+1 {
		return i
	}
	return j
}

// isRE2Space is RE2's \s: [\t\n\f\r ].
func isRE2Space(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\f' || r == '\r'
}

func keyOf(f rules.Finding, renames map[string]*strings.Replacer) findingKey {
	msg := f.Message
	if r, ok := renames[filepath.Clean(f.Range.File)]; ok {
		msg = r.Replace(msg)
	}
	return findingKey{f.RuleID, filepath.Clean(f.Range.File), withoutPositions(f.Scope), withoutPositions(msg)}
}

// renamesOf says, per file, how the fixes among fixed rewrite values: a
// pattern a fix rewrote is quoted in the messages of the findings that
// stay on it (CG108 on a pattern whose dots were escaped), which are
// compared under the new text. Per file: the same pattern elsewhere is
// not rewritten.
func renamesOf(fs []rules.Finding, fixed []int) map[string]*strings.Replacer {
	pairs := map[string][]string{}
	for _, i := range fixed {
		if r := fs[i].Remedy; r != nil && r.Kind == rules.ReplaceValue && r.Old != "" {
			file := filepath.Clean(r.At.Range.File)
			pairs[file] = append(pairs[file], `"`+r.Old+`"`, `"`+r.New+`"`)
		}
	}
	out := make(map[string]*strings.Replacer, len(pairs))
	for file, p := range pairs {
		out[file] = strings.NewReplacer(p...)
	}
	return out
}

func diagKey(d rules.Diagnostic) string {
	return filepath.Clean(d.Range.File) + "\x00" + withoutPositions(d.Message)
}

// proveOnce re-lints once and returns, per fixed file that fails, why,
// and the re-lint's result.
func proveOnce(res *lint.Result, opts Options, files map[string]*File, accepted []candidate) (map[string]string, *lint.Result) {
	changed := map[string]bool{}
	overlay := map[string][]byte{}
	for path, f := range files {
		changed[filepath.Clean(path)] = true
		overlay[path] = f.New
	}
	live := liveCandidates(accepted, files)
	// The entries to lint again: those that read a changed file or one a
	// fixed finding is reported in.
	touched := map[string]bool{}
	for k := range changed {
		touched[k] = true
	}
	for _, c := range live {
		touched[filepath.Clean(res.Findings[c.finding].Range.File)] = true
	}
	var entries []string
	scope := map[string]bool{} // every file those entries read
	for entry, reads := range res.Reads {
		if isStdin(entry, opts.Lint) || !readsAny(reads, touched) {
			continue
		}
		entries = append(entries, entry)
		for _, r := range reads {
			scope[filepath.Clean(r)] = true
		}
	}
	sort.Strings(entries)
	failed := map[string]string{}
	if len(entries) == 0 {
		for path := range files {
			failed[path] = "no linted entry file reads it"
		}
		return failed, nil
	}
	var after *lint.Result
	var err error
	lopts := opts.Lint
	lopts.Stdin, lopts.StdinFilename = nil, ""
	lopts.Checker = res.Checker // the corrected patterns were searched when their remedies were derived
	source.WithOverlay(overlay, func() { after, err = lint.LintPaths(entries, lopts) })
	if err != nil {
		for path := range files {
			failed[path] = err.Error()
		}
		return failed, nil
	}
	idx := make([]int, len(live))
	for i, c := range live {
		idx[i] = c.finding
	}
	renames := renamesOf(res.Findings, idx)
	before, gone := map[findingKey]int{}, map[findingKey]int{}
	owners := map[findingKey][]string{}
	for _, f := range res.Findings {
		if scope[filepath.Clean(f.Range.File)] {
			before[keyOf(f, renames)]++
		}
	}
	for _, c := range live {
		k := keyOf(res.Findings[c.finding], renames)
		gone[k]++
		owners[k] = append(owners[k], c.file)
	}
	now := map[findingKey]int{}
	var newOnes []rules.Finding
	for _, f := range after.Findings {
		k := keyOf(f, nil)
		now[k]++
		if now[k] > before[k] {
			newOnes = append(newOnes, f)
		}
	}
	for k, n := range gone {
		if now[k] > before[k]-n && now[k] <= before[k] {
			for _, path := range owners[k] {
				failed[path] = fmt.Sprintf("%s is still reported after the fix", k.rule)
			}
		}
	}
	for _, f := range newOnes {
		for _, path := range blame(f.Range.File, changed, after) {
			failed[path] = fmt.Sprintf("the fixed file gets a new finding: %s %s", f.RuleID, f.Message)
		}
	}
	oldErrs := map[string]bool{}
	for _, d := range res.Errors {
		oldErrs[diagKey(d)] = true
	}
	for _, d := range after.Errors {
		if !oldErrs[diagKey(d)] {
			for _, path := range blame(d.Range.File, changed, after) {
				failed[path] = "the fixed file gets an error: " + d.Error()
			}
		}
	}
	for path := range failed {
		if _, ok := files[path]; !ok {
			delete(failed, path)
		}
	}
	return failed, after
}

// liveCandidates are the accepted candidates whose file is still fixed.
func liveCandidates(accepted []candidate, files map[string]*File) []candidate {
	var out []candidate
	for _, c := range accepted {
		if _, ok := files[c.file]; ok {
			out = append(out, c)
		}
	}
	return out
}

func readsAny(reads []string, set map[string]bool) bool {
	for _, r := range reads {
		if set[filepath.Clean(r)] {
			return true
		}
	}
	return false
}

// blame names the fixed files a new finding or error in file can come
// from: that file itself when it was fixed, else every fixed file linted
// together with it.
func blame(file string, changed map[string]bool, after *lint.Result) []string {
	file = filepath.Clean(file)
	if changed[file] {
		return []string{file}
	}
	set := map[string]bool{}
	for _, reads := range after.Reads {
		if !readsAny(reads, map[string]bool{file: true}) {
			continue
		}
		for _, r := range reads {
			if changed[filepath.Clean(r)] {
				set[filepath.Clean(r)] = true
			}
		}
	}
	if len(set) == 0 { // an error without a file: every fixed file is suspect
		set = changed
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
