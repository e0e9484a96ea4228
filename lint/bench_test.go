package lint

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/corsguard/corsguard/lint/nginx"
)

// BenchmarkLintNginx2000Servers measures the whole lint pipeline (detect,
// parse with includes and inheritance, data flow, every rule including the
// regex witness search) on a generated config of 2000 servers. Throughput
// is reported as MB/s of configuration text; run with -benchmem for
// allocations. Compare with BenchmarkLintNginx200Servers to see that cost
// is linear in input.
func BenchmarkLintNginx2000Servers(b *testing.B) { benchLint(b, 2000) }

// BenchmarkLintNginx200Servers is the one-tenth baseline for linearity.
func BenchmarkLintNginx200Servers(b *testing.B) { benchLint(b, 200) }

func benchLint(b *testing.B, servers int) {
	conf := nginx.GenerateConfig(servers)
	dir := b.TempDir()
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, conf, 0o644); err != nil {
		b.Fatal(err)
	}
	// The generated main file includes mime.types, as a packaged nginx.conf does.
	if err := os.WriteFile(filepath.Join(dir, "mime.types"), []byte("types {\n    text/html html;\n}\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(conf)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res, err := LintPaths([]string{path}, Options{Jobs: 1})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Errors) > 0 {
			b.Fatalf("generated config has errors: %v", res.Errors[0])
		}
	}
}
