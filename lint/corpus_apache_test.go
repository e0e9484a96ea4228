package lint

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCorpusApache holds corpus/apache to its expectations. httpd only
// knows comments that start a line, so this corpus writes `# want-next`
// above the line a finding must point at (see want in corpus_test.go).
func TestCorpusApache(t *testing.T) {
	res := checkCorpusWants(t, filepath.Join("..", "corpus", "apache"), true)
	if n := res.Formats["apache"]; n < 30 {
		t.Errorf("corpus/apache has %d entry configs, want at least 30", n)
	}
	for f, n := range res.Formats {
		if f != "apache" {
			t.Errorf("corpus/apache: %d files detected as %s", n, f)
		}
	}
}

// corpus/realworld/apache: configurations modelled on public material (each
// names its source), one idiom per file with a positive, an `_fp` negative
// and an unknown-value case (issue 9: origin gates, ap_expr).
func TestCorpusRealworldApache(t *testing.T) {
	res := checkCorpusWants(t, filepath.Join("..", "corpus", "realworld", "apache"), true)
	if n := res.Formats["apache"]; n < 20 {
		t.Errorf("corpus/realworld/apache has %d entry configs, want at least 20", n)
	}
	for f, n := range res.Formats {
		if f != "apache" {
			t.Errorf("corpus/realworld/apache: %d files detected as %s", n, f)
		}
	}
}

// httpd itself accepts every corpus/realworld/apache file (`apache2 -t` on
// a minimal server config that includes it): the corpus holds what people
// can actually deploy. Skipped where Debian's apache2 is not installed.
func TestCorpusRealworldApacheSyntax(t *testing.T) {
	const bin, mods = "/usr/sbin/apache2", "/usr/lib/apache2/modules"
	if _, err := os.Stat(bin); err != nil {
		t.Skip("apache2 is not installed")
	}
	files, err := filepath.Glob(filepath.Join("..", "corpus", "realworld", "apache", "*.conf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files: %v", err)
	}
	dir := t.TempDir()
	var load strings.Builder
	for _, m := range []string{"mpm_event", "authz_core", "authz_host", "access_compat", "headers", "setenvif", "rewrite", "ssl", "macro", "proxy", "proxy_http"} {
		fmt.Fprintf(&load, "LoadModule %s_module %s/mod_%s.so\n", m, mods, m)
	}
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			t.Fatal(err)
		}
		conf := filepath.Join(dir, "httpd.conf")
		main := fmt.Sprintf("ServerRoot %s\n%sListen 127.0.0.1:1\nErrorLog %s/error.log\nPidFile %s/httpd.pid\nMutex file:%s default\nDefaultRuntimeDir %s\nInclude %s\n", dir, load.String(), dir, dir, dir, dir, abs)
		if err := os.WriteFile(conf, []byte(main), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(bin, "-t", "-f", conf).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "Syntax OK") {
			t.Errorf("%s: apache2 -t: %v\n%s", filepath.Base(f), err, out)
		}
	}
}
