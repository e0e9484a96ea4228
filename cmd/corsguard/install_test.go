package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// repoRoot is the module root, two levels above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func goTool(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	return gobin
}

// `go install ./...` from a clone installs corsguard and nothing else:
// helper programs (the bench's loadgen) live in test files.
func TestGoInstallInstallsOnlyTheCLI(t *testing.T) {
	cmd := exec.Command(goTool(t), "list", "-f", "{{if eq .Name \"main\"}}{{.ImportPath}}{{end}}", "./...")
	cmd.Dir = repoRoot(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if got := strings.Fields(string(out)); len(got) != 1 || got[0] != "github.com/corsguard/corsguard/cmd/corsguard" {
		t.Errorf("main packages: %v, want only cmd/corsguard", got)
	}
}

// go.mod is tidy: direct dependencies are not marked // indirect, nothing
// is missing or unused.
func TestGoModIsTidy(t *testing.T) {
	cmd := exec.Command(goTool(t), "mod", "tidy", "-diff")
	cmd.Dir = repoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("go mod tidy would change go.mod/go.sum:\n%s", out)
	}
}
