//go:build unix

package nginx

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
	_, err = os.Stat(luaModule)
	lua := err == nil
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
				if strings.Contains(tc.src, "_by_lua_block") && !lua {
					t.Skipf("no Lua module at %s: Debian's libnginx-mod-http-lua", luaModule)
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

// luaModule is Debian's libnginx-mod-http-lua (with the NDK it needs).
const luaModule = "/usr/lib/nginx/modules/ngx_http_lua_module.so"

// nginxBinary finds nginx where the live tests look for it, or skips.
func nginxBinary(t *testing.T) string {
	t.Helper()
	p, err := findNginx()
	if err != nil {
		t.Skipf("%v (CI installs the Debian package)", err)
	}
	return p
}

func findNginx() (string, error) {
	for _, p := range livetest.NginxPaths {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	if p, err := exec.LookPath("nginx"); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("nginx (%s or on PATH) is not installed", strings.Join(livetest.NginxPaths, ", "))
}

// nginxT wraps src by its context into an nginx.conf and runs
// `nginx -t` on it.
func nginxT(t *testing.T, bin, ctx, src, when string) {
	t.Helper()
	if out := nginxAccepts(t, bin, ctx, src); out != "" {
		t.Errorf("nginx -t %s: %s", when, out)
	}
}

// nginxAccepts returns "" when `nginx -t` accepts src wrapped by its
// context, else what nginx said and the configuration it ran.
func nginxAccepts(t *testing.T, bin, ctx, src string) string {
	t.Helper()
	dir := t.TempDir()
	conf := filepath.Join(dir, "nginx.conf")
	var text string
	switch ctx {
	case "main":
		text = src
		if t, err := scanFile(src); err == nil && !slices.ContainsFunc(t.root.kids, func(d *sdir) bool { return d.name.val == "events" }) {
			text = "events {}\n" + text
		}
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
		// Sites that listen with ssl need a certificate; long map keys
		// (regexes) a bigger hash bucket than the default (set before
		// any map).
		body = "ssl_certificate " + writeTestCert(t, dir) + ";\nssl_certificate_key " + filepath.Join(dir, "key.pem") + ";\n" +
			"map_hash_bucket_size 256;\n" + body
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
	if strings.Contains(src, "_by_lua_block") {
		text = "load_module " + filepath.Join(filepath.Dir(luaModule), "ndk_http_module.so") + ";\nload_module " + luaModule + ";\n" + text
	}
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-t", "-q", "-p", dir+"/", "-c", conf, "-e", "stderr",
		"-g", "pid "+filepath.Join(dir, "nginx.pid")+"; error_log stderr;")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Sprintf("%v\n%s\nconfiguration:\n%s", err, out, text)
	}
	return ""
}

// writeTestCert writes a self-signed certificate and its key (key.pem)
// into dir and returns the certificate's path.
func writeTestCert(t *testing.T, dir string) string {
	t.Helper()
	cert, _, err := livetest.WriteSelfSignedCert(dir)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}
