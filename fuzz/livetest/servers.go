//go:build unix

package livetest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/template"
	"time"
)

// ErrNotInstalled is wrapped by StartNginx and StartApache when the server
// binary is absent, so that a test can skip instead of failing.
var ErrNotInstalled = errors.New("not installed")

// Where the Debian packages put the binaries and Apache's modules. PATH is
// searched after these.
var (
	NginxPaths      = []string{"/usr/sbin/nginx"}
	ApachePaths     = []string{"/usr/sbin/apache2"}
	ApacheModuleDir = "/usr/lib/apache2/modules"
)

// ReadyTimeout bounds how long a started server may take to accept
// connections.
const ReadyTimeout = 5 * time.Second

// stopTimeout bounds the graceful part of Stop before the process group is
// killed.
const stopTimeout = 3 * time.Second

// bindAttempts is how often a start is retried when the free port picked
// was taken by someone else between FreePort and the server's bind.
const bindAttempts = 3

// Vars are what a configuration template may use: {{.Addr}} (127.0.0.1:port
// to listen on), {{.Port}} and {{.Dir}} (the server's private directory).
type Vars struct {
	Addr string
	Port int
	Dir  string
}

// Config is what a test asks a server to serve.
type Config struct {
	// Body is a text/template (see Vars) for the part of the configuration
	// that is the test's: for nginx the inside of the http block (maps and
	// server blocks), for Apache everything after the fixed preamble
	// (virtual hosts). Each server block must listen on {{.Addr}}.
	Body string
	// Files are written under Dir before the server starts, by relative
	// path (Apache's document root is Dir/htdocs).
	Files map[string]string
}

// Server is a running nginx or Apache httpd started for a test, in its own
// process group, with everything it writes under Dir.
type Server struct {
	Kind string // "nginx" or "apache2"
	Addr string // 127.0.0.1:port
	Port int
	Dir  string
	Conf string // the configuration file the server runs

	cmd      *exec.Cmd
	done     chan struct{}
	waitErr  error
	out      *syncBuffer
	errorLog string // a log file the server writes besides stderr
	stopOnce sync.Once
	stopErr  error
}

// Resolve returns driver.Config.Resolve entries ("host:80:127.0.0.1:port")
// that send plain-http requests for each host to this server.
func (s *Server) Resolve(hosts ...string) []string {
	out := make([]string, len(hosts))
	for i, h := range hosts {
		out[i] = h + ":80:" + s.Addr
	}
	return out
}

// Logs returns what the server wrote to stderr and to its error log, for
// test failure messages.
func (s *Server) Logs() string {
	logs := s.out.String()
	if s.errorLog != "" {
		if b, err := os.ReadFile(s.errorLog); err == nil {
			logs += string(b)
		}
	}
	return logs
}

// Stop ends the server's whole process group (master and workers): SIGTERM,
// then SIGKILL if it has not exited in time. It is safe to call twice.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		s.stopErr = s.stop()
	})
	return s.stopErr
}

func (s *Server) stop() error {
	pgid := s.cmd.Process.Pid // Setpgid: the group id is the leader's pid
	select {
	case <-s.done:
		// Already gone; workers may survive a dead master, so the group is
		// still killed.
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		return nil
	default:
	}
	if err := syscall.Kill(-pgid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("%s: stop: %w", s.Kind, err)
	}
	select {
	case <-s.done:
	case <-time.After(stopTimeout):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-s.done
	}
	// Workers that outlived the master (they leave on their own once the
	// listening socket is gone, but not always at once).
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	return nil
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return 0, err
	}
	return port, nil
}

// findBinary returns the first of paths that exists, else the name on PATH.
func findBinary(name string, paths []string) (string, error) {
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%s (%s or on PATH): %w", name, strings.Join(paths, ", "), ErrNotInstalled)
}

// unprivileged returns the user and group a server's workers switch to
// when the tests run as root (CI does): nobody, and Debian's nogroup where
// it exists.
func unprivileged() (string, string) {
	group := "nogroup"
	if _, err := user.LookupGroup(group); err != nil {
		group = "nobody"
	}
	return "nobody", group
}

func isRoot() bool { return os.Geteuid() == 0 }

// traversable lets the unprivileged workers reach dir: dir itself becomes
// 0755 and every ancestor that lacks the search bit for others gets it
// (t.TempDir's parent is 0700). Nothing is made readable that was not.
func traversable(dir string) error {
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o001 == 0 {
			if err := os.Chmod(p, fi.Mode().Perm()|0o001); err != nil {
				return err
			}
		}
		if parent := filepath.Dir(p); parent == p {
			return nil
		}
	}
}

func render(name, text string, v Vars) (string, error) {
	tmpl, err := template.New(name).Option("missingkey=error").Parse(text)
	if err != nil {
		return "", fmt.Errorf("%s template: %w", name, err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, v); err != nil {
		return "", fmt.Errorf("%s template: %w", name, err)
	}
	return b.String(), nil
}

// nginxMain wraps the test's http body into a complete nginx.conf: one
// worker, no access log, every temporary path inside Dir, and the workers'
// user when running as root.
const nginxMain = `# corsguard live test: nginx on {{.Addr}}
{{user}}worker_processes 1;
events {
    worker_connections 512;
}
http {
    access_log off;
    client_body_temp_path {{.Dir}}/client_body_temp;
    proxy_temp_path {{.Dir}}/proxy_temp;
    fastcgi_temp_path {{.Dir}}/fastcgi_temp;
    uwsgi_temp_path {{.Dir}}/uwsgi_temp;
    scgi_temp_path {{.Dir}}/scgi_temp;
    keepalive_timeout 5s;

{{body}}
}
`

// RenderNginx returns the complete nginx.conf StartNginx would run.
func RenderNginx(cfg Config, v Vars) (string, error) {
	body, err := render("nginx body", cfg.Body, v)
	if err != nil {
		return "", err
	}
	userLine := ""
	if isRoot() {
		u, g := unprivileged()
		userLine = "user " + u + " " + g + ";\n"
	}
	main := strings.NewReplacer("{{user}}", userLine, "{{body}}", body).Replace(nginxMain)
	return render("nginx.conf", main, v)
}

// StartNginx writes dir/nginx.conf from cfg and runs
// `nginx -p dir -c dir/nginx.conf -g 'daemon off; pid ...; error_log stderr;'`
// on a free loopback port, returning once the port accepts connections.
// The caller stops it (t.Cleanup(s.Stop)).
func StartNginx(dir string, cfg Config) (*Server, error) {
	bin, err := findBinary("nginx", NginxPaths)
	if err != nil {
		return nil, err
	}
	// -e (the error log used before the configuration is read) exists
	// since nginx 1.19.5; without it an old nginx writes startup alerts to
	// its compiled-in log path.
	earlyLog := false
	if help, err := exec.Command(bin, "-h").CombinedOutput(); err == nil || len(help) > 0 {
		earlyLog = bytes.Contains(help, []byte("-e filename"))
	}
	return start("nginx", dir, cfg, func(v Vars) (launch, error) {
		conf, err := RenderNginx(cfg, v)
		if err != nil {
			return launch{}, err
		}
		path := filepath.Join(v.Dir, "nginx.conf")
		args := []string{"-p", v.Dir + "/", "-c", path}
		if earlyLog {
			args = append(args, "-e", "stderr")
		}
		args = append(args, "-g", "daemon off; pid "+filepath.Join(v.Dir, "nginx.pid")+"; error_log stderr;")
		return launch{conf: conf, confPath: path, argv: append([]string{bin}, args...)}, nil
	})
}

// apacheMain is a self-contained httpd.conf: only the modules the tests
// use, the event MPM with one child, every runtime file inside Dir, and a
// document root at Dir/htdocs.
const apacheMain = `# corsguard live test: Apache httpd on {{.Addr}}
ServerRoot "{{.Dir}}"
{{modules}}{{user}}Listen {{.Addr}}
ServerName localhost
PidFile "{{.Dir}}/httpd.pid"
ErrorLog "{{.Dir}}/error.log"
LogLevel warn
DefaultRuntimeDir "{{.Dir}}"
Mutex file:{{.Dir}} default
StartServers 1
ServerLimit 1
ThreadLimit 16
ThreadsPerChild 16
MaxRequestWorkers 16
MinSpareThreads 1
MaxSpareThreads 32
Timeout 5
KeepAlive On
KeepAliveTimeout 2
DocumentRoot "{{.Dir}}/htdocs"
<Directory "{{.Dir}}/htdocs">
    Require all granted
</Directory>

{{body}}
`

// apacheModules are loaded from ApacheModuleDir, in this order.
var apacheModules = []struct{ name, file string }{
	{"mpm_event_module", "mod_mpm_event.so"},
	{"authz_core_module", "mod_authz_core.so"},
	{"headers_module", "mod_headers.so"},
	{"setenvif_module", "mod_setenvif.so"},
	{"rewrite_module", "mod_rewrite.so"},
}

// RenderApache returns the complete httpd.conf StartApache would run.
func RenderApache(cfg Config, v Vars) (string, error) {
	body, err := render("apache body", cfg.Body, v)
	if err != nil {
		return "", err
	}
	var mods strings.Builder
	for _, m := range apacheModules {
		fmt.Fprintf(&mods, "LoadModule %s %s\n", m.name, filepath.Join(ApacheModuleDir, m.file))
	}
	userLines := ""
	if isRoot() {
		// httpd refuses to serve as root; as any other user it cannot
		// switch, and User/Group would only draw a warning.
		u, g := unprivileged()
		userLines = "User " + u + "\nGroup " + g + "\n"
	}
	main := strings.NewReplacer("{{modules}}", mods.String(), "{{user}}", userLines, "{{body}}", body).Replace(apacheMain)
	return render("httpd.conf", main, v)
}

// StartApache writes dir/httpd.conf from cfg and runs
// `apache2 -f dir/httpd.conf -DFOREGROUND` on a free loopback port,
// returning once the port accepts connections. The caller stops it.
func StartApache(dir string, cfg Config) (*Server, error) {
	bin, err := findBinary("apache2", ApachePaths)
	if err != nil {
		return nil, err
	}
	for _, m := range apacheModules {
		if _, err := os.Stat(filepath.Join(ApacheModuleDir, m.file)); err != nil {
			return nil, fmt.Errorf("apache2 module %s: %w", m.file, ErrNotInstalled)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "htdocs"), 0o755); err != nil {
		return nil, err
	}
	return start("apache2", dir, cfg, func(v Vars) (launch, error) {
		conf, err := RenderApache(cfg, v)
		if err != nil {
			return launch{}, err
		}
		path := filepath.Join(v.Dir, "httpd.conf")
		return launch{conf: conf, confPath: path, argv: []string{bin, "-f", path, "-DFOREGROUND"},
			errorLog: filepath.Join(v.Dir, "error.log")}, nil
	})
}

// launch is how to run one server on one port.
type launch struct {
	conf     string   // configuration text
	confPath string   // where it is written
	argv     []string // binary and arguments
	errorLog string   // a log file besides stderr, for failure messages
}

// start writes the files and the configuration, starts the server in its
// own process group and waits until it accepts connections, retrying on a
// fresh port when the one picked was taken in the meantime.
func start(kind, dir string, cfg Config, build func(Vars) (l launch, err error)) (*Server, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	for rel, content := range cfg.Files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return nil, err
		}
	}
	if isRoot() {
		if err := traversable(dir); err != nil {
			return nil, fmt.Errorf("%s: let the workers reach %s: %w", kind, dir, err)
		}
	}
	var lastErr error
	for range bindAttempts {
		port, err := FreePort()
		if err != nil {
			return nil, err
		}
		v := Vars{Addr: "127.0.0.1:" + strconv.Itoa(port), Port: port, Dir: dir}
		l, err := build(v)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(l.confPath, []byte(l.conf), 0o644); err != nil {
			return nil, err
		}
		if l.errorLog != "" {
			_ = os.Remove(l.errorLog) // a previous attempt's
		}
		s := &Server{Kind: kind, Addr: v.Addr, Port: port, Dir: dir, Conf: l.confPath, done: make(chan struct{}),
			out: &syncBuffer{}, errorLog: l.errorLog}
		s.cmd = exec.Command(l.argv[0], l.argv[1:]...)
		s.cmd.Dir = dir
		s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
		s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		// No inherited proxy or locale surprises; the servers need nothing
		// from the environment.
		s.cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C"}
		if err := s.cmd.Start(); err != nil {
			return nil, fmt.Errorf("%s: %w", kind, err)
		}
		go func() {
			s.waitErr = s.cmd.Wait()
			close(s.done)
		}()
		err = s.waitReady()
		if err == nil {
			return s, nil
		}
		_ = s.Stop()
		lastErr = err
		if !strings.Contains(s.Logs(), "in use") {
			break
		}
	}
	return nil, lastErr
}

// waitReady polls the port until it accepts a connection, the process
// exits, or ReadyTimeout passes.
func (s *Server) waitReady() error {
	deadline := time.Now().Add(ReadyTimeout)
	for {
		select {
		case <-s.done:
			return fmt.Errorf("%s exited before accepting connections (%v):\n%s", s.Kind, s.waitErr, s.Logs())
		default:
		}
		conn, err := net.DialTimeout("tcp", s.Addr, 200*time.Millisecond)
		if err == nil {
			_ = conn.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not accept connections on %s within %s:\n%s", s.Kind, s.Addr, ReadyTimeout, s.Logs())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// syncBuffer collects a process's output while tests read it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
