package fix

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/fuzz/livetest"
)

// The servers' own configuration test (`nginx -t`, `apache2 -t`) on a
// corpus entry file, before and after its fixes. A corpus file is often a
// fragment of a server's configuration (a server block, a location's
// snippet, an .htaccess), so it is included into a minimal main
// configuration by its context. Both runs see the same wrapper, modules
// and certificate: what differs is the fix.

// serverT is one server's configuration test.
type serverT struct {
	name string
	bin  string
	// wrap writes the main configuration that includes entry and returns
	// the command line that tests it.
	wrap func(t *testing.T, entry, work string) []string
}

func nginxTest(t *testing.T) *serverT {
	for _, p := range append(append([]string{}, livetest.NginxPaths...), "nginx") {
		if bin, err := exec.LookPath(p); err == nil {
			return &serverT{name: "nginx -t", bin: bin, wrap: wrapNginx}
		}
	}
	return nil
}

func apacheTest(t *testing.T) *serverT {
	for _, p := range append(append([]string{}, livetest.ApachePaths...), "apache2") {
		if bin, err := exec.LookPath(p); err == nil {
			return &serverT{name: "apache2 -t", bin: bin, wrap: wrapApache}
		}
	}
	return nil
}

var (
	topLevelMain   = regexp.MustCompile(`(?m)^\s*(events|http)\s*\{`)
	topLevelHTTP   = regexp.MustCompile(`(?m)^\s*(server|map|upstream|geo|split_clients)\b`)
	topLevelServer = regexp.MustCompile(`(?m)^\s*(location|listen|server_name)\b`)
	// errPosition is where a server says an error is (`file:12`, `line 12
	// of`): a fix moves lines.
	errPosition = regexp.MustCompile(`:\d+|\bline \d+`)
	// logPrefix is nginx's `2026/12/02 06:44:32 [emerg] 25738#25738: `.
	logPrefix = regexp.MustCompile(`\d{4}/\d\d/\d\d \d\d:\d\d:\d\d (\[\w+\]) \d+#\d+: `)
	// httpdPrefix is httpd's `[Wed Dec 02 06:44:32.620977 2026] ` and
	// `[pid 26792:tid 26792] `.
	httpdPrefix = regexp.MustCompile(`\[\w{3} \w{3} \d\d [\d:.]+ \d{4}\] |\[pid \d+(:tid \d+)?\] `)
)

// wrapNginx includes entry by its context: a whole nginx.conf is tested
// as it is; a file of server blocks and maps goes into http {}, one of
// locations into a server, the rest into a location. A self-signed
// certificate lets `listen 443 ssl` pass.
func wrapNginx(t *testing.T, entry, work string) []string {
	src, err := os.ReadFile(entry)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(entry)
	args := []string{"-t", "-q", "-p", dir + "/", "-e", "stderr", "-g", "pid " + filepath.Join(work, "nginx.pid") + "; error_log stderr;"}
	if topLevelMain.Match(src) {
		return append(args, "-c", entry)
	}
	cert, key := selfSigned(t, work)
	body := "include " + entry + ";"
	switch {
	case topLevelHTTP.Match(src):
	case topLevelServer.Match(src):
		body = "server {\nlisten 127.0.0.1:8080;\n" + body + "\n}"
	default:
		body = "server {\nlisten 127.0.0.1:8080;\nlocation / {\n" + body + "\n}\n}"
	}
	temps := ""
	for _, d := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		temps += fmt.Sprintf("%s_temp_path %s/%s_temp;\n", d, work, d)
	}
	conf := fmt.Sprintf("events {}\nhttp {\naccess_log off;\n%sssl_certificate %s;\nssl_certificate_key %s;\n%s\n}\n", temps, cert, key, body)
	// The wrapper sits next to the entry: relative includes resolve from
	// the configuration's directory, as they do where the file is deployed.
	main := filepath.Join(dir, ".corsguard-nginx-test.conf")
	if err := os.WriteFile(main, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return append(args, "-c", main)
}

// apacheModules are loaded when present: the modules corpus files use.
var apacheModules = []string{"mpm_event", "authz_core", "authz_host", "authz_user", "authn_core", "authn_file", "auth_basic",
	"access_compat", "headers", "setenvif", "rewrite", "ssl", "socache_shmcb", "macro", "proxy", "proxy_http", "allowmethods",
	"env", "alias", "dir", "mime", "expires", "filter", "deflate", "include", "cgi", "authz_groupfile", "remoteip"}

// wrapApache includes entry into a minimal httpd.conf; an .htaccess file
// goes into a <Directory>, where its directives are valid.
func wrapApache(t *testing.T, entry, work string) []string {
	const mods = "/usr/lib/apache2/modules"
	var load strings.Builder
	for _, m := range apacheModules {
		if _, err := os.Stat(filepath.Join(mods, "mod_"+m+".so")); err == nil {
			fmt.Fprintf(&load, "LoadModule %s_module %s/mod_%s.so\n", m, mods, m)
		}
	}
	cert, key := selfSigned(t, work)
	include := "Include " + entry
	if filepath.Base(entry) == ".htaccess" {
		include = fmt.Sprintf("<Directory %q>\nAllowOverride All\nInclude %s\n</Directory>", filepath.Dir(entry), entry)
	}
	conf := fmt.Sprintf("ServerRoot %s\n%sListen 127.0.0.1:1\nErrorLog %s/error.log\nPidFile %s/httpd.pid\nMutex file:%s default\nDefaultRuntimeDir %s\nSSLCertificateFile %s\nSSLCertificateKeyFile %s\n%s\n",
		work, load.String(), work, work, work, work, cert, key, include)
	main := filepath.Join(work, "httpd.conf")
	if err := os.WriteFile(main, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{"-t", "-f", main}
}

// run tests entry and returns whether the server accepted it and its
// output with paths and line numbers taken out (a fix moves lines).
func (s *serverT) run(t *testing.T, entry, root string) (bool, string) {
	work := t.TempDir()
	cmd := exec.Command(s.bin, s.wrap(t, entry, work)...)
	// Debian's apache2.conf names its directories by the variables
	// /etc/apache2/envvars sets.
	cmd.Env = append(os.Environ(), "APACHE_RUN_DIR="+work, "APACHE_LOCK_DIR="+work, "APACHE_LOG_DIR="+work,
		"APACHE_PID_FILE="+filepath.Join(work, "httpd.pid"), "APACHE_RUN_USER=nobody", "APACHE_RUN_GROUP=nogroup")
	out, err := cmd.CombinedOutput()
	text := strings.ReplaceAll(strings.ReplaceAll(string(out), root, "<root>"), work, "<work>")
	text = httpdPrefix.ReplaceAllString(logPrefix.ReplaceAllString(text, "$1 "), "")
	return err == nil, errPosition.ReplaceAllString(text, "")
}

var certOnce = map[string][2]string{}

// selfSigned writes a throw-away certificate and key into dir, once per
// directory.
func selfSigned(t *testing.T, dir string) (string, string) {
	if c, ok := certOnce[dir]; ok {
		return c[0], c[1]
	}
	cert, key, err := livetest.WriteSelfSignedCert(dir)
	if err != nil {
		t.Fatal(err)
	}
	certOnce[dir] = [2]string{cert, key}
	return cert, key
}
