package fix

import (
	"fmt"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// FuzzMerge: whatever edits the spellers propose, the kept ones never
// overlap unless they are the same edit, every candidate is kept or left
// with a reason, and a candidate identical to a kept one is kept.
func FuzzMerge(f *testing.F) {
	f.Add([]byte{0, 4, 9, 1, 5, 7, 2, 4, 9, 3, 6, 6})
	f.Add([]byte{0, 3, 3, 1, 3, 3, 2, 2, 5})
	f.Fuzz(func(t *testing.T, data []byte) {
		var cands []candidate
		var fs []rules.Finding
		for i := 0; i+2 < len(data) && len(cands) < 64; i += 3 {
			start := int(data[i+1] % 32)
			end := start + int(data[i+2]%4)
			e := rules.Edit{Start: start, End: end, New: fmt.Sprint(data[i] % 3)}
			fs = append(fs, rules.Finding{RuleID: "CG105", Remedy: &rules.Remedy{Summary: "s"}})
			cands = append(cands, candidate{finding: len(cands), file: fmt.Sprint(data[i] % 2), edits: []rules.Edit{e}})
		}
		reasons := map[int]string{}
		kept, _ := merge(cands, fs, reasons)
		if len(kept)+len(reasons) != len(cands) {
			t.Fatalf("%d candidates: %d kept, %d left", len(cands), len(kept), len(reasons))
		}
		for i, a := range kept {
			for _, b := range kept[i+1:] {
				if a.file == b.file && !sameEdit(a.edits[0], b.edits[0]) && overlaps(a.edits[0], b.edits[0]) {
					t.Fatalf("kept overlapping edits %+v and %+v", a.edits[0], b.edits[0])
				}
			}
		}
		for _, c := range cands {
			if reasons[c.finding] == "" {
				continue
			}
			for _, k := range kept {
				if k.file == c.file && sameEdit(k.edits[0], c.edits[0]) {
					t.Fatalf("left %+v although the same edit was kept", c.edits[0])
				}
			}
		}
	})
}
