package rules

import (
	"fmt"
	"strings"

	"github.com/corsguard/corsguard/rules/attack"
	"github.com/corsguard/corsguard/rules/spec"
)

const groupOrigin = "Origin trust"

var _ = register(&Rule{
	ID: "CG100", Slug: "origin-unresolved", Group: groupOrigin,
	Title:    "Access-Control-Allow-Origin comes from a value the linter cannot resolve",
	Severity: Info, CredSeverity: Info,
	Rationale: "The allowed origin is computed by something outside the configuration (a variable set by a script, an upstream header, a Terraform value with no default). corsguard does not guess: it says the value is unknown and why. A live probe (`corsguard fuzz`) turns this into a certain answer.",
	Fix:       "Make the allowlist visible in the configuration, or run `corsguard fuzz` against the endpoint.",
	Bad:       "add_header Access-Control-Allow-Origin $cors_from_lua always;",
	Good:      "map $http_origin $cors { \"https://app.example.com\" $http_origin; }",
	check: func(c *checkContext) {
		for i := range c.p.Actual.Origins {
			o := &c.p.Actual.Origins[i]
			f := Finding{Confidence: NeedsRuntime, Range: originEvidence(o).Range, Related: o.Evidence}
			switch {
			case o.Kind == OriginUnknown:
				f.Message = "allowed origin is unknown: " + o.Reason
			case o.Kind == OriginPattern && o.Pattern != nil && o.Pattern.DeployTime:
				f.Message = fmt.Sprintf("allowed origin is only partly known: %s, where * is fixed at deploy time (%s)", o.Pattern.Expr, o.Pattern.Evidence.Text)
			case o.Kind == OriginPattern && o.Pattern != nil && c.analyse(o).budget != nil:
				f.Message, f.Fix = budgetMessage(o.Pattern, c.analyse(o).budget)
			default:
				continue
			}
			c.severity(&f)
			f.Message += c.credNote()
			c.report(f)
		}
	},
})

// budgetMessage explains a pattern whose witness search ran out of time:
// which origins it accepts beyond the witnesses found is unknown.
func budgetMessage(p *Pattern, be *attack.BudgetError) (msg, fix string) {
	why := "it backtracks catastrophically"
	if be.Run {
		why = "other patterns used up the time first"
	} else {
		fix = "Remove the nested repetition (`(x+)+`, `(a|a)*`): match each label once, as in `^https://([a-z0-9-]+\\.)?example\\.com$`; or run `corsguard fuzz` against the endpoint."
	}
	msg = fmt.Sprintf("%s %s was not fully analysed: %v (%s), so origins it accepts may be missing from this report (a live probe, `corsguard fuzz`, tests them)", patternLabel(p.Dialect), quote(p.Expr), be, why)
	return msg, fix
}

var _ = register(&Rule{
	ID: "CG101", Slug: "origin-reflected", Group: groupOrigin,
	Title:    "Access-Control-Allow-Origin echoes the request Origin without validation",
	Severity: Medium, CredSeverity: Critical,
	Rationale:  "Reflecting the Origin header grants every site on the web the right to read responses. With `Access-Control-Allow-Credentials: true` any page the victim visits can read their authenticated data; without credentials it still exposes anything reachable from the victim's network position.",
	Fix:        "Compare the Origin with an explicit allowlist (an exact `map` or an anchored, escaped regex) and only then echo it.",
	Bad:        "add_header Access-Control-Allow-Origin $http_origin always;\nadd_header Access-Control-Allow-Credentials true always;",
	Good:       "map $http_origin $cors_origin {\n  default \"\";\n  \"https://app.example.com\" $http_origin;\n}\nadd_header Access-Control-Allow-Origin $cors_origin always;",
	References: []string{"https://portswigger.net/web-security/cors", "https://cwe.mitre.org/data/definitions/942.html"},
	check: func(c *checkContext) {
		for i := range c.p.Actual.Origins {
			o := &c.p.Actual.Origins[i]
			if o.Kind != OriginReflect {
				continue
			}
			f := Finding{Witness: "https://evil.test", WitnessClass: string(attack.Arbitrary), Range: originEvidence(o).Range, Related: o.Evidence}
			c.severity(&f)
			f.Message = "Access-Control-Allow-Origin reflects the request Origin unvalidated: any site, e.g. https://evil.test, can read responses" + c.credNote()
			var need string
			if f.Remedy, need = c.echoRemedy(o); need != "" {
				f.Fix = c.rule.Fix + " To fix it automatically, " + need + "."
			}
			c.report(f)
		}
		c.reportWitnesses("accepts any origin")
	},
})

var _ = register(&Rule{
	ID: "CG102", Slug: "origin-null", Group: groupOrigin,
	Title:    "The `null` origin is trusted",
	Severity: Medium, CredSeverity: Critical,
	Rationale:  "Browsers send `Origin: null` from sandboxed iframes, `data:` URLs, local files and some redirects. Any attacker can create such a document, so trusting `null` is trusting everyone.",
	Fix:        "Remove `null` from the allowlist; serve local development from a real origin such as http://localhost:8080.",
	Bad:        "map $http_origin $cors { \"null\" $http_origin; }",
	Good:       "map $http_origin $cors { \"https://app.example.com\" $http_origin; }",
	References: []string{"https://portswigger.net/web-security/cors#whitelisted-null-origin-value"},
	check: func(c *checkContext) {
		c.eachListed(func(o *OriginRule, v string) {
			if strings.EqualFold(strings.TrimSpace(v), "null") {
				f := Finding{Witness: "null", WitnessClass: string(attack.Null), Range: originEvidence(o).Range, Related: o.Evidence}
				c.severity(&f)
				f.Message = "the null origin is trusted: a sandboxed iframe on any site sends Origin: null" + c.credNote()
				c.report(f)
			}
		})
		c.reportWitnesses("accepts the null origin")
	},
})

var _ = register(&Rule{
	ID: "CG103", Slug: "origin-regex-prefix", Group: groupOrigin,
	Title:    "Origin pattern is not anchored at the end",
	Severity: Medium, CredSeverity: High,
	Rationale:  "A regex search without `$` accepts any origin that merely starts with the trusted one: `https://app.example.com.evil.test` is a host the attacker can register.",
	Fix:        "End the pattern with `$` so it matches the whole origin.",
	Bad:        "\"~^https://app\\.example\\.com\" $http_origin;",
	Good:       "\"~^https://app\\.example\\.com$\" $http_origin;",
	References: []string{"https://portswigger.net/web-security/cors#errors-parsing-origin-headers"},
	check:      func(c *checkContext) { c.reportWitnesses("is not anchored at the end") },
})

var _ = register(&Rule{
	ID: "CG104", Slug: "origin-regex-suffix", Group: groupOrigin,
	Title:    "Origin pattern is not anchored at the start or lacks a dot boundary",
	Severity: Medium, CredSeverity: High,
	Rationale: "Without `^`, or with `.*example\\.com` instead of `(.*\\.)?example\\.com`, the pattern accepts attacker-registrable hosts such as `https://evilexample.com` or `https://evil-example.com`.",
	Fix:       "Anchor with `^https://` and require a dot before the trusted domain: `^https://([a-z0-9-]+\\.)?example\\.com$`.",
	Bad:       "\"~example\\.com$\" $http_origin;",
	Good:      "\"~^https://([a-z0-9-]+\\.)?example\\.com$\" $http_origin;",
	check:     func(c *checkContext) { c.reportWitnesses("is not anchored at the start or lacks a dot boundary") },
})

var _ = register(&Rule{
	ID: "CG105", Slug: "origin-regex-dot", Group: groupOrigin,
	Title:    "Unescaped `.` in an origin pattern matches any character",
	Severity: Medium, CredSeverity: High,
	Rationale: "In a regex `.` matches any character, so `app.example.com` also accepts `appxexample.com`, a domain anyone can register.",
	Fix:       "Escape every literal dot: `app\\.example\\.com`.",
	Bad:       "\"~^https://app.example.com$\" $http_origin;",
	Good:      "\"~^https://app\\.example\\.com$\" $http_origin;",
	check:     func(c *checkContext) { c.reportWitnesses("has an unescaped dot") },
})

var _ = register(&Rule{
	ID: "CG106", Slug: "origin-regex-substring", Group: groupOrigin,
	Title:    "Origin pattern is anchored at neither end (a substring check)",
	Severity: Medium, CredSeverity: High,
	Rationale: "A pattern like `(example.com)` or a `contains` check accepts any origin that contains the trusted text anywhere: `https://example.com.evil.test`, `https://evilexample.com`.",
	Fix:       "Match the whole origin: `^https://app\\.example\\.com$`.",
	Bad:       "if ($http_origin ~* (example.com)) { set $cors $http_origin; }",
	Good:      "if ($http_origin ~* ^https://app\\.example\\.com$) { set $cors $http_origin; }",
	check:     func(c *checkContext) { c.reportWitnesses("matches a substring") },
})

var _ = register(&Rule{
	ID: "CG107", Slug: "origin-insecure-scheme", Group: groupOrigin,
	Title:    "An http:// origin is trusted by an https site",
	Severity: Low, CredSeverity: Medium,
	Rationale: "A network attacker (public Wi-Fi, a compromised router) can inject script into any plain-http page of the trusted host and then read the https site's responses.",
	Fix:       "Trust only https:// origins; write `https://`, not `https?://`.",
	Bad:       "\"~^https?://app\\.example\\.com$\" $http_origin;",
	Good:      "\"~^https://app\\.example\\.com$\" $http_origin;",
	check: func(c *checkContext) {
		c.eachListed(func(o *OriginRule, v string) {
			if c.p.HTTPS == Known && strings.HasPrefix(v, "http://") && spec.IsSerialisedOrigin(v) && !isLoopbackOrigin(v) && !c.isTrusted(v) {
				f := Finding{Witness: v, WitnessClass: string(attack.HTTPDowngrade), Range: originEvidence(o).Range, Related: o.Evidence}
				c.severity(&f)
				f.Message = fmt.Sprintf("the https site trusts %s: a network attacker can inject script there%s", v, c.credNote())
				f.Remedy = c.downgradeRemedy(o, nil, v)
				c.report(f)
			}
		})
		// A deploy-time shape has a fixed scheme: http stays http whatever
		// the variable's value.
		for i := range c.p.Actual.Origins {
			o := &c.p.Actual.Origins[i]
			if o.Kind != OriginPattern || o.Pattern == nil || !o.Pattern.DeployTime || c.p.HTTPS != Known || !strings.HasPrefix(o.Pattern.Expr, "http://") {
				continue
			}
			f := Finding{Range: originEvidence(o).Range, Related: o.Evidence}
			c.severity(&f)
			f.Message = fmt.Sprintf("the https service trusts %s, a plain-http origin: a network attacker can inject script there%s", o.Pattern.Expr, c.credNote())
			c.report(f)
		}
		c.reportWitnesses("trusts plain http")
	},
})

var _ = register(&Rule{
	ID: "CG108", Slug: "origin-any-subdomain", Group: groupOrigin,
	Title:    "Any subdomain is trusted",
	Severity: Low, CredSeverity: Medium,
	Rationale: "Trusting every subdomain means a takeover of one forgotten DNS record, or an XSS on any subdomain, reads the API. Subdomain takeovers are common.",
	Fix:       "List the subdomains that need access.",
	Bad:       "\"~^https://(.*\\.)?example\\.com$\" $http_origin;",
	Good:      "\"~^https://(app|admin)\\.example\\.com$\" $http_origin;",
	check:     func(c *checkContext) { c.reportWitnesses("trusts any subdomain") },
})

var _ = register(&Rule{
	ID: "CG109", Slug: "origin-shared-hosting", Group: groupOrigin,
	Title:    "An origin on a shared hosting domain is trusted",
	Severity: Medium, CredSeverity: High,
	Rationale: "Anyone can publish a page under github.io, herokuapp.com, vercel.app, codepen.io and similar hosts; trusting them trusts every user of the service. Browser extensions are the same: anyone can publish one, so a pattern that accepts any `chrome-extension://`, `moz-extension://` or `safari-web-extension://` origin trusts every extension author. One extension ID (`chrome-extension://<your id>`) is its owner's.",
	Fix:       "Trust your own domain only; move the front end off shared hosting or use a custom domain. For an extension, allow its own ID.",
	Bad:       "\"~^https://[a-z0-9-]+\\.github\\.io$\" $http_origin;",
	Good:      "\"https://docs.example.com\" $http_origin;",
	check: func(c *checkContext) {
		c.eachListed(func(o *OriginRule, v string) {
			org, err := spec.ParseOrigin(v)
			if err != nil || c.isTrusted(v) {
				return
			}
			// An exact name under a shared suffix (myapp.herokuapp.com) is
			// its owner's; a host where anyone publishes (codepen.io) is not.
			if suffix, ok := attack.IsSharedHosting(org.Host); ok && suffix == org.Host {
				f := Finding{Witness: v, WitnessClass: string(attack.SharedHosting), Range: originEvidence(o).Range, Related: o.Evidence}
				c.severity(&f)
				f.Message = fmt.Sprintf("%s is on shared hosting (%s): anyone can publish there%s", v, suffix, c.credNote())
				c.report(f)
			}
		})
		c.reportWitnesses("trusts a shared hosting domain")
	},
})

var _ = register(&Rule{
	ID: "CG110", Slug: "origin-special-chars", Group: groupOrigin,
	Title:    "Origin pattern lets through characters browsers accept in host names",
	Severity: Medium, CredSeverity: High,
	Rationale:  "Safari and others send origins whose host contains characters such as `` ` ``, `_`, `{`, `}` or `$`. A class like `[^.]` or `\\W` after the trusted name lets `https://app.example.com`.evil.test` through.",
	Fix:        "Match host names with `[a-z0-9-]`, never with negated classes.",
	Bad:        "\"~^https://app\\.example\\.com[^.]*$\" $http_origin;",
	Good:       "\"~^https://app\\.example\\.com$\" $http_origin;",
	References: []string{"https://portswigger.net/research/exploiting-cors-misconfigurations-for-bitcoins-and-bounties"},
	check:      func(c *checkContext) { c.reportWitnesses("lets special characters through") },
})

var _ = register(&Rule{
	ID: "CG111", Slug: "origin-never-matches", Group: groupOrigin,
	Title:    "An allowlist entry or pattern can never equal a serialised origin",
	Severity: Low, CredSeverity: Low,
	Rationale: "Browsers serialise origins as `scheme://host[:port]`: lower case, no path, no trailing slash, no default port. An entry like `http://example.com/` never matches, CORS silently fails, and the usual next \"fix\" is reflecting every origin. " +
		"A cloud service's documented wildcard is not such an entry: it is a pattern in that service's dialect and is searched for bypasses (CG108, CG109, CG101) instead: " +
		"S3 and Azure Storage take one `*` anywhere in an origin; API Gateway HTTP APIs and Lambda function URLs take `*`, `https://*` and `http://*`; " +
		"App Service and Functions take a leftmost `*.` label matching any depth of subdomains; CloudFront response headers policies take `*` as the leftmost label and scheme-less items for both schemes; " +
		"Cloud Storage compares origins literally (its `*` alone means any origin).",
	Fix:  "Write origins exactly as browsers send them: `https://app.example.com` (no slash, no path, no :443).",
	Bad:  "add_header Access-Control-Allow-Origin \"http://example.com/\" always;",
	Good: "add_header Access-Control-Allow-Origin \"http://example.com\" always;",
	References: []string{
		"https://fetch.spec.whatwg.org/#origin-header",
		"https://docs.aws.amazon.com/AmazonS3/latest/userguide/ManageCorsUsing.html",
		"https://learn.microsoft.com/rest/api/storageservices/cross-origin-resource-sharing--cors--support-for-the-azure-storage-services",
		"https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html",
		"https://docs.aws.amazon.com/lambda/latest/api/API_Cors.html",
		"https://learn.microsoft.com/azure/app-service/app-service-web-tutorial-rest-api#enable-cors",
		"https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/understanding-response-headers-policies.html#understanding-response-headers-policies-cors",
		"https://cloud.google.com/storage/docs/cross-origin",
	},
	check: func(c *checkContext) {
		for i := range c.p.Actual.Origins {
			o := &c.p.Actual.Origins[i]
			switch o.Kind {
			case OriginList:
				for _, v := range o.Values {
					if strings.EqualFold(v, "null") || isOriginList(v) {
						continue // CG102 and CG202 speak for these
					}
					if _, err := spec.ParseOrigin(v); err != nil {
						// No witness: nobody can exploit an entry that never matches.
						f := Finding{Range: originEvidence(o).Range, Related: o.Evidence}
						c.severity(&f)
						f.Message = fmt.Sprintf("%q can never match a browser's Origin: %v", v, err)
						if fixed, ok := canonicalOrigin(v); ok {
							f.Fix = fmt.Sprintf("write %q", fixed)
							f.Remedy = c.canonicalRemedy(o, v, fixed)
						}
						c.report(f)
					}
				}
			case OriginPattern:
				if o.Pattern == nil {
					continue
				}
				if a := c.analyse(o); a.never {
					f := Finding{Range: originEvidence(o).Range, Related: o.Evidence}
					c.severity(&f)
					f.Message = fmt.Sprintf("%s %s can never match a browser's Origin: %s", patternLabel(o.Pattern.Dialect), quote(o.Pattern.Expr), a.neverWhy)
					c.report(f)
				}
			}
		}
	},
})

var _ = register(&Rule{
	ID: "CG112", Slug: "origin-untrusted", Group: groupOrigin,
	Title:    "An allowlisted origin is outside the declared trusted set",
	Severity: Low, CredSeverity: Medium,
	Rationale: "Only reported when you declare trusted origins (`--trusted-origin`, `.corsguard.hcl`): an entry outside that set (a partner, a staging host, localhost left over from development) can read the API.",
	Fix:       "Remove the entry, or add it to the trusted set if it is meant to be there.",
	Bad:       "\"http://localhost:3000\" $http_origin;   # with --trusted-origin https://app.example.com",
	Good:      "\"https://app.example.com\" $http_origin;",
	check: func(c *checkContext) {
		if !c.checker.trustDeclared {
			return
		}
		c.eachListed(func(o *OriginRule, v string) {
			if c.isTrusted(v) || !spec.IsSerialisedOrigin(v) || v == "null" {
				return
			}
			f := Finding{Witness: v, Range: originEvidence(o).Range, Related: o.Evidence}
			c.severity(&f)
			what := v
			if n := nativeOrigin(v); n != "" {
				what += " (" + n + ")"
			}
			f.Message = fmt.Sprintf("%s is allowed but not in the trusted set%s", what, c.credNote())
			f.Remedy = c.untrustedRemedy(o, v)
			c.report(f)
		})
		c.reportWitnesses("accepts an untrusted origin")
	},
})

// eachListed calls fn for every exact allowlist entry of the actual grant.
func (c *checkContext) eachListed(fn func(o *OriginRule, value string)) {
	for i := range c.p.Actual.Origins {
		o := &c.p.Actual.Origins[i]
		if o.Kind != OriginList {
			continue
		}
		for _, v := range o.Values {
			fn(o, v)
		}
	}
}

// isLoopbackOrigin tells whether an origin is a local development origin,
// where plain http is normal.
func isLoopbackOrigin(o string) bool {
	org, err := spec.ParseOrigin(o)
	if err != nil {
		return false
	}
	return org.Host == "localhost" || strings.HasPrefix(org.Host, "127.") || org.Host == "[::1]"
}

// isOriginList tells whether a value holds several origins (a space or
// comma separated list), which CG202 reports.
func isOriginList(v string) bool {
	return strings.Count(v, "://") > 1
}

// canonicalOrigin returns what a browser would send for a near-miss entry
// such as `https://App.example.com:443/`.
func canonicalOrigin(v string) (string, bool) {
	org, err := spec.OriginOfURL(strings.TrimSpace(v))
	if err != nil || org.Opaque {
		return "", false
	}
	s := org.String()
	return s, s != v
}
