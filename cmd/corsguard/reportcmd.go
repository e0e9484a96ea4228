package main

import (
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/corsguard/corsguard/rules"
	"github.com/corsguard/corsguard/rules/report"
)

func init() { subcommands = append(subcommands, newReportCmd) }

// reportFormats are what a saved JSON report can be rendered as.
var reportFormats = []string{"text", "json", "sarif", "markdown", "junit"}

// newReportCmd re-renders a saved JSON report: a CI job fuzzes once and
// then writes the step summary, the SARIF upload and the JUnit file from
// the same result, instead of fuzzing once per format.
func newReportCmd() *cobra.Command {
	var format, output, failOn string
	var rf reportFlags
	cmd := &cobra.Command{
		Use:   "report REPORT.json",
		Short: "Render a saved --format json report as text, SARIF, markdown or JUnit",
		Long: `report reads a JSON report written by lint or fuzz (--format json) and writes it in
another format, with the same fingerprints, baseline counts and SARIF automation id.
Source snippets are not kept in the JSON report, so the text rendering has none.

Exit status: 0, or 2 when the file is not a corsguard JSON report.`,
		Example: `  corsguard fuzz --targets urls.txt -f json -o fuzz.json --stream fuzz.jsonl
  corsguard report -f markdown fuzz.json >> "$GITHUB_STEP_SUMMARY"
  corsguard report -f sarif -o fuzz.sarif fuzz.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, reportFormats); err != nil {
				return err
			}
			threshold, err := rules.ParseSeverity(failOn)
			if err != nil {
				return usageErr("--fail-on: %w", err)
			}
			color, err := rf.useColor(false, output)
			if err != nil {
				return err
			}
			fh, err := os.Open(args[0])
			if err != nil {
				return usageErr("%w", err)
			}
			in, err := report.ReadDocument(fh, args[0])
			_ = fh.Close()
			if err != nil {
				return usageErr("%w", err)
			}
			var files []string
			for _, f := range in.Findings {
				files = append(files, f.Range.File)
			}
			return writeReport(cmd, in, reportTarget{format: format, output: output, color: color, files: files, failOn: threshold})
		},
	}
	f := cmd.Flags()
	f.StringVarP(&format, "format", "f", "text", "output format: "+strings.Join(reportFormats, ", "))
	f.StringVarP(&output, "output", "o", "", "write the report to this file instead of stdout")
	f.StringVar(&failOn, "fail-on", "low", "for junit: lowest severity that is a failed test case")
	f.StringVar(&rf.color, "color", "auto", "colour the text report: auto, always, never")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(reportFormats, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}
