package rules

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/corsguard/corsguard/rules/attack"
)

// Options are the user's inputs to the checks.
type Options struct {
	// TrustedOrigins are serialised origins the user declared
	// (--trusted-origin, policy file). Empty means: derive them from the
	// site's own names and the allowlist's literals.
	TrustedOrigins []string
	// TrustedPatterns are globs (`https://*.example.com`) the user trusts.
	TrustedPatterns []string
}

// Checker runs the catalog with one set of options over many policies,
// remembering each origin pattern's witness search: a large configuration
// repeats the same map or regex in every server, and the search is by far
// the most expensive step. Safe for concurrent use.
type Checker struct {
	opts         Options
	trustedGlobs []attack.Matcher
	// trustDeclared: the user declared trusted origins or patterns; without
	// them trust is derived from each pattern and site.
	trustDeclared bool
	// runBudget bounds the backtracking engine's time over every pattern
	// the checker searches (each also has its own attack.PatternBudget).
	runBudget *attack.Budget
	mu        sync.Mutex
	searches  map[searchKey]*searchResult
}

// searchKey identifies a witness search: it depends only on the pattern
// and the checker's options, never on the policy it appears in.
type searchKey struct {
	expr    string
	dialect Dialect
	ci      bool
}

// searchResult is computed once per key; done guards concurrent callers.
type searchResult struct {
	once sync.Once
	a    patternAnalysis
}

// NewChecker prepares a checker for a run.
func NewChecker(opts Options) *Checker {
	c := &Checker{opts: opts, searches: map[searchKey]*searchResult{},
		runBudget:     attack.NewRunBudget(attack.RunBudget),
		trustDeclared: len(opts.TrustedOrigins) > 0 || len(opts.TrustedPatterns) > 0}
	for _, g := range opts.TrustedPatterns {
		if m, err := attack.Compile(g, attack.Glob, true); err == nil {
			c.trustedGlobs = append(c.trustedGlobs, m)
		}
	}
	return c
}

// Check runs every rule of the catalog against one policy with a
// throw-away Checker.
func Check(p *Policy, opts Options) ([]Finding, []Diagnostic) {
	return NewChecker(opts).Check(p)
}

// Check runs every rule of the catalog against one policy. Diagnostics are
// problems with the input itself (a regex no engine here can parse).
func (ch *Checker) Check(p *Policy) ([]Finding, []Diagnostic) {
	fs, diags := ch.AppendCheck(nil, p)
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Range.File != b.Range.File {
			return a.Range.File < b.Range.File
		}
		if a.Range.Line != b.Range.Line {
			return a.Range.Line < b.Range.Line
		}
		return a.RuleID < b.RuleID
	})
	return fs, diags
}

// AppendCheck is Check appending to dst, unsorted: a run over thousands
// of policies collects every finding in one slice and sorts once.
func (ch *Checker) AppendCheck(dst []Finding, p *Policy) ([]Finding, []Diagnostic) {
	ctx := newCheckContext(p, ch)
	ctx.findings = dst
	for _, r := range All() {
		if r.check != nil {
			ctx.rule = r
			r.check(ctx)
		}
	}
	return ctx.findings, ctx.diags
}

// credState is what the config says about Access-Control-Allow-Credentials.
type credState uint8

const (
	credNo credState = iota
	credYes
	credUnknown
)

// checkContext holds what several rules derive from the same policy, so
// that the expensive part (the witness search) runs once per pattern.
type checkContext struct {
	p       *Policy
	checker *Checker
	rule    *Rule
	creds   credState
	// credHeader is the ACAC header that grants credentials.
	credHeader *Header

	witnessCache map[*OriginRule]patternAnalysis
	findings     []Finding
	diags        []Diagnostic
}

// actual returns the actual grant's headers with a name (read-only).
func (c *checkContext) actual(name string) []Header { return c.p.Actual.Find(name) }

func newCheckContext(p *Policy, ch *Checker) *checkContext {
	ctx := &checkContext{p: p, checker: ch}
	for _, h := range p.Actual.Find(HeaderAllowCredentials) {
		if p.Service == "storage" {
			// S3, Azure Storage and Cloud Storage send the header for listed
			// origins, but authenticate with signatures, never with the
			// ambient cookies a credentialed cross-origin read would carry.
			break
		}
		switch {
		case h.Value.State == Unknown:
			if ctx.creds == credNo {
				ctx.creds = credUnknown
				ctx.credHeader = &h
			}
		case h.Value.State == Known && h.Value.Reflects == "" && strings.TrimSpace(h.Value.Literal) == "true":
			ctx.creds = credYes
			ctx.credHeader = &h
		}
	}
	return ctx
}

// isTrusted tells whether an exact origin is in the user's trusted set.
func (c *checkContext) isTrusted(origin string) bool { return c.checker.isTrusted(origin) }

func (ch *Checker) isTrusted(origin string) bool {
	if ch.declaredTrust(origin) {
		return true
	}
	// A scheme upgrade: whoever trusts http://host trusts that host, and
	// its https origin is the same host over a channel a network attacker
	// cannot tamper with. (The reverse is a downgrade: CG107.)
	if rest, ok := strings.CutPrefix(origin, "https://"); ok {
		return ch.declaredTrust("http://" + rest)
	}
	return false
}

// declaredTrust tells whether an origin is in the declared set as written.
func (ch *Checker) declaredTrust(origin string) bool {
	for _, t := range ch.opts.TrustedOrigins {
		if t == origin {
			return true
		}
	}
	for _, m := range ch.trustedGlobs {
		if ok, _ := m.Match(origin); ok {
			return true
		}
	}
	return false
}

// siteOrigins are the origins the site itself serves, from its host names.
func (c *checkContext) siteOrigins() []string {
	var out []string
	for _, h := range c.p.Hosts {
		h = strings.TrimPrefix(strings.ToLower(h), ".")
		if h == "" || h == "_" || h == "localhost" || strings.ContainsAny(h, "~*^$()[]\\ ") {
			continue
		}
		if c.p.HTTPS != Absent {
			out = append(out, "https://"+h)
		}
		if c.p.HTTPS != Known {
			out = append(out, "http://"+h)
		}
	}
	return out
}

// report appends a finding of the current rule.
func (c *checkContext) report(f Finding) {
	r := c.rule
	f.RuleID, f.Slug = r.ID, r.Slug
	if f.Range.File == "" {
		f.Range = c.p.Scope.Range
	}
	f.Scope = c.p.Scope.Name
	if f.Fix == "" {
		f.Fix = r.Fix
	}
	c.findings = append(c.findings, f)
}

// severity picks the rule's severity for this policy's credentials and
// marks the finding accordingly.
func (c *checkContext) severity(f *Finding) {
	f.Credentials = c.creds == credYes
	f.Severity = c.rule.SeverityFor(f.Credentials)
	if c.creds == credUnknown && f.Confidence == Certain {
		f.Confidence = Likely
	}
}

// credNote is a message suffix saying what credentials add.
func (c *checkContext) credNote() string {
	switch c.creds {
	case credYes:
		return "; credentials are allowed"
	case credUnknown:
		return fmt.Sprintf("; credentials unknown (%s)", c.unknownCredReason())
	}
	return ""
}

func (c *checkContext) unknownCredReason() string {
	for _, h := range c.actual(HeaderAllowCredentials) {
		if h.Value.State == Unknown {
			return h.Value.Reason
		}
	}
	return "not resolved"
}

// headerLiterals returns the headers of a grant with a name whose values
// are known literals (read-only; no copy when all of them are).
func headerLiterals(g Grant, name string) []Header {
	hs := g.Find(name)
	isLiteral := func(h Header) bool { return h.Value.State == Known && h.Value.Reflects == "" }
	all := true
	for _, h := range hs {
		all = all && isLiteral(h)
	}
	if all {
		return hs
	}
	var out []Header
	for _, h := range hs {
		if isLiteral(h) {
			out = append(out, h)
		}
	}
	return out
}

// splitList splits a list-valued header the way browsers do.
func splitList(v string) []string {
	var out []string
	for _, part := range strings.Split(v, ",") {
		if s := strings.TrimSpace(part); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// originEvidence is the primary location for an origin rule: the place
// where its allowlist (the regex, the map entry) is written.
func originEvidence(o *OriginRule) Evidence {
	if o.Pattern != nil && o.Pattern.Evidence.Range.File != "" {
		return o.Pattern.Evidence
	}
	if len(o.Evidence) > 0 {
		return o.Evidence[0]
	}
	return Evidence{}
}
