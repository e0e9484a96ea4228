package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/spf13/cobra"

	"github.com/corsguard/corsguard/lint"
	"github.com/corsguard/corsguard/lint/fix"
	"github.com/corsguard/corsguard/rules"
	"github.com/corsguard/corsguard/rules/report"
	"github.com/corsguard/corsguard/rules/spec"
)

func init() { subcommands = append(subcommands, newLintCmd) }

type lintFlags struct {
	format   string
	output   string
	failOn   string
	trusted  []string
	disable  []string
	jobs     int
	noColor  bool
	showInfo bool
	// workflows: output, baseline and pre-commit flags.
	report      reportFlags
	skipUnknown bool
	// walk: what is read (flags kept together to ease merges).
	exclude        []string
	strictIncludes bool
	stdinFilename  string
	// fix: --fix, --diff, --fix-unsafe.
	fix fixFlags
}

func newLintCmd() *cobra.Command {
	var fl lintFlags
	cmd := &cobra.Command{
		Use:   "lint [paths... | -]",
		Short: "Find unsafe CORS in nginx, Apache httpd and HCL configurations",
		Long: `Lint files, directories (recursively; dir/... works too), globs, and
standard input ("-").

Directories are walked in lexical order, hidden ones included (only .git,
.hg and .svn are not; node_modules and .terraform are listed as skipped).
Symbolic links to files and directories are followed, loops are reported.
Files found in a walk whose name or content is not nginx, Apache httpd or
HCL are skipped and listed, never errors. FIFOs, devices and sockets are
refused without being opened: pipe a stream to "-" instead.

Exit status: 0 when nothing at or above --fail-on was found, 1 when something
was, 2 when an input could not be read or parsed (the other files are still
linted and reported), or when a directory holds no configuration at all.
An include whose target is not in the linted tree is a warning (exit status
unchanged) unless --strict-includes.

--fix rewrites the files with the fixes that are mechanical (anchor and
escape an origin regex, canonical allowlist origins, always, Vary: Origin,
repeated inherited headers, a capped Max-Age, a duplicate Allow-Origin
removed, an echo replaced by the declared trusted origins, a preflight
answered). Each fix is proved by linting the fixed files again in the same
run: a file whose fixed finding stays or that gets a new finding is left
alone, with the reason. Files are written atomically, only when something
changes; the findings that remain decide the exit status. --diff shows the
same fixes as a unified diff and writes nothing. Fixes that decide who may
read (dropping credentials, removing an origin, dropping plain http) are
listed, and applied only with --fix-unsafe.`,
		Example: `  corsguard lint corpus/nginx
  corsguard lint --format sarif -o corsguard.sarif conf/
  corsguard lint --trusted-origin https://app.example.com /etc/nginx/nginx.conf
  corsguard lint --exclude vendor --exclude 'legacy/**' .
  corsguard lint --diff conf/ | git apply
  corsguard lint --fix --trusted-origin https://app.example.com conf/
  git show HEAD:deploy/api.conf | corsguard lint --stdin-filename deploy/api.conf -`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLint(cmd, args, fl)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&fl.format, "format", "f", "text", "output format: "+strings.Join(lintFormats, ", "))
	f.StringVarP(&fl.output, "output", "o", "", "write the report to this file instead of stdout")
	f.StringVar(&fl.failOn, "fail-on", "low", "lowest severity that makes the exit status 1: info, low, medium, high, critical")
	f.StringArrayVar(&fl.trusted, "trusted-origin", nil, "an origin you trust (repeatable); without it, trust is derived from server names and allowlist literals")
	f.StringSliceVar(&fl.disable, "disable", nil, "rule IDs not to report (comma separated)")
	f.IntVarP(&fl.jobs, "jobs", "j", 0, "files parsed in parallel (default: number of CPUs)")
	f.BoolVar(&fl.noColor, "no-color", false, "never colour the text output (same as --color never; NO_COLOR is honoured too)")
	f.BoolVar(&fl.showInfo, "show-info", true, "include info-level findings in the report")
	f.String("config", "", "policy file (default: "+rules.PolicyFileName+" found from the working directory upward)")
	fl.report.register(cmd)
	f.BoolVar(&fl.skipUnknown, "skip-unknown", false, "a named file of no known format is skipped with a notice instead of an error (for pre-commit, which passes every staged file its pattern matches)")
	f.StringArrayVar(&fl.exclude, "exclude", nil, "file or directory not to lint (repeatable): a name at any depth (vendor, *.bak) or a glob relative to the working directory (legacy/**)")
	f.BoolVar(&fl.strictIncludes, "strict-includes", false, "an include whose target is not in the linted tree is an error (default: a warning, linted without it)")
	f.StringVar(&fl.stdinFilename, "stdin-filename", "", "name standard input (\"-\") is linted and reported under; it picks the format, and includes resolve from its directory")
	fl.fix.register(cmd)
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(lintFormats, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("fail-on", cobra.FixedCompletions([]string{"info", "low", "medium", "high", "critical"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runLint(cmd *cobra.Command, args []string, fl lintFlags) error {
	if fl.format != baselineFormat {
		if err := checkFormat(fl.format, lintFormats); err != nil {
			return err
		}
	}
	if err := fl.fix.check(); err != nil {
		return err
	}
	failOn, err := rules.ParseSeverity(fl.failOn)
	if err != nil {
		return &exitCodeError{code: exitError, err: fmt.Errorf("--fail-on: %w", err)}
	}
	if err := failOnShown(cmd, failOn, &fl.showInfo); err != nil {
		return err
	}
	if err := checkAtLeast("jobs", fl.jobs, 0); err != nil {
		return err
	}
	color, err := fl.report.useColor(fl.noColor, fl.output)
	if err != nil {
		return err
	}
	baseline, err := fl.report.loadBaseline()
	if err != nil {
		return err
	}
	for _, o := range fl.trusted {
		if !spec.IsSerialisedOrigin(o) || o == "null" {
			return &exitCodeError{code: exitError, err: fmt.Errorf("--trusted-origin %q is not an origin (want scheme://host[:port], lower case, no path)", o)}
		}
	}
	opts := lint.Options{
		Rules:    rules.Options{TrustedOrigins: fl.trusted},
		Disabled: map[string]bool{},
		Jobs:     fl.jobs,
	}
	if err := readingOptions(cmd, args, fl, &opts); err != nil {
		return err
	}
	for _, id := range fl.disable {
		r, err := lookupRule(id)
		if err != nil {
			return &exitCodeError{code: exitError, err: fmt.Errorf("--disable: %w", err)}
		}
		opts.Disabled[r.ID] = true
	}
	if err := applyPolicyFile(cmd, &opts); err != nil {
		return err
	}
	var stdin []byte
	if fl.fix.fix && opts.Stdin != nil {
		// --fix lints twice (before and after writing): standard input is
		// kept to be read the second time too.
		if stdin, err = io.ReadAll(io.LimitReader(opts.Stdin, lint.MaxFileSize+1)); err != nil {
			return &exitCodeError{code: exitError, err: fmt.Errorf("standard input: %w", err)}
		}
		opts.Stdin = bytes.NewReader(stdin)
	}
	res, err := lint.LintPaths(args, opts)
	if err != nil {
		return &exitCodeError{code: exitError, err: err}
	}
	plan := planFixes(res, opts, fl.fix)
	switch {
	case fl.fix.diff:
		if err := writeDiff(cmd, plan, res, fl.output); err != nil {
			return err
		}
		return lintStatus(res.Errors, res.Findings, fl.showInfo, failOn)
	case fl.fix.fix:
		if res, err = applyFixes(cmd, args, opts, stdin, plan, res, fl.format == "text" && fl.output == ""); err != nil {
			return err
		}
	}
	findings := res.Findings
	if !fl.showInfo {
		findings = findings[:0:0]
		for _, f := range res.Findings {
			if f.Severity > rules.Info {
				findings = append(findings, f)
			}
		}
	}
	in := report.Input{
		Tool: "lint", Version: version, Findings: findings, Errors: res.Errors,
		Suppressed: len(res.Suppressed), Files: len(res.Files), Source: res.Source,
		Warnings: res.Warnings, Skipped: reportSkipped(res.Skipped),
	}
	if baseline != nil {
		baseline.Apply(&in)
	}
	if fl.format == baselineFormat {
		return writeBaseline(cmd, in, fl.output)
	}
	if err := writeReport(cmd, in, reportTarget{format: fl.format, output: fl.output, color: color, files: res.Files, failOn: failOn}); err != nil {
		return err
	}
	// The exit status counts what the report shows: not the info findings
	// it hides, not the findings the baseline accepted.
	switch {
	case len(res.Errors) > 0:
		return &exitCodeError{code: exitError}
	case report.CountAtLeast(in.Findings, failOn) > 0:
		return &exitCodeError{code: exitFindings}
	}
	return nil
}

// readingOptions checks and applies the flags that decide what lint reads:
// --exclude, --strict-includes, --stdin-filename, --skip-unknown and the
// "-" argument.
func readingOptions(cmd *cobra.Command, args []string, fl lintFlags, opts *lint.Options) error {
	wd, err := os.Getwd()
	if err != nil {
		wd = "."
	}
	for _, g := range fl.exclude {
		if !doublestar.ValidatePattern(filepath.ToSlash(g)) {
			return &exitCodeError{code: exitError, err: fmt.Errorf("--exclude %q is not a valid glob", g)}
		}
		opts.ExcludePaths = append(opts.ExcludePaths, lint.AnchorExclude(wd, g))
	}
	opts.StrictIncludes = fl.strictIncludes
	opts.SkipUnknown = fl.skipUnknown
	opts.StdinFilename = fl.stdinFilename
	if slices.Contains(args, lint.StdinArg) {
		opts.Stdin = cmd.InOrStdin()
	} else if fl.stdinFilename != "" {
		return &exitCodeError{code: exitError, err: errors.New("--stdin-filename names standard input: pass \"-\" among the paths to read it")}
	}
	return nil
}

func reportSkipped(skips []lint.Skip) []report.Skipped {
	out := make([]report.Skipped, len(skips))
	for i, s := range skips {
		out[i] = report.Skipped{Path: s.Path, Kind: string(s.Kind), Reason: s.Reason}
	}
	return out
}

// applyFixes writes the plan and lints the paths again: the report and
// the exit status are about what remains. The summary goes to stdout
// before a text report on stdout, to stderr otherwise (a JSON or SARIF
// report stays parseable).
func applyFixes(cmd *cobra.Command, args []string, opts lint.Options, stdin []byte, plan *fix.Plan, res *lint.Result, summaryToStdout bool) (*lint.Result, error) {
	if plan != nil {
		if err := plan.Write(); err != nil {
			return nil, &exitCodeError{code: exitError, err: fmt.Errorf("--fix: %w", err)}
		}
		if len(plan.Files) > 0 {
			if opts.Stdin != nil {
				opts.Stdin = bytes.NewReader(stdin)
			}
			again, err := lint.LintPaths(args, opts)
			if err != nil {
				return nil, &exitCodeError{code: exitError, err: err}
			}
			res = again
		}
	}
	w := cmd.ErrOrStderr()
	if summaryToStdout {
		w = cmd.OutOrStdout()
	}
	fixSummary(w, plan, res.Findings)
	return res, nil
}

// lintStatus is the exit status of a lint run that writes no report.
func lintStatus(errs []rules.Diagnostic, findings []rules.Finding, showInfo bool, failOn rules.Severity) error {
	if len(errs) > 0 {
		return &exitCodeError{code: exitError}
	}
	for _, f := range findings {
		if f.Severity >= failOn && (showInfo || f.Severity > rules.Info) {
			return &exitCodeError{code: exitFindings}
		}
	}
	return nil
}
