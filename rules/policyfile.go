package rules

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/corsguard/corsguard/rules/spec"
)

// PolicyFileName is the name of corsguard's own configuration file, found
// from the working directory upward (or given with --config).
const PolicyFileName = ".corsguard.hcl"

// PolicyFile is the schema of .corsguard.hcl: the user's trusted origins,
// rule settings, suppressions, and the policies live targets are expected
// to have. The `hcl` tags are read by gohcl in lint/hcl; this package only
// declares the shape (it imports no HCL) so that lint and fuzz share one
// vocabulary.
//
//	trusted_origins = ["https://app.example.com"]
//	exclude = ["vendor", "legacy/**"]
//	trusted {
//	  origins  = ["https://admin.example.com"]
//	  patterns = ["https://*.preview.example.com"]
//	}
//	rule "CG105" { enabled = false }
//	rule "CG108" { severity = "low"  exclude = ["legacy/**"] }
//	suppress "CG112" { path = "corpus/x.conf"  line = 12  reason = "partner"  expires = "2027-01-31" }
//	target "https://api.example.com/v1/" {
//	  origins     = ["https://app.example.com"]
//	  credentials = true
//	  methods     = ["GET", "POST"]
//	  headers     = ["Content-Type"]
//	}
type PolicyFile struct {
	// TrustedOrigins is the short form of trusted { origins = ... }.
	TrustedOrigins []string       `hcl:"trusted_origins,optional"`
	TrustedBlock   *TrustedBlock  `hcl:"trusted,block"`
	Rules          []RuleSetting  `hcl:"rule,block"`
	Suppressions   []Suppression  `hcl:"suppress,block"`
	Targets        []TargetPolicy `hcl:"target,block"`
	// Exclude lists files and directories lint never reads: a bare name
	// (`vendor`, `*.bak`) at any depth, or a doublestar glob relative to
	// the policy file's directory (`legacy/**`).
	Exclude []string `hcl:"exclude,optional"`

	// Path is the file the policy was read from (set by the loader, not
	// by the file itself).
	Path string
}

// TrustedBlock declares the origins the user trusts: exact serialised
// origins, and glob patterns where `*` stands for any run of characters
// other than `/` (e.g. `https://*.preview.example.com`).
type TrustedBlock struct {
	Origins  []string `hcl:"origins,optional"`
	Patterns []string `hcl:"patterns,optional"`
}

// RuleSetting overrides one rule: turn it off, change its severity, or
// skip it for paths matching doublestar globs (relative to the policy
// file's directory).
type RuleSetting struct {
	ID       string   `hcl:"id,label"`
	Enabled  *bool    `hcl:"enabled,optional"`
	Severity string   `hcl:"severity,optional"`
	Exclude  []string `hcl:"exclude,optional"`
}

// IsEnabled reports whether the rule runs (enabled unless set to false).
func (r RuleSetting) IsEnabled() bool { return r.Enabled == nil || *r.Enabled }

// SeverityOverride returns the overriding severity, if one is set and valid.
func (r RuleSetting) SeverityOverride() (Severity, bool) {
	if r.Severity == "" {
		return 0, false
	}
	s, err := ParseSeverity(r.Severity)
	return s, err == nil
}

// Suppression silences one rule, for one file (optionally one line) or one
// live target. A reason is mandatory: a suppression nobody can explain is
// a finding nobody fixed.
type Suppression struct {
	Rule string `hcl:"rule,label"`
	// Path is a file path or doublestar glob relative to the policy file's
	// directory; empty means every file.
	Path string `hcl:"path,optional"`
	// Line restricts the suppression to findings on that line (0: any).
	Line int `hcl:"line,optional"`
	// Target restricts the suppression to a live target URL (fuzz findings).
	Target  string `hcl:"target,optional"`
	Reason  string `hcl:"reason"`
	Expires string `hcl:"expires,optional"` // YYYY-MM-DD, inclusive
}

// ExpiryLayout is the date format of Suppression.Expires.
const ExpiryLayout = "2006-01-02"

// ExpiryDate parses Expires; ok is false when no expiry is set.
func (s Suppression) ExpiryDate() (t time.Time, ok bool, err error) {
	if s.Expires == "" {
		return time.Time{}, false, nil
	}
	t, err = time.Parse(ExpiryLayout, s.Expires)
	if err != nil {
		return time.Time{}, true, fmt.Errorf("expires %q is not a date in the form YYYY-MM-DD", s.Expires)
	}
	return t, true, nil
}

// Expired reports whether the suppression no longer applies at now. The
// expiry date is inclusive: a suppression expiring 2027-01-31 still holds
// for the whole of that day (UTC). An unparsable date counts as expired so
// that a typo never silences a finding forever (the loader rejects such
// files anyway).
func (s Suppression) Expired(now time.Time) bool {
	t, ok, err := s.ExpiryDate()
	if !ok {
		return false
	}
	if err != nil {
		return true
	}
	return !now.UTC().Before(t.AddDate(0, 0, 1))
}

// TargetPolicy is the CORS policy a live endpoint is expected to have. The
// fuzzer compares what it observes with it (CG601).
type TargetPolicy struct {
	URL         string   `hcl:"url,label"`
	Origins     []string `hcl:"origins"`
	Patterns    []string `hcl:"patterns,optional"`
	Credentials bool     `hcl:"credentials"`
	Methods     []string `hcl:"methods"`
	Headers     []string `hcl:"headers"`
	Expose      []string `hcl:"expose,optional"`
	MaxAge      *int     `hcl:"max_age,optional"`
}

// Expected renders the target as the policy a correct server would have:
// the listed origins echoed after an exact match, patterns as globs, and
// the same grant on the preflight. Evidence points at the policy file.
func (t TargetPolicy) Expected(file string) Policy {
	ev := Evidence{Range: Range{File: file}, Text: `target "` + t.URL + `"`}
	var g Grant
	if len(t.Origins) > 0 {
		g.Origins = append(g.Origins, OriginRule{Kind: OriginList, Values: append([]string(nil), t.Origins...), Echo: true, Evidence: []Evidence{ev}})
	}
	for _, p := range t.Patterns {
		g.Origins = append(g.Origins, OriginRule{Kind: OriginPattern, Pattern: &Pattern{Expr: p, Dialect: Glob, Evidence: ev}, Echo: true, Evidence: []Evidence{ev}})
	}
	add := func(name, v string) {
		g.Headers = append(g.Headers, Header{Name: name, Value: LiteralValue(v), Always: true, Evidence: ev})
	}
	if t.Credentials {
		add(HeaderAllowCredentials, "true")
	}
	if len(t.Methods) > 0 {
		add(HeaderAllowMethods, strings.Join(t.Methods, ", "))
	}
	if len(t.Headers) > 0 {
		add(HeaderAllowHeaders, strings.Join(t.Headers, ", "))
	}
	if len(t.Expose) > 0 {
		add(HeaderExposeHeaders, strings.Join(t.Expose, ", "))
	}
	if t.MaxAge != nil {
		add(HeaderMaxAge, strconv.Itoa(*t.MaxAge))
	}
	if len(t.Origins)+len(t.Patterns) > 1 || len(t.Patterns) > 0 {
		add(HeaderVary, "Origin")
	}
	return Policy{
		Format:    "policy",
		Scope:     Scope{Name: `target "` + t.URL + `"`, Range: ev.Range},
		Actual:    g,
		Preflight: Preflight{Kind: PreflightAnswered, Status: 204, Grant: g},
	}
}

// Trusted returns the exact trusted origins (trusted_origins and
// trusted.origins), in order, without duplicates.
func (f *PolicyFile) Trusted() []string {
	if f == nil {
		return nil
	}
	all := append([]string(nil), f.TrustedOrigins...)
	if f.TrustedBlock != nil {
		all = append(all, f.TrustedBlock.Origins...)
	}
	return dedupe(all)
}

// TrustedPatterns returns the trusted origin globs.
func (f *PolicyFile) TrustedPatterns() []string {
	if f == nil || f.TrustedBlock == nil {
		return nil
	}
	return dedupe(f.TrustedBlock.Patterns)
}

// RuleSetting returns the user's setting for a rule ID, if any.
func (f *PolicyFile) RuleSetting(id string) (RuleSetting, bool) {
	if f == nil {
		return RuleSetting{}, false
	}
	for _, r := range f.Rules {
		if strings.EqualFold(r.ID, id) {
			return r, true
		}
	}
	return RuleSetting{}, false
}

// Target returns the expected policy declared for a URL, if any.
func (f *PolicyFile) Target(u string) (TargetPolicy, bool) {
	if f == nil {
		return TargetPolicy{}, false
	}
	for _, t := range f.Targets {
		if t.URL == u {
			return t, true
		}
	}
	return TargetPolicy{}, false
}

func dedupe(in []string) []string {
	seen := make(map[string]bool, len(in))
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// FieldRef locates a value inside the policy file for a PolicyProblem:
// the Index-th block of type Block (empty Block: top level), its attribute
// Attr, and element Elem of a list attribute (-1: the whole attribute; -1
// with an empty Attr: the block itself).
type FieldRef struct {
	Block string
	Index int
	Attr  string
	Elem  int
}

// PolicyProblem is a semantic error in a policy file that decoding cannot
// catch (an origin with a path, a date that does not parse). The loader
// turns it into a diagnostic at the referenced range.
type PolicyProblem struct {
	Ref     FieldRef
	Summary string
	Detail  string
}

// Validate checks what the schema's types cannot: origins are serialised
// origins, patterns look like origins, severities and dates parse, rule
// IDs look like rule IDs, target URLs are absolute http(s) URLs.
func (f *PolicyFile) Validate() []PolicyProblem {
	var out []PolicyProblem
	checkOrigins := func(ref FieldRef, list []string) {
		for i, o := range list {
			if msg := originProblem(o); msg != "" {
				r := ref
				r.Elem = i
				out = append(out, PolicyProblem{Ref: r, Summary: "Invalid origin", Detail: msg + ". An origin is scheme://host[:port] in lower case, with no path and no default port, or null."})
			}
		}
	}
	checkPatterns := func(ref FieldRef, list []string) {
		for i, p := range list {
			if !strings.Contains(p, "://") && p != "*" {
				r := ref
				r.Elem = i
				out = append(out, PolicyProblem{Ref: r, Summary: "Invalid origin pattern", Detail: fmt.Sprintf("%q has no scheme: write it as an origin with `*` wildcards, e.g. https://*.example.com.", p)})
			}
		}
	}
	checkOrigins(FieldRef{Attr: "trusted_origins"}, f.TrustedOrigins)
	if f.TrustedBlock != nil {
		checkOrigins(FieldRef{Block: "trusted", Attr: "origins"}, f.TrustedBlock.Origins)
		checkPatterns(FieldRef{Block: "trusted", Attr: "patterns"}, f.TrustedBlock.Patterns)
	}
	for i, r := range f.Rules {
		if msg := ruleIDProblem(r.ID); msg != "" {
			out = append(out, PolicyProblem{Ref: FieldRef{Block: "rule", Index: i, Elem: -1}, Summary: "Invalid rule ID", Detail: msg})
		}
		if r.Severity != "" {
			if _, err := ParseSeverity(r.Severity); err != nil {
				out = append(out, PolicyProblem{Ref: FieldRef{Block: "rule", Index: i, Attr: "severity", Elem: -1}, Summary: "Invalid severity", Detail: err.Error() + "."})
			}
		}
	}
	for i, s := range f.Suppressions {
		if msg := ruleIDProblem(s.Rule); msg != "" {
			out = append(out, PolicyProblem{Ref: FieldRef{Block: "suppress", Index: i, Elem: -1}, Summary: "Invalid rule ID", Detail: msg})
		}
		if strings.TrimSpace(s.Reason) == "" {
			out = append(out, PolicyProblem{Ref: FieldRef{Block: "suppress", Index: i, Attr: "reason", Elem: -1}, Summary: "Empty suppression reason", Detail: "Say why this finding is acceptable; the reason is shown next to every suppressed finding."})
		}
		if _, _, err := s.ExpiryDate(); err != nil {
			out = append(out, PolicyProblem{Ref: FieldRef{Block: "suppress", Index: i, Attr: "expires", Elem: -1}, Summary: "Invalid expiry date", Detail: err.Error() + "."})
		}
		if s.Line < 0 {
			out = append(out, PolicyProblem{Ref: FieldRef{Block: "suppress", Index: i, Attr: "line", Elem: -1}, Summary: "Invalid line", Detail: "line must be a positive line number."})
		}
	}
	for i, t := range f.Targets {
		u, err := url.Parse(t.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			out = append(out, PolicyProblem{Ref: FieldRef{Block: "target", Index: i, Elem: -1}, Summary: "Invalid target URL", Detail: fmt.Sprintf("%q is not an absolute http or https URL.", t.URL)})
		}
		checkOrigins(FieldRef{Block: "target", Index: i, Attr: "origins"}, t.Origins)
		checkPatterns(FieldRef{Block: "target", Index: i, Attr: "patterns"}, t.Patterns)
		if t.MaxAge != nil && *t.MaxAge < 0 {
			out = append(out, PolicyProblem{Ref: FieldRef{Block: "target", Index: i, Attr: "max_age", Elem: -1}, Summary: "Invalid max_age", Detail: "max_age is a number of seconds, zero or more."})
		}
	}
	return out
}

// ruleIDProblem says why id is not the ID of a rule corsguard has, or ""
// when it is: a setting or suppression for a rule that does not exist
// (a typo, a retired ID) would otherwise be ignored without a word.
func ruleIDProblem(id string) string {
	if _, ok := catalog[id]; ok {
		return ""
	}
	if _, ok := catalog[strings.ToUpper(id)]; ok {
		return fmt.Sprintf("%q: rule IDs are written in upper case (%s).", id, strings.ToUpper(id))
	}
	if r, err := Lookup(id); err == nil {
		return fmt.Sprintf("%q is a rule's name; write its ID, %s.", id, r.ID)
	}
	return fmt.Sprintf("%q is not a corsguard rule ID (such as CG105; `corsguard rules` lists them).", id)
}

// originProblem says why s is not a serialised origin, or "" when it is:
// the browser compares the configured value with the request's Origin byte
// for byte, so the oracle in rules/spec decides.
func originProblem(s string) string {
	if strings.Contains(s, "*") && s != "*" {
		return fmt.Sprintf("%q contains a wildcard: declare it under patterns", s)
	}
	if _, err := spec.ParseOrigin(s); err != nil {
		return err.Error()
	}
	return ""
}
