package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// snapshotRepo commits the working tree as it is (tracked and untracked,
// not ignored files) into a fresh repository, because pre-commit installs
// a hook from a committed ref. It returns the repository and the commit.
func snapshotRepo(t *testing.T) (dir, ref string) {
	t.Helper()
	root := repoRoot(t)
	ls := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	ls.Dir = root
	out, err := ls.Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	dir = t.TempDir()
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		data, err := os.ReadFile(filepath.Join(root, name))
		if os.IsNotExist(err) {
			continue // deleted in the working tree
		}
		must(t, err)
		must(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755))
		must(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	gitIn(t, dir, "init", "-q")
	gitIn(t, dir, "add", "-A")
	gitIn(t, dir, "commit", "-q", "-m", "snapshot")
	return dir, strings.TrimSpace(gitIn(t, dir, "rev-parse", "HEAD"))
}

func gitIn(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=corsguard test", "-c", "user.email=test@corsguard.invalid", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// goEnv reads one setting of the go command, so that the build pre-commit
// runs uses this machine's module cache and proxy (no other network).
func goEnv(t *testing.T, key string) string {
	t.Helper()
	out, err := exec.Command(goTool(t), "env", key).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// The hook as users run it: Debian's pre-commit installs corsguard from a
// commit of this repository (language: golang, `go install ./...`) and
// runs it on a project's staged files. A reflecting nginx config fails the
// commit and the finding is shown; a safe config beside an unrelated
// supervisord.conf (which the *.conf pattern passes too) does not.
func TestPreCommitHook(t *testing.T) {
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
	write := func(name, body string) {
		must(t, os.MkdirAll(filepath.Join(project, filepath.Dir(name)), 0o755))
		must(t, os.WriteFile(filepath.Join(project, name), []byte(body), 0o644))
	}
	write("nginx/api.conf", reflectingConf)
	write("nginx/static.conf", "server {\n  listen 443 ssl;\n  server_name static.example.com;\n  location / {\n    add_header Access-Control-Allow-Origin * always;\n  }\n}\n")
	write("ops/supervisord.conf", "[supervisord]\nnodaemon=true\n\n[program:api]\ncommand=/usr/local/bin/api\n")
	write("README.md", "# project\n")
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
	tryRepo := func(files ...string) (string, int) {
		args := append([]string{"try-repo", hookRepo, "corsguard", "--ref", ref, "--verbose", "--color", "never", "--files"}, files...)
		cmd := exec.Command(precommit, args...)
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

	// The first run builds corsguard (go install ./... of the snapshot).
	out, code := tryRepo("nginx/api.conf", "nginx/static.conf", "ops/supervisord.conf", "README.md")
	if code != 1 || !strings.Contains(out, "Failed") || !strings.Contains(out, "nginx/api.conf:5:5: CG101 origin-reflected") {
		t.Errorf("a reflecting config must fail the commit with the finding shown: exit %d\n%s", code, out)
	}
	if !strings.Contains(out, "ops/supervisord.conf: skipped") {
		t.Errorf("the skipped file is not named:\n%s", out)
	}
	out, code = tryRepo("nginx/static.conf", "ops/supervisord.conf", "README.md")
	if code != 0 || !strings.Contains(out, "Passed") || !strings.Contains(out, "ops/supervisord.conf: skipped") {
		t.Errorf("a safe config and supervisord.conf must pass: exit %d\n%s", code, out)
	}
	out, code = tryRepo("ops/supervisord.conf")
	if code != 0 || !strings.Contains(out, "Passed") {
		t.Errorf("supervisord.conf alone must pass: exit %d\n%s", code, out)
	}
}
