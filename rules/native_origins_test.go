package rules

import (
	"strings"
	"testing"
)

// Issue 9 item 7: native shells and browser extensions send real origins
// on their own schemes. They are never "can never match" (CG111); a
// pattern that takes any extension ID trusts every extension author
// (CG109), one ID is its owner's.
func TestNativeAndExtensionOrigins(t *testing.T) {
	glob := func(expr string, line int) OriginRule {
		o := pattern(expr, false, line)
		o.Pattern.Dialect = Glob
		return o
	}
	tests := []struct {
		name string
		p    Policy
		want []expect
	}{
		{"shell origins listed", policy(origins(list(3, "capacitor://localhost", "ionic://localhost", "tauri://localhost", "app://localhost")), vary), nil},
		{"shell origins in a regex", policy(origins(pattern(`^(capacitor|ionic|tauri)://localhost$`, false, 4)), vary), nil},
		{"one chrome extension listed", policy(origins(list(3, "chrome-extension://abcdefghijklmnopabcdefghijklmnop")), vary, creds), nil},
		{"safari extension in upper case", policy(origins(list(3, "safari-web-extension://6F1C2B3A-9D8E-4F7A-B6C5-D4E3F2A1B0C9")), vary), nil},
		{"one extension in a regex", policy(origins(pattern(`^chrome-extension://abcdefghijklmnopabcdefghijklmnop$`, false, 4)), vary), nil},
		{"any chrome extension", policy(origins(pattern(`^chrome-extension://[a-p]{32}$`, false, 4)), vary, creds), []expect{{"CG109", 4, "any browser extension"}}},
		{"any firefox or safari extension", policy(origins(pattern(`^(moz|safari-web)-extension://`, false, 4)), vary), []expect{{"CG109", 4, "moz-extension://"}}},
		{"any extension by glob", policy(origins(glob(`chrome-extension://*`, 4)), vary), []expect{{"CG109", 4, "chrome-extension://"}}},
		{"an app shell origin with a path still never matches", policy(origins(list(3, "capacitor://localhost/")), vary), []expect{{"CG111", 3, "trailing slash"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p
			fs, diags := Check(&p, Options{})
			for _, d := range diags {
				t.Errorf("diagnostic: %v", d)
			}
			assertFindings(t, fs, tt.want)
			for _, f := range fs {
				if f.RuleID == "CG109" && !strings.Contains(f.Message, "anyone can publish an extension") {
					t.Errorf("CG109 does not say what an extension origin is: %s", f.Message)
				}
			}
		})
	}
}

// With a declared trust set, an app or extension origin outside it is
// CG112, and the finding says what the origin is.
func TestUntrustedNativeOriginSaysWhatItIs(t *testing.T) {
	for v, says := range map[string]string{
		"capacitor://localhost":                                "Capacitor app",
		"moz-extension://6f1c2b3a-9d8e-4f7a-b6c5-d4e3f2a1b0c9": "Firefox extension",
		"chrome-extension://abcdefghijklmnopabcdefghijklmnop":  "Chrome or Edge extension",
	} {
		p := policy(origins(list(3, v)), vary)
		fs, _ := Check(&p, Options{TrustedOrigins: []string{"https://app.example.com"}})
		assertFindings(t, fs, []expect{{"CG112", 3, says}})
	}
	if got := nativeOrigin("https://app.example.com"); got != "" {
		t.Errorf("a web origin is described as %q", got)
	}
}
