package lint

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/corsguard/corsguard/lint/nginx"
	"github.com/corsguard/corsguard/rules/attack"
	"github.com/corsguard/corsguard/rules/report"
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

// BenchmarkLintRegexVsExact lints the 2000-server config of gixy's
// gen_big_nginx.py shape (lint/nginx.GenerateRegexConfig: 2000 distinct
// origin regexes, 8000 findings) and its twin with exact origins in the
// same process, alternating, and reports each one's time per lint and the
// ratio regex/exact (issue 13 asks for ≤ 1.3). Measuring both in one run
// keeps the ratio meaningful on a shared machine; the CPU-time ratio
// (cpu-regex/exact) is the steadier one under load.
func BenchmarkLintRegexVsExact(b *testing.B) {
	dir := b.TempDir()
	paths := map[bool]string{}
	for _, exact := range []bool{false, true} {
		p := filepath.Join(dir, map[bool]string{false: "regex.conf", true: "exact.conf"}[exact])
		if err := os.WriteFile(p, nginx.GenerateRegexConfig(2000, exact), 0o644); err != nil {
			b.Fatal(err)
		}
		paths[exact] = p
	}
	var spent, cpu [2]time.Duration
	b.ReportAllocs()
	for b.Loop() {
		for i, exact := range []bool{false, true} {
			start, startCPU := time.Now(), cpuTime()
			res, err := LintPaths([]string{paths[exact]}, Options{Jobs: benchJobs})
			spent[i] += time.Since(start)
			cpu[i] += cpuTime() - startCPU
			if err != nil {
				b.Fatal(err)
			}
			if len(res.Errors) > 0 {
				b.Fatalf("generated config has errors: %v", res.Errors[0])
			}
		}
	}
	b.ReportMetric(float64(spent[0].Milliseconds())/float64(b.N), "regex-ms/op")
	b.ReportMetric(float64(spent[1].Milliseconds())/float64(b.N), "exact-ms/op")
	b.ReportMetric(float64(spent[0])/float64(spent[1]), "regex/exact")
	// CPU time (user and system, all threads: the garbage collector's
	// too), which other work on a shared machine disturbs far less.
	if cpu[1] > 0 {
		b.ReportMetric(float64(cpu[0].Milliseconds())/float64(b.N), "regex-cpu-ms/op")
		b.ReportMetric(float64(cpu[1].Milliseconds())/float64(b.N), "exact-cpu-ms/op")
		b.ReportMetric(float64(cpu[0])/float64(cpu[1]), "cpu-regex/exact")
	}
}

// BenchmarkReportJSONVsLint measures the report path of `corsguard lint
// --format json` on the 2000-regex config (8000 findings: fingerprints,
// source lines, encoding) against the lint that produced them, alternating
// in one process, and reports report/lint in CPU time: issue 13 found the
// report costing three times the lint.
func BenchmarkReportJSONVsLint(b *testing.B) {
	path := filepath.Join(b.TempDir(), "regex.conf")
	if err := os.WriteFile(path, nginx.GenerateRegexConfig(2000, false), 0o644); err != nil {
		b.Fatal(err)
	}
	var lintCPU, reportCPU time.Duration
	b.ReportAllocs()
	for b.Loop() {
		start := cpuTime()
		res, err := LintPaths([]string{path}, Options{Jobs: 1})
		if err != nil {
			b.Fatal(err)
		}
		mid := cpuTime()
		in := report.Input{
			Tool: "lint", Version: "bench", Findings: res.Findings, Errors: res.Errors,
			Suppressed: len(res.Suppressed), Files: len(res.Files), Source: res.Source, Warnings: res.Warnings,
		}
		if err := report.JSON(io.Discard, in); err != nil {
			b.Fatal(err)
		}
		lintCPU += mid - start
		reportCPU += cpuTime() - mid
	}
	if lintCPU > 0 {
		b.ReportMetric(float64(lintCPU.Milliseconds())/float64(b.N), "lint-cpu-ms/op")
		b.ReportMetric(float64(reportCPU.Milliseconds())/float64(b.N), "report-cpu-ms/op")
		b.ReportMetric(float64(reportCPU)/float64(lintCPU), "report/lint")
	}
}

// BenchmarkRegexFloor measures what no analysis of the 2000-regex config
// can skip while it checks its witnesses with the server's engine (issue
// 13), against linting the exact twin in the same process: compiling each
// distinct pattern once for the real engine (engine-cpu), and preparing it
// as lint does (prepare-cpu: Go's parse for the automaton and literals,
// and that compile). regex/exact ≤ 1.3 leaves 0.3 of the exact lint for
// every regex cost together; floor/exact is how much of it one of them
// takes.
func BenchmarkRegexFloor(b *testing.B) {
	dir := b.TempDir()
	regexPath, exactPath := filepath.Join(dir, "regex.conf"), filepath.Join(dir, "exact.conf")
	for p, exact := range map[string]bool{regexPath: false, exactPath: true} {
		if err := os.WriteFile(p, nginx.GenerateRegexConfig(2000, exact), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	res, err := LintPaths([]string{regexPath}, Options{Jobs: 1})
	if err != nil {
		b.Fatal(err)
	}
	patterns := policyPatterns(b, res.Policies)
	var engine, prepare, exact time.Duration
	for b.Loop() {
		start := cpuTime()
		for _, p := range patterns {
			if _, err := attack.Compile(p.Expr, p.Dialect, p.CaseInsensitive); err != nil {
				b.Fatal(err)
			}
		}
		mid := cpuTime()
		for _, p := range patterns {
			if err := attack.Prepare(p.Expr, p.Dialect, p.CaseInsensitive).Err(); err != nil {
				b.Fatal(err)
			}
		}
		mid2 := cpuTime()
		if _, err := LintPaths([]string{exactPath}, Options{Jobs: 1}); err != nil {
			b.Fatal(err)
		}
		engine += mid - start
		prepare += mid2 - mid
		exact += cpuTime() - mid2
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 / float64(b.N) }
	b.ReportMetric(float64(len(patterns)), "patterns")
	b.ReportMetric(ms(engine), "engine-cpu-ms/op")
	b.ReportMetric(ms(prepare), "prepare-cpu-ms/op")
	b.ReportMetric(ms(exact), "exact-cpu-ms/op")
	b.ReportMetric(float64(engine)/float64(exact), "engine/exact")
	b.ReportMetric(float64(prepare)/float64(exact), "prepare/exact")
}

// benchJobs is the Jobs of BenchmarkLintRegexVsExact: 1 (one core, the
// steadier figure) unless CORSGUARD_BENCH_JOBS says otherwise (0: every
// core, as the CLI runs).
var benchJobs = func() int {
	if n, err := strconv.Atoi(os.Getenv("CORSGUARD_BENCH_JOBS")); err == nil {
		return n
	}
	return 1
}()
