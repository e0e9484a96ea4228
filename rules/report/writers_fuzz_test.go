package report

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/corsguard/corsguard/rules"
)

// FuzzWriters: whatever text a finding carries (a config comment, a server's
// header echoed into a message, invalid UTF-8, control characters), the JSON
// writer produces valid JSON that decodes back to the same finding text, the
// SARIF writer produces a document valid against the SARIF 2.1.0 schema, and
// the text writer adds no escape sequence of its own when colour is off.
func FuzzWriters(f *testing.F) {
	f.Add(sample.Findings[0].Message, sample.Findings[0].Witness, sample.Findings[0].Fix,
		sample.Findings[0].Scope, "conf/api.conf", 3, 5, `    "~^https://app\.example\.com" $http_origin;`)
	f.Add("\x1b[31mred\x1b[0m \x07 \r\n", "https://a.test\x00", "\xff\xfe", "", "", 0, 0, "\x1b]0;title\x07")
	f.Add(`"}]}`, `<script>`, "\u2028\u2029", "a\tb", "C:\\conf\\x.conf", -1, -7, "")
	schema, err := jsonschema.NewCompiler().Compile("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, msg, witness, fix, scope, file string, line, col int, source string) {
		in := Input{
			Tool: "lint", Version: "fuzz", Files: 1,
			Findings: []rules.Finding{{
				RuleID: "CG103", Slug: "origin-regex-prefix", Severity: rules.High, Credentials: true,
				Message: msg, Witness: witness, WitnessClass: "post-domain", Fix: fix, Scope: scope,
				Range:   rules.Range{File: file, Line: line, Col: col},
				Related: []rules.Evidence{{Range: rules.Range{File: file, Line: line}, Text: source}},
			}},
			Errors: []rules.Diagnostic{{Range: rules.Range{File: file, Line: line}, Message: msg}},
			Source: func(string, int) (string, bool) { return source, true },
		}

		var js bytes.Buffer
		if err := JSON(&js, in); err != nil {
			t.Fatalf("JSON: %v", err)
		}
		var doc Document
		if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
			t.Fatalf("JSON output does not parse: %v\n%s", err, js.String())
		}
		if len(doc.Findings) != 1 || doc.Findings[0].Message != validUTF8(msg) || doc.Findings[0].Witness != validUTF8(witness) {
			t.Fatalf("JSON round trip changed the finding: %+v", doc.Findings)
		}

		var sf bytes.Buffer
		if err := SARIF(&sf, in); err != nil {
			t.Fatalf("SARIF: %v", err)
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(sf.Bytes()))
		if err != nil {
			t.Fatalf("SARIF output does not parse: %v\n%s", err, sf.String())
		}
		if err := schema.Validate(v); err != nil {
			t.Fatalf("SARIF output is not valid 2.1.0: %v\n%s", err, sf.String())
		}

		var txt bytes.Buffer
		if err := Text(&txt, in, TextOptions{Color: false}); err != nil {
			t.Fatalf("Text: %v", err)
		}
		// Whatever the input carries, the text report escapes it: no raw
		// ESC (or other C0/C1 control byte but newline) reaches the
		// terminal without colour.
		for i, r := range txt.String() {
			if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
				t.Fatalf("text output has raw control character %U at byte %d:\n%q", r, i, txt.String())
			}
		}
	})
}

// validUTF8 is s as encoding/json writes it: invalid bytes become U+FFFD.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b []rune
	for _, r := range s {
		b = append(b, r)
	}
	return string(b)
}
