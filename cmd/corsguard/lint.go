package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/corsguard/corsguard/lint"
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
	report    reportFlags
	preCommit bool
}

func newLintCmd() *cobra.Command {
	var fl lintFlags
	cmd := &cobra.Command{
		Use:   "lint [paths...]",
		Short: "Find unsafe CORS in nginx, Apache httpd and HCL configurations",
		Long: `Lint files, directories (recursively; dir/... works too) and globs.

Exit status: 0 when nothing at or above --fail-on was found, 1 when something
was, 2 when an input could not be read or parsed (the other files are still
linted and reported).`,
		Example: `  corsguard lint corpus/nginx
  corsguard lint --format sarif -o corsguard.sarif conf/
  corsguard lint --trusted-origin https://app.example.com /etc/nginx/nginx.conf`,
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
	f.BoolVar(&fl.preCommit, "pre-commit", false, "the paths are the files pre-commit passes: one of no known format is skipped with a notice, and findings are reported only in the files passed (a Terraform file is still evaluated with its module, an nginx file with its includes)")
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
	if fl.preCommit {
		if args = skipUnknownFiles(cmd, args); len(args) == 0 {
			return nil
		}
	}
	res, err := lint.LintPaths(args, opts)
	if err != nil {
		return &exitCodeError{code: exitError, err: err}
	}
	if fl.preCommit {
		res.Findings = onlyNamedFiles(cmd, args, res.Findings)
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
