package apache

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// An Include whose target is not in the linted tree (files the
// distribution installs) is a warning at the Include line: the file is
// linted without it, and the exit status does not change.
func TestMissingIncludeIsAWarning(t *testing.T) {
	cases := []struct {
		name, conf string
		line       int
		msg        string
	}{
		{"missing file", "Header set A b\nInclude nope.conf\n", 2, "Include: nope.conf: no such file in the linted tree; linted without it"},
		{"glob without matches", "Include conf.d/*.conf\n", 1, "Include: no files match conf.d/*.conf in the linted tree; linted without it"},
		{"absolute path outside the tree", "Include /srv/corsguard-test-none/*.conf\n", 1, "no files match /srv/corsguard-test-none/*.conf"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := parseConf(t, "a.conf", c.conf+"Header always set Access-Control-Allow-Origin \"*\"\n")
			noDiagnostics(t, res)
			if len(res.Warnings) != 1 || res.Warnings[0].Range.Line != c.line || !strings.Contains(res.Warnings[0].Message, c.msg) {
				t.Fatalf("warnings %v, want one at line %d saying %q", res.Warnings, c.line, c.msg)
			}
			if len(res.Policies) == 0 {
				t.Fatal("the rest of the file was not linted")
			}
		})
	}
}

// An Include of something that is not a regular file is refused by type
// before it is opened: a FIFO with no writer would block forever.
func TestIncludeOfAFIFOIsRefusedAtTheIncludeLine(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.conf"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	entry := filepath.Join(dir, "a.conf")
	conf := fmt.Sprintf("Header set A b\nInclude %s\n", filepath.Join(dir, "pipe.conf"))
	if err := os.WriteFile(entry, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	res := Parse(entry)
	if len(res.Diagnostics) != 1 || res.Diagnostics[0].Range.Line != 2 || !strings.Contains(res.Diagnostics[0].Message, "is a FIFO (named pipe), not a regular file") {
		t.Fatalf("diagnostics %v, want one at line 2 refusing the FIFO", res.Diagnostics)
	}
}

// Contents handed over by the caller are what is parsed; the file on disk
// is not read again.
func TestParseSourceUsesTheGivenContents(t *testing.T) {
	entry := filepath.Join(t.TempDir(), "site.conf")
	if err := os.WriteFile(entry, []byte("# on disk: nothing\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := ParseSource(entry, []byte("<VirtualHost *:443>\nServerName api.test\nHeader always set Access-Control-Allow-Origin \"*\"\n</VirtualHost>\n"))
	noDiagnostics(t, res)
	var kinds []rules.OriginKind
	for _, p := range res.Policies {
		for _, o := range p.Actual.Origins {
			kinds = append(kinds, o.Kind)
		}
	}
	if len(kinds) == 0 || kinds[0] != rules.OriginAny {
		t.Fatalf("origins %v, want the given file's `*`", kinds)
	}
}

// Apache detection needs httpd's directives and sections: XML closes its
// elements with `</Tag>` too.
func TestDetectDoesNotClaimXML(t *testing.T) {
	cases := []struct {
		name, path, head string
		want             bool
	}{
		{"MSBuild project", "src/App/App.csproj", "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <PropertyGroup>\n    <TargetFramework>net8.0</TargetFramework>\n  </PropertyGroup>\n</Project>\n", false},
		{"XML under a .conf name", "conf/app.conf", "<?xml version=\"1.0\"?>\n<config>\n  <Location>/x</Location>\n</config>\n", false},
		{"element closers only", "layout.tpl", "<div>\n</div>\n</section>\n", false},
		{"web.config", "site/web.config", "<configuration xmlns=\"urn:x\">\n<system.webServer>\n</system.webServer>\n</configuration>\n", false},
		{"real sections and directives", "site.conf", "<VirtualHost *:443>\n  ServerName a.test\n  <Location /api>\n    Header set Access-Control-Allow-Origin \"*\"\n  </Location>\n</VirtualHost>\n", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Detect(c.path, []byte(c.head)); got != c.want {
				t.Errorf("Detect(%q) = %v, want %v", c.path, got, c.want)
			}
		})
	}
}
