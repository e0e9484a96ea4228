package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// Any bytes given as --baseline are refused with an error or read into
// entries that all have a fingerprint; never a panic.
func FuzzReadBaseline(f *testing.F) {
	var doc bytes.Buffer
	_ = WriteBaseline(&doc, sample)
	f.Add(doc.Bytes())
	var rep bytes.Buffer
	_ = JSON(&rep, sample)
	f.Add(rep.Bytes())
	f.Add([]byte(`{"runs":[{"results":[{"ruleId":"CG101","partialFingerprints":{"primaryLocationLineHash":"ab:1"}}]}]}`))
	f.Add([]byte(`{"baseline":null}`))
	f.Add([]byte(`[1,2,3]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ReadBaseline(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		for _, e := range b.Entries {
			if e.Fingerprint == "" {
				t.Fatalf("entry without a fingerprint accepted: %+v", e)
			}
		}
		// Applying it never grows a run and accounts for every finding.
		in := sample
		in.Findings = append([]rules.Finding(nil), sample.Findings...)
		b.Apply(&in)
		if len(in.Findings)+in.Baseline.Baselined != len(sample.Findings) {
			t.Fatalf("%d kept + %d baselined != %d findings", len(in.Findings), in.Baseline.Baselined, len(sample.Findings))
		}
	})
}

// Whatever a finding's message holds (it quotes origins from configs and
// servers), its markdown row stays one table row, and no raw HTML tag
// from the message reaches the output.
func FuzzMarkdownRow(f *testing.F) {
	for _, s := range []string{"plain", "a|b\nc\r\n", "<script>alert(1)</script>", "``` fence", "[x](javascript:alert(1))", "<details>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		in := Input{Tool: "lint", Findings: []rules.Finding{{RuleID: "CG101", Slug: "origin-reflected", Severity: rules.High, Message: msg,
			Range: rules.Range{File: "a.conf", Line: 1}}}}
		var buf bytes.Buffer
		if err := Markdown(&buf, in); err != nil {
			t.Fatal(err)
		}
		var rows []string
		for _, l := range strings.Split(buf.String(), "\n") {
			if strings.HasPrefix(l, "| :orange_circle: high | [CG101]") {
				rows = append(rows, l)
			}
		}
		if len(rows) != 1 {
			t.Fatalf("%d rows for one finding:\n%s", len(rows), buf.String())
		}
		cells := strings.Count(strings.ReplaceAll(rows[0], `\|`, ""), "|")
		if cells != 5 {
			t.Fatalf("row has %d separators, want 5: %q", cells, rows[0])
		}
		if strings.Contains(strings.ReplaceAll(rows[0], "<br>", ""), "<") {
			t.Fatalf("raw '<' in row: %q", rows[0])
		}
	})
}
