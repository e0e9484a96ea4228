package hcl

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/corsguard/corsguard/rules"
)

func writePolicy(t *testing.T, src string) string {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, rules.PolicyFileName)
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadPolicyFile(t *testing.T) {
	path := writePolicy(t, `
trusted_origins = ["https://app.example.com"]
trusted {
  origins  = ["https://admin.example.com", "https://app.example.com"]
  patterns = ["https://*.preview.example.com"]
}
rule "CG105" { enabled = false }
rule "CG108" {
  severity = "low"
  exclude  = ["legacy/**"]
}
suppress "CG112" {
  path    = "corpus/x.conf"
  line    = 12
  reason  = "partner reads prices by contract"
  expires = "2027-01-31"
}
target "https://api.example.com/v1/" {
  origins     = ["https://app.example.com", "https://admin.example.com"]
  credentials = true
  methods     = ["GET", "POST", "PUT"]
  headers     = ["Content-Type", "Authorization"]
  max_age     = 600
}
`)
	pf, err := LoadPolicyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(pf.Trusted(), " "); got != "https://app.example.com https://admin.example.com" {
		t.Errorf("Trusted() = %s", got)
	}
	if got := pf.TrustedPatterns(); len(got) != 1 || got[0] != "https://*.preview.example.com" {
		t.Errorf("TrustedPatterns() = %v", got)
	}
	if r, ok := pf.RuleSetting("CG105"); !ok || r.IsEnabled() {
		t.Errorf("CG105 should be disabled: %+v", r)
	}
	if r, _ := pf.RuleSetting("cg108"); !r.IsEnabled() || r.Exclude[0] != "legacy/**" {
		t.Errorf("CG108 setting %+v", r)
	} else if s, ok := r.SeverityOverride(); !ok || s != rules.Low {
		t.Errorf("CG108 severity %v %v", s, ok)
	}
	if s := pf.Suppressions[0]; s.Rule != "CG112" || s.Line != 12 || s.Path != "corpus/x.conf" {
		t.Errorf("suppression %+v", s)
	}
	tp, ok := pf.Target("https://api.example.com/v1/")
	if !ok || !tp.Credentials || *tp.MaxAge != 600 || len(tp.Methods) != 3 {
		t.Fatalf("target %+v", tp)
	}
	exp := tp.Expected(pf.Path)
	if got := summary(exp); !strings.Contains(got, "origin list https://app.example.com,https://admin.example.com echo") ||
		!strings.Contains(got, `Access-Control-Allow-Methods="GET, POST, PUT"`) ||
		!strings.Contains(got, `Access-Control-Allow-Credentials="true"`) ||
		!strings.Contains(got, `Vary="Origin"`) {
		t.Errorf("Expected() =\n%s", got)
	}
	if pf.Path != path {
		t.Errorf("Path = %q", pf.Path)
	}
}

func TestPolicyFileErrors(t *testing.T) {
	tests := []struct {
		name string
		src  string
		// wantText must appear in the rendered error (HCL's own text).
		wantText []string
		// wantAt is the file:line:col of the first diagnostic.
		wantAt string
	}{
		{
			name:     "syntax error",
			src:      "trusted {\n  origins = [\n}\n",
			wantText: []string{"Error: "},
			wantAt:   ":3:1",
		},
		{
			name:     "unknown block type",
			src:      "trusted {}\nallow \"x\" {}\n",
			wantText: []string{`Unsupported block type`, `allow "x" {}`},
			wantAt:   ":2:1",
		},
		{
			name:     "wrong attribute type",
			src:      "trusted {\n  origins = \"https://app.example.com\"\n}\n",
			wantText: []string{"Unsuitable value type", "list of string required"},
			wantAt:   ":2:14", // HCL's string ranges start inside the quotes
		},
		{
			name:     "suppression without a reason",
			src:      "suppress \"CG101\" {\n  path = \"a.conf\"\n}\n",
			wantText: []string{`Missing required argument`, `"reason" is required`},
			wantAt:   ":1:18",
		},
		{
			name:     "suppression with an empty reason",
			src:      "suppress \"CG101\" {\n  reason = \" \"\n}\n",
			wantText: []string{"Empty suppression reason"},
			wantAt:   ":2:12",
		},
		{
			name:     "expiry date that does not parse",
			src:      "suppress \"CG101\" {\n  reason  = \"x\"\n  expires = \"31/01/2027\"\n}\n",
			wantText: []string{"Invalid expiry date", `"31/01/2027"`, `expires = "31/01/2027"`},
			wantAt:   ":3:13",
		},
		{
			name:     "origin with a trailing slash, pointed at the element",
			src:      "trusted {\n  origins = [\"https://a.example.com\", \"https://b.example.com/\"]\n}\n",
			wantText: []string{"Invalid origin", `"https://b.example.com/": trailing slash`},
			wantAt:   ":2:39",
		},
		{
			name:     "unknown severity",
			src:      "rule \"CG101\" {\n  severity = \"urgent\"\n}\n",
			wantText: []string{"Invalid severity", `unknown severity "urgent"`},
			wantAt:   ":2:14",
		},
		{
			name:     "not a rule ID",
			src:      "rule \"origin-reflected\" {\n  enabled = false\n}\n",
			wantText: []string{"Invalid rule ID", `"origin-reflected" is a rule's name; write its ID, CG101`},
			wantAt:   ":1:1",
		},
		{
			name:     "a rule ID corsguard does not have",
			src:      "rule \"CG999\" {\n  enabled = false\n}\n",
			wantText: []string{"Invalid rule ID", `"CG999" is not a corsguard rule ID`},
			wantAt:   ":1:1",
		},
		{
			name:     "a suppression of a rule corsguard does not have",
			src:      "suppress \"CG998\" {\n  reason = \"legacy\"\n}\n",
			wantText: []string{"Invalid rule ID", `"CG998" is not a corsguard rule ID`},
			wantAt:   ":1:1",
		},
		{
			name:     "target missing credentials, with a relative URL",
			src:      "target \"/v1\" {\n  origins = []\n  methods = []\n  headers = []\n}\n",
			wantText: []string{`"credentials" is required`},
			wantAt:   ":1:",
		},
		{
			name:     "target URL that is not absolute",
			src:      "target \"/v1\" {\n  origins = []\n  credentials = false\n  methods = []\n  headers = []\n}\n",
			wantText: []string{"Invalid target URL"},
			wantAt:   ":1:1",
		},
		{
			name:     "two trusted blocks",
			src:      "trusted {}\ntrusted {}\n",
			wantText: []string{"Duplicate trusted block"},
			wantAt:   ":2:",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writePolicy(t, tt.src)
			_, err := LoadPolicyFile(path)
			var pfe *PolicyFileError
			if !errors.As(err, &pfe) {
				t.Fatalf("error %v is not a *PolicyFileError", err)
			}
			for _, w := range tt.wantText {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error text lacks %q:\n%s", w, err.Error())
				}
			}
			if !strings.Contains(err.Error(), "on "+path) {
				t.Errorf("error text does not name the file with its source snippet:\n%s", err.Error())
			}
			if len(pfe.Diags) == 0 {
				t.Fatal("no diagnostics")
			}
			if got := pfe.Diags[0].Range.String(); !strings.HasPrefix(got, path+tt.wantAt) {
				t.Errorf("first diagnostic at %s, want %s%s", got, path, tt.wantAt)
			}
		})
	}
}

func TestSuppressionExpired(t *testing.T) {
	day := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic(err)
		}
		return t
	}
	tests := []struct {
		expires string
		now     time.Time
		want    bool
	}{
		{"", day("2099-01-01T00:00:00Z"), false},
		{"2027-01-31", day("2027-01-31T23:59:59Z"), false}, // the expiry day itself still counts
		{"2027-01-31", day("2027-02-01T00:00:00Z"), true},
		{"2027-01-31", day("2026-06-01T12:00:00+02:00"), false},
		{"not a date", day("2000-01-01T00:00:00Z"), true}, // a typo never silences forever
	}
	for _, tt := range tests {
		s := rules.Suppression{Rule: "CG101", Reason: "r", Expires: tt.expires}
		if got := s.Expired(tt.now); got != tt.want {
			t.Errorf("Expired(%q at %s) = %v, want %v", tt.expires, tt.now, got, tt.want)
		}
	}
}

func TestExpiredSuppressionStillLoads(t *testing.T) {
	// Expiry is a runtime matter: the file is valid, the engine reports the
	// suppression as expired and stops applying it.
	path := writePolicy(t, "suppress \"CG101\" {\n  reason  = \"old\"\n  expires = \"2001-01-01\"\n}\n")
	pf, err := LoadPolicyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !pf.Suppressions[0].Expired(time.Now()) {
		t.Error("suppression from 2001 is not expired")
	}
}

func TestFindPolicyFile(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "a", "b", "c")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, ok := FindPolicyFile(deep); ok {
		// A policy file above the temp dir would be a property of the
		// machine, not of the code; only check when there is none.
		t.Skip("a .corsguard.hcl exists above the temporary directory")
	}
	mid := filepath.Join(root, "a", rules.PolicyFileName)
	if err := os.WriteFile(mid, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, ok := FindPolicyFile(deep); !ok || got != mid {
		t.Errorf("FindPolicyFile(deep) = %q %v, want %q", got, ok, mid)
	}
	// The nearest file wins.
	near := filepath.Join(deep, rules.PolicyFileName)
	if err := os.WriteFile(near, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, _ := FindPolicyFile(deep); got != near {
		t.Errorf("FindPolicyFile(deep) = %q, want %q", got, near)
	}
	// A directory with the name is not a policy file.
	other := filepath.Join(root, "x")
	if err := os.MkdirAll(filepath.Join(other, rules.PolicyFileName), 0o755); err != nil {
		t.Fatal(err)
	}
	if got, ok := FindPolicyFile(other); ok {
		t.Errorf("FindPolicyFile found a directory: %q", got)
	}
}

func TestStarterPolicyFileDecodes(t *testing.T) {
	path := writePolicy(t, string(StarterPolicyFile()))
	pf, err := LoadPolicyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(pf.Trusted()) == 0 || len(pf.Targets) == 0 || len(pf.Suppressions) == 0 || len(pf.Rules) == 0 {
		t.Errorf("starter file leaves a section empty: %+v", pf)
	}
	if pf.Suppressions[0].Expired(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Error("starter suppression is already expired")
	}
}
