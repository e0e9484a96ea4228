package report

import (
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/owenrumney/go-sarif/v2/sarif"

	"github.com/corsguard/corsguard/rules"
)

// securitySeverity maps severities onto GitHub's 0.1–10 scale (≥9
// critical, 7–8.9 high, 4–6.9 medium, below low).
var securitySeverity = map[rules.Severity]string{
	rules.Critical: "9.5", rules.High: "8.0", rules.Medium: "5.5", rules.Low: "3.0", rules.Info: "1.0",
}

func sarifLevel(s rules.Severity) string {
	switch s {
	case rules.Critical, rules.High:
		return "error"
	case rules.Medium, rules.Low:
		return "warning"
	}
	return "note"
}

// SARIF writes a SARIF 2.1.0 log with every catalog rule as metadata.
func SARIF(w io.Writer, in Input) error {
	log, err := sarif.New(sarif.Version210, true)
	if err != nil {
		return err
	}
	driver := sarif.NewVersionedDriver("corsguard", in.Version).
		WithSemanticVersion(SemanticVersion(in.Version)).
		WithInformationURI("https://github.com/corsguard/corsguard")
	run := sarif.NewRun(*sarif.NewTool(driver))
	id := in.AutomationID
	if id == "" {
		id = DefaultAutomationID(in.Tool, "")
	}
	run.AutomationDetails = &sarif.RunAutomationDetails{ID: &id}
	for _, r := range rules.All() {
		run.AddRule(r.ID).
			WithName(ruleName(r.Slug)).
			WithShortDescription(sarif.NewMultiformatMessageString(r.Title)).
			WithFullDescription(sarif.NewMultiformatMessageString(r.Rationale)).
			WithHelp(sarif.NewMultiformatMessageString(helpText(r)).WithMarkdown(HelpMarkdown(r))).
			WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(sarifLevel(r.Severity))).
			WithProperties(sarif.Properties{
				"tags":              []string{"security", "cors", r.Group},
				"security-severity": securitySeverity[r.CredSeverity],
				"precision":         "high",
			})
	}
	fps := Fingerprints(in)
	for i, f := range in.Findings {
		msg := f.Message
		if f.Witness != "" && !strings.Contains(msg, f.Witness) {
			msg += " (exploit origin: " + f.Witness + ")"
		}
		res := run.CreateResultForRule(f.RuleID).
			WithLevel(sarifLevel(f.Severity)).
			WithMessage(sarif.NewTextMessage(msg)).
			WithPartialFingerPrints(map[string]interface{}{"primaryLocationLineHash": fps[i]})
		res.AddLocation(location(f.Range))
		for _, rel := range f.Related {
			if rel.Range.File != "" && rel.Range != f.Range {
				res.AddRelatedLocation(location(rel.Range))
			}
		}
		res.Properties = map[string]interface{}{
			"severity":          f.Severity.String(),
			"confidence":        f.Confidence.String(),
			"credentials":       f.Credentials,
			"security-severity": securitySeverity[f.Severity],
		}
		if f.Witness != "" {
			res.Properties["witness"] = f.Witness
		}
		if fx := sarifFix(f); fx != nil {
			res.Fixes = append(res.Fixes, fx)
		}
	}
	for _, d := range in.Errors {
		// Input errors are tool notifications, not results: they must
		// not open code-scanning alerts, but they must be visible.
		inv := run.AddInvocation(false)
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, &sarif.Notification{
			Level:     "error",
			Message:   sarif.NewTextMessage(d.Message),
			Locations: []*sarif.Location{location(d.Range)},
		})
	}
	for _, d := range in.Warnings {
		inv := run.AddInvocation(len(in.Errors) == 0 && !in.Interrupted)
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, &sarif.Notification{
			Level:     "warning",
			Message:   sarif.NewTextMessage(d.Message),
			Locations: []*sarif.Location{location(d.Range)},
		})
	}
	if in.Interrupted {
		inv := run.AddInvocation(false)
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, &sarif.Notification{
			Level:   "error",
			Message: sarif.NewTextMessage("interrupted: the run was stopped before it was done; the results are what was found until then"),
		})
	}
	if len(in.Errors) == 0 && len(in.Warnings) == 0 && !in.Interrupted {
		run.AddInvocation(true)
	}
	log.AddRun(run)
	return log.PrettyWrite(w)
}

// semverRE is semver 2.0.0's grammar, in the short form: core version,
// optional pre-release and build metadata.
var semverRE = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)

// SemanticVersion turns a Go module version (v1.2.3, a pseudo-version,
// "dev") into SARIF's semanticVersion, which has no leading "v" and must
// be semver: anything else becomes 0.0.0-<sanitised version>.
func SemanticVersion(v string) string {
	s := strings.TrimPrefix(v, "v")
	if semverRE.MatchString(s) {
		return s
	}
	clean := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '.' {
			return r
		}
		return '.'
	}, v)
	clean = strings.Trim(clean, ".-")
	if clean == "" {
		clean = "unknown"
	}
	return "0.0.0-" + clean
}

// location builds a SARIF location with a repository-relative URI.
func location(r rules.Range) *sarif.Location {
	region := sarif.NewRegion().WithStartLine(max(r.Line, 1))
	if r.Col > 0 {
		region.WithStartColumn(r.Col)
	}
	if r.EndLine >= r.Line && r.EndLine > 0 {
		region.WithEndLine(r.EndLine)
	}
	if r.EndCol > 0 {
		region.WithEndColumn(r.EndCol)
	}
	return sarif.NewLocationWithPhysicalLocation(
		sarif.NewPhysicalLocation().
			WithArtifactLocation(sarif.NewSimpleArtifactLocation(artifactURI(r.File))).
			WithRegion(region))
}

// artifactURI is a file name (or a live target's URL) as the URI reference
// SARIF requires: a file name may hold spaces, `\`, `%` or `#`, which are
// percent-encoded (found by FuzzWriters).
func artifactURI(file string) string {
	if strings.Contains(file, "://") {
		if u, err := url.Parse(file); err == nil && u.Scheme != "" {
			return u.String()
		}
	}
	p := strings.TrimPrefix(filepath.ToSlash(filepath.Clean(file)), "./")
	return (&url.URL{Path: p}).String()
}

// ruleName turns a slug into SARIF's PascalCase rule name.
func ruleName(slug string) string {
	var b strings.Builder
	for _, part := range strings.Split(slug, "-") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

func helpText(r *rules.Rule) string {
	return fmt.Sprintf("%s\n\n%s\n\nFix: %s", r.Title, r.Rationale, r.Fix)
}

// HelpMarkdown is a rule's documentation in markdown, shown by GitHub code
// scanning and `corsguard explain --markdown`.
func HelpMarkdown(r *rules.Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s %s\n\n%s\n\n", r.ID, r.Slug, r.Title)
	fmt.Fprintf(&b, "**Severity:** %s (with credentials: %s)\n\n", r.Severity, r.CredSeverity)
	fmt.Fprintf(&b, "### Why\n\n%s\n\n### Fix\n\n%s\n\n", r.Rationale, r.Fix)
	if r.Bad != "" {
		fmt.Fprintf(&b, "### Unsafe\n\n```\n%s\n```\n\n", r.Bad)
	}
	if r.Good != "" {
		fmt.Fprintf(&b, "### Safe\n\n```\n%s\n```\n\n", r.Good)
	}
	if len(r.References) > 0 {
		b.WriteString("### References\n\n")
		for _, ref := range r.References {
			fmt.Fprintf(&b, "- %s\n", ref)
		}
	}
	return b.String()
}
