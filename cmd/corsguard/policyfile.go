package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/corsguard/corsguard/lint"
	"github.com/corsguard/corsguard/lint/hcl"
	"github.com/corsguard/corsguard/rules"
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
			fmt.Fprint(cmd.ErrOrStderr(), text)
			return nil, &exitCodeError{code: exitError, err: fmt.Errorf("%s: invalid policy file", path)}
		}
		return nil, &exitCodeError{code: exitError, err: err}
	}
	return pf, nil
}

// applyPolicyFile merges the policy file's trusted origins, rule settings
// and suppressions into the lint options. Paths in the file are relative to
// the file's own directory.
func applyPolicyFile(cmd *cobra.Command, opts *lint.Options) error {
	pf, err := loadPolicyFile(cmd)
	if err != nil || pf == nil {
		return err
	}
	base := filepath.Dir(pf.Path)
	anchor := func(glob string) string {
		if glob == "" || filepath.IsAbs(glob) {
			return glob
		}
		abs, err := filepath.Abs(filepath.Join(base, glob))
		if err != nil {
			return glob
		}
		return abs
	}
	opts.Rules.TrustedOrigins = append(opts.Rules.TrustedOrigins, pf.Trusted()...)
	opts.Rules.TrustedPatterns = append(opts.Rules.TrustedPatterns, pf.TrustedPatterns()...)
	if opts.SeverityOverride == nil {
		opts.SeverityOverride = map[string]rules.Severity{}
	}
	if opts.Exclude == nil {
		opts.Exclude = map[string][]string{}
	}
	if opts.Disabled == nil {
		opts.Disabled = map[string]bool{}
	}
	for _, r := range pf.Rules {
		if !r.IsEnabled() {
			opts.Disabled[r.ID] = true
		}
		if sev, ok := r.SeverityOverride(); ok {
			opts.SeverityOverride[r.ID] = sev
		}
		for _, g := range r.Exclude {
			opts.Exclude[r.ID] = append(opts.Exclude[r.ID], anchor(g))
		}
	}
	now := time.Now()
	for _, s := range pf.Suppressions {
		if s.Target != "" {
			continue // a live target's suppression: fuzz applies it
		}
		if s.Expired(now) {
			fmt.Fprintf(cmd.ErrOrStderr(), "corsguard: %s: suppression of %s expired on %s; the finding is reported again\n", pf.Path, s.Rule, s.Expires)
			continue
		}
		opts.Suppressions = append(opts.Suppressions, lint.Suppression{RuleID: s.Rule, Path: anchor(s.Path), Line: s.Line, Reason: s.Reason})
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
