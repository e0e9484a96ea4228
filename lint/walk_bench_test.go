package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkWalk1000Files measures finding, reading, detecting and parsing
// a tree of 1000 small nginx sites in 50 directories, with 100 README
// files among them; throughput is MB/s of configuration. Each file is read
// once (detection and parsing share the bytes).
func BenchmarkWalk1000Files(b *testing.B) {
	dir := b.TempDir()
	var size int64
	for i := range 1000 {
		p := filepath.Join(dir, fmt.Sprintf("team%02d/nginx/conf.d/site%04d.conf", i%50, i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		conf := fmt.Sprintf("server {\n    listen 443 ssl;\n    server_name s%d.example.com;\n    location / {\n        add_header Access-Control-Allow-Origin https://app.example.com always;\n        add_header Vary Origin always;\n    }\n}\n", i)
		size += int64(len(conf))
		if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
			b.Fatal(err)
		}
		if i%10 == 0 {
			if err := os.WriteFile(filepath.Join(filepath.Dir(p), fmt.Sprintf("README%04d.md", i)), []byte("# notes\n"), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		res, err := LintPaths([]string{dir}, Options{Jobs: 1})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Files) != 1000 || len(res.Errors) > 0 {
			b.Fatalf("%d files, errors %v", len(res.Files), res.Errors)
		}
	}
}
