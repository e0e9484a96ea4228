package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/corsguard/corsguard/lint"
	"github.com/corsguard/corsguard/lint/hcl"
	"github.com/corsguard/corsguard/rules"
	"github.com/corsguard/corsguard/rules/report"
)

func init() { subcommands = append(subcommands, newInitCmd) }

// loadPolicyFile reads --config, or .corsguard.hcl found from the working
// directory upward. It returns nil without error when there is none.
func loadPolicyFile(cmd *cobra.Command) (*rules.PolicyFile, error) {
	path, _ := cmd.Flags().GetString("config")
	if path == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, nil
		}
		found, ok := hcl.FindPolicyFile(wd)
		if !ok {
			return nil, nil
		}
		path = found
	}
	pf, err := hcl.LoadPolicyFile(path)
	if err != nil {
		var pfe *hcl.PolicyFileError
		if errors.As(err, &pfe) {
			text := pfe.Text
			if !strings.HasSuffix(text, "\n") {
				text += "\n"
			}
			fmt.Fprint(cmd.ErrOrStderr(), report.EscapeText(text))
			return nil, &exitCodeError{code: exitError, err: fmt.Errorf("%s: invalid policy file", path)}
		}
		return nil, &exitCodeError{code: exitError, err: err}
	}
	return pf, nil
}

// applyPolicyFile merges the policy file's trusted origins, rule settings
// and suppressions into the lint options.
func applyPolicyFile(cmd *cobra.Command, opts *lint.Options) error {
	pf, err := loadPolicyFile(cmd)
	if err != nil || pf == nil {
		return err
	}
	for _, w := range opts.ApplyPolicyFile(pf, time.Now()) {
		fmt.Fprintln(cmd.ErrOrStderr(), "corsguard:", report.EscapeLine(fmt.Sprint(w)))
	}
	return nil
}

func newInitCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a commented starter " + rules.PolicyFileName + " in the current directory",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path := rules.PolicyFileName
			if _, err := os.Stat(path); err == nil && !force {
				return &exitCodeError{code: exitError, err: fmt.Errorf("%s already exists (use --force to overwrite)", path)}
			}
			if err := os.WriteFile(path, hcl.StarterPolicyFile(), 0o644); err != nil {
				return &exitCodeError{code: exitError, err: err}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s: declare your trusted origins, then run `corsguard lint`\n", path)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "overwrite an existing file")
	return cmd
}
