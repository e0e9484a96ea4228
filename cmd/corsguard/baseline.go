package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/corsguard/corsguard/rules/report"
)

// baselineFormat is lint's report format for `corsguard baseline`; it is
// not offered by lint --format.
const baselineFormat = "baseline"

// defaultBaselineFile is where `corsguard baseline` writes without -o.
const defaultBaselineFile = ".corsguard-baseline.json"

func init() { subcommands = append(subcommands, newBaselineCmd) }

// newBaselineCmd is lint with every lint flag, writing the findings as a
// baseline document instead of a report: the same run decides what is
// found, so a baseline always matches what lint --baseline computes.
func newBaselineCmd() *cobra.Command {
	cmd := newLintCmd()
	cmd.Use = "baseline [paths...]"
	cmd.Short = "Record today's findings, so that lint --baseline reports only new ones"
	cmd.Long = `baseline lints like lint (same paths, same flags) and writes every finding's
fingerprint to a baseline file (default ` + defaultBaselineFile + `). Commit it; then
` + "`corsguard lint --baseline " + defaultBaselineFile + "`" + ` reports, and fails on, only findings
that are not in it, and lists the baseline entries that no longer occur.

A fingerprint survives lines moving; it changes when the offending line
itself changes. An earlier --format json or sarif report works as a
baseline too (nightly fuzz jobs use the previous night's report).

Exit status: 0 when the baseline was written, 2 when an input could not be
read or parsed (no baseline is written then).`
	cmd.Example = `  corsguard baseline conf/
  corsguard lint --baseline .corsguard-baseline.json conf/`
	f := cmd.Flags()
	_ = f.Set("format", baselineFormat)
	_ = f.MarkHidden("format")
	for _, name := range []string{"fail-on", "color", "no-color", "baseline"} {
		_ = f.MarkHidden(name)
	}
	out := f.Lookup("output")
	out.DefValue = defaultBaselineFile
	_ = out.Value.Set(defaultBaselineFile)
	out.Usage = "write the baseline to this file"
	return cmd
}

// writeBaseline ends a baseline run. With input errors it writes nothing
// and exits 2: a baseline missing a file's findings would let them all
// count as new the day the file parses again.
func writeBaseline(cmd *cobra.Command, in report.Input, output string) error {
	if len(in.Errors) > 0 {
		for _, d := range in.Errors {
			fmt.Fprintln(cmd.ErrOrStderr(), d.Error())
		}
		return usageErr("%d input error(s): no baseline written", len(in.Errors))
	}
	fh, err := os.Create(output)
	if err != nil {
		return usageErr("%w", err)
	}
	err = report.WriteBaseline(fh, in)
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return &exitCodeError{code: exitError, err: err}
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "corsguard: wrote %d finding(s) to %s\n", len(in.Findings), output)
	return nil
}
