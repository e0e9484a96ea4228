package fix

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/corsguard/corsguard/lint"
	"github.com/corsguard/corsguard/lint/source"
	"github.com/corsguard/corsguard/rules"
)

// SpellFunc is a front end's speller (lint.Format.Spell).
type SpellFunc func(path string, src []byte, r rules.Remedy) ([]rules.Edit, error)

// Options say which remedies are applied and how the proof re-lints.
type Options struct {
	// Unsafe applies remedies that decide who may read (Remedy.Unsafe);
	// without it they are left, with their summary as the reason.
	Unsafe bool
	// Lint are the options of the run whose findings are fixed: the proof
	// lints the fixed contents with the same ones.
	Lint lint.Options
	// Spellers replace lint.Formats' spellers by format name (nginx,
	// apache, hcl), for tests of this package.
	Spellers map[string]SpellFunc
	// Budget bounds the time spent spelling remedies (0: DefaultBudget).
	// A speller re-reads a large file for its first remedy and some keep
	// costing per remedy (hclwrite formats the whole file), so thousands
	// of remedies in one large file could take minutes; past the budget
	// the remaining findings are left with that reason, never silently.
	Budget time.Duration
}

// DefaultBudget is the spelling budget of a run.
const DefaultBudget = 30 * time.Second

// File is one file the plan changes.
type File struct {
	Path  string
	Old   []byte
	New   []byte
	Edits []rules.Edit // sorted by offset, ranges filled in
}

// Left is a finding that the plan does not fix, and why.
type Left struct {
	Finding rules.Finding
	Reason  string
}

// Plan is what --fix writes and --diff shows: the changed files, proved.
type Plan struct {
	Files []File
	// Fixed are the indexes, in the result's Findings, of the findings the
	// plan removes; their Edits are filled in.
	Fixed []int
	// FixedBy maps a finding fixed by another finding's edits (they
	// overlapped its own, and removed it too) to that finding.
	FixedBy map[int]int
	// Left are findings with a remedy that the plan does not apply, and
	// findings without one (reason: the rule's advice needs a person).
	Left []Left
}

// candidate is one finding's remedy spelled as edits of one file.
type candidate struct {
	finding int
	file    string
	edits   []rules.Edit
}

// Compute spells, merges and proves the remedies of res's findings. The
// findings of res get their Edits when their fix is part of the plan. res
// must come from lint.LintPaths with opts.Lint.
func Compute(res *lint.Result, opts Options) *Plan {
	p := &Plan{}
	srcs := map[string][]byte{}
	lines := map[string]lineStarts{}
	reasons := map[int]string{}
	var cands []candidate
	order := make([]int, 0, len(res.Findings))
	for i := range res.Findings {
		order = append(order, i)
	}
	// An unsafe remedy rewrites the same token as the safe one on the same
	// pattern and includes it; with --fix-unsafe it goes first.
	sort.SliceStable(order, func(a, b int) bool {
		return opts.Unsafe && unsafe(res.Findings[order[a]]) && !unsafe(res.Findings[order[b]])
	})
	budget := opts.Budget
	if budget <= 0 {
		budget = DefaultBudget
	}
	deadline := time.Now().Add(budget)
	for _, i := range order {
		f := &res.Findings[i]
		if f.Remedy == nil {
			continue
		}
		if time.Now().After(deadline) {
			reasons[i] = fmt.Sprintf("not spelled: the fix budget of %s ran out (lint fewer files at a time to fix the rest)", budget)
			continue
		}
		c, why := spell(f, opts, srcs, lines)
		if why != "" {
			reasons[i] = why
			continue
		}
		c.finding = i
		cands = append(cands, c)
	}
	accepted, within := merge(cands, res.Findings, reasons)
	files := apply(accepted, srcs)
	files, accepted, after := prove(res, opts, files, accepted, reasons)
	byFinding := map[int]candidate{}
	for _, c := range accepted {
		if _, ok := files[c.file]; ok {
			res.Findings[c.finding].Edits = c.edits
			p.Fixed = append(p.Fixed, c.finding)
			byFinding[c.finding] = c
		}
	}
	p.FixedBy = subsumed(res, within, byFinding, after, reasons)
	for i := range p.FixedBy {
		p.Fixed = append(p.Fixed, i)
	}
	sort.Ints(p.Fixed)
	for path, f := range files {
		f.Path = path
		p.Files = append(p.Files, *f)
	}
	sort.Slice(p.Files, func(a, b int) bool { return p.Files[a].Path < p.Files[b].Path })
	fixed := map[int]bool{}
	for _, i := range p.Fixed {
		fixed[i] = true
	}
	for i, f := range res.Findings {
		if fixed[i] {
			continue
		}
		why := reasons[i]
		if why == "" {
			why = "no mechanical fix: " + f.Fix
		}
		p.Left = append(p.Left, Left{Finding: f, Reason: why})
	}
	return p
}

// isStdin tells whether a path names standard input in this run: it is
// linted, never rewritten.
func isStdin(path string, o lint.Options) bool {
	if path == "<stdin>" || path == lint.StdinArg {
		return true
	}
	return o.Stdin != nil && o.StdinFilename != "" && filepath.Clean(path) == filepath.Clean(o.StdinFilename)
}

func unsafe(f rules.Finding) bool { return f.Remedy != nil && f.Remedy.Unsafe }

// spell turns one finding's remedy into edits, or says why not.
func spell(f *rules.Finding, opts Options, srcs map[string][]byte, lines map[string]lineStarts) (candidate, string) {
	r := *f.Remedy
	if r.Unsafe && !opts.Unsafe {
		return candidate{}, "unsafe, applied only with --fix-unsafe: " + r.Summary
	}
	path := r.At.Range.File
	if path == "" {
		return candidate{}, "unsure: the remedy names no file: " + r.Summary
	}
	if isStdin(path, opts.Lint) {
		return candidate{}, "standard input is not rewritten: " + r.Summary
	}
	path = filepath.Clean(path)
	sp := spellerFor(r.Format, opts)
	if sp == nil {
		return candidate{}, fmt.Sprintf("no %s speller: %s", r.Format, r.Summary)
	}
	src, ok := srcs[path]
	if !ok {
		var err error
		if src, err = source.Read(path); err != nil {
			return candidate{}, "cannot read the file to fix: " + source.Reason(err)
		}
		srcs[path] = src
		lines[path] = indexLines(src)
	}
	edits, err := callSpeller(sp, path, src, r)
	if err != nil {
		return candidate{}, "unsure: " + err.Error()
	}
	if len(edits) == 0 {
		return candidate{}, "unsure: the speller found nothing to change"
	}
	for k := range edits {
		e := &edits[k]
		if e.File == "" {
			e.File = path
		}
		if filepath.Clean(e.File) != filepath.Clean(path) || e.Start < 0 || e.Start > e.End || e.End > len(src) {
			return candidate{}, fmt.Sprintf("unsure: the %s speller returned an edit outside %s", r.Format, path)
		}
		e.File = path
		e.Range = lines[path].rangeOf(path, e.Start, e.End)
	}
	sort.SliceStable(edits, func(a, b int) bool { return editBefore(edits[a], edits[b]) })
	return candidate{file: path, edits: edits}, ""
}

// callSpeller runs a speller, turning a panic (a bug in a front end) into
// an unsure fix: one file must never take the run down.
func callSpeller(sp SpellFunc, path string, src []byte, r rules.Remedy) (edits []rules.Edit, err error) {
	defer func() {
		if v := recover(); v != nil {
			edits, err = nil, fmt.Errorf("internal error in the %s speller: %v (please report this file)", r.Format, v)
		}
	}()
	return sp(path, src, r)
}

// spellerFor finds the speller of a policy format: Terraform, Nomad and
// Consul policies are all spelled by the HCL front end.
func spellerFor(format string, opts Options) SpellFunc {
	name := format
	if format != "nginx" && format != "apache" {
		name = "hcl"
	}
	if sp, ok := opts.Spellers[name]; ok {
		return sp
	}
	for _, f := range lint.Formats {
		if f.Name == name && f.Spell != nil {
			return f.Spell
		}
	}
	return nil
}

// merge keeps, per file, the candidates whose edits do not overlap an
// edit already kept, unless they are the same edit. A candidate is kept or
// left as a whole. Kept edits are held sorted by offset, so that each new
// edit is compared with its neighbours only. within maps a candidate left
// for an overlap to the finding whose kept edit it overlaps.
func merge(cands []candidate, fs []rules.Finding, reasons map[int]string) (out []candidate, within map[int]int) {
	within = map[int]int{}
	kept := map[string][]keptEdit{}
	for _, c := range cands {
		ks := kept[c.file]
		conflict := ""
		for _, e := range c.edits {
			if k, ok := clash(ks, e); ok {
				g := fs[k.finding]
				conflict = fmt.Sprintf("unsure: overlaps the fix of %s at %s (%s)", g.RuleID, g.Range, g.Remedy.Summary)
				within[c.finding] = k.finding
				break
			}
		}
		// Two edits of one candidate never conflict with each other: the
		// speller made them together.
		if conflict != "" {
			reasons[c.finding] = conflict
			continue
		}
		for _, e := range c.edits {
			i := sort.Search(len(ks), func(i int) bool { return !editBefore(ks[i].edit, e) })
			if i < len(ks) && sameEdit(ks[i].edit, e) {
				continue
			}
			ks = append(ks, keptEdit{})
			copy(ks[i+1:], ks[i:])
			ks[i] = keptEdit{edit: e, finding: c.finding}
		}
		kept[c.file] = ks
		out = append(out, c)
	}
	return out, within
}

// subsumed are the findings left for an overlap that the overlapping fix
// removed anyway (the https-only pattern of --fix-unsafe also escapes the
// dots the CG105 fix would have): they are fixed by that fix's edits when
// the proof's re-lint no longer reports them.
func subsumed(res *lint.Result, within map[int]int, fixed map[int]candidate, after *lint.Result, reasons map[int]string) map[int]int {
	out := map[int]int{}
	if after == nil {
		return out
	}
	idx := make([]int, 0, len(fixed))
	for i := range fixed {
		idx = append(idx, i)
	}
	renames := renamesOf(res.Findings, idx)
	now := map[findingKey]bool{}
	for _, f := range after.Findings {
		now[keyOf(f, nil)] = true
	}
	for i, by := range within {
		c, ok := fixed[by]
		if !ok || now[keyOf(res.Findings[i], renames)] {
			continue
		}
		res.Findings[i].Edits = c.edits
		delete(reasons, i)
		out[i] = by
	}
	return out
}

// editBefore orders edits by offset, insertions before replacements that
// start at the same offset.
func editBefore(a, b rules.Edit) bool {
	if a.Start != b.Start {
		return a.Start < b.Start
	}
	if a.End != b.End {
		return a.End < b.End
	}
	return a.New < b.New
}

// clash finds a kept edit that overlaps e and is not the same edit. The
// kept edits do not overlap one another, so only those around e's offset
// can.
func clash(ks []keptEdit, e rules.Edit) (keptEdit, bool) {
	i := sort.Search(len(ks), func(i int) bool { return ks[i].edit.Start >= e.Start })
	for j := i - 1; j >= 0 && ks[j].edit.End >= e.Start; j-- {
		if !sameEdit(ks[j].edit, e) && overlaps(ks[j].edit, e) {
			return ks[j], true
		}
		if ks[j].edit.Start < ks[j].edit.End && ks[j].edit.End <= e.Start {
			break
		}
	}
	for j := i; j < len(ks) && (ks[j].edit.Start < e.End || ks[j].edit.Start == e.Start); j++ {
		if !sameEdit(ks[j].edit, e) && overlaps(ks[j].edit, e) {
			return ks[j], true
		}
	}
	return keptEdit{}, false
}

type keptEdit struct {
	edit    rules.Edit
	finding int
}

func sameEdit(a, b rules.Edit) bool { return a.Start == b.Start && a.End == b.End && a.New == b.New }

// overlaps tells whether two different edits touch the same bytes; two
// insertions at one offset overlap too (their order would be a guess).
func overlaps(a, b rules.Edit) bool {
	if a.Start == a.End && b.Start == b.End {
		return a.Start == b.Start
	}
	if a.Start == a.End {
		return b.Start < a.Start && a.Start < b.End
	}
	if b.Start == b.End {
		return a.Start < b.Start && b.Start < a.End
	}
	return a.Start < b.End && b.Start < a.End
}

// apply builds the new contents of every file the candidates edit.
func apply(cands []candidate, srcs map[string][]byte) map[string]*File {
	type span struct {
		start, end int
		text       string
	}
	edits := map[string][]rules.Edit{}
	seen := map[string]map[span]bool{}
	for _, c := range cands {
		if seen[c.file] == nil {
			seen[c.file] = map[span]bool{}
		}
		for _, e := range c.edits {
			if k := (span{e.Start, e.End, e.New}); !seen[c.file][k] {
				seen[c.file][k] = true
				edits[c.file] = append(edits[c.file], e)
			}
		}
	}
	out := map[string]*File{}
	for path, es := range edits {
		out[path] = build(path, srcs[path], es)
	}
	return out
}

func build(path string, src []byte, es []rules.Edit) *File {
	sort.SliceStable(es, func(a, b int) bool { return editBefore(es[a], es[b]) })
	var b strings.Builder
	b.Grow(len(src))
	at := 0
	for _, e := range es {
		b.Write(src[at:e.Start])
		b.WriteString(e.New)
		at = e.End
	}
	b.Write(src[at:])
	return &File{Path: path, Old: src, New: []byte(b.String()), Edits: es}
}

// lineStarts indexes a file's lines once, for the ranges of all its edits.
type lineStarts []int

func indexLines(src []byte) lineStarts {
	starts := lineStarts{0}
	for i, ch := range src {
		if ch == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// rangeOf gives a byte span in lines and columns (1-based, columns in
// bytes, EndCol exclusive).
func (ls lineStarts) rangeOf(path string, start, end int) rules.Range {
	pos := func(off int) (int, int) {
		l := sort.Search(len(ls), func(i int) bool { return ls[i] > off }) // lines starting at or before off
		return l, off - ls[l-1] + 1
	}
	l1, c1 := pos(start)
	l2, c2 := pos(end)
	return rules.Range{File: path, Line: l1, Col: c1, EndLine: l2, EndCol: c2}
}
