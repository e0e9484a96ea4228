package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run executes the CLI in-process and returns stdout and the exit code.
func run(t *testing.T, args ...string) (string, int) {
	t.Helper()
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errOut)
	root.SetArgs(args)
	err := root.Execute()
	code := exitClean
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
	return out.String() + errOut.String(), code
}

// cliCase is one command line and what it must do.
type cliCase struct {
	name string
	args []string
	code int
	out  string // a substring of stdout+stderr
}

func runCLICases(t *testing.T, cases []cliCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			out, code := run(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, out)
			}
			if !strings.Contains(out, tt.out) {
				t.Errorf("output lacks %q:\n%s", tt.out, out)
			}
		})
	}
}

func TestREADMERulesTableIsTheCatalog(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	begin, end := strings.Index(s, "<!-- rules:begin -->\n"), strings.Index(s, "<!-- rules:end -->")
	if begin < 0 || end < begin {
		t.Fatal("README.md lacks the rules markers")
	}
	got := s[begin+len("<!-- rules:begin -->\n") : end]
	if got != RulesMarkdownTable() {
		t.Errorf("README rules table is stale; regenerate with `go run ./cmd/corsguard rules --markdown`")
	}
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	unsafe := filepath.Join(dir, "unsafe.conf")
	safe := filepath.Join(dir, "safe.conf")
	broken := filepath.Join(dir, "broken.conf")
	must(t, os.WriteFile(unsafe, []byte("server {\n  listen 443 ssl;\n  server_name api.example.com;\n  location / {\n    add_header Access-Control-Allow-Origin $http_origin always;\n    add_header Vary Origin always;\n  }\n}\n"), 0o644))
	must(t, os.WriteFile(safe, []byte("server {\n  listen 443 ssl;\n  server_name api.example.com;\n  location / {\n    add_header Access-Control-Allow-Origin * always;\n  }\n}\n"), 0o644))
	must(t, os.WriteFile(broken, []byte("server {\n  listen 443 ssl;\n  location / {\n"), 0o644))
	runCLICases(t, []cliCase{
		{"findings", []string{"lint", unsafe}, exitFindings, "CG101 origin-reflected"},
		{"clean", []string{"lint", safe}, exitClean, "0 finding(s)"},
		{"below --fail-on", []string{"lint", "--fail-on", "high", unsafe}, exitClean, "CG101"},
		{"bad input", []string{"lint", broken, safe}, exitError, "broken.conf:"},
		{"missing path", []string{"lint", filepath.Join(dir, "nope")}, exitError, "no such file"},
		{"bad --fail-on", []string{"lint", "--fail-on", "severe", safe}, exitError, ""},
		{"bad --trusted-origin", []string{"lint", "--trusted-origin", "https://app.example.com/", safe}, exitError, ""},
		{"json", []string{"lint", "--format", "json", unsafe}, exitFindings, `"ruleId": "CG101"`},
		{"sarif", []string{"lint", "--format", "sarif", unsafe}, exitFindings, `"version": "2.1.0"`},
		{"explain", []string{"explain", "CG103"}, exitClean, "Why it matters"},
		{"explain by slug", []string{"explain", "origin-null"}, exitClean, "CG102"},
		{"explain unknown", []string{"explain", "CG999"}, exitError, ""},
		{"rules", []string{"rules"}, exitClean, "CG201"},
		{"version", []string{"version"}, exitClean, "corsguard"},
		{"completion", []string{"completion", "bash"}, exitClean, "bash completion"},
	})
}

func TestLintNeverModifiesInput(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "api.conf")
	body := []byte("server {\n  location / {\n    add_header Access-Control-Allow-Origin $http_origin;\n  }\n}\n")
	must(t, os.WriteFile(p, body, 0o644))
	before, _ := os.Stat(p)
	run(t, "lint", p)
	after, _ := os.Stat(p)
	got, _ := os.ReadFile(p)
	if !bytes.Equal(got, body) || !before.ModTime().Equal(after.ModTime()) {
		t.Error("lint modified its input")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// The policy file drives lint end to end: declared trust turns an extra
// allowlist entry into CG112, a suppression with a reason silences a rule
// for its path, an expired one does not, and schema errors exit 2 with
// HCL's own diagnostic.
func TestPolicyFileDrivesLint(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "api.conf")
	must(t, os.WriteFile(conf, []byte(`map $http_origin $cors {
    default "";
    "https://app.example.com" $http_origin;
    "https://partner.test" $http_origin;
}
server {
    listen 443 ssl;
    server_name api.example.com;
    location / {
        add_header Access-Control-Allow-Origin $cors always;
        add_header Vary Origin always;
    }
}
`), 0o644))
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		must(t, os.WriteFile(p, []byte(body), 0o644))
		return p
	}
	trust := write("trust.hcl", `trusted_origins = ["https://app.example.com"]`+"\n")
	suppressed := write("suppressed.hcl", `trusted_origins = ["https://app.example.com"]
suppress "CG112" {
  path    = "api.conf"
  reason  = "partner.test reads prices by contract"
  expires = "2999-12-31"
}
`)
	expired := write("expired.hcl", `trusted_origins = ["https://app.example.com"]
suppress "CG112" {
  path    = "api.conf"
  reason  = "was fine last year"
  expires = "2020-01-31"
}
`)
	broken := write("broken.hcl", `suppress "CG112" {
  path = "api.conf"
}
`)
	tests := []struct {
		name   string
		config string
		code   int
		out    string
	}{
		{"declared trust", trust, exitFindings, "CG112 origin-untrusted"},
		{"suppressed with a reason", suppressed, exitClean, "1 suppressed"},
		{"expired suppression", expired, exitFindings, "expired on 2020-01-31"},
		{"schema error", broken, exitError, `The argument "reason" is required`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, code := run(t, "lint", "--config", tt.config, conf)
			if code != tt.code || !strings.Contains(out, tt.out) {
				t.Errorf("exit %d (want %d), output lacks %q?\n%s", code, tt.code, tt.out, out)
			}
		})
	}
}
