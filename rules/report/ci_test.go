package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// Uploads of lint and of each fuzz shard must land in different code
// scanning categories: GitHub takes everything before the last "/" of
// runAutomationDetails.id as the category.
func TestSARIFNamesItsAnalysis(t *testing.T) {
	for _, tt := range []struct {
		in       Input
		id, cat  string
		semver   string
		tool     string
		withFuzz bool
	}{
		{in: Input{Tool: "lint", Version: "v1.4.0"}, id: "corsguard/lint/", cat: "corsguard/lint", semver: "1.4.0"},
		{in: Input{Tool: "fuzz", Version: "v0.0.0-20261202035700-c81d79932a66+dirty", AutomationID: DefaultAutomationID("fuzz", "2/4")},
			id: "corsguard/fuzz/2-of-4/", cat: "corsguard/fuzz/2-of-4", semver: "0.0.0-20261202035700-c81d79932a66+dirty"},
		{in: Input{Tool: "fuzz", Version: "dev"}, id: "corsguard/fuzz/", cat: "corsguard/fuzz", semver: "0.0.0-dev"},
	} {
		var buf bytes.Buffer
		if err := SARIF(&buf, tt.in); err != nil {
			t.Fatal(err)
		}
		var log struct {
			Runs []struct {
				AutomationDetails struct{ ID string } `json:"automationDetails"`
				Tool              struct {
					Driver struct {
						Version         string `json:"version"`
						SemanticVersion string `json:"semanticVersion"`
					} `json:"driver"`
				} `json:"tool"`
			} `json:"runs"`
		}
		if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
			t.Fatal(err)
		}
		run := log.Runs[0]
		id := run.AutomationDetails.ID
		if id != tt.id || id[:strings.LastIndex(id, "/")] != tt.cat {
			t.Errorf("%s: automationDetails.id %q, want %q (category %q)", tt.in.Tool, id, tt.id, tt.cat)
		}
		if run.Tool.Driver.Version != tt.in.Version || run.Tool.Driver.SemanticVersion != tt.semver {
			t.Errorf("driver version %q semanticVersion %q, want %q %q", run.Tool.Driver.Version, run.Tool.Driver.SemanticVersion, tt.in.Version, tt.semver)
		}
	}
}

func TestSemanticVersionIsAlwaysSemver(t *testing.T) {
	for _, v := range []string{"v1.2.3", "dev", "dev-c81d79932a66+dirty", "", "v2.0.0-rc.1", "(devel)", "1.2"} {
		if got := SemanticVersion(v); !semverRE.MatchString(got) {
			t.Errorf("SemanticVersion(%q) = %q: not semver", v, got)
		}
	}
}

// The same hole found by tonight's seed is the finding baselined last
// night: a fuzz fingerprint depends on the target, the rule and the origin
// class, never on the random origin drawn.
func TestFuzzFingerprintsIgnoreTheRandomOrigin(t *testing.T) {
	finding := func(witness, class string) rules.Finding {
		return rules.Finding{RuleID: "CG103", Severity: rules.High, Witness: witness, WitnessClass: class,
			Message: "grants " + witness, Range: rules.Range{File: "https://api.example.com/", Line: 1}}
	}
	night1 := Fingerprints(Input{Tool: "fuzz", Findings: []rules.Finding{finding("https://app.example.com.x7q.test", "random")}})
	night2 := Fingerprints(Input{Tool: "fuzz", Findings: []rules.Finding{finding("https://app.example.com.k2z.test", "random")}})
	if night1[0] != night2[0] {
		t.Errorf("fingerprint changed with the random origin: %s vs %s", night1[0], night2[0])
	}
	other := Fingerprints(Input{Tool: "fuzz", Findings: []rules.Finding{finding("https://app.example.com.evil.test", "post-domain")}})
	if other[0] == night1[0] {
		t.Error("different origin classes share a fingerprint")
	}
}

func TestBaselineReportsOnlyNewFindings(t *testing.T) {
	old := sample
	var report bytes.Buffer
	if err := JSON(&report, old); err != nil {
		t.Fatal(err)
	}
	var base bytes.Buffer
	if err := WriteBaseline(&base, old); err != nil {
		t.Fatal(err)
	}
	var sarifLog bytes.Buffer
	if err := SARIF(&sarifLog, old); err != nil {
		t.Fatal(err)
	}
	// Tonight: the CG601 finding is fixed, a new CG105 appeared.
	fresh := rules.Finding{RuleID: "CG105", Slug: "origin-suffix", Severity: rules.High, Message: "new",
		Range: rules.Range{File: "conf/api.conf", Line: 20}}
	for name, doc := range map[string]*bytes.Buffer{"baseline": &base, "json report": &report, "sarif": &sarifLog} {
		t.Run(name, func(t *testing.T) {
			b, err := ReadBaseline(bytes.NewReader(doc.Bytes()), name)
			if err != nil {
				t.Fatal(err)
			}
			now := sample
			now.Findings = []rules.Finding{sample.Findings[0], fresh}
			b.Apply(&now)
			if len(now.Findings) != 1 || now.Findings[0].RuleID != "CG105" {
				t.Fatalf("kept %v, want only the new CG105", now.Findings)
			}
			if now.Baseline.Baselined != 1 || len(now.Baseline.Gone) != 1 || now.Baseline.Gone[0].RuleID != "CG601" {
				t.Errorf("outcome %+v, want 1 baselined and CG601 gone", now.Baseline)
			}
			var text bytes.Buffer
			if err := Text(&text, now, TextOptions{}); err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"1 baselined", "1 baseline entry no longer occurs", "baseline entry no longer occurs: CG601 https://api.example.com/v1/:1"} {
				if !strings.Contains(text.String(), want) {
					t.Errorf("text report lacks %q:\n%s", want, text.String())
				}
			}
		})
	}
}

func TestBaselineRejectsOtherFiles(t *testing.T) {
	for name, body := range map[string]string{
		"not json":        "server { }",
		"other json":      `{"name": "package.json"}`,
		"no fingerprint":  `{"baseline": [{"ruleId": "CG101"}]}`,
		"jsonl of fuzzes": `{"ruleId": "CG101"}` + "\n" + `{"ruleId": "CG102"}`,
	} {
		if _, err := ReadBaseline(strings.NewReader(body), name); err == nil {
			t.Errorf("%s: accepted as a baseline", name)
		}
	}
}

// The markdown report is for step summaries and PR comments: a verdict,
// counts by severity, one row per finding linking to the rule's
// explanation, and text from configs that cannot inject markup.
func TestMarkdownReport(t *testing.T) {
	in := sample
	in.Findings = append([]rules.Finding(nil), sample.Findings...)
	in.Findings[1].Message = "grant for <img src=x> | `x` *y*"
	var buf bytes.Buffer
	if err := Markdown(&buf, in); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	for _, want := range []string{
		":x: 2 finding(s) (1 high, 1 medium) in 2 file(s), 1 error(s)",
		"| :orange_circle: high | 1 |",
		"[CG103](#cg103-origin-regex-prefix) origin-regex-prefix | `conf/api.conf:3:5` |",
		"#### CG103 origin-regex-prefix",
		"<code>corsguard explain CG103</code>",
		"grant for &lt;img src=x&gt; \\| \\`x\\` \\*y\\*",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	buf.Reset()
	if err := Markdown(&buf, Input{Tool: "lint", Files: 3}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), ":white_check_mark: 0 finding(s) in 3 file(s)") || strings.Contains(buf.String(), "| severity") {
		t.Errorf("clean run:\n%s", buf.String())
	}
}

func TestJUnitListsEveryFile(t *testing.T) {
	var buf bytes.Buffer
	if err := JUnit(&buf, sample, []string{"conf/api.conf", "conf/clean.conf"}, rules.High); err != nil {
		t.Fatal(err)
	}
	var doc JUnitSuites
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, buf.String())
	}
	// conf/api.conf fails on CG103 (high); CG601 is medium, below
	// --fail-on; conf/clean.conf passes; conf/bad.conf did not parse.
	if doc.Tests != 3 || doc.Fails != 1 || doc.Errors != 1 {
		t.Errorf("tests=%d failures=%d errors=%d, want 3 1 1\n%s", doc.Tests, doc.Fails, doc.Errors, buf.String())
	}
	for _, s := range doc.Suites {
		if s.Name == "conf/api.conf" && (s.Cases[0].Failure == nil || s.Cases[0].Line != 3) {
			t.Errorf("conf/api.conf: %+v", s.Cases)
		}
	}
}
