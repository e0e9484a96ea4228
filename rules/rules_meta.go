package rules

const groupMeta = "Suppressions"

// CG001 is raised by the lint engine, not by a policy check: a suppression
// comment must say why, or the next reader cannot judge it.
var _ = register(&Rule{
	ID: "CG001", Slug: "suppression-unjustified", Group: groupMeta,
	Title:    "A suppression comment gives no reason",
	Severity: Low, CredSeverity: Low,
	Rationale: "`# corsguard:ignore CG105` without a reason hides a security finding with no record of why it is safe. The suppression still applies; this finding asks for the reason.",
	Fix:       "Write the reason after the rule IDs: `# corsguard:ignore CG105 pattern only sees internal traffic`.",
	Bad:       "# corsguard:ignore CG108",
	Good:      "# corsguard:ignore CG108 every subdomain is ours and monitored for takeover",
})
