package rules

import (
	"strings"
	"testing"
)

// Issue 9 item 9: what the declared trust covers, and how a witness
// nobody can register today weighs.

// Trusting http://host trusts the host: its https origin is an upgrade,
// never "outside the trusted set". The reverse is a downgrade.
func TestSchemeUpgradeOfATrustedOriginIsTrusted(t *testing.T) {
	httpTrust := Options{TrustedOrigins: []string{"http://app.example.com", "http://dev.example.com:8080"}}
	tests := []struct {
		name string
		p    Policy
		opts Options
		want []expect
	}{
		{"https twin of a trusted http origin", policy(origins(list(3, "https://app.example.com")), vary), httpTrust, nil},
		{"https twin keeps the port", policy(origins(list(3, "https://dev.example.com:8080")), vary), httpTrust, nil},
		{"another port is another origin", policy(origins(list(3, "https://dev.example.com:9090")), vary), httpTrust, []expect{{"CG112", 3, "dev.example.com:9090"}}},
		{"a pattern's https witness is trusted too", policy(origins(pattern(`^https://app\.example\.com$`, false, 4)), vary), httpTrust, nil},
		{"trusting https does not trust http", policy(origins(list(3, "http://app.example.com")), vary), Options{TrustedOrigins: []string{"https://app.example.com"}}, []expect{{"CG107", 3, "http://app.example.com"}, {"CG112", 3, "http://app.example.com"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p
			fs, _ := Check(&p, tt.opts)
			assertFindings(t, fs, tt.want)
		})
	}
}

// A witness under a suffix nobody can register (.internal, .test, .corp,
// .lan, .local, a single label) lowers every witness-based rule to low
// and says why; it never silences the rule. Subdomains and the http twin
// are the owner's whatever the suffix: CG108 and CG107 keep their
// severity.
func TestUnregistrableWitnessLowersEveryRule(t *testing.T) {
	tests := []struct {
		name    string
		expr    string
		rule    string
		low     bool
		because string
	}{
		{"CG104 under .internal", `^https://.*myapp\.internal$`, "CG104", true, ".internal is no public top-level domain"},
		{"CG104 under .corp", `^https://.*intranet\.corp$`, "CG104", true, ".corp is no public top-level domain"},
		{"CG104 under a public suffix stays high", `^https://.*partner\.com$`, "CG104", false, ""},
		{"CG105 dot before the last label", `^https://app\.example.com$`, "CG105", true, ".examplexcom is no public top-level domain"},
		{"CG108 under .lan is the owner's", `^https://([a-z0-9-]+\.)?corp\.lan$`, "CG108", false, ""},
		{"CG108 under .local is the owner's", `^https://[a-z]+\.office\.local$`, "CG108", false, ""},
		{"CG108 next to a low CG104", `^https://.*myapp\.internal$`, "CG108", false, ""},
		{"CG107 under .test is the owner's", `^https?://app\.example\.test$`, "CG107", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := policy(origins(pattern(tt.expr, false, 4)), vary, creds)
			fs, _ := Check(&p, Options{})
			var got *Finding
			for i := range fs {
				if fs[i].RuleID == tt.rule {
					got = &fs[i]
				}
			}
			if got == nil {
				t.Fatalf("no %s for %s; got %v", tt.rule, tt.expr, fs)
			}
			if low := got.Severity == Low; low != tt.low {
				t.Errorf("%s severity %v, want low=%v: %s", tt.rule, got.Severity, tt.low, got.Message)
			}
			if tt.low && !strings.Contains(got.Message, "nobody can register today ("+tt.because) {
				t.Errorf("message does not say why (%q): %s", tt.because, got.Message)
			}
			if !tt.low && strings.Contains(got.Message, "nobody can register") {
				t.Errorf("an obtainable witness is called unregistrable: %s", got.Message)
			}
		})
	}
}
