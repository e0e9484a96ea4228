package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/corsguard/corsguard/rules"
)

var sample = Input{
	Tool: "lint", Version: "test",
	Findings: []rules.Finding{
		{
			RuleID: "CG103", Slug: "origin-regex-prefix", Severity: rules.High, Credentials: true,
			Message: `origin regex "^https://app\.example\.com" is not anchored at the end: accepts https://app.example.com.evil.test`,
			Witness: "https://app.example.com.evil.test", WitnessClass: "post-domain",
			Range:   rules.Range{File: "conf/api.conf", Line: 3, Col: 5},
			Scope:   "server api.example.com > location /v1/",
			Fix:     `anchor the pattern: "^https://app\.example\.com$"`,
			Related: []rules.Evidence{{Range: rules.Range{File: "conf/api.conf", Line: 9}}},
		},
		{
			RuleID: "CG601", Slug: "live-policy-mismatch", Severity: rules.Medium,
			Message: "observed grant for https://evil.test not in the expected policy",
			Range:   rules.Range{File: "https://api.example.com/v1/", Line: 1},
		},
	},
	Errors: []rules.Diagnostic{{Range: rules.Range{File: "conf/bad.conf", Line: 7}, Message: `unexpected "}"`}},
	Files:  2,
	Source: func(file string, line int) (string, bool) {
		if file == "conf/api.conf" && line == 3 {
			return `    "~^https://app\.example\.com" $http_origin;`, true
		}
		return "", false
	},
}

func TestSARIFValidatesAgainstTheSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	schema, err := c.Compile("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []Input{sample, {Tool: "lint", Version: "test"}} {
		var buf bytes.Buffer
		if err := SARIF(&buf, in); err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(doc); err != nil {
			t.Fatalf("SARIF output is not valid 2.1.0: %v\n%s", err, buf.String())
		}
	}
}

func TestSARIFCarriesWhatCodeScanningReads(t *testing.T) {
	var buf bytes.Buffer
	if err := SARIF(&buf, sample); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID         string         `json:"id"`
						Help       map[string]any `json:"help"`
						Properties map[string]any `json:"properties"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID              string            `json:"ruleId"`
				Level               string            `json:"level"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
				Locations           []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string } `json:"artifactLocation"`
						Region           struct{ StartLine, StartColumn int }
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if got, want := len(run.Tool.Driver.Rules), len(rules.All()); got != want {
		t.Errorf("rules in driver = %d, want the whole catalog (%d)", got, want)
	}
	for _, r := range run.Tool.Driver.Rules {
		if r.Help["markdown"] == "" || r.Help["text"] == "" {
			t.Errorf("%s: help text and markdown are required", r.ID)
		}
		if r.Properties["security-severity"] == nil || !strings.Contains(strings.Join(toStrings(r.Properties["tags"]), ","), "security") {
			t.Errorf("%s: security-severity counts only with the security tag", r.ID)
		}
	}
	res := run.Results[0]
	if res.RuleID != "CG103" || res.Level != "error" {
		t.Errorf("result = %s/%s, want CG103/error", res.RuleID, res.Level)
	}
	loc := res.Locations[0].PhysicalLocation
	if loc.ArtifactLocation.URI != "conf/api.conf" || loc.Region.StartLine != 3 || loc.Region.StartColumn != 5 {
		t.Errorf("location = %+v", loc)
	}
	if !strings.HasSuffix(res.PartialFingerprints["primaryLocationLineHash"], ":1") {
		t.Errorf("fingerprint = %q, want hash:occurrence", res.PartialFingerprints["primaryLocationLineHash"])
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

func TestFingerprintsSurviveLineMoves(t *testing.T) {
	moved := sample
	moved.Findings = append([]rules.Finding(nil), sample.Findings...)
	moved.Findings[0].Range.Line = 30
	moved.Source = func(file string, line int) (string, bool) {
		if line == 30 {
			return `  "~^https://app\.example\.com" $http_origin;  `, true
		}
		return "", false
	}
	a, b := Fingerprints(sample), Fingerprints(moved)
	if a[0] != b[0] {
		t.Errorf("fingerprint changed when only the line number and indentation moved: %s vs %s", a[0], b[0])
	}
	if a[0] == a[1] {
		t.Error("different findings share a fingerprint")
	}
}

func TestTextReadsLikeACompilerDiagnostic(t *testing.T) {
	var buf bytes.Buffer
	if err := Text(&buf, sample, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"conf/bad.conf:7: error: unexpected \"}\"",
		"conf/api.conf:3:5: CG103 origin-regex-prefix (high, credentials): origin regex",
		`    3 |     "~^https://app\.example\.com" $http_origin;`,
		"exploit origin: https://app.example.com.evil.test",
		`fix: anchor the pattern: "^https://app\.example\.com$"`,
		"2 finding(s) (1 high, 1 medium) in 2 file(s), 1 error(s)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colour without a terminal")
	}
	buf.Reset()
	_ = Text(&buf, sample, TextOptions{Color: true})
	if !strings.Contains(buf.String(), "\x1b[") {
		t.Error("no colour when asked")
	}
}

func TestJSONSchemaIsStable(t *testing.T) {
	var buf bytes.Buffer
	if err := JSON(&buf, sample); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"schemaVersion", "tool", "version", "findings", "errors", "summary"} {
		if _, ok := doc[key]; !ok {
			t.Errorf("JSON lacks %q", key)
		}
	}
	f := doc["findings"].([]any)[0].(map[string]any)
	for _, key := range []string{"ruleId", "slug", "severity", "confidence", "credentials", "message", "witness", "range", "fingerprint"} {
		if _, ok := f[key]; !ok {
			t.Errorf("finding lacks %q", key)
		}
	}
	if f["severity"] != "high" || f["confidence"] != "certain" {
		t.Errorf("severity/confidence are names: %v/%v", f["severity"], f["confidence"])
	}
}

// A Source that returns the last line of a file with its line ending
// (LF or CRLF) must not put a blank or escaped line ending between the
// source line and its caret.
func TestTextCaretFollowsTheLastLineOfAFile(t *testing.T) {
	for _, ending := range []string{"\n", "\r\n", ""} {
		in := sample
		in.Source = func(file string, line int) (string, bool) {
			return `    "~^https://app\.example\.com" $http_origin;` + ending, true
		}
		var buf bytes.Buffer
		if err := Text(&buf, in, TextOptions{}); err != nil {
			t.Fatal(err)
		}
		want := "    3 |     \"~^https://app\\.example\\.com\" $http_origin;\n      |     ^\n"
		if !strings.Contains(buf.String(), want) {
			t.Errorf("ending %q: source and caret are not on consecutive lines:\n%s", ending, buf.String())
		}
	}
}
