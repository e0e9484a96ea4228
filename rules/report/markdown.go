package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// maxMarkdownFindings bounds the findings table: GitHub caps a step
// summary at 1 MiB and a comment at 65 536 characters, and a table of
// thousands of rows helps nobody. The rest is counted, not listed.
const maxMarkdownFindings = 200

// Markdown writes a report for $GITHUB_STEP_SUMMARY and pull-request
// comments: counts by severity, the findings, and each rule's explanation
// (what `corsguard explain` prints) folded once at the end.
func Markdown(w io.Writer, in Input) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### corsguard %s\n\n", in.Tool)
	b.WriteString(mdSummary(in) + "\n\n")
	if len(in.Findings) > 0 {
		counts := Summary(in.Findings)
		b.WriteString("| severity | findings |\n|---|---:|\n")
		for _, s := range severitiesWorstFirst() {
			if n := counts[s.String()]; n > 0 {
				fmt.Fprintf(&b, "| %s %s | %d |\n", severityIcon(s), s, n)
			}
		}
		b.WriteString("\n")
		where := "location"
		if in.Tool == "fuzz" {
			where = "target"
		}
		fmt.Fprintf(&b, "| severity | rule | %s | finding |\n|---|---|---|---|\n", where)
		for i, f := range in.Findings {
			if i == maxMarkdownFindings {
				fmt.Fprintf(&b, "\n… and %d more: see the SARIF or JSON report.\n", len(in.Findings)-i)
				break
			}
			msg := f.Message
			if f.Witness != "" && !strings.Contains(msg, f.Witness) {
				msg += " (exploit origin: " + f.Witness + ")"
			}
			if Fixable(f) {
				msg += " :wrench: fixable with --fix: " + f.Remedy.Summary
			}
			fmt.Fprintf(&b, "| %s %s | [%s](#%s) %s | %s | %s |\n", severityIcon(f.Severity), f.Severity,
				f.RuleID, ruleAnchor(f.RuleID, f.Slug), f.Slug, mdCell(mdCode(f.Range.String())), mdCell(mdEscape(msg)))
		}
		b.WriteString("\n")
	}
	for _, d := range in.Errors {
		fmt.Fprintf(&b, "- :x: **error** %s: %s\n", mdCode(d.Range.String()), mdEscape(d.Message))
	}
	for _, d := range in.Warnings {
		fmt.Fprintf(&b, "- :warning: **warning** %s: %s\n", mdCode(d.Range.String()), mdEscape(d.Message))
	}
	if len(in.Errors)+len(in.Warnings) > 0 {
		b.WriteString("\n")
	}
	var skipped []Skipped
	for _, sk := range in.Skipped {
		if sk.Kind != "name" { // a README is not worth a line
			skipped = append(skipped, sk)
		}
	}
	if len(skipped) > 0 {
		fmt.Fprintf(&b, "<details><summary>%d file(s) skipped</summary>\n\n", len(skipped))
		for i, sk := range skipped {
			if i == maxMarkdownFindings {
				fmt.Fprintf(&b, "- … and %d more\n", len(skipped)-i)
				break
			}
			fmt.Fprintf(&b, "- %s: %s\n", mdCode(sk.Path), mdEscape(sk.Reason))
		}
		b.WriteString("\n</details>\n\n")
	}
	if in.Baseline != nil && len(in.Baseline.Gone) > 0 {
		fmt.Fprintf(&b, "<details><summary>%d baseline entries no longer occur (fixed? prune them)</summary>\n\n", len(in.Baseline.Gone))
		for _, e := range in.Baseline.Gone {
			fmt.Fprintf(&b, "- %s\n", mdCode(e.String()))
		}
		b.WriteString("\n</details>\n\n")
	}
	for _, id := range ruleIDs(in.Findings) {
		r, err := rules.Lookup(id)
		if err != nil {
			continue
		}
		fmt.Fprintf(&b, "<details><summary><b>%s</b> %s: %s (<code>corsguard explain %s</code>)</summary>\n\n",
			r.ID, r.Slug, mdEscape(r.Title), r.ID)
		b.WriteString(demoteHeadings(HelpMarkdown(r)))
		b.WriteString("\n</details>\n\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// demoteHeadings puts a rule's explanation two levels below the report's
// heading; its "## CG103 slug" heading becomes the anchor the table links.
func demoteHeadings(md string) string {
	lines := strings.Split(md, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "#") {
			lines[i] = "##" + l
		}
	}
	return strings.Join(lines, "\n")
}

// mdSummary is the one-line verdict.
func mdSummary(in Input) string {
	var s string
	switch {
	case len(in.Errors) > 0:
		s = ":x: "
	case len(in.Findings) > 0:
		s = ":warning: "
	default:
		s = ":white_check_mark: "
	}
	return s + summaryLine(in)
}

func severitiesWorstFirst() []rules.Severity {
	return []rules.Severity{rules.Critical, rules.High, rules.Medium, rules.Low, rules.Info}
}

func severityIcon(s rules.Severity) string {
	switch s {
	case rules.Critical:
		return ":red_circle:"
	case rules.High:
		return ":orange_circle:"
	case rules.Medium:
		return ":yellow_circle:"
	case rules.Low:
		return ":large_blue_circle:"
	}
	return ":white_circle:"
}

// ruleAnchor is the anchor GitHub gives the heading "#### CG103
// origin-regex-prefix" of the explanation below the table.
func ruleAnchor(id, slug string) string {
	return strings.ToLower(id + "-" + slug)
}

func ruleIDs(fs []rules.Finding) []string {
	seen := map[string]bool{}
	var ids []string
	for _, f := range fs {
		if !seen[f.RuleID] {
			seen[f.RuleID] = true
			ids = append(ids, f.RuleID)
		}
	}
	sort.Strings(ids)
	return ids
}

// mdCell keeps a table cell on one line and its pipes literal.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "\r", "")
	s = strings.ReplaceAll(s, "\n", "<br>")
	return strings.ReplaceAll(s, "|", "\\|")
}

// mdEscape keeps text from configs and servers from being read as
// markdown or HTML (a finding's message quotes attacker-chosen origins).
func mdEscape(s string) string {
	return strings.NewReplacer(
		"\\", "\\\\", "`", "\\`", "*", "\\*", "_", "\\_", "[", "\\[", "]", "\\]",
		"<", "&lt;", ">", "&gt;", "#", "\\#", "~", "\\~",
	).Replace(s)
}

// mdCode shows s as inline code, with a fence longer than any backtick
// run inside it.
func mdCode(s string) string {
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}
