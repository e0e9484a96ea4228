package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// TextOptions control the human-readable output.
type TextOptions struct {
	Color bool
}

const (
	ansiReset = "\x1b[0m"
	ansiBold  = "\x1b[1m"
	ansiDim   = "\x1b[2m"
	ansiRed   = "\x1b[31m"
	ansiMag   = "\x1b[35m"
	ansiYel   = "\x1b[33m"
	ansiCyan  = "\x1b[36m"
)

func severityColor(s rules.Severity) string {
	switch s {
	case rules.Critical:
		return ansiBold + ansiRed
	case rules.High:
		return ansiRed
	case rules.Medium:
		return ansiMag
	case rules.Low:
		return ansiYel
	}
	return ansiCyan
}

// Text writes findings like compiler diagnostics:
//
//	conf/api.conf:14:5: CG103 origin-regex-prefix (high, credentials): <message>
//	    14 |     "~^https://app\.example\.com" $http_origin;
//	  fix: anchor the pattern: "~^https://app\.example\.com$"
//
// Every field comes from input the user does not control line by line (a
// config comment, a server's header), so each passes EscapeLine: the only
// escape sequences that reach the terminal are the writer's own colours.
func Text(w io.Writer, in Input, opts TextOptions) error {
	paint := func(code, s string) string {
		if !opts.Color {
			return s
		}
		return code + s + ansiReset
	}
	e := EscapeLine
	var b strings.Builder
	for _, d := range in.Errors {
		fmt.Fprintf(&b, "%s: %s %s\n", paint(ansiBold, e(d.Range.String())), paint(ansiBold+ansiRed, "error:"), e(d.Message))
	}
	for _, d := range in.Warnings {
		fmt.Fprintf(&b, "%s: %s %s\n", paint(ansiBold, e(d.Range.String())), paint(ansiBold+ansiYel, "warning:"), e(d.Message))
	}
	writeSkipped(&b, in.Skipped, paint)
	for _, f := range in.Findings {
		tags := f.Severity.String()
		if f.Credentials {
			tags += ", credentials"
		}
		if f.Confidence != rules.Certain {
			tags += ", " + f.Confidence.String()
		}
		fmt.Fprintf(&b, "%s: %s %s (%s): %s\n",
			paint(ansiBold, e(f.Range.String())), paint(severityColor(f.Severity), e(f.RuleID)), e(f.Slug),
			paint(severityColor(f.Severity), tags), e(f.Message))
		if f.Scope != "" {
			fmt.Fprintf(&b, "  %s %s\n", paint(ansiDim, "in"), paint(ansiDim, e(f.Scope)))
		}
		if text, ok := in.line(f); ok {
			// A Source may hand back the line with its ending (the last
			// line of a file that ends in a newline): printing it would
			// put a blank line between the source and the caret.
			text = strings.TrimRight(text, "\r\n")
			num := fmt.Sprintf("%d", f.Range.Line)
			fmt.Fprintf(&b, "    %s %s %s\n", paint(ansiDim, num), paint(ansiDim, "|"), e(strings.TrimRight(text, " \t\r")))
			if f.Range.Col > 0 && f.Range.Col <= len(text)+1 {
				// The caret lines up under the escaped text as printed.
				before := e(text[:f.Range.Col-1])
				pad := strings.Repeat(" ", len(num)) + " | " + caretPad(before, len(before))
				fmt.Fprintf(&b, "    %s%s\n", paint(ansiDim, pad), paint(severityColor(f.Severity), "^"))
			}
		}
		if f.Witness != "" {
			fmt.Fprintf(&b, "  %s %s\n", paint(ansiBold, "exploit origin:"), e(f.Witness))
		}
		if f.Fix != "" {
			fmt.Fprintf(&b, "  %s %s\n", paint(ansiBold, "fix:"), e(f.Fix))
		}
		if Fixable(f) {
			fmt.Fprintf(&b, "  %s %s (corsguard lint --fix)\n", paint(ansiBold, "fixable:"), e(f.Remedy.Summary))
		}
	}
	fmt.Fprintln(&b, summaryLine(in))
	if in.Baseline != nil {
		for _, e := range in.Baseline.Gone {
			fmt.Fprintf(&b, "  %s %s\n", paint(ansiDim, "baseline entry no longer occurs:"), e)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// caretPad keeps tabs so the caret lines up under the source.
func caretPad(text string, n int) string {
	var b strings.Builder
	for i := 0; i < n && i < len(text); i++ {
		if text[i] == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

func summaryLine(in Input) string {
	counts := Summary(in.Findings)
	var parts []string
	for s := rules.Critical; ; s-- {
		if n := counts[s.String()]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
		if s == rules.Info {
			break
		}
	}
	line := fmt.Sprintf("%d finding(s)", len(in.Findings))
	if len(parts) > 0 {
		line += " (" + strings.Join(parts, ", ") + ")"
	}
	if in.Files > 0 {
		noun := "file(s)"
		if in.Tool == "fuzz" {
			noun = "target(s)"
		}
		line += fmt.Sprintf(" in %d %s", in.Files, noun)
	}
	if in.Suppressed > 0 {
		line += fmt.Sprintf(", %d suppressed", in.Suppressed)
	}
	if n := countFixable(in.Findings); n > 0 {
		line += fmt.Sprintf(", %d fixable with --fix", n)
	}
	if in.Baseline != nil {
		line += fmt.Sprintf(", %d baselined", in.Baseline.Baselined)
		if n := len(in.Baseline.Gone); n > 0 {
			line += fmt.Sprintf(", %d baseline entr%s no longer occur%s", n, plural(n, "y", "ies"), plural(n, "s", ""))
		}
	}
	if len(in.Errors) > 0 {
		line += fmt.Sprintf(", %d error(s)", len(in.Errors))
	}
	if len(in.Warnings) > 0 {
		line += fmt.Sprintf(", %d warning(s)", len(in.Warnings))
	}
	if len(in.Skipped) > 0 {
		line += fmt.Sprintf(", %d skipped", len(in.Skipped))
	}
	if in.Interrupted {
		line += ", interrupted"
	}
	return line
}

// maxSkippedListed bounds the text listing; JSON lists every skip.
const maxSkippedListed = 20

// writeSkipped lists the files a run did not lint, but for those whose
// name says they are not configuration (counted in the summary only).
func writeSkipped(b *strings.Builder, skipped []Skipped, paint func(code, s string) string) {
	n := 0
	for _, s := range skipped {
		if s.Kind == "name" {
			continue
		}
		if n == maxSkippedListed {
			fmt.Fprintf(b, "%s: %s and more (--format json lists every skipped file)\n", paint(ansiBold, "corsguard"), paint(ansiDim, "skipped:"))
			return
		}
		n++
		fmt.Fprintf(b, "%s: %s %s\n", paint(ansiBold, EscapeLine(s.Path)), paint(ansiDim, "skipped:"), EscapeLine(s.Reason))
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
