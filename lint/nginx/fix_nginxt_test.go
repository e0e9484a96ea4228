//go:build unix

package nginx

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/fuzz/livetest"
)

// TestSpellPassesNginxT runs the real `nginx -t` on every fixed source of
// the speller's table, wrapped in a whole nginx.conf the way the live
// tests write one (livetest.RenderNginx), and on the source before the
// fix: both must be accepted, so each case is real nginx and each edit
// keeps it so. Skipped when nginx is not installed (CI installs it).
func TestSpellPassesNginxT(t *testing.T) {
	bin := nginxBinary(t)
	_, err := os.Stat(headersMoreModule)
	headersMore := err == nil
	runs := 0
	for kind, cases := range allSpellCases() {
		for _, tc := range cases {
			if tc.err != "" {
				continue
			}
			t.Run(kind+"/"+tc.name, func(t *testing.T) {
				if strings.Contains(tc.src, "more_set_headers") && !headersMore {
					t.Skipf("no headers-more module (more_set_headers) at %s: Debian's libnginx-mod-http-headers-more-filter", headersMoreModule)
				}
				nginxT(t, bin, tc.ctx, tc.src, "before the fix")
				fixed, err := spellAndApply(tc.src, tc.r)
				if err != nil {
					t.Fatal(err)
				}
				nginxT(t, bin, tc.ctx, fixed, "after the fix")
				runs += 2
			})
		}
	}
	t.Logf("%d nginx -t runs", runs)
}

// headersMoreModule is where Debian's libnginx-mod-http-headers-more-filter
// puts the module; Debian's own nginx.conf loads it, ours do when it is
// there.
const headersMoreModule = "/usr/lib/nginx/modules/ngx_http_headers_more_filter_module.so"

// nginxBinary finds nginx where the live tests look for it, or skips.
func nginxBinary(t *testing.T) string {
	t.Helper()
	for _, p := range livetest.NginxPaths {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	t.Skipf("nginx (%s or on PATH) is not installed (CI installs the Debian package)", strings.Join(livetest.NginxPaths, ", "))
	return ""
}

// nginxT wraps src by its context into an nginx.conf and runs
// `nginx -t` on it.
func nginxT(t *testing.T, bin, ctx, src, when string) {
	t.Helper()
	dir := t.TempDir()
	conf := filepath.Join(dir, "nginx.conf")
	var text string
	switch ctx {
	case "main":
		text = src
		if err := os.WriteFile(filepath.Join(dir, "mime.types"), []byte("types { text/html html; }\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	case "http", "server", "location":
		body := src
		if ctx == "location" {
			body = "location / {\n" + body + "\n}\n"
		}
		if ctx != "http" {
			body = "server {\nlisten 127.0.0.1:8080;\n" + body + "\n}\n"
		}
		if !strings.Contains(src, "map $http_origin $cors ") {
			// The table's snippets send $cors, an allowlist map of the
			// http context they are included in.
			body = "map $http_origin $cors { default \"\"; }\n" + body
		}
		var err error
		text, err = livetest.RenderNginx(livetest.Config{Body: body}, livetest.Vars{Addr: "127.0.0.1:8080", Port: 8080, Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("unknown context %q", ctx)
	}
	if strings.Contains(src, "more_set_headers") {
		text = "load_module " + headersMoreModule + ";\n" + text
	}
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-t", "-q", "-p", dir+"/", "-c", conf, "-e", "stderr",
		"-g", "pid "+filepath.Join(dir, "nginx.pid")+"; error_log stderr;")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("nginx -t %s: %v\n%s\nconfiguration:\n%s", when, err, out, text)
	}
}
