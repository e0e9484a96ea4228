package nginx

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Hostile-input shapes of issue 15, at two sizes each: the time and memory
// per op must grow about tenfold from 1k to 10k (near-linear), where they
// grew cubically (nesting) and quadratically (map) before.

// nestedConf nests n locations in chains of depth (each chain's innermost
// location echoes the Origin under a server-level allowlist header).
func nestedConf(n, depth int) string {
	var b strings.Builder
	b.WriteString("http {\nserver {\nlisten 80;\nadd_header Access-Control-Allow-Origin \"https://app.example.org\";\n")
	for done := 0; done < n; done += depth {
		d := min(depth, n-done)
		for i := 0; i < d; i++ {
			fmt.Fprintf(&b, "location ~ ^/c%d/l%d {\n", done, i)
		}
		b.WriteString("add_header Access-Control-Allow-Origin $http_origin;\n")
		b.WriteString(strings.Repeat("}\n", d))
	}
	b.WriteString("}\n}\n")
	return b.String()
}

// mapConf is a map of n exact origins feeding Access-Control-Allow-Origin.
func mapConf(n int) string {
	var b strings.Builder
	b.WriteString("http {\nmap $http_origin $cors_origin {\ndefault \"\";\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "\"https://app%d.example.org\" $http_origin;\n", i)
	}
	b.WriteString("}\nserver {\nlisten 80;\nlocation / { add_header Access-Control-Allow-Origin $cors_origin; }\n}\n}\n")
	return b.String()
}

func benchParse(b *testing.B, conf string, check func(policies, origins int) bool) {
	p := filepath.Join(b.TempDir(), "nginx.conf")
	if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(conf)))
	b.ReportAllocs()
	for b.Loop() {
		res := Parse(p)
		origins := 0
		for _, pol := range res.Policies {
			origins += len(pol.Actual.Origins)
		}
		if len(res.Diagnostics) > 0 || !check(len(res.Policies), origins) {
			b.Fatalf("%d policies, %d origin rules, diagnostics %v", len(res.Policies), origins, res.Diagnostics)
		}
	}
}

func BenchmarkNestedLocations(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("chains-of-50/%d", n), func(b *testing.B) {
			benchParse(b, nestedConf(n, 50), func(policies, _ int) bool { return policies >= n })
		})
		// One chain: everything below maxNesting is one budget policy.
		b.Run(fmt.Sprintf("one-chain/%d", n), func(b *testing.B) {
			benchParse(b, nestedConf(n, n), func(policies, _ int) bool { return policies == maxNesting+2 }) // server, 64 levels, the budget policy
		})
	}
}

func BenchmarkMapOrigins(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			benchParse(b, mapConf(n), func(_, origins int) bool { return origins == n })
		})
	}
}
