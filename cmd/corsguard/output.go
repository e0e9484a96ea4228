package main

import (
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/corsguard/corsguard/rules"
	"github.com/corsguard/corsguard/rules/report"
)

// The report formats each command writes. They are checked before any
// work is done and before --output is created, so that a typo neither
// wastes a fuzz run nor truncates the previous report.
var (
	lintFormats = []string{"text", "json", "sarif", "markdown", "junit"}
	fuzzFormats = []string{"text", "json", "sarif", "markdown", "junit", "jsonl"}
)

func checkFormat(format string, valid []string) error {
	if slices.Contains(valid, format) {
		return nil
	}
	return usageErr("--format %q: want %s or %s", format, strings.Join(valid[:len(valid)-1], ", "), valid[len(valid)-1])
}

// reportFlags are the output flags lint and fuzz share beyond --format
// and --output: colour and the baseline.
type reportFlags struct {
	color    string
	baseline string
}

func (r *reportFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&r.color, "color", "auto", "colour the text report: auto (on a terminal, unless NO_COLOR is set or TERM=dumb), always, never")
	f.StringVar(&r.baseline, "baseline", "", "report only findings not in this file (written by 'corsguard baseline', or an earlier --format json or sarif report); only those count for the exit status")
	_ = cmd.RegisterFlagCompletionFunc("color", cobra.FixedCompletions([]string{"auto", "always", "never"}, cobra.ShellCompDirectiveNoFileComp))
}

// useColor decides whether the text report is coloured. --no-color (the
// older flag) and NO_COLOR (https://no-color.org) mean never unless
// --color always is given; auto also needs a terminal that is not dumb.
func (r *reportFlags) useColor(noColor bool, output string) (bool, error) {
	switch r.color {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto":
		return !noColor && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb" &&
			output == "" && isTerminal(os.Stdout), nil
	}
	return false, usageErr("--color %q: want auto, always or never", r.color)
}

// loadBaseline reads --baseline; nil when the flag is not set.
func (r *reportFlags) loadBaseline() (*report.Baseline, error) {
	if r.baseline == "" {
		return nil, nil
	}
	fh, err := os.Open(r.baseline)
	if err != nil {
		return nil, usageErr("--baseline: %w", err)
	}
	defer func() { _ = fh.Close() }()
	// Refuse an oversized file before reading any of it.
	if st, err := fh.Stat(); err == nil && st.Size() > report.MaxBaselineSize {
		return nil, usageErr("--baseline: %s is %d MB, larger than the %d MB a baseline may be", r.baseline, st.Size()>>20, report.MaxBaselineSize>>20)
	}
	b, err := report.ReadBaseline(fh, r.baseline)
	if err != nil {
		return nil, usageErr("--baseline: %w", err)
	}
	return b, nil
}

// reportTarget is where and how one report is written.
type reportTarget struct {
	format string
	output string
	color  bool
	// For JUnit: the files (or targets) checked, so that clean ones show
	// as passed test cases, and the threshold of a failure.
	files  []string
	failOn rules.Severity
}

// writeReport renders a report to stdout or --output. The format must have
// been checked with checkFormat.
func writeReport(cmd *cobra.Command, in report.Input, t reportTarget) error {
	w := cmd.OutOrStdout()
	if t.output != "" {
		fh, err := os.Create(t.output)
		if err != nil {
			return &exitCodeError{code: exitError, err: err}
		}
		defer func() { _ = fh.Close() }()
		w = fh
	}
	var err error
	switch t.format {
	case "text":
		err = report.Text(w, in, report.TextOptions{Color: t.color})
	case "json":
		err = report.JSON(w, in)
	case "sarif":
		err = report.SARIF(w, in)
	case "markdown":
		err = report.Markdown(w, in)
	case "junit":
		err = report.JUnit(w, in, t.files, t.failOn)

	default:
		return usageErr("--format %q: not a report format", t.format)
	}
	if err != nil {
		return &exitCodeError{code: exitError, err: err}
	}
	return nil
}

// failOnShown reconciles --fail-on with --show-info: failing on info
// findings that the report hides would be a red for nothing visible. So
// --fail-on info shows info findings, and asking for both --fail-on info
// and --show-info=false is a usage error.
func failOnShown(cmd *cobra.Command, failOn rules.Severity, showInfo *bool) error {
	if failOn != rules.Info {
		return nil
	}
	if cmd.Flags().Changed("show-info") && !*showInfo {
		return usageErr("--fail-on info fails on info findings that --show-info=false hides: drop one of them")
	}
	*showInfo = true
	return nil
}

// lookupRule finds a rule by ID or slug in any case, as `explain` does.
func lookupRule(name string) (*rules.Rule, error) {
	name = strings.TrimSpace(name)
	for _, try := range []string{name, strings.ToUpper(name), strings.ToLower(name)} {
		if r, err := rules.Lookup(try); err == nil {
			return r, nil
		}
	}
	return rules.Lookup(name)
}

// checkAtLeast checks a numeric flag: a negative budget or a zero
// timeout is a mistake to report, not a value to run with.
func checkAtLeast(flag string, v, min int) error {
	if v < min {
		return usageErr("--%s %d: must be at least %d", flag, v, min)
	}
	return nil
}

// isTerminal tells whether f is a character device (a TTY), without a
// dependency: colour and progress bars are for people, not pipes.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
