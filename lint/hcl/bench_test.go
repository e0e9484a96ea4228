package hcl

import (
	"fmt"
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

// BenchmarkModuleFiles parses every file of a module of N .tf files, one
// S3 CORS rule each, the way lint does (one ParseSource per file, with the
// contents lint read). The module is
// loaded once per pass, so time and memory per file stay flat as N grows
// (before the module cache, a 1000-file module took 59 s and 4.3 GB).
func BenchmarkModuleFiles(b *testing.B) {
	for _, n := range []int{250, 500, 1000, 2000} {
		b.Run(fmt.Sprintf("files=%d", n), func(b *testing.B) {
			files := map[string]string{}
			for i := 0; i < n; i++ {
				files[fmt.Sprintf("f%d.tf", i)] = fmt.Sprintf(`resource "aws_s3_bucket_cors_configuration" "b%d" {
  bucket = "b%d"
  cors_rule {
    allowed_origins = ["https://app%d.example.com"]
    allowed_methods = ["GET", "PUT"]
  }
}
`, i, i, i)
			}
			dir := writeModule(b, files)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				policies := 0
				for name, src := range files {
					policies += len(ParseSource(filepath.Join(dir, name), []byte(src)).Policies)
				}
				if policies != n {
					b.Fatalf("got %d policies, want %d", policies, n)
				}
			}
		})
	}
}
