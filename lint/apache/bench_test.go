package apache

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules"
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

// setEnvIfAllowlist is a generated allowlist: n `SetEnvIf Origin` lines
// setting one variable that one Header line echoes.
func setEnvIfAllowlist(n int) []byte {
	var b bytes.Buffer
	b.WriteString("<VirtualHost *:443>\nServerName api.example.com\n")
	for i := range n {
		fmt.Fprintf(&b, "SetEnvIf Origin \"^https://app%d\\.example\\.com$\" ORIGIN_OK=$0\n", i)
	}
	b.WriteString("Header always set Access-Control-Allow-Origin \"%{ORIGIN_OK}e\" env=ORIGIN_OK\nHeader always set Vary Origin\n</VirtualHost>\n")
	return b.Bytes()
}

// BenchmarkSetEnvIfAllowlist shows that time and memory grow linearly with
// the number of SetEnvIf Origin lines (issue 15: 100k lines took 268 s and
// 1.2 GB when each line's condition was merged into a copy of the others').
// The checker is included: it must not search 100k regexes.
func BenchmarkSetEnvIfAllowlist(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("lines=%d", n), func(b *testing.B) {
			data := setEnvIfAllowlist(n)
			path := filepath.Join(b.TempDir(), "site.conf")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				res := Parse(path)
				if len(res.Policies) != 1 || len(res.Policies[0].Actual.Origins) != n {
					b.Fatalf("got %d policies", len(res.Policies))
				}
				if fs, _ := rules.Check(&res.Policies[0], rules.Options{}); len(fs) != 0 {
					b.Fatalf("findings: %v", fs)
				}
			}
		})
	}
}

// BenchmarkExpansionBombs: a kilobyte that asks for exponential expansion
// costs what the budget allows, however far the bomb goes.
func BenchmarkExpansionBombs(b *testing.B) {
	var define strings.Builder
	define.WriteString("Define A x\n")
	for range 60 {
		define.WriteString("Define A ${A}${A}\n")
	}
	define.WriteString("Header set X-Bomb \"${A}\"\n")
	for _, c := range []struct{ name, src string }{
		{"define-doubling", define.String()},
		{"macro-fanout", fanOut(7, 10)},
	} {
		b.Run(c.name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "site.conf")
			if err := os.WriteFile(path, []byte(c.src), 0o644); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if res := Parse(path); len(res.Diagnostics) == 0 {
					b.Fatal("the budget was not reported")
				}
			}
		})
	}
}
