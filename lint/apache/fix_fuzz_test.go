package apache

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// maxSpellInput bounds a fuzz input: Spell is linear in the file, and the
// parse that checks its result runs under smallBudgets.
const maxSpellInput = 64 << 10

// FuzzSpell spells every kind of remedy at some line of any file and
// asserts, for any input:
//   - no panic, and the offset readers see the lines and words the
//     parser sees (checkLexAgreement);
//   - edits name the file, lie inside it and do not overlap;
//   - the fixed file still parses: the front end reports no diagnostic
//     the original did not have (same messages, line numbers aside);
//   - a replaced value reads back: the directive now holds New.
func FuzzSpell(f *testing.F) {
	for _, c := range spellCases {
		line := evidenceAt(f, c.src, c.at).Range.Line
		f.Add([]byte(c.src), uint8(c.remedy.Kind), line, c.remedy.Old, c.remedy.New)
	}
	f.Add([]byte("<If \"%{HTTP:Origin} =~ m#a\\\\\\\"b#\">\n</If>\n"), uint8(rules.ReplaceValue), 1, `a\"b`, `a\\"b$`)
	f.Add([]byte("Header set \\\r\nX \\\n\"v\\\\\" \\"), uint8(rules.AddAlways), 1, "", "")
	f.Add([]byte("<IfModule x>\n<Location />\n<IfModule y>\nHeader set X y\n"), uint8(rules.AnswerPreflight), 4, "", "Vary")
	for k := range uint8(6) {
		f.Add([]byte(spellCases[k].src), k, -int(k), "", `^https://app\.example\.com$`)
	}
	f.Fuzz(func(t *testing.T, src []byte, kind uint8, line int, old, new string) {
		if len(src) > maxSpellInput || len(old)+len(new) > 4096 {
			return
		}
		checkLexAgreement(t, string(src))
		path := filepath.Join(t.TempDir(), "httpd.conf")
		r := rules.Remedy{Kind: rules.RemedyKind(kind%7 + 1), Format: "apache", Old: old, New: new,
			Headers: []rules.HeaderLine{{Name: "Access-Control-Allow-Methods", Value: new}, {Name: "Vary", Value: "Origin"}},
			Origins: strings.Fields(new)}
		r.At.Range = rules.Range{File: path, Line: line}
		if line <= 0 {
			// Point at what the front end reports, as the rules do: the
			// -line'th header or origin pattern of the parse.
			res, _ := parseTree(path, src, smallBudgets)
			var evs []rules.Evidence
			var olds []string
			for _, p := range res.Policies {
				for _, h := range p.Actual.Headers {
					evs, olds = append(evs, h.Evidence), append(olds, h.Value.Literal)
				}
				for _, o := range p.Actual.Origins {
					if o.Pattern != nil {
						evs, olds = append(evs, o.Pattern.Evidence), append(olds, o.Pattern.Expr)
					}
				}
			}
			if len(evs) == 0 {
				return
			}
			i := int(uint(-line) % uint(len(evs)))
			r.At, line = evs[i], evs[i].Range.Line
			if old == "" {
				r.Old = olds[i]
			}
		}
		if r.Kind == rules.ReplaceValue && old == "" {
			// Replace some word the line really has.
			for _, d := range newFixFile(string(src)).dirs {
				if d.line.first == line && len(d.args()) > 0 {
					r.Old = d.args()[len(new)%len(d.args())].val
				}
			}
		}
		edits, err := Spell(path, src, r)
		if err != nil {
			if len(edits) > 0 {
				t.Fatalf("edits with an error: %v", err)
			}
			return
		}
		sorted := slices.Clone(edits)
		slices.SortFunc(sorted, func(a, b rules.Edit) int { return a.Start - b.Start })
		for i, e := range sorted {
			if e.File != path || e.Start < 0 || e.End < e.Start || e.End > len(src) {
				t.Fatalf("edit %+v outside the %d-byte file", e, len(src))
			}
			if i > 0 && e.Start < sorted[i-1].End {
				t.Fatalf("edits overlap: %+v, %+v", sorted[i-1], e)
			}
		}
		fixed := applyEdits(t, string(src), edits)
		before, _ := parseTree(path, src, smallBudgets)
		after, _ := parseTree(path, []byte(fixed), smallBudgets)
		if d := newDiagnostics(before.Diagnostics, after.Diagnostics); d != "" {
			t.Fatalf("the fixed file has a new diagnostic: %s\n--- before\n%s\n--- after\n%s", d, src, fixed)
		}
		if r.Kind == rules.ReplaceValue {
			ok := false
			for _, d := range newFixFile(fixed).dirs {
				if d.line.first == line {
					ok = len(valueSpots(d, r.New)) > 0
				}
			}
			if !ok {
				t.Fatalf("line %d does not hold %q after the fix:\n%s", line, r.New, fixed)
			}
		}
	})
}

// newDiagnostics returns a diagnostic message of after that before does
// not have (line numbers aside: inserted lines move them), or "".
func newDiagnostics(before, after []rules.Diagnostic) string {
	seen := map[string]int{}
	for _, d := range before {
		seen[d.Message]++
	}
	for _, d := range after {
		if seen[d.Message] == 0 {
			return d.Range.String() + ": " + d.Message
		}
		seen[d.Message]--
	}
	return ""
}

// BenchmarkSpell2000VHosts spells each kind at the last virtual host of a
// generated 2000-vhost configuration (about 3 MB): every kind reads the
// whole file once, and AnswerPreflight walks every directive for the
// per-directory check.
func BenchmarkSpell2000VHosts(b *testing.B) {
	src := GenerateConfig(2000)
	res := ParseSource("httpd.conf", src)
	var ev rules.Evidence
	for _, p := range res.Policies {
		for _, h := range p.Actual.Find(rules.HeaderAllowOrigin) {
			ev = h.Evidence
		}
	}
	if ev.Range.Line == 0 {
		b.Fatal("no Allow-Origin in the generated config")
	}
	for _, k := range []rules.RemedyKind{rules.AddHeaders, rules.AnswerPreflight} {
		r := rules.Remedy{Kind: k, Format: "apache", At: ev, Headers: []rules.HeaderLine{{Name: "Vary", Value: "Origin"}}}
		b.Run(k.String(), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Spell("httpd.conf", src, r); err != nil && k == rules.AddHeaders {
					b.Fatal(err)
				}
			}
		})
	}
}
