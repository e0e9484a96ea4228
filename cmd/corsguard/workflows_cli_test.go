package main

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

const reflectingConf = "server {\n  listen 443 ssl;\n  server_name api.example.com;\n  location / {\n    add_header Access-Control-Allow-Origin $http_origin always;\n    add_header Vary Origin always;\n  }\n}\n"

func TestReadIdentity(t *testing.T) {
	stamp := func(version string, settings ...debug.BuildSetting) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			return &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: version}, Settings: settings}, true
		}
	}
	rev := debug.BuildSetting{Key: "vcs.revision", Value: "c81d79932a66c2e63ff705e35d84867589a1e619"}
	dirty := debug.BuildSetting{Key: "vcs.modified", Value: "true"}
	when := debug.BuildSetting{Key: "vcs.time", Value: "2026-12-02T03:57:00Z"}
	for _, tt := range []struct {
		name    string
		read    func() (*debug.BuildInfo, bool)
		ldflags string
		want    string
	}{
		{"go install @version", stamp("v1.4.0"), "dev", "corsguard v1.4.0\n  go        go1.26.8\n"},
		{"build from a dirty clone", stamp("v0.0.0-20261202035700-c81d79932a66+dirty", rev, dirty, when), "dev",
			"corsguard v0.0.0-20261202035700-c81d79932a66+dirty\n  revision  c81d79932a66c2e63ff705e35d84867589a1e619 (dirty: uncommitted changes)\n  committed 2026-12-02T03:57:00Z\n  go        go1.26.8\n"},
		{"no module version, a revision", stamp("(devel)", rev), "dev", "corsguard dev-c81d79932a66\n  revision  c81d79932a66c2e63ff705e35d84867589a1e619\n"},
		{"release ldflags win", stamp("(devel)", rev), "v2.0.0", "corsguard v2.0.0\n"},
		{"nothing stamped", func() (*debug.BuildInfo, bool) { return nil, false }, "dev", "corsguard dev\n  rules"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := readIdentity(tt.read, tt.ldflags).write(&b); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(b.String(), tt.want) {
				t.Errorf("got\n%s\nwant prefix\n%s", b.String(), tt.want)
			}
		})
	}
}

func TestVersionFlagIsTheVersionCommand(t *testing.T) {
	cmd, _ := run(t, "version")
	flag, _ := run(t, "--version")
	if cmd != flag || !strings.Contains(cmd, "  go        go1.") {
		t.Errorf("corsguard version:\n%s\ncorsguard --version:\n%s", cmd, flag)
	}
}

// CLI plumbing: every flag mistake is found before any work, exits 2, and
// leaves the previous report alone.
func TestFlagsAreCheckedFirst(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "api.conf")
	must(t, os.WriteFile(conf, []byte(reflectingConf), 0o644))
	previous := filepath.Join(dir, "report.sarif")
	must(t, os.WriteFile(previous, []byte("yesterday"), 0o644))
	runCLICases(t, []cliCase{
		{"lint bad format", []string{"lint", "-f", "sarf", "-o", previous, conf}, exitError, `--format "sarf": want text, json, sarif, markdown or junit`},
		{"fuzz bad format", []string{"fuzz", "-f", "xml", "-o", previous, "http://127.0.0.1:1/"}, exitError, `want text, json, sarif, markdown, junit or jsonl`},
		{"fail-on info with info hidden", []string{"lint", "--show-info=false", "--fail-on", "info", conf}, exitError, "--show-info=false hides"},
		{"fuzz fail-on info with info hidden", []string{"fuzz", "--show-info=false", "--fail-on", "info", "http://127.0.0.1:1/"}, exitError, "--show-info=false hides"},
		{"negative budget", []string{"fuzz", "--budget", "-5", "http://127.0.0.1:1/"}, exitError, "--budget -5: must be at least 0"},
		{"no concurrency", []string{"fuzz", "-c", "0", "http://127.0.0.1:1/"}, exitError, "--concurrency 0: must be at least 1"},
		{"negative rate", []string{"fuzz", "--rate", "-1", "http://127.0.0.1:1/"}, exitError, "--rate -1: must be at least 0"},
		{"zero timeout", []string{"fuzz", "--timeout", "0s", "http://127.0.0.1:1/"}, exitError, "--timeout 0s: must be more than 0"},
		{"negative target timeout", []string{"fuzz", "--target-timeout", "-1s", "http://127.0.0.1:1/"}, exitError, "--target-timeout -1s"},
		{"probe zero timeout", []string{"probe", "--timeout", "0s", "--origin", "https://a.example", "http://127.0.0.1:1/"}, exitError, "--timeout 0s: must be more than 0"},
		{"negative jobs", []string{"lint", "-j", "-1", conf}, exitError, "--jobs -1"},
		{"bad color", []string{"lint", "--color", "sometimes", conf}, exitError, `--color "sometimes"`},
		{"URL without scheme", []string{"fuzz", "localhost:8080/api"}, exitError, "did you mean http://localhost:8080/api"},
		{"host without scheme", []string{"fuzz", "api.example.com"}, exitError, "did you mean http://api.example.com"},
		{"missing baseline", []string{"lint", "--baseline", filepath.Join(dir, "nope.json"), conf}, exitError, "--baseline"},
		{"baseline that is not one", []string{"lint", "--baseline", conf, conf}, exitError, "not a corsguard baseline"},
	})
	if got, _ := os.ReadFile(previous); string(got) != "yesterday" {
		t.Errorf("a rejected command line truncated -o: %q", got)
	}
}

func TestDisableIsCaseInsensitive(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "api.conf")
	must(t, os.WriteFile(conf, []byte(reflectingConf), 0o644))
	for _, name := range []string{"CG101", "cg101", "origin-reflected", "Origin-Reflected"} {
		out, code := run(t, "lint", "--disable", name, conf)
		if code != exitClean || strings.Contains(out, "CG101") {
			t.Errorf("--disable %s: exit %d\n%s", name, code, out)
		}
	}
}

func TestColor(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "api.conf")
	must(t, os.WriteFile(conf, []byte(reflectingConf), 0o644))
	t.Setenv("TERM", "dumb")
	always, _ := run(t, "lint", "--color", "always", conf)
	never, _ := run(t, "lint", "--color", "never", conf)
	auto, _ := run(t, "lint", conf) // not a terminal, and TERM=dumb
	if !strings.Contains(always, "\x1b[") || strings.Contains(never, "\x1b[") || strings.Contains(auto, "\x1b[") {
		t.Errorf("always %q\nnever %q\nauto %q", always, never, auto)
	}
}

// A baseline accepts today's findings: the run is green until a new one
// appears, and says which accepted findings are gone.
func TestBaselineLifecycle(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "api.conf")
	must(t, os.WriteFile(conf, []byte(reflectingConf), 0o644))
	base := filepath.Join(dir, "baseline.json")
	if out, code := run(t, "baseline", "-o", base, conf); code != exitClean || !strings.Contains(out, "1 finding") {
		t.Fatalf("baseline: exit %d\n%s", code, out)
	}
	report := filepath.Join(dir, "report.json")
	if _, code := run(t, "lint", "-f", "json", "-o", report, conf); code != exitFindings {
		t.Fatalf("lint exit %d", code)
	}
	for _, b := range []string{base, report} {
		out, code := run(t, "lint", "--baseline", b, conf)
		if code != exitClean || !strings.Contains(out, "0 finding(s) in 1 file(s), 1 baselined") {
			t.Errorf("--baseline %s: exit %d\n%s", filepath.Base(b), code, out)
		}
	}
	// The reflection is fixed; a new hole, the null origin, appears.
	must(t, os.WriteFile(conf, []byte(strings.Replace(reflectingConf, "$http_origin", `"null"`, 1)), 0o644))
	out, code := run(t, "lint", "--baseline", base, conf)
	if code != exitFindings || !strings.Contains(out, "CG102") || !strings.Contains(out, "baseline entry no longer occurs: CG101") {
		t.Errorf("after a change: exit %d\n%s", code, out)
	}
}

// pre-commit passes every staged file its pattern matches; one that is no
// configuration at all is skipped with a notice and fails nothing.
func TestPreCommitSkipsUnknownFiles(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "api.conf")
	must(t, os.WriteFile(conf, []byte(reflectingConf), 0o644))
	super := filepath.Join(dir, "supervisord.conf")
	must(t, os.WriteFile(super, []byte("[program:api]\ncommand=/usr/bin/api\n"), 0o644))
	runCLICases(t, []cliCase{
		{"alone", []string{"lint", "--skip-unknown", super}, exitClean, super + ": skipped: not a recognised"},
		{"beside a finding", []string{"lint", "--skip-unknown", super, conf}, exitFindings, "CG101"},
		{"without the flag", []string{"lint", super}, exitError, "not a recognised"},
	})
}

func TestReplayNamesWhatItNeeds(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "api.conf")
	must(t, os.WriteFile(conf, []byte(reflectingConf), 0o644))
	report := filepath.Join(dir, "report.json")
	run(t, "lint", "-f", "json", "-o", report, conf)
	out, code := run(t, "fuzz", "--replay", report)
	if code != exitError || !strings.Contains(out, "is a JSON report, which keeps no requests to re-send: replay the JSONL stream") {
		t.Errorf("exit %d\n%s", code, out)
	}
}

// -f sarif -o FILE writes SARIF there and nothing on stdout; --stream
// asks for the JSONL stream explicitly.
func TestFuzzSARIFToFileKeepsStdoutClean(t *testing.T) {
	open := reflectingServer(t)
	dir := t.TempDir()
	sarif := filepath.Join(dir, "fuzz.sarif")
	args := []string{"fuzz", "--seed", "7", "--rate", "0", "--budget", "200", "--no-progress", "--shard", "1/1", "-f", "sarif", "-o", sarif, open.URL + "/"}
	out, code := run(t, args...)
	if code != exitFindings || strings.Contains(out, `"ruleId"`) {
		t.Errorf("exit %d, stdout carries results:\n%s", code, out)
	}
	data, err := os.ReadFile(sarif)
	if err != nil || !strings.Contains(string(data), `"id": "corsguard/fuzz/1-of-1/"`) {
		t.Errorf("SARIF lacks its automation id: %v\n%.400s", err, data)
	}
	stream := filepath.Join(dir, "fuzz.jsonl")
	_, code = run(t, append(args, "--stream", stream)...)
	if lines, _ := os.ReadFile(stream); code != exitFindings || !strings.Contains(string(lines), `"ruleId":"CG101"`) {
		t.Errorf("--stream: exit %d\n%.400s", code, lines)
	}
}

// Last night's fuzz report is tonight's baseline, whatever the seed.
func TestFuzzBaselineAcrossSeeds(t *testing.T) {
	open := reflectingServer(t)
	dir := t.TempDir()
	night1 := filepath.Join(dir, "night1.json")
	common := []string{"fuzz", "--rate", "0", "--budget", "300", "--no-progress", open.URL + "/"}
	if _, code := run(t, append(common, "--seed", "1", "-f", "json", "-o", night1)...); code != exitFindings {
		t.Fatalf("night 1 exit %d", code)
	}
	out, code := run(t, append(common, "--seed", "2", "--baseline", night1)...)
	if code != exitClean || !strings.Contains(out, "0 finding(s)") || !strings.Contains(out, "baselined") {
		t.Errorf("night 2 with night 1 as baseline: exit %d\n%s", code, out)
	}
}

// A JSON report written with --baseline keeps the accepted findings, so
// that tonight's report is tomorrow's baseline without the accepted
// findings coming back as new every other night.
func TestBaselineCarriesForward(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "api.conf")
	must(t, os.WriteFile(conf, []byte(reflectingConf), 0o644))
	night := func(n int, baseline string) string {
		out := filepath.Join(dir, "night"+string(rune('0'+n))+".json")
		args := []string{"lint", "-f", "json", "-o", out, conf}
		if baseline != "" {
			args = append(args, "--baseline", baseline)
		}
		run(t, args...)
		return out
	}
	n1 := night(1, "")
	n2 := night(2, n1)
	n3 := night(3, n2)
	out, code := run(t, "report", n3)
	if code != exitClean || !strings.Contains(out, "0 finding(s) in 1 file(s), 1 baselined") {
		t.Errorf("third night: exit %d\n%s", code, out)
	}
}

func TestReportRendersASavedRun(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "api.conf")
	must(t, os.WriteFile(conf, []byte(reflectingConf), 0o644))
	saved := filepath.Join(dir, "lint.json")
	run(t, "lint", "-f", "json", "-o", saved, conf)
	runCLICases(t, []cliCase{
		{"markdown", []string{"report", "-f", "markdown", saved}, exitClean, "[CG101](#cg101-origin-reflected)"},
		{"sarif", []string{"report", "-f", "sarif", saved}, exitClean, `"id": "corsguard/lint/"`},
		{"junit", []string{"report", "-f", "junit", saved}, exitClean, `failures="1"`},
		{"not a report", []string{"report", conf}, exitError, "not a corsguard JSON report"},
		{"bad format", []string{"report", "-f", "html", saved}, exitError, `--format "html"`},
	})
}

// pre-commit passes the staged files: a staged Terraform file is evaluated
// with its module (a variable set in one file reaches a resource in
// another) but reported per file, so a commit is judged by the files it
// touches, not by an untouched sibling's old finding.
func TestPreCommitReportsPerFile(t *testing.T) {
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(`resource "aws_apigatewayv2_api" "accounts" {
  name          = "accounts"
  protocol_type = "HTTP"
  cors_configuration {
    allow_credentials = true
    allow_origins     = ["*"]
  }
}
`), 0o644))
	vars := filepath.Join(dir, "variables.tf")
	must(t, os.WriteFile(vars, []byte("variable \"unused\" {}\n"), 0o644))
	runCLICases(t, []cliCase{
		{"sibling's finding not reported", []string{"lint", "--skip-unknown", vars}, exitClean, "0 finding(s) in 1 file(s)"},
		{"the file with the finding", []string{"lint", "--skip-unknown", vars, filepath.Join(dir, "main.tf")}, exitFindings, "main.tf:6"},
		{"the module", []string{"lint", dir}, exitFindings, "main.tf:6"},
	})
}

func TestCIFormats(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "api.conf")
	must(t, os.WriteFile(conf, []byte(reflectingConf), 0o644))
	open := reflectingServer(t)
	runCLICases(t, []cliCase{
		{"lint junit", []string{"lint", "-f", "junit", conf}, exitFindings, `<testcase name="CG101 origin-reflected at line 5"`},
		{"lint markdown", []string{"lint", "-f", "markdown", conf}, exitFindings, "| severity | rule | location | finding |"},
		{"fuzz markdown", []string{"fuzz", "--seed", "7", "--rate", "0", "--budget", "200", "--no-progress", "-f", "markdown", open.URL + "/"}, exitFindings, "| severity | rule | target | finding |"},
	})
}
