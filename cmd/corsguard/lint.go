package main

import (
	"fmt"
	"os"
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
	f.StringVarP(&fl.format, "format", "f", "text", "output format: text, json, sarif")
	f.StringVarP(&fl.output, "output", "o", "", "write the report to this file instead of stdout")
	f.StringVar(&fl.failOn, "fail-on", "low", "lowest severity that makes the exit status 1: info, low, medium, high, critical")
	f.StringArrayVar(&fl.trusted, "trusted-origin", nil, "an origin you trust (repeatable); without it, trust is derived from server names and allowlist literals")
	f.StringSliceVar(&fl.disable, "disable", nil, "rule IDs not to report (comma separated)")
	f.IntVarP(&fl.jobs, "jobs", "j", 0, "files parsed in parallel (default: number of CPUs)")
	f.BoolVar(&fl.noColor, "no-color", false, "never colour the text output (NO_COLOR is honoured too)")
	f.BoolVar(&fl.showInfo, "show-info", true, "include info-level findings in the report")
	f.String("config", "", "policy file (default: "+rules.PolicyFileName+" found from the working directory upward)")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"text", "json", "sarif"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.RegisterFlagCompletionFunc("fail-on", cobra.FixedCompletions([]string{"info", "low", "medium", "high", "critical"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runLint(cmd *cobra.Command, args []string, fl lintFlags) error {
	failOn, err := rules.ParseSeverity(fl.failOn)
	if err != nil {
		return &exitCodeError{code: exitError, err: fmt.Errorf("--fail-on: %w", err)}
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
		r, err := rules.Lookup(strings.TrimSpace(id))
		if err != nil {
			return &exitCodeError{code: exitError, err: fmt.Errorf("--disable: %w", err)}
		}
		opts.Disabled[r.ID] = true
	}
	if err := applyPolicyFile(cmd, &opts); err != nil {
		return err
	}
	res, err := lint.LintPaths(args, opts)
	if err != nil {
		return &exitCodeError{code: exitError, err: err}
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
	if err := writeReport(cmd, in, fl.format, fl.output, fl.noColor); err != nil {
		return err
	}
	switch {
	case len(res.Errors) > 0:
		return &exitCodeError{code: exitError}
	case res.Count(failOn) > 0:
		return &exitCodeError{code: exitFindings}
	}
	return nil
}

// writeReport renders a report to stdout or --output.
func writeReport(cmd *cobra.Command, in report.Input, format, output string, noColor bool) error {
	w := cmd.OutOrStdout()
	color := !noColor && os.Getenv("NO_COLOR") == "" && output == "" && isTerminal(os.Stdout)
	if output != "" {
		fh, err := os.Create(output)
		if err != nil {
			return &exitCodeError{code: exitError, err: err}
		}
		defer func() { _ = fh.Close() }()
		w = fh
	}
	var err error
	switch format {
	case "text":
		err = report.Text(w, in, report.TextOptions{Color: color})
	case "json":
		err = report.JSON(w, in)
	case "sarif":
		err = report.SARIF(w, in)
	default:
		return &exitCodeError{code: exitError, err: fmt.Errorf("--format %q: want text, json or sarif", format)}
	}
	if err != nil {
		return &exitCodeError{code: exitError, err: err}
	}
	return nil
}

// isTerminal tells whether f is a character device (a TTY), without a
// dependency: colour and progress bars are for people, not pipes.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
