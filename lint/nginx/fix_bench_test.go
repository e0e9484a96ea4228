package nginx

import (
	"bytes"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// BenchmarkSpell spells one remedy (`always` on the last server's
// Allow-Origin) in generated configurations of growing size: Spell reads
// the whole file once per remedy, so its cost per byte must stay flat.
func BenchmarkSpell(b *testing.B) {
	for _, servers := range []int{10, 1000} {
		src := GenerateConfig(servers)
		line := bytes.Count(src[:bytes.LastIndex(src, []byte("add_header Access-Control-Allow-Origin $cors_origin always;"))], []byte("\n")) + 1
		r := rules.Remedy{Kind: rules.ReplaceValue, At: rules.Evidence{Range: rules.Range{Line: line}}, Old: "$cors_origin", New: "x"}
		b.Run(itoa(len(src)>>10)+"KB", func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Spell("nginx.conf", src, r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSpellEveryHeader spells `always` for every add_header of a
// 2 MB configuration, one remedy at a time as lint/fix does: the file is
// read once (lastScan), not once per remedy.
func BenchmarkSpellEveryHeader(b *testing.B) {
	src := GenerateConfig(1000)
	var rs []rules.Remedy
	for i, l := range bytes.Split(src, []byte("\n")) {
		if bytes.HasPrefix(bytes.TrimSpace(l), []byte("add_header ")) {
			rs = append(rs, rules.Remedy{Kind: rules.AddAlways, At: rules.Evidence{Range: rules.Range{Line: i + 1}}})
		}
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		for _, r := range rs {
			_, _ = Spell("nginx.conf", src, r) // many already have always: an error is an answer too
		}
	}
	b.ReportMetric(float64(len(rs)), "remedies/op")
}
