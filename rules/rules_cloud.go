package rules

import (
	"fmt"
	"slices"
	"strings"
)

const (
	groupCloud = "Cloud resources"
	groupLive  = "Live"
)

// writeMethods are the methods that change stored data.
var writeMethods = map[string]bool{"PUT": true, "POST": true, "DELETE": true, "PATCH": true}

var _ = register(&Rule{
	ID: "CG501", Slug: "cloud-wildcard-write", Group: groupCloud,
	Title:    "Storage CORS allows any origin to write",
	Severity: Medium, CredSeverity: High,
	Rationale: "A bucket or storage account whose CORS rule allows `*` with PUT, POST or DELETE lets any site drive uploads and deletions from a visitor's browser wherever a pre-signed URL, SAS token or public write permission exists.",
	Fix:       "List the origins of your own front end for write methods; keep `*` for GET/HEAD only.",
	Bad:       "cors_rule {\n  allowed_origins = [\"*\"]\n  allowed_methods = [\"GET\", \"PUT\", \"DELETE\"]\n}",
	Good:      "cors_rule {\n  allowed_origins = [\"https://app.example.com\"]\n  allowed_methods = [\"GET\", \"PUT\"]\n}",
	check: func(c *checkContext) {
		// Storage only: an API that answers any origin without credentials
		// gives a page nothing a plain HTTP client does not have.
		if !isCloud(c.p.Format) || c.p.Service != "storage" {
			return
		}
		var writes []string
		var ev Evidence
		for _, g := range []Grant{c.p.Actual, c.p.Preflight.Grant} {
			for _, h := range headerLiterals(g, HeaderAllowMethods) {
				for _, m := range splitList(h.Value.Literal) {
					m = strings.ToUpper(m)
					if (writeMethods[m] || m == "*") && !slices.Contains(writes, m) {
						writes = append(writes, m)
						ev = h.Evidence
					}
				}
			}
		}
		if len(writes) == 0 {
			return
		}
		for i := range c.p.Actual.Origins {
			o := &c.p.Actual.Origins[i]
			if o.Kind != OriginAny && o.Kind != OriginReflect {
				continue
			}
			f := Finding{Witness: "https://evil.test", Range: originEvidence(o).Range, Related: append(o.Evidence, ev)}
			c.severity(&f)
			f.Message = fmt.Sprintf("any origin may send %s: every site can write through a visitor's browser", strings.Join(writes, ", "))
			c.report(f)
			return
		}
	},
})

var _ = register(&Rule{
	ID: "CG502", Slug: "cloud-credentials-wildcard", Group: groupCloud,
	Title:    "API or function CORS allows credentials with any origin",
	Severity: High, CredSeverity: Critical,
	Rationale: "A managed API that echoes any origin with credentials lets every site read authenticated responses. Some services refuse the combination at deploy time (API Gateway v2): then the config is broken, not open, and the usual next step is a wildcard pattern that works.",
	Fix:       "List the origins that need credentials.",
	Bad:       "cors_configuration {\n  allow_origins     = [\"*\"]\n  allow_credentials = true\n}",
	Good:      "cors_configuration {\n  allow_origins     = [\"https://app.example.com\"]\n  allow_credentials = true\n}",
	check: func(c *checkContext) {
		if !isCloud(c.p.Format) || c.creds != credYes {
			return
		}
		for i := range c.p.Actual.Origins {
			o := &c.p.Actual.Origins[i]
			if o.Kind != OriginAny {
				continue // reflection is CG101's, critical with credentials
			}
			f := Finding{Witness: "https://evil.test", Range: originEvidence(o).Range, Related: append(o.Evidence, c.credHeader.Evidence)}
			c.severity(&f)
			f.Message = "credentials are allowed for any origin: every site can read authenticated responses"
			for _, n := range c.p.Notes {
				if strings.Contains(n, "rejects") {
					f.Severity = Low
					f.Witness = ""
					f.Message = "credentials with any origin: " + n + " (broken, not exploitable)"
				}
			}
			c.report(f)
			return
		}
	},
})

// The live rules are raised by `corsguard fuzz`, which compares what it
// observes with what a config or policy file expects; they have no static check.
var _ = register(&Rule{
	ID: "CG601", Slug: "live-policy-mismatch", Group: groupLive,
	Title:    "The endpoint's observed policy differs from the expected one",
	Severity: Medium, CredSeverity: High,
	Rationale: "What the server does is what attackers get. A grant observed live but absent from the config or policy file means the config in review is not what runs (an upstream adds headers, a stale deploy); a missing grant means the front end will break.",
	Fix:       "Reconcile the running service with the config, or update the expected policy.",
	Bad:       "target \"https://api.example.com/\" { origins = [\"https://app.example.com\"] }   # server also grants https://evil.test",
	Good:      "the server grants exactly the origins the target block lists",
})

var _ = register(&Rule{
	ID: "CG602", Slug: "live-inconsistent", Group: groupLive,
	Title:    "The same request gets different CORS answers across repeats, paths or methods",
	Severity: Low, CredSeverity: Medium,
	Rationale: "Inconsistent answers point at several backends behind one name, caches without Vary, or error paths that bypass the CORS layer: each is a place where a stricter policy silently does not apply.",
	Fix:       "Make every backend and error path go through the same CORS layer.",
	Bad:       "one of three replicas reflects any origin",
	Good:      "every replica answers the same",
})
