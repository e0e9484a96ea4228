package main

import (
	"encoding/json"
	"os"

	"github.com/spf13/cobra"

	"github.com/corsguard/corsguard/fuzz"
	"github.com/corsguard/corsguard/rules"
	"github.com/corsguard/corsguard/rules/report"
)

// checkFuzzFlags checks every fuzz flag that needs no file or network,
// before any work: the format, the threshold, colour, and the numbers
// (a negative budget or a zero timeout is a typo to report, not a value
// to run with).
func checkFuzzFlags(cmd *cobra.Command, fl *fuzzFlags) (rules.Severity, error) {
	if err := checkFormat(fl.format, fuzzFormats); err != nil {
		return 0, err
	}
	failOn, err := rules.ParseSeverity(fl.failOn)
	if err != nil {
		return 0, usageErr("--fail-on: %w", err)
	}
	if err := failOnShown(cmd, failOn, &fl.showInfo); err != nil {
		return 0, err
	}
	if _, err := fl.report.useColor(fl.noColor, fl.output); err != nil {
		return 0, err
	}
	for _, c := range []struct {
		flag   string
		v, min int
	}{
		{"budget", fl.budget, 0}, {"random", fl.random, 0}, {"repeats", fl.repeats, 1}, {"concurrency", fl.workers, 1},
	} {
		if err := checkAtLeast(c.flag, c.v, c.min); err != nil {
			return 0, err
		}
	}
	if err := fl.net.check(); err != nil {
		return 0, err
	}
	if fl.targetTime < 0 {
		return 0, usageErr("--target-timeout %s: must be at least 0 (0: derived)", fl.targetTime)
	}
	return failOn, nil
}

// check checks the connection flags fuzz and probe share.
func (n *netFlags) check() error {
	if err := checkAtLeast("burst", n.burst, 1); err != nil {
		return err
	}
	if err := checkAtLeast("retries", n.retries, 0); err != nil {
		return err
	}
	if n.rate < 0 {
		return usageErr("--rate %g: must be at least 0 (0: no limit)", n.rate)
	}
	if n.timeout <= 0 {
		return usageErr("--timeout %s: must be more than 0", n.timeout)
	}
	return nil
}

// fuzzBaseline is what --baseline did to a fuzz run, for the report.
type fuzzBaseline struct {
	fingerprints []string
	outcome      *report.BaselineOutcome
}

// applyFuzzBaseline drops the results the baseline accepts. Fuzz
// fingerprints hash the target, the rule and the origin class, so a
// finding baselined last night stays baselined under tonight's seed.
func applyFuzzBaseline(b *report.Baseline, results []fuzz.Result) ([]fuzz.Result, *fuzzBaseline) {
	if b == nil {
		return results, nil
	}
	in := report.Input{Tool: "fuzz", Findings: make([]rules.Finding, len(results))}
	for i, r := range results {
		in.Findings[i] = r.Finding
	}
	keep, fps, outcome := b.Match(in)
	out := &fuzzBaseline{outcome: outcome}
	var kept []fuzz.Result
	for i, r := range results {
		if keep[i] {
			kept = append(kept, r)
			out.fingerprints = append(out.fingerprints, fps[i])
		} else {
			outcome.Findings = append(outcome.Findings, r.Finding)
			outcome.Fingerprints = append(outcome.Fingerprints, fps[i])
		}
	}
	return kept, out
}

// annotate gives the report the fingerprints computed before the
// baseline dropped results, and what it dropped.
func (b *fuzzBaseline) annotate(in *report.Input) {
	if b == nil {
		return
	}
	in.FingerprintsOf, in.Baseline = b.fingerprints, b.outcome
}

// checkReplayFile says what --replay needs when it is given a report that
// keeps no requests: the JSON report and SARIF log list findings, only
// the JSONL stream carries the exchanges to re-send.
func checkReplayFile(path string) error {
	fh, err := os.Open(path)
	if err != nil {
		return usageErr("--replay: %w", err)
	}
	defer func() { _ = fh.Close() }()
	var head struct {
		SchemaVersion *int            `json:"schemaVersion"`
		Findings      json.RawMessage `json:"findings"`
		Runs          json.RawMessage `json:"runs"`
		Baseline      json.RawMessage `json:"baseline"`
	}
	// Only the first JSON value is decoded: a JSONL stream's first line
	// is a result, a report is one object.
	if err := json.NewDecoder(fh).Decode(&head); err != nil {
		return nil // not an object: fuzz.ReadResults says what is wrong
	}
	kind := ""
	switch {
	case head.Runs != nil:
		kind = "a SARIF log"
	case head.Baseline != nil:
		kind = "a baseline"
	case head.SchemaVersion != nil && head.Findings != nil:
		kind = "a JSON report"
	}
	if kind == "" {
		return nil
	}
	return usageErr("--replay %s is %s, which keeps no requests to re-send: replay the JSONL stream (fuzz --stream FILE, or --format jsonl), one of its lines, or an array of them", path, kind)
}
