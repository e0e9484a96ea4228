package report

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
)

func TestIndentJSONIsJSONIndent(t *testing.T) {
	// What json.Indent does to json.Marshal's output, indentJSON does
	// byte for byte: nesting, empty objects and arrays, escapes and
	// brackets, commas and colons inside strings.
	values := []any{
		map[string]any{"a": []any{}, "b": map[string]any{}, "c": []any{1, "x", nil, true, []any{[]any{}}}},
		[]any{`quote " and \ backslash`, "{[,:]}", "<html> & 'x'", "tab\tnew\nline", "\u2028", ""},
		map[string]any{"nested": map[string]any{"deep": []any{map[string]any{"k": "v\\"}}}, "n": 1.5e300},
		[]any{}, map[string]any{}, "s", 0,
	}
	big := make([]any, 20000) // written in several pieces
	for i := range big {
		big[i] = map[string]any{"i": i, "s": "a\"b"}
	}
	values = append(values, big)
	for _, v := range values {
		compact, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if err := json.Indent(&want, compact, "", "  "); err != nil {
			t.Fatal(err)
		}
		if got := indentJSON(compact, "  "); string(got) != want.String() {
			t.Errorf("indentJSON(%.200s) =\n%.500s\nwant\n%.500s", compact, got, want.String())
		}
		// Written to a writer in pieces, and fed in pieces cut after
		// each comma between values.
		var pieces bytes.Buffer
		x := &indenter{w: &pieces, indent: "  "}
		for _, part := range cutAfterCommas(compact) {
			x.write(part)
		}
		if x.flush(); pieces.String() != want.String() {
			t.Errorf("indentJSON(%.200s) written in pieces differs from json.Indent", compact)
		}
	}
}

func FuzzIndentJSON(f *testing.F) {
	f.Add([]byte(`{"a":[1,{"b":"\"}"}],"c":{}}`))
	f.Add([]byte(`["\\",[],{"":null}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var v any
		if json.Unmarshal(data, &v) != nil {
			return
		}
		compact, err := json.Marshal(v)
		if err != nil {
			return
		}
		var want bytes.Buffer
		if err := json.Indent(&want, compact, "", "  "); err != nil {
			t.Fatal(err)
		}
		if got := indentJSON(compact, "  "); string(got) != want.String() {
			t.Errorf("indentJSON(%s) =\n%s\nwant\n%s", compact, got, want.String())
		}
	})
}

// cutAfterCommas cuts compact JSON after every comma outside strings.
func cutAfterCommas(src []byte) [][]byte {
	var out [][]byte
	in, esc, from := false, false, 0
	for i, c := range src {
		switch {
		case esc:
			esc = false
		case in && c == '\\':
			esc = true
		case c == '"':
			in = !in
		case !in && c == ',':
			out = append(out, src[from:i+1])
			from = i + 1
		}
	}
	return append(out, src[from:])
}

// encoderJSON is what JSON wrote before it streamed the findings: the
// whole document through json.Encoder, indented.
func encoderJSON(t testing.TB, in Input) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(BuildDocument(in)); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestJSONIsTheEncodersIndentedDocument(t *testing.T) {
	many := sample
	many.Findings = nil
	for i := range 3000 { // several 64 KB pieces
		f := sample.Findings[i%2]
		f.Range.Line = i
		many.Findings = append(many.Findings, f)
	}
	tricky := sample
	tricky.Findings = slices.Clone(sample.Findings)
	tricky.Findings[0].Message = `a message with "findings":[] and <html> in it`
	baselined := sample
	baselined.Baseline = &BaselineOutcome{Baselined: 1, Findings: sample.Findings[:1], Fingerprints: []string{"abc:1"}}
	for name, in := range map[string]Input{
		"sample": sample, "empty": {Tool: "lint", Version: "test"}, "3000 findings": many,
		"findings text in a message": tricky, "baselined": baselined,
	} {
		var got bytes.Buffer
		if err := JSON(&got, in); err != nil {
			t.Fatal(err)
		}
		if want := encoderJSON(t, in); got.String() != want {
			t.Errorf("%s: JSON differs from the indented encoder output:\n%.800s\nwant\n%.800s", name, got.String(), want)
		}
	}
}

func FuzzJSONIsTheEncoders(f *testing.F) {
	f.Add(`"findings":[]`, "https://x.test", "conf/a.conf")
	f.Add("<>&\u2028\\\"", "", "")
	f.Fuzz(func(t *testing.T, msg, witness, file string) {
		in := sample
		in.Findings = slices.Clone(sample.Findings)
		in.Findings[0].Message, in.Findings[0].Witness, in.Findings[1].Range.File = msg, witness, file
		var got bytes.Buffer
		if err := JSON(&got, in); err != nil {
			t.Fatal(err)
		}
		if want := encoderJSON(t, in); got.String() != want {
			t.Errorf("JSON differs from the indented encoder output:\n%s\nwant\n%s", got.String(), want)
		}
	})
}
