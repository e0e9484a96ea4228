package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/corsguard/corsguard/rules"
	"github.com/corsguard/corsguard/rules/report"
)

func init() {
	subcommands = append(subcommands, newRulesCmd, newExplainCmd)
}

func newRulesCmd() *cobra.Command {
	var markdown bool
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List the rule catalog",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			if markdown {
				_, err := fmt.Fprint(out, RulesMarkdownTable())
				return err
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			for _, g := range rules.Groups {
				fmt.Fprintf(tw, "\n%s\n", g)
				for _, r := range rules.All() {
					if r.Group == g {
						fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", r.ID, r.Slug, sevLabel(r), r.Title)
					}
				}
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&markdown, "markdown", false, "print the catalog as a markdown table (the README's)")
	return cmd
}

func sevLabel(r *rules.Rule) string {
	if r.Severity == r.CredSeverity {
		return r.Severity.String()
	}
	return r.Severity.String() + "/" + r.CredSeverity.String()
}

// RulesMarkdownTable renders the catalog as the README's table.
func RulesMarkdownTable() string {
	var b strings.Builder
	b.WriteString("| ID | slug | severity (no credentials / credentials) | what |\n|---|---|---|---|\n")
	for _, r := range rules.All() {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", r.ID, r.Slug, sevLabel(r), strings.ReplaceAll(r.Title, "|", "\\|"))
	}
	return b.String()
}

func newExplainCmd() *cobra.Command {
	var markdown bool
	cmd := &cobra.Command{
		Use:     "explain RULE",
		Short:   "Explain a rule: what, why, how to fix, examples",
		Example: "  corsguard explain CG101\n  corsguard explain origin-regex-prefix",
		Args:    cobra.ExactArgs(1),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			var ids []string
			for _, r := range rules.All() {
				ids = append(ids, r.ID+"\t"+r.Slug)
			}
			return ids, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := lookupRule(args[0])
			if err != nil {
				if r, err = rules.Lookup(args[0]); err != nil {
					return &exitCodeError{code: exitError, err: err}
				}
			}
			out := cmd.OutOrStdout()
			if markdown {
				_, err := fmt.Fprint(out, report.HelpMarkdown(r))
				return err
			}
			fmt.Fprintf(out, "%s %s — %s\n\n", r.ID, r.Slug, r.Title)
			fmt.Fprintf(out, "Severity: %s without credentials, %s with credentials. Group: %s.\n\n", r.Severity, r.CredSeverity, r.Group)
			fmt.Fprintf(out, "Why it matters\n  %s\n\n", wrap(r.Rationale, 76, "  "))
			fmt.Fprintf(out, "How to fix\n  %s\n", wrap(r.Fix, 76, "  "))
			if r.Bad != "" {
				fmt.Fprintf(out, "\nUnsafe\n%s\n", indent(r.Bad, "    "))
			}
			if r.Good != "" {
				fmt.Fprintf(out, "\nSafe\n%s\n", indent(r.Good, "    "))
			}
			for i, ref := range r.References {
				if i == 0 {
					fmt.Fprintln(out, "\nReferences")
				}
				fmt.Fprintf(out, "  %s\n", ref)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&markdown, "markdown", false, "print as markdown")
	return cmd
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

// wrap breaks text at word boundaries for the terminal.
func wrap(s string, width int, prefix string) string {
	var b strings.Builder
	col := 0
	for i, w := range strings.Fields(s) {
		if i > 0 {
			if col+1+len(w) > width {
				b.WriteString("\n" + prefix)
				col = 0
			} else {
				b.WriteByte(' ')
				col++
			}
		}
		b.WriteString(w)
		col += len(w)
	}
	return b.String()
}
