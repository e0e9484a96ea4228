package hcl

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/corsguard/corsguard/rules"
)

// fuzzFiles are the kinds of file the speller reads, by name.
var fuzzFiles = []string{"main.tf", "main.tf.json", "nomad.hcl", "consul.json"}

// maxFuzzSource bounds one input: the speller parses and walks the file
// once per remedy (linear), and no Terraform evaluation runs, so the size
// is what bounds the time.
const maxFuzzSource = 64 << 10

// FuzzSpell spells a remedy of any kind, at any line and column, against
// any file text, and holds the result to what every edit must satisfy:
// no panic; an error has a reason; edits name the file, lie inside it and
// do not overlap; the edited file still parses in its syntax; a replaced
// value is there (once more), and the old one once less.
func FuzzSpell(f *testing.F) {
	for _, cases := range [][]spellCase{replaceValueCases, echoCases, removeCases, notApplicableCases, addHeadersCases} {
		for _, tc := range cases {
			kind := 0
			for i, name := range fuzzFiles {
				if strings.HasSuffix(tc.file, filepath.Ext(name)) {
					kind = i
				}
			}
			f.Add([]byte(tc.src), uint8(kind), uint8(tc.r.Kind), uint16(tc.r.At.Range.Line), uint16(tc.r.At.Range.Col), tc.r.Old, tc.r.New+strings.Join(tc.r.Origins, " "))
		}
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, src []byte, file, kind uint8, line, col uint16, old, new string) {
		if len(src) > maxFuzzSource {
			return
		}
		path := filepath.Join(dir, fuzzFiles[int(file)%len(fuzzFiles)])
		r := rules.Remedy{Kind: rules.RemedyKind(1 + int(kind)%6), At: rules.Evidence{Range: rules.Range{File: path, Line: int(line), Col: int(col)}},
			Old: old, New: new, Origins: strings.Fields(new), Headers: []rules.HeaderLine{{Name: "Vary", Value: new}}}
		edits, err := Spell(path, src, r)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a reason")
			}
			return
		}
		for _, e := range edits {
			if e.File != path {
				t.Fatalf("edit names %q, want %q", e.File, path)
			}
		}
		fixed, err := applyEdits(src, edits)
		if err != nil {
			t.Fatalf("%v\nedits: %+v", err, edits)
		}
		before, _ := readWritten(path, src)
		after, diags := readWritten(path, fixed)
		if diags.HasErrors() {
			t.Fatalf("the edited file no longer parses: %s\nbefore:\n%s\nafter:\n%s", diags.Error(), src, fixed)
		}
		if r.Kind != rules.ReplaceValue || before == nil {
			return
		}
		literals := func(w *written) map[string]int {
			n := map[string]int{}
			w.eachNode(func(v *vnode) {
				if v.kind == vLiteral {
					n[v.value]++
				}
			})
			return n
		}
		// HCL strings are NFC-normalised, as cty.StringVal normalises.
		new = cty.StringVal(new).AsString()
		lb, la := literals(before), literals(after)
		if la[old]+la["'"+old+"'"] >= lb[old]+lb["'"+old+"'"] {
			t.Fatalf("%q is written as often after the edit as before\nbefore:\n%s\nafter:\n%s", old, src, fixed)
		}
		if strings.HasPrefix(strings.TrimSpace(editText(edits)), `"`) && la[new]+la["'"+new+"'"] <= lb[new]+lb["'"+new+"'"] {
			t.Fatalf("%q is not written once more after the edit\nbefore:\n%s\nafter:\n%s", new, src, fixed)
		}
	})
}

func editText(edits []rules.Edit) string {
	var sb strings.Builder
	for _, e := range edits {
		sb.WriteString(e.New)
	}
	return sb.String()
}

// BenchmarkSpell spells one remedy in a file of n S3 buckets, the edited
// one last. The first remedy of a file costs a parse, a walk and a
// terraform fmt check of the whole file, linear in its size (compare the
// MB/s at 100 and 10000 buckets); later remedies of the same file reuse
// the reading (see lastRead), as lint/fix spells them one after another.
func BenchmarkSpell(b *testing.B) {
	for _, n := range []int{100, 10000} {
		var sb strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&sb, "resource \"aws_s3_bucket_cors_configuration\" \"b%d\" {\n  bucket = \"b%d\"\n  cors_rule {\n    allowed_origins = [\"https://app%d.example.com/\"]\n    allowed_methods = [\"GET\"]\n  }\n}\n\n", i, i, i)
		}
		// Two files that differ in one byte: alternating them, every
		// spell reads its file afresh.
		a := []byte(sb.String())
		other := append([]byte(nil), a...)
		other[len(other)-1] = ' '
		line := 8*(n-1) + 4
		old := fmt.Sprintf("https://app%d.example.com/", n-1)
		r := rules.Remedy{Kind: rules.ReplaceValue, At: rules.Evidence{Range: rules.Range{Line: line, Col: 5}}, Old: old, New: strings.TrimSuffix(old, "/")}
		for _, mode := range []string{"first", "later"} {
			b.Run(fmt.Sprintf("buckets=%d/%s", n, mode), func(b *testing.B) {
				b.SetBytes(int64(len(a)))
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					src := a
					if mode == "first" && i%2 == 1 {
						src = other
					}
					if edits, err := Spell("main.tf", src, r); err != nil || len(edits) != 1 {
						b.Fatalf("edits %v, error %v", edits, err)
					}
				}
			})
		}
	}
}
