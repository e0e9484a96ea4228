package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/lint"
)

// runSplit executes the CLI with stdin and returns stdout and stderr
// apart: --diff's diff goes to stdout, what it leaves to stderr.
func runSplit(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(args)
	err := root.Execute()
	var ec *exitCodeError
	switch {
	case err == nil:
	case errors.As(err, &ec):
		code = ec.code
		if ec.err != nil {
			errOut.WriteString(ec.err.Error())
		}
	default:
		code = exitError
	}
	return out.String(), errOut.String(), code
}

// needNginxSpeller skips until the nginx front end spells remedies.
func needNginxSpeller(t *testing.T) {
	t.Helper()
	for _, f := range lint.Formats {
		if f.Name == "nginx" && f.Spell != nil {
			return
		}
	}
	t.Skip("lint/nginx has no speller wired in lint.Formats")
}

func TestFixFlagsAreChecked(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "api.conf")
	must(t, os.WriteFile(conf, []byte(fixableConf), 0o644))
	runCLICases(t, []cliCase{
		{name: "fix and diff", args: []string{"lint", "--fix", "--diff", conf}, code: exitError, out: "choose one"},
		{name: "fix-unsafe alone", args: []string{"lint", "--fix-unsafe", conf}, code: exitError, out: "--fix-unsafe goes with --fix or --diff"},
	})
	if got, _ := os.ReadFile(conf); string(got) != fixableConf {
		t.Errorf("a usage error modified the file:\n%s", got)
	}
}

func TestDiffShowsTheFixAndWritesNothing(t *testing.T) {
	needNginxSpeller(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "api.conf")
	must(t, os.WriteFile(conf, []byte(fixableConf), 0o644))
	t.Chdir(dir)
	stdout, stderr, code := runSplit(t, "", "lint", "--diff", "api.conf")
	want := `--- a/api.conf
+++ b/api.conf
@@ -2,8 +2,8 @@
     listen 443 ssl;
     server_name api.example.com;
     location / {
-        add_header Access-Control-Allow-Origin https://app.example.com;
-        add_header Access-Control-Max-Age 86400 always;
+        add_header Access-Control-Allow-Origin https://app.example.com always;
+        add_header Access-Control-Max-Age 7200 always;
         proxy_pass http://127.0.0.1:8080;
     }
 }
`
	if stdout != want {
		t.Errorf("diff:\n%s\nwant:\n%s", stdout, want)
	}
	if code != exitFindings || !strings.Contains(stderr, "2 finding(s) fixable in 1 file(s) with --fix; 0 left") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	if got, _ := os.ReadFile(conf); string(got) != fixableConf {
		t.Errorf("--diff wrote the file:\n%s", got)
	}
}

func TestFixWritesAndTheRemainingFindingsDecideTheExitStatus(t *testing.T) {
	needNginxSpeller(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "api.conf")
	must(t, os.WriteFile(conf, []byte(fixableConf), 0o600))
	stdout, stderr, code := runSplit(t, "", "lint", "--fix", conf)
	if code != exitClean || !strings.Contains(stdout, "fixed 2 finding(s) in 1 file(s); 0 left") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	got, _ := os.ReadFile(conf)
	if !strings.Contains(string(got), "app.example.com always;") || !strings.Contains(string(got), "Max-Age 7200 always;") {
		t.Errorf("fixed file:\n%s", got)
	}
	if st, _ := os.Stat(conf); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}

	// A finding --fix cannot fix stays, with its reason, and fails the run;
	// the JSON report on stdout stays parseable (the summary is on stderr).
	reflecting := filepath.Join(dir, "reflect.conf")
	must(t, os.WriteFile(reflecting, []byte(reflectingConf), 0o644))
	stdout, stderr, code = runSplit(t, "", "lint", "--fix", "-f", "json", reflecting)
	var rep struct{ Findings []struct{ RuleID string } }
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("stdout is not the JSON report: %v\n%s", err, stdout)
	}
	if code != exitFindings || len(rep.Findings) == 0 || rep.Findings[0].RuleID != "CG101" || !strings.Contains(stderr, "1 left") ||
		!strings.Contains(stderr, "1 finding(s) without a mechanical fix") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}

func TestFixNeverRewritesStandardInput(t *testing.T) {
	needNginxSpeller(t)
	stdout, stderr, code := runSplit(t, fixableConf, "lint", "--fix", "--stdin-filename", "api.conf", "-")
	if code != exitFindings || !strings.Contains(stdout, "fixed 0 finding(s) in 0 file(s); 2 left") || !strings.Contains(stdout, "standard input is not rewritten") {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat("api.conf"); err == nil {
		t.Error("--fix created the file standard input was named after")
	}
}
