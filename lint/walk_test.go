package lint

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// critical is an nginx site with a critical finding (CG101 with
// credentials) on line 5.
const critical = `server {
    listen 443 ssl;
    server_name api.example.com;
    location / {
        add_header Access-Control-Allow-Origin $http_origin always;
        add_header Access-Control-Allow-Credentials true always;
        add_header Vary Origin always;
    }
}
`

// tree is a file system layout: files by relative path, then symbolic
// links (link -> target, as written) and FIFOs.
type tree struct {
	files map[string]string
	links map[string]string
	fifos []string
}

func (tr tree) build(t *testing.T) string {
	t.Helper()
	dir := write(t, tr.files)
	for link, target := range tr.links {
		p := filepath.Join(dir, link)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Skipf("symlink: %v", err)
		}
	}
	for _, f := range tr.fifos {
		if err := syscall.Mkfifo(filepath.Join(dir, f), 0o644); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
	}
	return dir
}

// summary is what a walk produced, with paths relative to the tree.
type summary struct {
	findings []string // "file:line RULE"
	files    []string
	skipped  []string // "path (kind)"
	errors   []string // "file:line: message"
}

func summarise(dir string, res *Result) summary {
	rel := func(p string) string {
		if r, err := filepath.Rel(dir, p); err == nil && !strings.HasPrefix(r, "..") {
			return filepath.ToSlash(r)
		}
		return p
	}
	var s summary
	for _, f := range res.Findings {
		s.findings = append(s.findings, rel(f.Range.File)+":"+itoa(f.Range.Line)+" "+f.RuleID)
	}
	for _, f := range res.Files {
		s.files = append(s.files, rel(f))
	}
	for _, k := range res.Skipped {
		s.skipped = append(s.skipped, rel(k.Path)+" ("+string(k.Kind)+")")
	}
	for _, d := range res.Errors {
		s.errors = append(s.errors, rel(d.Range.File)+":"+itoa(d.Range.Line)+": "+d.Message)
	}
	return s
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestWalk(t *testing.T) {
	tests := []struct {
		name string
		tree tree
		args []string // relative to the tree; default "."
		opts Options
		want summary
	}{
		{name: "Debian layout: the site linked from sites-enabled is linted",
			tree: tree{
				files: map[string]string{"sites-available/api": critical},
				links: map[string]string{"sites-enabled/api": "../sites-available/api"},
			},
			args: []string{"sites-enabled"},
			want: summary{
				findings: []string{"sites-enabled/api:5 CG101"},
				files:    []string{"sites-enabled/api"},
			}},
		{name: "a file reached by two paths is linted once, the second path listed",
			tree: tree{
				files: map[string]string{"sites-available/api": critical},
				links: map[string]string{"sites-enabled/api": "../sites-available/api"},
			},
			want: summary{
				findings: []string{"sites-available/api:5 CG101"},
				files:    []string{"sites-available/api"},
				skipped:  []string{"sites-enabled/api (duplicate)"},
			}},
		{name: "symbolic link to a directory is walked; a loop is reported, not followed",
			tree: tree{
				files: map[string]string{"real/conf.d/api.conf": critical},
				links: map[string]string{"linked": "real/conf.d", "real/conf.d/back": "../.."},
			},
			args: []string{"linked"},
			want: summary{
				findings: []string{"linked/api.conf:5 CG101"},
				files:    []string{"linked/api.conf"},
				skipped:  []string{"linked/back/linked (loop)", "linked/back/real/conf.d (loop)"},
			}},
		{name: "a broken link and a FIFO are reported skips; the rest is linted",
			tree: tree{
				files: map[string]string{"conf.d/api.conf": critical},
				links: map[string]string{"conf.d/old.conf": "gone.conf"},
				fifos: []string{"conf.d/pipe.conf"},
			},
			want: summary{
				findings: []string{"conf.d/api.conf:5 CG101"},
				files:    []string{"conf.d/api.conf"},
				skipped:  []string{"conf.d/old.conf (type)", "conf.d/pipe.conf (type)"},
			}},
		{name: "hidden directories are walked, version control is not",
			tree: tree{files: map[string]string{
				".deploy/nginx/api.conf": critical,
				".git/config.conf":       critical,
				".svn/x/nginx.conf":      critical,
			}},
			want: summary{
				findings: []string{".deploy/nginx/api.conf:5 CG101"},
				files:    []string{".deploy/nginx/api.conf"},
			}},
		{name: "files of no known format are listed, never errors",
			tree: tree{files: map[string]string{
				"conf.d/api.conf":      critical,
				"ops/supervisord.conf": "[program:api]\ncommand=/usr/bin/api\n",
				"App/App.csproj":       "<Project Sdk=\"Microsoft.NET.Sdk\">\n</Project>\n",
				"app/web.conf":         "<?xml version=\"1.0\"?>\n<configuration>\n</configuration>\n",
				"README.md":            "server { listen 80; }",
				"blob":                 "\x7fELF\x00\x00",
			}},
			want: summary{
				findings: []string{"conf.d/api.conf:5 CG101"},
				files:    []string{"conf.d/api.conf"},
				skipped:  []string{"App/App.csproj (name)", "README.md (name)", "app/web.conf (unknown)", "blob (binary)", "ops/supervisord.conf (unknown)"},
			}},
		{name: "a Terraform module's other files (.csproj, XML, package.json) are skipped, not parsed as Apache",
			tree: tree{files: map[string]string{
				"infra/main.tf":        "resource \"aws_s3_bucket_cors_configuration\" \"x\" {\n  bucket = \"b\"\n}\n",
				"infra/App.csproj":     "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <ItemGroup>\n  </ItemGroup>\n</Project>\n",
				"infra/package.json":   "{\"name\": \"x\"}\n",
				"infra/settings":       "<settings>\n  <Location>eu</Location>\n</settings>\n",
				"infra/NuGet.Config":   "<configuration>\n</configuration>\n",
				"infra/conf/site.conf": "<Directory /srv>\n  Require all granted\n</Directory>\n",
			}},
			want: summary{
				files:   []string{"infra/conf/site.conf", "infra/main.tf"},
				skipped: []string{"infra/App.csproj (name)", "infra/NuGet.Config (unknown)", "infra/package.json (name)", "infra/settings (unknown)"},
			}},
		{name: "a directory with no configuration is an error naming it",
			tree: tree{files: map[string]string{"docs/README.md": "hello", "ops/supervisord.conf": "[program:x]\n"}},
			want: summary{
				skipped: []string{"docs/README.md (name)", "ops/supervisord.conf (unknown)"},
				errors:  []string{".:0: no nginx, Apache or HCL configuration found under ."},
			}},
		{name: "with SkipUnknown (pre-commit), a file named explicitly that is not configuration is skipped with a notice",
			tree: tree{files: map[string]string{"conf.d/api.conf": critical, "ops/supervisord.conf": "[program:x]\ncommand=x\n"}},
			args: []string{"ops/supervisord.conf", "conf.d/api.conf"},
			opts: Options{SkipUnknown: true},
			want: summary{
				findings: []string{"conf.d/api.conf:5 CG101"},
				files:    []string{"conf.d/api.conf"},
				skipped:  []string{"ops/supervisord.conf (unknown)"},
			}},
		{name: "without SkipUnknown, a file named explicitly that is not configuration is an error",
			tree: tree{files: map[string]string{"conf.d/api.conf": critical, "ops/supervisord.conf": "[program:x]\ncommand=x\n"}},
			args: []string{"ops/supervisord.conf", "conf.d/api.conf"},
			want: summary{
				findings: []string{"conf.d/api.conf:5 CG101"},
				files:    []string{"conf.d/api.conf"},
				errors:   []string{"ops/supervisord.conf:1: not a recognised nginx, Apache httpd or HCL configuration (--skip-unknown skips such files with a notice)"},
			}},
		{name: "a FIFO named explicitly is an error, refused without opening it",
			tree: tree{files: map[string]string{"api.conf": critical}, fifos: []string{"pipe.conf"}},
			args: []string{"pipe.conf", "api.conf"},
			want: summary{
				findings: []string{"api.conf:5 CG101"},
				files:    []string{"api.conf"},
				errors:   []string{"pipe.conf:1: this is a FIFO (named pipe), not a regular file; not read; to lint a stream, pipe it to `corsguard lint -` (--stdin-filename NAME picks the format)"},
			}},
		{name: "--exclude by name at any depth (a directory, a glob on names)",
			tree: tree{files: map[string]string{
				"conf.d/api.conf":            critical,
				"vendor/x/nginx/a.conf":      critical,
				"legacy/old/nginx/b.conf":    critical,
				"keep/legacy/nginx/c.conf":   critical,
				"conf.d/api.conf.bak/d.conf": critical,
			}},
			opts: Options{ExcludePaths: []string{"vendor", "*.bak"}},
			want: summary{
				findings: []string{"conf.d/api.conf:5 CG101", "keep/legacy/nginx/c.conf:5 CG101", "legacy/old/nginx/b.conf:5 CG101"},
				files:    []string{"conf.d/api.conf", "keep/legacy/nginx/c.conf", "legacy/old/nginx/b.conf"},
			}},
		{name: "dependency directories are listed as skipped",
			tree: tree{files: map[string]string{"main.conf": critical, "node_modules/pkg/nginx.conf": critical, ".terraform/modules/x/main.tf": ""}},
			args: []string{"."},
			want: summary{
				findings: []string{"main.conf:5 CG101"},
				files:    []string{"main.conf"},
				skipped:  []string{".terraform (dependency)", "node_modules (dependency)"},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.tree.build(t)
			t.Chdir(dir)
			args := tt.args
			if args == nil {
				args = []string{"."}
			}
			res, err := LintPaths(args, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			got := summarise(dir, res)
			got.findings = critOnly(got.findings)
			check(t, "findings", got.findings, tt.want.findings)
			check(t, "files", got.files, tt.want.files)
			check(t, "skipped", got.skipped, tt.want.skipped)
			check(t, "errors", got.errors, tt.want.errors)
		})
	}
}

// critOnly keeps the CG101 findings: the walk is under test, not the rules.
func critOnly(fs []string) []string {
	var out []string
	for _, f := range fs {
		if strings.HasSuffix(f, " CG101") {
			out = append(out, f)
		}
	}
	return out
}

func check(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}

// An anchored --exclude glob (what the CLI and the policy file make of
// `legacy/**`) excludes that directory only.
func TestExcludeAnchoredGlob(t *testing.T) {
	dir := tree{files: map[string]string{"legacy/nginx/a.conf": critical, "keep/legacy/nginx/b.conf": critical}}.build(t)
	t.Chdir(dir)
	res, err := LintPaths([]string{"."}, Options{ExcludePaths: []string{AnchorExclude(dir, "legacy/**")}})
	if err != nil {
		t.Fatal(err)
	}
	check(t, "files", summarise(dir, res).files, []string{"keep/legacy/nginx/b.conf"})
}

// One directory that cannot be read is an error; its siblings are linted.
// Root reads any directory whatever its mode, so the failure is injected
// where ReadDir is called; TestUnreadableDirectoryByMode shows the same
// with a real chmod 000 when not root.
func TestUnreadableDirectoryIsReportedAndTheWalkGoesOn(t *testing.T) {
	dir := tree{files: map[string]string{"a/nginx/api.conf": critical, "b/secret/x.conf": critical, "c/nginx/web.conf": critical}}.build(t)
	t.Chdir(dir)
	defer func(orig func(string) ([]os.DirEntry, error)) { readDir = orig }(readDir)
	readDir = func(name string) ([]os.DirEntry, error) {
		if filepath.Base(name) == "secret" {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
		}
		return os.ReadDir(name)
	}
	res, err := LintPaths([]string{"."}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := summarise(dir, res)
	check(t, "files", got.files, []string{"a/nginx/api.conf", "c/nginx/web.conf"})
	check(t, "errors", got.errors, []string{"b/secret:0: cannot read directory: permission denied; its files were not linted"})
}

func TestUnreadableDirectoryByMode(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads a mode-000 directory; TestUnreadableDirectoryIsReportedAndTheWalkGoesOn injects the failure instead")
	}
	dir := tree{files: map[string]string{"a/nginx/api.conf": critical, "b/secret/x.conf": critical}}.build(t)
	secret := filepath.Join(dir, "b", "secret")
	if err := os.Chmod(secret, 0); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = os.Chmod(secret, 0o755) }()
	t.Chdir(dir)
	res, err := LintPaths([]string{"."}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := summarise(dir, res)
	check(t, "files", got.files, []string{"a/nginx/api.conf"})
	check(t, "errors", got.errors, []string{"b/secret:0: cannot read directory: permission denied; its files were not linted"})
}

// Standard input is read once and linted under --stdin-filename, which
// picks the format; without a name, content that no front end claims is
// an error (nothing was linted).
func TestStdin(t *testing.T) {
	tests := []struct {
		name, stdinName, input string
		wantFiles              []string
		wantFinding            string
		wantErr                string
	}{
		{"nginx under its name", "deploy/api.conf", critical, []string{"deploy/api.conf"}, "deploy/api.conf:5 CG101", ""},
		{"nginx recognised by content", "", critical, []string{"<stdin>"}, "<stdin>:5 CG101", ""},
		{"Apache by name", ".htaccess", "Header always set Access-Control-Allow-Origin \"*\"\n", []string{".htaccess"}, "", ""},
		{"unrecognisable", "", "hello\n", nil, "", "<stdin>:1: standard input is not a recognised"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			res, err := LintPaths([]string{StdinArg}, Options{Stdin: strings.NewReader(tt.input), StdinFilename: tt.stdinName})
			if err != nil {
				t.Fatal(err)
			}
			got := summarise("", res)
			check(t, "files", got.files, tt.wantFiles)
			if tt.wantFinding != "" && !slices.Contains(got.findings, tt.wantFinding) {
				t.Errorf("findings %q lack %q", got.findings, tt.wantFinding)
			}
			if tt.wantErr != "" && (len(got.errors) != 1 || !strings.HasPrefix(got.errors[0], tt.wantErr)) {
				t.Errorf("errors %q, want one starting %q", got.errors, tt.wantErr)
			}
			if tt.wantFinding != "" {
				// The snippet comes from what was read, not from disk.
				if line, ok := res.Source(res.Findings[0].Range.File, 5); !ok || !strings.Contains(line, "$http_origin") {
					t.Errorf("source line 5 = %q, %v", line, ok)
				}
			}
		})
	}
	if _, err := LintPaths([]string{StdinArg, StdinArg}, Options{Stdin: strings.NewReader("")}); err == nil {
		t.Error("stdin named twice: want a usage error")
	}
}

// An include whose target is not in the tree is a warning (linted without
// it); --strict-includes makes it an error.
func TestMissingIncludeIsAWarningUnlessStrict(t *testing.T) {
	conf := strings.Replace(critical, "    location / {", "    include fastcgi_params;\n    location / {", 1)
	for _, strict := range []bool{false, true} {
		dir := write(t, map[string]string{"nginx/nginx.conf": "http {\n    include mime.types;\n}\n", "nginx/conf.d/api.conf": conf})
		res, err := LintPaths([]string{dir}, Options{StrictIncludes: strict})
		if err != nil {
			t.Fatal(err)
		}
		errs, warns := len(res.Errors), len(res.Warnings)
		if strict && (errs != 2 || warns != 0) || !strict && (errs != 0 || warns != 2) {
			t.Errorf("strict=%v: %d errors %v, %d warnings %v", strict, errs, res.Errors, warns, res.Warnings)
		}
		if res.Count(rules.Critical) != 1 {
			t.Errorf("strict=%v: the site was not linted without its include: %v", strict, res.Findings)
		}
	}
}

// Files over the size limit are judged by their name and first bytes
// before the limit: a database dump is skipped, a .conf is an error.
func TestTooBigFiles(t *testing.T) {
	dir := tree{files: map[string]string{"conf.d/api.conf": critical}}.build(t)
	t.Chdir(dir)
	for _, name := range []string{"dump", "conf.d/huge.conf"} {
		fh, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fh.WriteString("-- data\n"); err != nil {
			t.Fatal(err)
		}
		if err := fh.Truncate(MaxFileSize + 1); err != nil {
			t.Fatal(err)
		}
		_ = fh.Close()
	}
	res, err := LintPaths([]string{"."}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := summarise(dir, res)
	check(t, "files", got.files, []string{"conf.d/api.conf"})
	check(t, "skipped", got.skipped, []string{"dump (too-big)"})
	check(t, "errors", got.errors, []string{"conf.d/huge.conf:1: file is 10485761 bytes, larger than the 10 MB limit; not read"})
}

// A walk root that cannot be read is one error, not also "no configuration".
func TestUnreadableRootIsOneError(t *testing.T) {
	dir := tree{files: map[string]string{"secret/nginx/api.conf": critical}}.build(t)
	t.Chdir(dir)
	defer func(orig func(string) ([]os.DirEntry, error)) { readDir = orig }(readDir)
	readDir = func(name string) ([]os.DirEntry, error) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	res, err := LintPaths([]string{"secret"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	check(t, "errors", summarise(dir, res).errors, []string{"secret:0: cannot read directory: permission denied; its files were not linted"})
}

// TestAgentJSONIsReadInAWalk: JSON is skipped by name, except the files a
// Nomad or Consul agent reads (named after it, or in its config directory),
// which are detected by content like their HCL twins.
func TestAgentJSONIsReadInAWalk(t *testing.T) {
	agent := `{"http_config": {"response_headers": {"Access-Control-Allow-Origin": "*"}}}` + "\n"
	dir := write(t, map[string]string{
		"consul.d/server.json": agent,
		"nomad.json":           `{"http_api_response_headers": {"Access-Control-Allow-Origin": "*"}}` + "\n",
		"web/package.json":     `{"name": "web"}` + "\n",
	})
	res, err := LintPaths([]string{dir}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var flagged []string
	for _, f := range res.Findings {
		if f.RuleID == "CG503" {
			flagged = append(flagged, filepath.Base(f.Range.File))
		}
	}
	slices.Sort(flagged)
	if !slices.Equal(flagged, []string{"nomad.json", "server.json"}) {
		t.Errorf("CG503 in %v, want nomad.json and server.json", flagged)
	}
	if !slices.ContainsFunc(res.Skipped, func(s Skip) bool { return filepath.Base(s.Path) == "package.json" && s.Kind == SkipByName }) {
		t.Errorf("package.json not skipped by name: %+v", res.Skipped)
	}
}
