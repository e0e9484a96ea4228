package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/corsguard/corsguard/lint"
	"github.com/corsguard/corsguard/lint/fix"
	"github.com/corsguard/corsguard/rules"
)

// fixFlags are lint's --fix, --diff and --fix-unsafe.
type fixFlags struct {
	fix    bool
	diff   bool
	unsafe bool
}

func (fl *fixFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&fl.fix, "fix", false, "rewrite the files with the mechanical fixes, each proved by linting the result again (written atomically, only when something changes); the findings that remain decide the exit status")
	f.BoolVar(&fl.diff, "diff", false, "print the fixes as a unified diff on stdout (or --output), and the findings left unfixed with the reason on stderr; never writes the configuration")
	f.BoolVar(&fl.unsafe, "fix-unsafe", false, "with --fix or --diff, also apply the fixes that decide who may read (drop credentials, remove an origin, drop plain http)")
}

func (fl *fixFlags) check() error {
	switch {
	case fl.fix && fl.diff:
		return usageErr("--fix writes and --diff only shows: choose one")
	case fl.unsafe && !fl.fix && !fl.diff:
		return usageErr("--fix-unsafe goes with --fix or --diff")
	}
	return nil
}

// planFixes spells and proves the remedies of a run; the findings it can
// fix get their Edits (the reports show them). Nil when no finding has a
// remedy.
func planFixes(res *lint.Result, opts lint.Options, fl fixFlags) *fix.Plan {
	for _, f := range res.Findings {
		if f.Remedy != nil {
			return fix.Compute(res, fix.Options{Unsafe: fl.unsafe, Lint: opts})
		}
	}
	return nil
}

// writeDiff prints the plan as a unified diff (stdout, or --output: it can
// be piped to `git apply`) and what it leaves, with why, on stderr.
func writeDiff(cmd *cobra.Command, plan *fix.Plan, res *lint.Result, output string) error {
	if plan == nil {
		plan = &fix.Plan{}
		for _, f := range res.Findings {
			plan.Left = append(plan.Left, fix.Left{Finding: f, Reason: "no mechanical fix: " + f.Fix})
		}
	}
	out := cmd.OutOrStdout()
	if output != "" {
		fh, err := os.Create(output)
		if err != nil {
			return &exitCodeError{code: exitError, err: err}
		}
		defer func() { _ = fh.Close() }()
		out = fh
	}
	for _, f := range plan.Files {
		if err := fix.UnifiedDiff(out, f.Path, f.Old, f.New); err != nil {
			return &exitCodeError{code: exitError, err: err}
		}
	}
	w := cmd.ErrOrStderr()
	fmt.Fprintf(w, "corsguard: %d finding(s) fixable in %d file(s) with --fix; %d left\n", len(plan.Fixed), len(plan.Files), len(plan.Left))
	writeLeft(w, plan.Left, false)
	return nil
}

// fixSummary says what --fix did: `fixed N finding(s) in M file(s); K
// left`, then why each finding that had a remedy is still there.
func fixSummary(w io.Writer, plan *fix.Plan, remaining []rules.Finding) {
	fixed, files := 0, 0
	if plan != nil {
		fixed, files = len(plan.Fixed), len(plan.Files)
	}
	fmt.Fprintf(w, "corsguard: fixed %d finding(s) in %d file(s); %d left\n", fixed, files, len(remaining))
	if plan != nil {
		writeLeft(w, plan.Left, true)
	} else if len(remaining) > 0 {
		fmt.Fprintf(w, "  %d finding(s) without a mechanical fix: the report says what to change\n", len(remaining))
	}
}

// writeLeft lists findings left unfixed with the reason; onlyRemedied
// lists those that had a mechanical remedy and counts the others (their
// advice is in the report that follows).
func writeLeft(w io.Writer, left []fix.Left, onlyRemedied bool) {
	sort.SliceStable(left, func(i, j int) bool {
		a, b := left[i].Finding.Range, left[j].Finding.Range
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	manual := 0
	for _, l := range left {
		if onlyRemedied && l.Finding.Remedy == nil {
			manual++
			continue
		}
		fmt.Fprintf(w, "  %s: %s not fixed: %s\n", l.Finding.Range, l.Finding.RuleID, strings.TrimSpace(l.Reason))
	}
	if manual > 0 {
		fmt.Fprintf(w, "  %d finding(s) without a mechanical fix: the report says what to change\n", manual)
	}
}
