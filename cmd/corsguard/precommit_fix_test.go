package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fixableConf has two findings, both fixed mechanically: the
// Allow-Origin header is not sent on errors (CG402: add always) and the
// Max-Age is beyond Chromium's cap (CG209: 7200).
const fixableConf = `server {
    listen 443 ssl;
    server_name api.example.com;
    location / {
        add_header Access-Control-Allow-Origin https://app.example.com;
        add_header Access-Control-Max-Age 86400 always;
        proxy_pass http://127.0.0.1:8080;
    }
}
`

// The corsguard-fix hook as users run it: the first commit fails because
// the hook rewrote the staged file (pre-commit fails a hook that modifies
// files), the file now holds the fixes, and the second run passes.
func TestPreCommitFixHookRewritesThenPasses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds corsguard in a fresh environment")
	}
	precommit, err := exec.LookPath("pre-commit")
	if err != nil {
		t.Skip("pre-commit is not installed (Debian package pre-commit)")
	}
	goTool(t)
	hookRepo, ref := snapshotRepo(t)
	project := t.TempDir()
	conf := filepath.Join(project, "nginx", "api.conf")
	must(t, os.MkdirAll(filepath.Dir(conf), 0o755))
	must(t, os.WriteFile(conf, []byte(fixableConf), 0o640))
	gitIn(t, project, "init", "-q")
	gitIn(t, project, "add", "-A")
	env := append(os.Environ(),
		"PRE_COMMIT_HOME="+t.TempDir(),
		"GOFLAGS=-mod=mod",
		"GOPROXY="+goEnv(t, "GOPROXY"),
		"GOMODCACHE="+goEnv(t, "GOMODCACHE"),
		"GOCACHE="+goEnv(t, "GOCACHE"),
		"NO_COLOR=1",
	)
	run := func() (string, int) {
		cmd := exec.Command(precommit, "try-repo", hookRepo, "corsguard-fix", "--ref", ref, "--verbose", "--color", "never", "--files", "nginx/api.conf")
		cmd.Dir = project
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return string(out), ee.ExitCode()
		} else if err != nil {
			t.Fatalf("pre-commit: %v\n%s", err, out)
		}
		return string(out), 0
	}

	out, code := run()
	if code != 1 || !strings.Contains(out, "files were modified by this hook") || !strings.Contains(out, "fixed 2 finding(s) in 1 file(s); 0 left") {
		t.Fatalf("the first run must rewrite the file and fail: exit %d\n%s", code, out)
	}
	got, err := os.ReadFile(conf)
	must(t, err)
	want := strings.Replace(strings.Replace(fixableConf, "app.example.com;", "app.example.com always;", 1), "Max-Age 86400", "Max-Age 7200", 1)
	if string(got) != want {
		t.Errorf("rewritten file:\n%s\nwant:\n%s", got, want)
	}
	if st, _ := os.Stat(conf); st.Mode().Perm() != 0o640 {
		t.Errorf("mode changed to %v", st.Mode().Perm())
	}
	gitIn(t, project, "add", "-A")
	out, code = run()
	if code != 0 || !strings.Contains(out, "Passed") {
		t.Errorf("the second run must pass: exit %d\n%s", code, out)
	}
}
