package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// write creates files under a fresh directory and returns it.
func write(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const reflecting = `server {
    listen 443 ssl;
    server_name api.example.com;
    location / {
        add_header Access-Control-Allow-Origin $http_origin always;%s
        add_header Vary Origin always;
    }
}
`

func TestSuppressions(t *testing.T) {
	tests := []struct {
		name       string
		comment    string // inserted after the add_header line, or before it
		above      bool
		wantRules  []string
		suppressed int
	}{
		{"no suppression", "", false, []string{"CG101"}, 0},
		{"same line with a reason", "  # corsguard:ignore CG101 internal admin network only", false, nil, 1},
		{"line above with a reason", "# corsguard:ignore CG101 internal admin network only", true, nil, 1},
		{"several ids", "  # corsguard:ignore CG401, CG101 internal only", false, nil, 1},
		{"without a reason it still applies but is reported", "  # corsguard:ignore CG101", false, []string{"CG001"}, 1},
		{"another rule does not suppress", "  # corsguard:ignore CG105 not this one", false, []string{"CG101"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var conf string
			if tt.above {
				conf = strings.Replace(reflecting, "        add_header Access-Control-Allow-Origin", "        "+tt.comment+"\n        add_header Access-Control-Allow-Origin", 1)
				conf = strings.Replace(conf, "%s", "", 1)
			} else {
				conf = strings.Replace(reflecting, "%s", tt.comment, 1)
			}
			dir := write(t, map[string]string{"api.conf": conf})
			res, err := LintPaths([]string{dir}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.Findings {
				got = append(got, f.RuleID)
			}
			if strings.Join(got, ",") != strings.Join(tt.wantRules, ",") {
				t.Errorf("findings = %v, want %v", got, tt.wantRules)
			}
			if len(res.Suppressed) != tt.suppressed {
				t.Errorf("suppressed = %d, want %d", len(res.Suppressed), tt.suppressed)
			}
		})
	}
}

func TestRuleSettings(t *testing.T) {
	dir := write(t, map[string]string{"legacy/api.conf": strings.Replace(reflecting, "%s", "", 1)})
	base := []string{dir}
	tests := []struct {
		name string
		opts Options
		want string // severity of the CG101 finding, "" when none
	}{
		{"default", Options{}, "medium"},
		{"disabled", Options{Disabled: map[string]bool{"CG101": true}}, ""},
		{"severity override", Options{SeverityOverride: map[string]rules.Severity{"CG101": rules.Low}}, "low"},
		{"excluded path", Options{Exclude: map[string][]string{"CG101": {"**/legacy/**"}}}, ""},
		{"policy-file suppression", Options{Suppressions: []Suppression{{RuleID: "CG101", Path: "**/api.conf", Reason: "accepted risk"}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := LintPaths(base, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			for _, f := range res.Findings {
				if f.RuleID == "CG101" {
					got = f.Severity.String()
				}
			}
			if got != tt.want {
				t.Errorf("CG101 severity = %q, want %q", got, tt.want)
			}
		})
	}
}

// Bad input: each case gives file:line and what is wrong, and the other
// files are still linted.
func TestBadInputIsReportedAndOthersStillLinted(t *testing.T) {
	big := "# padding\n" + strings.Repeat("#"+strings.Repeat("x", 1023)+"\n", 10*1024+8)
	tests := []struct {
		name    string
		file    string
		body    string
		wantErr string // substring of "file:line: message"
	}{
		{"truncated", "truncated.conf", "server {\n    listen 80;\n    location / {\n        add_header X-A b;\n", "truncated.conf:"},
		{"binary", "blob.conf", "\x00\x01\x02ELF\x00", "blob.conf:1: binary file"},
		{"too large", "huge.conf", big, "huge.conf:1: file is 10504210 bytes, larger than the 10 MB limit; not read"},
		{"include loop", "loop.conf", "http {\n    include loop.conf;\n}\n", "loop.conf:2"},
		{"unknown directive", "typo.conf", "server {\n    listen 80;\n    add_heder Access-Control-Allow-Origin *;\n}\n", `typo.conf:3: unknown directive "add_heder"`},
		{"not nginx", "notes.conf", "server_name is what I would write\n", "notes.conf:1:"},
		{"PCRE no engine here runs", "pcre.conf", "map $http_origin $cors {\n    default \"\";\n    \"~^https://(a|(?R))\\.example\\.com$\" $http_origin;\n}\nserver {\n    location / {\n        add_header Access-Control-Allow-Origin $cors always;\n    }\n}\n", "pcre.conf:3: origin pattern"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := write(t, map[string]string{
				"bad/" + tt.file: tt.body,
				"good/api.conf":  strings.Replace(reflecting, "%s", "", 1),
			})
			res, err := LintPaths([]string{filepath.Join(dir, "bad", tt.file), filepath.Join(dir, "good")}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, d := range res.Errors {
				if strings.Contains(d.Error(), tt.wantErr) {
					found = true
				}
			}
			if !found {
				t.Errorf("errors = %v, want one containing %q", res.Errors, tt.wantErr)
			}
			if len(res.Findings) == 0 {
				t.Error("the good file was not linted")
			}
		})
	}
}

func TestMissingPathIsAUsageError(t *testing.T) {
	if _, err := LintPaths([]string{"/no/such/dir"}, Options{}); err == nil {
		t.Fatal("want an error for a path that does not exist")
	}
}

// An included snippet is linted in its including context only.
func TestIncludedSnippetIsNotLintedAlone(t *testing.T) {
	dir := write(t, map[string]string{
		"nginx.conf":      "http {\n    include conf.d/*.conf;\n}\n",
		"conf.d/api.conf": strings.Replace(reflecting, "%s", "", 1),
	})
	res, err := LintPaths([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range res.Findings {
		if f.RuleID == "CG101" {
			n++
		}
	}
	if n != 1 || len(res.Files) != 1 {
		t.Errorf("CG101 findings = %d, entry files = %v; want 1 finding from nginx.conf only", n, res.Files)
	}
}
