package apache

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkParse2000VHosts measures end-to-end throughput (read, lex,
// merge, policies) on a generated 2000-vhost configuration. The target is
// at least 50 MB/s per core.
func BenchmarkParse2000VHosts(b *testing.B) {
	data := GenerateConfig(2000)
	path := filepath.Join(b.TempDir(), "httpd.conf")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res := Parse(path)
		if len(res.Policies) < 2000 {
			b.Fatalf("got %d policies", len(res.Policies))
		}
	}
}
