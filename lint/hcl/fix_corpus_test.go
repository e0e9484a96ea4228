package hcl

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules"
	"github.com/corsguard/corsguard/rules/spec"
)

// corpusFinding is a finding of a corpus file with the remedy the rules
// give it (or derive as the rules do, while they attach none).
type corpusFinding struct {
	f      rules.Finding
	remedy *rules.Remedy
	why    string // why there is no remedy
}

// TestSpellCorpus spells the remedies of every CG111 (an allowlisted origin
// no browser sends) and CG209 (Max-Age beyond the caps) finding of
// corpus/hcl, and proves each edit the way lint/fix does: the fixed file
// parses, the fixed finding is gone and no finding is new. A finding the
// speller leaves alone must say why. The counts are the README's.
func TestSpellCorpus(t *testing.T) {
	var all []corpusFinding
	err := filepath.WalkDir(filepath.Join("..", "..", "corpus", "hcl"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		head, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if !Detect(p, head) || isTFVars(p) {
			return nil
		}
		for _, f := range findingsOf(t, p, nil) {
			if f.f.RuleID == "CG111" || f.f.RuleID == "CG209" {
				all = append(all, f)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 5 {
		t.Fatalf("corpus/hcl has %d CG111/CG209 findings, want at least 5", len(all))
	}
	counts := map[string]map[string]int{}
	count := func(rule, outcome string) {
		if counts[rule] == nil {
			counts[rule] = map[string]int{}
		}
		counts[rule][outcome]++
	}
	for _, cf := range all {
		f := cf.f
		if cf.remedy == nil {
			count(f.RuleID, "no remedy")
			t.Logf("%s %s: no remedy: %s", f.Range, f.RuleID, cf.why)
			continue
		}
		file := cf.remedy.At.Range.File
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		edits, err := Spell(file, src, *cf.remedy)
		if err != nil {
			count(f.RuleID, "unsure")
			if err.Error() == "" {
				t.Errorf("%s %s: an error without a reason", f.Range, f.RuleID)
			}
			t.Logf("%s %s: left alone: %v", f.Range, f.RuleID, err)
			continue
		}
		fixed, err := applyEdits(src, edits)
		if err != nil {
			t.Fatalf("%s %s: %v", f.Range, f.RuleID, err)
		}
		if proveFix(t, file, src, fixed, f) {
			count(f.RuleID, "fixed")
			t.Logf("%s %s: fixed: %q -> %q", f.Range, f.RuleID, cf.remedy.Old, cf.remedy.New)
		}
	}
	rulesSeen := make([]string, 0, len(counts))
	for r := range counts {
		rulesSeen = append(rulesSeen, r)
	}
	sort.Strings(rulesSeen)
	for _, r := range rulesSeen {
		c := counts[r]
		t.Logf("%s: %d findings: %d fixed and proved, %d unsure, %d without a remedy", r, c["fixed"]+c["unsure"]+c["no remedy"], c["fixed"], c["unsure"], c["no remedy"])
	}
	if counts["CG111"]["fixed"] == 0 || counts["CG209"]["fixed"] == 0 {
		t.Errorf("no CG111 or no CG209 finding of the corpus was fixed: %v", counts)
	}
}

// findingsOf lints one file (content, or the file on disk when nil) as
// the front end and the rules do, and gives each finding its remedy.
func findingsOf(t *testing.T, path string, content []byte) []corpusFinding {
	t.Helper()
	res := ParseSource(path, content)
	for _, d := range res.Diagnostics {
		t.Errorf("%s", d.Error())
	}
	var out []corpusFinding
	for i := range res.Policies {
		p := &res.Policies[i]
		fs, _ := rules.Check(p, rules.Options{})
		for _, f := range fs {
			cf := corpusFinding{f: f, remedy: f.Remedy}
			if cf.remedy == nil {
				cf.remedy, cf.why = deriveRemedy(p, f)
			}
			out = append(out, cf)
		}
	}
	return out
}

// deriveRemedy builds the remedy of a CG111 or CG209 finding as the rules
// would: the value as written and its canonical form, or the cap.
func deriveRemedy(p *rules.Policy, f rules.Finding) (*rules.Remedy, string) {
	switch f.RuleID {
	case "CG111":
		for _, o := range p.Actual.Origins {
			if o.Kind != rules.OriginList || len(o.Evidence) == 0 || o.Evidence[0].Range != f.Range {
				continue
			}
			for _, v := range o.Values {
				if !strings.HasPrefix(f.Message, strconv.Quote(v)) {
					continue
				}
				org, err := spec.OriginOfURL(strings.TrimSpace(v))
				if err != nil || org.Opaque {
					return nil, "no origin can be derived from " + strconv.Quote(v)
				}
				return &rules.Remedy{Kind: rules.ReplaceValue, Format: p.Format, At: o.Evidence[0], Old: v, New: org.String(),
					Summary: "write the origin as browsers send it"}, ""
			}
		}
		return nil, "a pattern, not an allowlisted origin: " + f.Message
	case "CG209":
		for _, g := range []rules.Grant{p.Preflight.Grant, p.Actual} {
			for _, h := range g.Headers {
				if h.Name != rules.HeaderMaxAge || h.Evidence.Range != f.Range || h.Value.State != rules.Known {
					continue
				}
				n, err := strconv.ParseInt(strings.TrimSpace(h.Value.Literal), 10, 64)
				if err != nil || n < 0 {
					return nil, "not a number of seconds: no value to cap"
				}
				return &rules.Remedy{Kind: rules.ReplaceValue, Format: p.Format, At: h.Evidence, Old: h.Value.Literal, New: "7200",
					Summary: "cap Access-Control-Max-Age at 7200 s"}, ""
			}
		}
		return nil, "no literal Max-Age at the finding"
	}
	return nil, "not a rule this test derives remedies for"
}

// proveFix re-lints the fixed file: it parses, the finding is gone, and
// no finding appears that the original did not have.
func proveFix(t *testing.T, path string, orig, fixed []byte, fixedFinding rules.Finding) bool {
	t.Helper()
	key := func(f rules.Finding) string { return f.RuleID + " " + f.Message }
	before := map[string]int{}
	for _, f := range findingsOf(t, path, orig) {
		before[key(f.f)]++
	}
	ok := true
	after := findingsOf(t, path, fixed)
	for _, f := range after {
		k := key(f.f)
		if k == key(fixedFinding) {
			t.Errorf("%s: the finding is still there after the fix: %s\n%s", path, k, fixed)
			ok = false
		}
		if before[k] == 0 {
			t.Errorf("%s: the fix brings a new finding: %s\n%s", path, k, fixed)
			ok = false
		}
		before[k]--
	}
	return ok
}

// TestSpellCorpusRoundTrip breaks every allowlisted origin of corpus/hcl
// the way CG111 catches (a trailing slash added by Spell itself), lints
// the broken file, spells the remedy of the CG111 that appears, and holds
// the result to the original bytes. The corpus is
// written in every shape the front end reads (locals, variables, modules,
// dynamic blocks, JSON, agents), so this measures how many real allowlist
// entries the speller can reach, and says for each one it cannot why.
func TestSpellCorpusRoundTrip(t *testing.T) {
	type entry struct {
		file string
		at   rules.Evidence
		v    string
	}
	var entries []entry
	seen := map[string]bool{}
	err := filepath.WalkDir(filepath.Join("..", "..", "corpus", "hcl"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		head, err := os.ReadFile(p)
		if err != nil || !Detect(p, head) || isTFVars(p) {
			return err
		}
		for _, pol := range ParseSource(p, nil).Policies {
			for _, o := range pol.Actual.Origins {
				if o.Kind != rules.OriginList || len(o.Evidence) == 0 {
					continue
				}
				for _, v := range o.Values {
					key := o.Evidence[0].Range.String() + " " + v
					if spec.IsSerialisedOrigin(v) && v != "null" && !seen[key] {
						seen[key] = true
						entries = append(entries, entry{file: o.Evidence[0].Range.File, at: o.Evidence[0], v: v})
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	reached, unsure := 0, map[string]int{}
	for _, e := range entries {
		src, err := os.ReadFile(e.file)
		if err != nil {
			t.Fatal(err)
		}
		broke, err := Spell(e.file, src, rules.Remedy{Kind: rules.ReplaceValue, At: e.at, Old: e.v, New: e.v + "/"})
		if err != nil {
			reason := err.Error()
			if i := strings.Index(reason, " from "); i >= 0 && strings.HasPrefix(reason, "unsure") {
				reason = "unsure: from" + strings.SplitN(reason[i+5:], ",", 2)[0]
			}
			unsure[reason]++
			t.Logf("%s %s: %v", e.at.Range, e.v, err)
			continue
		}
		broken, err := applyEdits(src, broke)
		if err != nil {
			t.Fatal(err)
		}
		var found *corpusFinding
		for _, cf := range findingsOf(t, e.file, broken) {
			if cf.f.RuleID == "CG111" && strings.HasPrefix(cf.f.Message, strconv.Quote(e.v+"/")) {
				found = &cf
				break
			}
		}
		if found == nil || found.remedy == nil {
			t.Errorf("%s: %q broken to %q gives no CG111 with a remedy", e.at.Range, e.v, e.v+"/")
			continue
		}
		edits, err := Spell(e.file, broken, *found.remedy)
		if err != nil {
			t.Errorf("%s: the entry Spell broke, it cannot fix: %v", e.at.Range, err)
			continue
		}
		fixed, err := applyEdits(broken, edits)
		if err != nil {
			t.Fatal(err)
		}
		if string(fixed) != string(src) {
			t.Errorf("%s: the round trip of %q changed the file:\n%s", e.at.Range, e.v, fixed)
			continue
		}
		// Byte for byte the original: it parses and has the original's
		// findings, which may include what the live origin deserves
		// (CG107 for http, CG109 for shared hosting) and the broken
		// entry hid; the CG111 is gone.
		reached++
	}
	t.Logf("corpus/hcl: %d allowlisted origins; %d broken and fixed back byte for byte", len(entries), reached)
	for r, n := range unsure {
		t.Logf("  %d left alone: %s", n, r)
	}
	if reached == 0 || reached+sumValues(unsure) != len(entries) {
		t.Errorf("%d of %d entries round-tripped, %d left alone with a reason", reached, len(entries), sumValues(unsure))
	}
}

func sumValues(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
