package nginx

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/corsguard/corsguard/rules"
)

// spellDeadline is how long Spell may take on one fuzz input (a few KB):
// the scanner and every kind are linear, so an input near it is a budget
// that does not hold.
const spellDeadline = 5 * time.Second

// maxFuzzRemedies bounds the remedies tried per input.
const maxFuzzRemedies = 64

// FuzzSpell parses arbitrary source with the front end, builds the
// remedies the rules could derive from its policies (every kind, at every
// header, pattern, origin and preflight the policies cite), and spells
// each. Properties: Spell returns (no panic) within spellDeadline; an
// answer is either an error or edits, never both nor neither; edits lie
// inside the file, in the file named, without overlapping; and the file
// with the edits applied still parses with the front end without a
// diagnostic.
func FuzzSpell(f *testing.F) {
	for _, cases := range allSpellCases() {
		for _, tc := range cases {
			f.Add(tc.src)
		}
	}
	f.Add(string(GenerateConfig(1)))
	dir := f.TempDir()
	path := filepath.Join(dir, "cors.conf")
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 16<<10 {
			return
		}
		res := ParseSource(path, []byte(src))
		if len(res.Diagnostics) > 0 {
			return // lint reports the file; nothing is fixed in it
		}
		for _, r := range fuzzRemedies(res.Policies, path) {
			type answer struct {
				edits []rules.Edit
				err   error
			}
			done := make(chan answer, 1)
			go func() {
				e, err := Spell(path, []byte(src), r)
				done <- answer{e, err}
			}()
			var a answer
			select {
			case a = <-done:
			case <-time.After(spellDeadline):
				t.Fatalf("Spell(%s at line %d) took more than %v", r.Kind, r.At.Range.Line, spellDeadline)
			}
			if a.err != nil {
				if len(a.edits) > 0 {
					t.Fatalf("%s: both edits and an error: %v", r.Kind, a.err)
				}
				continue
			}
			fixed, err := applyFuzzEdits(path, src, a.edits)
			if err != nil {
				t.Fatalf("%s at line %d: %v", r.Kind, r.At.Range.Line, err)
			}
			if d := diagnostics(ParseSource(path, []byte(fixed))); len(d) > 0 {
				t.Fatalf("%s at line %d (%q): the fixed file does not parse: %v\nbefore:\n%s\nafter:\n%s", r.Kind, r.At.Range.Line, r.At.Text, d, src, fixed)
			}
		}
	})
}

// fuzzRemedies builds, from the policies of one file, a remedy of every
// kind at every piece of evidence in that file.
func fuzzRemedies(ps []rules.Policy, path string) []rules.Remedy {
	var out []rules.Remedy
	add := func(r rules.Remedy) {
		if len(out) < maxFuzzRemedies && r.At.Range.File == path {
			r.Format = "nginx"
			out = append(out, r)
		}
	}
	for _, p := range ps {
		for _, g := range []rules.Grant{p.Actual, p.Preflight.Grant} {
			for _, h := range g.Headers {
				ev := h.Evidence
				add(rules.Remedy{Kind: rules.AddAlways, At: ev})
				add(rules.Remedy{Kind: rules.RemoveDirective, At: ev})
				add(rules.Remedy{Kind: rules.AddHeaders, At: ev, Headers: []rules.HeaderLine{{Name: "Vary", Value: "Origin"}}})
				add(rules.Remedy{Kind: rules.ReplaceEcho, At: ev, Origins: []string{"https://app.example.com"}})
				add(rules.Remedy{Kind: rules.AnswerPreflight, At: ev, Headers: []rules.HeaderLine{{Name: rules.HeaderAllowOrigin, Value: "$http_origin"}}})
				if h.Value.Literal != "" {
					add(rules.Remedy{Kind: rules.ReplaceValue, At: ev, Old: h.Value.Literal, New: "7200"})
				}
			}
			for _, o := range g.Origins {
				if o.Pattern != nil {
					expr := o.Pattern.Expr
					add(rules.Remedy{Kind: rules.ReplaceValue, At: o.Pattern.Evidence, Old: expr,
						New: "^" + strings.TrimSuffix(strings.TrimPrefix(expr, "^"), "$") + "$"})
				}
				for i, v := range o.Values {
					if i < len(o.Evidence) {
						add(rules.Remedy{Kind: rules.ReplaceValue, At: o.Evidence[i], Old: v, New: strings.ToLower(strings.TrimSuffix(v, "/"))})
					}
				}
			}
		}
		for _, ev := range p.Preflight.Evidence {
			add(rules.Remedy{Kind: rules.AnswerPreflight, At: ev, Headers: []rules.HeaderLine{{Name: rules.HeaderAllowOrigin, Value: "*"}}})
		}
	}
	return out
}

// applyFuzzEdits is applyEdits with the file checked against path.
func applyFuzzEdits(path, src string, edits []rules.Edit) (string, error) {
	for i := range edits {
		if edits[i].File != path {
			return "", fmt.Errorf("edit %d names %q, not %q", i, edits[i].File, path)
		}
		edits[i].File = "cors.conf"
	}
	return applyEdits(src, edits)
}
