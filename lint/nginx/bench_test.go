package nginx

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// The generated config parses cleanly and yields the policies it promises.
func TestGenerateConfig(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "nginx.conf")
	data := GenerateConfig(3)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	res := Parse(p)
	// mime.types is missing on purpose: one warning, no error.
	equal(t, "diagnostics", diagnostics(res), nil)
	equal(t, "warnings", diagnostics(rules.ParseResult{Diagnostics: res.Warnings}), []string{`nginx.conf:7: include "mime.types": no such file in the linted tree; linted without it`})
	// Per server: the server itself and 4 locations (static keeps its
	// dropped CORS headers).
	if got := len(res.Policies); got != 3*5 {
		t.Errorf("policies %d, want 15: %v", got, scopes(res))
	}
	admin := policy(t, res, "server api1.example.com > location /admin/")
	equal(t, "admin origins", origins(admin.Actual.Origins), []string{`pattern pcre ^https://admin\.example\.com$ @22`})
	if admin.Preflight.Kind.String() != "auth" {
		t.Errorf("admin preflight %v", admin.Preflight.Kind)
	}
	legacy := policy(t, res, "server api2.example.com > location /legacy/")
	// Without a match the location inherits the server's map-driven
	// headers; with it, the if's own echo.
	equal(t, "legacy origins", origins(legacy.Actual.Origins), []string{
		`pattern pcre ^https://(www\.)?example\.com$ @15`,
		`pattern pcre/i ^https://[a-z0-9-]+\.apps\.example\.com$ @16`,
		"list[https://partner.example.net] echo",
		"pattern pcre/i (example.com) @" + itoa(lineOf(data, "if ($http_origin ~* (example.com))", 2)),
	})
	equal(t, "legacy dropped", dropped(legacy.Dropped)[:1], []string{
		fmt.Sprintf("Access-Control-Allow-Credentials from %d by %d",
			lineOf(data, "add_header Access-Control-Allow-Credentials true always;", 4),
			lineOf(data, "if ($http_origin ~* (example.com))", 2)+1)})
	if legacy.Preflight.Kind.String() != "rejected" || legacy.Preflight.Status != 403 {
		t.Errorf("legacy preflight %v %d", legacy.Preflight.Kind, legacy.Preflight.Status)
	}
}

// lineOf returns the line of the nth (0-based) occurrence of s.
func lineOf(data []byte, s string, nth int) int {
	for i, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, s) {
			if nth == 0 {
				return i + 1
			}
			nth--
		}
	}
	return 0
}

func BenchmarkParse2000Servers(b *testing.B) {
	data := GenerateConfig(2000)
	dir := b.TempDir()
	p := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		res := Parse(p)
		if len(res.Policies) != 2000*5 {
			b.Fatalf("policies %d", len(res.Policies))
		}
	}
}

// The reading step alone: the byte-level fast path...
func BenchmarkFastParse2000Servers(b *testing.B) {
	data := string(GenerateConfig(2000)) // as readCapped returns it
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := fastParse(data, "nginx.conf"); !ok {
			b.Fatal("fast path declined")
		}
	}
}

// ...and crossplane on the same bytes, the reason the fast path exists.
func BenchmarkCrossplane2000Servers(b *testing.B) {
	data := GenerateConfig(2000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, clean, _ := crossplaneNodes(data); !clean {
			b.Fatal("crossplane reported errors")
		}
	}
}
