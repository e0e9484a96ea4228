package fix

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/lint"
)

// BenchmarkCompute plans the fixes of one file of n locations, each with
// an Allow-Origin header not sent on errors (one CG402 fix each): spell
// (the test speller), merge, apply and prove by one re-lint.
func BenchmarkCompute(b *testing.B) {
	for _, n := range []int{100, 2000} {
		var sb strings.Builder
		sb.WriteString("server {\n    listen 443 ssl;\n    server_name api.example.com;\n")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&sb, "    location /v%d/ { add_header Access-Control-Allow-Origin \"https://app.example.com\"; }\n", i)
		}
		sb.WriteString("}\n")
		path := filepath.Join(b.TempDir(), "api.conf")
		if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
			b.Fatal(err)
		}
		opts := Options{Spellers: map[string]SpellFunc{"nginx": lineSpeller}}
		b.Run(fmt.Sprintf("locations=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				res, err := lint.LintPaths([]string{path}, lint.Options{})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if p := Compute(res, opts); len(p.Fixed) != n {
					b.Fatalf("fixed %d of %d", len(p.Fixed), n)
				}
			}
		})
	}
}
