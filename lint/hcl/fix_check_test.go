package hcl

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclwrite"

	"github.com/corsguard/corsguard/rules"
)

// How a table of spellCase is held to its specification: the edits give
// the wanted file exactly, the front end reads the changed value from it,
// and terraform fmt sees the same formatting as before.

func runSpellCases(t *testing.T, cases []spellCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, tc.file)
			r := tc.r
			r.At.Range.File = path
			edits, err := Spell(path, []byte(tc.src), r)
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("got edits %+v, want an error matching %q", edits, tc.wantErr)
				}
				if !regexp.MustCompile(tc.wantErr).MatchString(err.Error()) {
					t.Fatalf("error %q does not match %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Spell: %v", err)
			}
			fixed, err := applyEdits([]byte(tc.src), edits)
			if err != nil {
				t.Fatal(err)
			}
			if string(fixed) != tc.want {
				t.Fatalf("fixed file:\n%s\nwant:\n%s", fixed, tc.want)
			}
			for _, e := range edits {
				if e.File != path {
					t.Errorf("edit names file %q, want %q", e.File, path)
				}
			}
			checkFixedParses(t, path, []byte(tc.src), fixed, r)
			checkFormatKept(t, path, []byte(tc.src), fixed, edits)
		})
	}
}

// applyEdits applies non-overlapping edits to src.
func applyEdits(src []byte, edits []rules.Edit) ([]byte, error) {
	sorted := append([]rules.Edit(nil), edits...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Start < sorted[j].Start })
	var out bytes.Buffer
	last := 0
	for _, e := range sorted {
		if e.Start < last || e.End < e.Start || e.End > len(src) {
			return nil, fmt.Errorf("edit [%d,%d) overlaps or is out of the file (%d bytes)", e.Start, e.End, len(src))
		}
		out.Write(src[last:e.Start])
		out.WriteString(e.New)
		last = e.End
	}
	out.Write(src[last:])
	return out.Bytes(), nil
}

// checkFixedParses parses the fixed file with the front end, as the
// re-lint of lint/fix does, and checks that the value changed as the
// remedy says: New is now among the values the model reads, and Old is
// there fewer times.
func checkFixedParses(t *testing.T, path string, orig, fixed []byte, r rules.Remedy) {
	t.Helper()
	before := parseWritten(t, path, orig, false)
	after := parseWritten(t, path, fixed, true)
	count := func(vals []string, s string) int {
		n := 0
		for _, v := range vals {
			if v == s {
				n++
			}
		}
		return n
	}
	switch r.Kind {
	case rules.ReplaceValue:
		if count(after, r.New) == 0 {
			t.Errorf("after the fix the front end reads no value %q; it reads %q", r.New, after)
		}
		if count(after, r.Old) >= count(before, r.Old) {
			t.Errorf("after the fix the front end still reads %q %d times (before: %d)", r.Old, count(after, r.Old), count(before, r.Old))
		}
	case rules.ReplaceEcho:
		for _, o := range r.Origins {
			if count(after, o) == 0 {
				t.Errorf("after the fix the front end reads no origin %q; it reads %q", o, after)
			}
		}
	case rules.RemoveDirective:
		if len(after) >= len(before) {
			t.Errorf("after removing, the front end reads %d values, before %d", len(after), len(before))
		}
	case rules.AddHeaders:
		if len(after) <= len(before) {
			t.Errorf("after adding headers, the front end reads %d values, before %d", len(after), len(before))
		}
	}
}

// parseWritten parses a file alone in a directory and returns every value
// its policies read: allowlisted origins, patterns, header values; for a
// locals-only file, the values of its written literals.
func parseWritten(t *testing.T, path string, src []byte, fixed bool) []string {
	t.Helper()
	if err := os.WriteFile(path, src, 0o644); err != nil {
		t.Fatal(err)
	}
	res := ParseSource(path, src)
	if fixed {
		for _, d := range res.Diagnostics {
			t.Errorf("the fixed file does not parse: %s\n%s", d.Error(), src)
		}
	}
	var vals []string
	for _, p := range res.Policies {
		for _, g := range []rules.Grant{p.Actual, p.Preflight.Grant} {
			for _, o := range g.Origins {
				vals = append(vals, o.Values...)
				if o.Pattern != nil {
					vals = append(vals, o.Pattern.Expr)
				}
			}
			for _, h := range g.Headers {
				vals = append(vals, h.Name+": "+h.Value.Literal, h.Value.Literal)
			}
		}
	}
	if len(res.Policies) == 0 {
		// No resource (a locals file): the literals as written.
		if w, diags := readWritten(path, src); !diags.HasErrors() {
			w.eachNode(func(v *vnode) {
				if v.kind == vLiteral {
					vals = append(vals, v.value)
				}
			})
		}
	}
	return vals
}

// checkFormatKept holds the fixed file to the formatting of the original,
// as `terraform fmt` (hclwrite.Format) sees it: a formatted file stays
// formatted; in one that is not, formatting both, the lines whose tokens
// differ are only the lines the edits touched.
func checkFormatKept(t *testing.T, path string, orig, fixed []byte, edits []rules.Edit) {
	t.Helper()
	if strings.HasSuffix(path, ".json") {
		return
	}
	fo, ff := hclwrite.Format(orig), hclwrite.Format(fixed)
	if bytes.Equal(fo, orig) {
		if !bytes.Equal(ff, fixed) {
			t.Errorf("the original was formatted, the fixed file is not:\n%s\nformatted:\n%s", fixed, ff)
		}
		return
	}
	lo, lf := strings.Split(string(fo), "\n"), strings.Split(string(ff), "\n")
	if len(lo) != len(lf) {
		return
	}
	touched := map[int]bool{}
	for _, e := range edits {
		first := bytes.Count(orig[:e.Start], []byte("\n"))
		last := first + bytes.Count([]byte(e.New), []byte("\n")) + bytes.Count(orig[e.Start:e.End], []byte("\n"))
		for l := first; l <= last; l++ {
			touched[l] = true
		}
	}
	for i := range lo {
		// Alignment moves with the edited line's length; the tokens of
		// every other line must come out of fmt as before.
		same := strings.Join(strings.Fields(lo[i]), " ") == strings.Join(strings.Fields(lf[i]), " ")
		if !same && !touched[i] {
			t.Errorf("formatted, line %d differs though no edit touched it:\n  before: %q\n  after:  %q", i+1, lo[i], lf[i])
		}
	}
}
