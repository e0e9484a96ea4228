package report

import (
	"bytes"
	"encoding/json"
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
		if got, _ := indentJSON(nil, nil, compact, "  "); string(got) != want.String() {
			t.Errorf("indentJSON(%.200s) =\n%.500s\nwant\n%.500s", compact, got, want.String())
		}
		var pieces bytes.Buffer
		rest, err := indentJSON(&pieces, nil, compact, "  ")
		if err != nil {
			t.Fatal(err)
		}
		if pieces.Write(rest); pieces.String() != want.String() {
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
		if got, _ := indentJSON(nil, nil, compact, "  "); string(got) != want.String() {
			t.Errorf("indentJSON(%s) =\n%s\nwant\n%s", compact, got, want.String())
		}
	})
}
