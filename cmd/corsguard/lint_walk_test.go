package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

const criticalSite = "server {\n  listen 443 ssl;\n  server_name api.example.com;\n  location / {\n    add_header Access-Control-Allow-Origin $http_origin always;\n    add_header Access-Control-Allow-Credentials true always;\n    add_header Vary Origin always;\n  }\n}\n"

// How lint finds, opens and classifies its inputs, from the command line.
func TestLintInputs(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"debian/sites-available/api": criticalSite,
		"empty/docs/README.md":       "nothing here",
		"ops/supervisord.conf":       "[program:api]\ncommand=/usr/bin/api\n",
		"inc/nginx.conf":             "http {\n  include mime.types;\n  include conf.d/*.conf;\n}\n",
		"inc/conf.d/api.conf":        criticalSite,
	} {
		p := filepath.Join(dir, name)
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, []byte(body), 0o644))
	}
	must(t, os.MkdirAll(filepath.Join(dir, "debian/sites-enabled"), 0o755))
	if err := os.Symlink("../sites-available/api", filepath.Join(dir, "debian/sites-enabled/api")); err != nil {
		t.Skipf("symlink: %v", err)
	}
	fifo := filepath.Join(dir, "pipe.conf")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	j := func(p string) string { return filepath.Join(dir, p) }
	runCLICases(t, []cliCase{
		{"a symlinked site in sites-enabled is linted", []string{"lint", j("debian/sites-enabled")}, exitFindings, "CG101"},
		{"a directory with no configuration exits 2 naming it", []string{"lint", j("empty")}, exitError, "no nginx, Apache or HCL configuration found under " + j("empty")},
		{"a passed file of no known format is skipped with a notice (pre-commit)", []string{"lint", "--skip-unknown", j("ops/supervisord.conf")}, exitClean, "supervisord.conf: skipped: not a recognised"},
		{"a FIFO argument is refused without being opened", []string{"lint", fifo}, exitError, "this is a FIFO (named pipe), not a regular file; not read"},
		{"an include outside the tree is a warning, not an error", []string{"lint", "--fail-on", "critical", j("inc")}, exitFindings, `warning: include "mime.types": no such file in the linted tree; linted without it`},
		{"--strict-includes makes it an error", []string{"lint", "--strict-includes", j("inc")}, exitError, `error: include "mime.types"`},
		{"--exclude takes the site out", []string{"lint", "--exclude", "sites-*", j("debian")}, exitError, "no nginx, Apache or HCL configuration found"},
		{"--exclude with a bad glob is a usage error", []string{"lint", "--exclude", "[", j("debian")}, exitError, `--exclude "[" is not a valid glob`},
		{"--stdin-filename without - is a usage error", []string{"lint", "--stdin-filename", "api.conf", j("debian")}, exitError, `pass "-" among the paths`},
	})
}

// runIn is run with standard input.
func runIn(t *testing.T, stdin string, args ...string) (string, int) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(args)
	err := root.Execute()
	var ec *exitCodeError
	switch {
	case err == nil:
		return out.String(), exitClean
	case errors.As(err, &ec):
		if ec.err != nil {
			out.WriteString(ec.err.Error())
		}
		return out.String(), ec.code
	}
	return out.String() + err.Error(), exitError
}

func TestLintStdin(t *testing.T) {
	t.Chdir(t.TempDir())
	out, code := runIn(t, criticalSite, "lint", "--stdin-filename", "deploy/api.conf", "-")
	if code != exitFindings || !strings.Contains(out, "deploy/api.conf:5:5: CG101") || !strings.Contains(out, "$http_origin always;") {
		t.Errorf("exit %d, want 1 with the finding and its source line from stdin:\n%s", code, out)
	}
	out, code = runIn(t, "just words\n", "lint", "-")
	if code != exitError || !strings.Contains(out, "--stdin-filename") {
		t.Errorf("exit %d, want 2 pointing at --stdin-filename:\n%s", code, out)
	}
}

// The JSON report lists skipped files and warnings, with counts.
func TestLintJSONListsSkippedAndWarnings(t *testing.T) {
	dir := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(dir, "ops"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte("http {\n  include mime.types;\n}\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "ops", "supervisord.conf"), []byte("[program:x]\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "README.md"), []byte("# hi\n"), 0o644))
	out, code := run(t, "lint", "-f", "json", dir)
	if code != exitClean {
		t.Fatalf("exit %d, want 0 (a warning does not change it):\n%s", code, out)
	}
	var doc struct {
		Warnings []struct{ Message string } `json:"warnings"`
		Skipped  []struct{ Path, Kind, Reason string }
		Summary  struct{ Warnings, Skipped int }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(doc.Warnings) != 1 || doc.Summary.Warnings != 1 || !strings.Contains(doc.Warnings[0].Message, "mime.types") {
		t.Errorf("warnings %+v (summary %d)", doc.Warnings, doc.Summary.Warnings)
	}
	if len(doc.Skipped) != 2 || doc.Summary.Skipped != 2 || doc.Skipped[0].Kind != "name" || doc.Skipped[1].Kind != "unknown" {
		t.Errorf("skipped %+v (summary %d)", doc.Skipped, doc.Summary.Skipped)
	}
}

// The policy file's exclude list works like --exclude, its globs anchored at
// the policy file's directory whatever the working directory.
func TestPolicyFileExclude(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"legacy/nginx/a.conf", "vendor/x/nginx/b.conf", "keep/legacy/nginx/c.conf"} {
		p := filepath.Join(dir, name)
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, []byte(criticalSite), 0o644))
	}
	policy := filepath.Join(dir, ".corsguard.hcl")
	must(t, os.WriteFile(policy, []byte("exclude = [\"legacy/**\", \"vendor\"]\n"), 0o644))
	t.Chdir(t.TempDir())
	out, code := run(t, "lint", "-f", "json", "--config", policy, dir)
	if code != exitFindings {
		t.Fatalf("exit %d\n%s", code, out)
	}
	var doc struct {
		Findings []struct {
			Range struct{ File string }
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, f := range doc.Findings {
		if !strings.Contains(f.Range.File, "keep/legacy") {
			t.Errorf("finding in an excluded file: %s", f.Range.File)
		}
	}
	if len(doc.Findings) == 0 {
		t.Error("keep/legacy was excluded too")
	}
}

// --config naming a FIFO is refused by type instead of blocking.
func TestPolicyFileFIFOIsRefused(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "policy.hcl")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	site := filepath.Join(dir, "api.conf")
	must(t, os.WriteFile(site, []byte(criticalSite), 0o644))
	out, code := run(t, "lint", "--config", fifo, site)
	if code != exitError || !strings.Contains(out, "is a FIFO (named pipe), not a regular file") {
		t.Errorf("exit %d, want 2 refusing the FIFO:\n%s", code, out)
	}
}
