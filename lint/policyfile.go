package lint

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/corsguard/corsguard/rules"
)

// ApplyPolicyFile merges a policy file (.corsguard.hcl) into the options:
// trusted origins and patterns, rule settings, and the suppressions still
// in force at now. Paths in the file are relative to the file's own
// directory. It returns one warning per expired suppression, so that the
// user learns why a finding came back.
func (o *Options) ApplyPolicyFile(pf *rules.PolicyFile, now time.Time) (warnings []string) {
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
	o.Rules.TrustedOrigins = append(o.Rules.TrustedOrigins, pf.Trusted()...)
	o.Rules.TrustedPatterns = append(o.Rules.TrustedPatterns, pf.TrustedPatterns()...)
	if o.SeverityOverride == nil {
		o.SeverityOverride = map[string]rules.Severity{}
	}
	if o.Exclude == nil {
		o.Exclude = map[string][]string{}
	}
	if o.Disabled == nil {
		o.Disabled = map[string]bool{}
	}
	for _, r := range pf.Rules {
		if !r.IsEnabled() {
			o.Disabled[r.ID] = true
		}
		if sev, ok := r.SeverityOverride(); ok {
			o.SeverityOverride[r.ID] = sev
		}
		for _, g := range r.Exclude {
			o.Exclude[r.ID] = append(o.Exclude[r.ID], anchor(g))
		}
	}
	for _, g := range pf.Exclude {
		o.ExcludePaths = append(o.ExcludePaths, AnchorExclude(base, g))
	}
	for _, s := range pf.Suppressions {
		if s.Target != "" {
			continue // a live target's suppression: fuzz applies it
		}
		if s.Expired(now) {
			warnings = append(warnings, fmt.Sprintf("%s: suppression of %s expired on %s; the finding is reported again", pf.Path, s.Rule, s.Expires))
			continue
		}
		o.Suppressions = append(o.Suppressions, Suppression{RuleID: s.Rule, Path: anchor(s.Path), Line: s.Line, Reason: s.Reason})
	}
	return warnings
}
