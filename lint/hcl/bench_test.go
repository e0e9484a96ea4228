package hcl

import (
	"path/filepath"
	"testing"
)

func TestGenerateModuleParses(t *testing.T) {
	dir := writeModule(t, GenerateModule(16))
	res := Parse(filepath.Join(dir, "main.tf"))
	if len(res.Diagnostics) > 0 {
		t.Fatalf("diagnostics: %v", res.Diagnostics)
	}
	// 16 resources: two of each family, the legacy bucket expanding to two
	// rules and case 6 holding two resources.
	if got, want := len(res.Policies), 16+2+2; got != want {
		t.Errorf("got %d policies, want %d", got, want)
	}
}

// BenchmarkParseModule parses a generated module of 400 resources and
// reports throughput in MB/s of configuration text.
func BenchmarkParseModule(b *testing.B) {
	files := GenerateModule(400)
	dir := writeModule(b, files)
	size := 0
	for _, src := range files {
		size += len(src)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if res := Parse(filepath.Join(dir, "main.tf")); len(res.Policies) == 0 {
			b.Fatal("no policies")
		}
	}
}
