package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/corsguard/corsguard/rules"
)

// fixed is sample with the CG103 finding fixable: the remedy the rule
// derived and the edit lint/fix proved.
func fixed() Input {
	in := sample
	in.Findings = append([]rules.Finding(nil), sample.Findings...)
	f := &in.Findings[0]
	f.Remedy = &rules.Remedy{Kind: rules.ReplaceValue, Format: "nginx", Old: `^https://app\.example\.com`, New: `^https://app\.example\.com$`,
		Summary: `anchor the origin pattern at both ends and escape its dots: "^https://app\.example\.com$"`}
	f.Edits = []rules.Edit{{File: "conf/api.conf", Start: 40, End: 67, New: `"~^https://app\.example\.com$"`,
		Range: rules.Range{File: "conf/api.conf", Line: 3, Col: 5, EndLine: 3, EndCol: 32}}}
	return in
}

func TestSARIFCarriesTheFixAsReplacements(t *testing.T) {
	var buf bytes.Buffer
	if err := SARIF(&buf, fixed()); err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	schema, err := jsonschema.NewCompiler().Compile("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(doc); err != nil {
		t.Fatalf("SARIF with fixes is not valid 2.1.0: %v", err)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
				Fixes  []struct {
					Description     struct{ Text string }
					ArtifactChanges []struct {
						ArtifactLocation struct{ URI string }
						Replacements     []struct {
							DeletedRegion struct {
								StartLine, StartColumn, EndLine, EndColumn, CharOffset, CharLength int
							}
							InsertedContent struct{ Text string }
						}
					}
				}
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	res := log.Runs[0].Results
	if len(res[1].Fixes) != 0 {
		t.Errorf("a finding without edits got a fix: %+v", res[1].Fixes)
	}
	if len(res[0].Fixes) != 1 || len(res[0].Fixes[0].ArtifactChanges) != 1 {
		t.Fatalf("fixes: %+v", res[0].Fixes)
	}
	ch := res[0].Fixes[0].ArtifactChanges[0]
	r := ch.Replacements[0]
	if ch.ArtifactLocation.URI != "conf/api.conf" || r.DeletedRegion.StartLine != 3 || r.DeletedRegion.StartColumn != 5 ||
		r.DeletedRegion.EndColumn != 32 || r.DeletedRegion.CharOffset != 40 || r.DeletedRegion.CharLength != 27 ||
		r.InsertedContent.Text != `"~^https://app\.example\.com$"` {
		t.Errorf("replacement: %+v in %s", r, ch.ArtifactLocation.URI)
	}
	if !strings.Contains(res[0].Fixes[0].Description.Text, "anchor") {
		t.Errorf("description: %q", res[0].Fixes[0].Description.Text)
	}
}

func TestTextAndMarkdownMarkFixableFindings(t *testing.T) {
	var text, md bytes.Buffer
	if err := Text(&text, fixed(), TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := Markdown(&md, fixed()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"fixable: anchor the origin pattern", "(corsguard lint --fix)", "1 fixable with --fix"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, text.String())
		}
	}
	if !strings.Contains(md.String(), ":wrench: fixable with --fix") || !strings.Contains(md.String(), "1 fixable with --fix") {
		t.Errorf("markdown report does not mark the fixable finding:\n%s", md.String())
	}
	text.Reset()
	_ = Text(&text, sample, TextOptions{})
	if strings.Contains(text.String(), "fixable") {
		t.Errorf("a report without edits speaks of fixes:\n%s", text.String())
	}
}
