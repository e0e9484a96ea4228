//go:build unix

package livetest

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRenderConfigs(t *testing.T) {
	v := Vars{Addr: "127.0.0.1:8081", Port: 8081, Dir: "/tmp/x"}
	tests := []struct {
		name    string
		render  func(Config, Vars) (string, error)
		body    string
		want    []string // substrings of the rendered file
		wantErr string
	}{
		{name: "nginx body inside http, temp paths in dir", render: RenderNginx,
			body: "server { listen {{.Addr}}; }",
			want: []string{"http {", "access_log off;", "client_body_temp_path /tmp/x/client_body_temp;",
				"scgi_temp_path /tmp/x/scgi_temp;", "server { listen 127.0.0.1:8081; }"}},
		{name: "apache preamble and body", render: RenderApache,
			body: "<VirtualHost {{.Addr}}>\n</VirtualHost>",
			want: []string{`ServerRoot "/tmp/x"`, "Listen 127.0.0.1:8081", "mod_headers.so", "mod_setenvif.so",
				`ErrorLog "/tmp/x/error.log"`, "<VirtualHost 127.0.0.1:8081>"}},
		{name: "unknown field", render: RenderNginx, body: "listen {{.Host}};", wantErr: "Host"},
		{name: "broken template", render: RenderApache, body: "{{.Addr", wantErr: "template"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.render(Config{Body: tt.body}, v)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("rendered config lacks %q:\n%s", w, got)
				}
			}
			// Root's workers drop to an unprivileged user; anyone else's
			// cannot switch and must not be asked to.
			hasUser := strings.Contains(got, "user nobody") || strings.Contains(got, "User nobody")
			if hasUser != isRoot() {
				t.Errorf("user line present %v, running as root %v", hasUser, isRoot())
			}
		})
	}
}

// TestServersStartServeAndStop: the harness itself. A server answers the
// configured CORS header on the example.com host, and Stop leaves neither
// a listener nor a process of its group behind.
func TestServersStartServeAndStop(t *testing.T) {
	tests := []struct {
		name  string
		start func(t *testing.T) *Server
	}{
		{"nginx", func(t *testing.T) *Server {
			return startNginx(t, Config{Body: `server {
        listen {{.Addr}};
        server_name probe.example.com;
        add_header Access-Control-Allow-Origin "https://app.example.com" always;
        return 200 "ok";
    }`})
		}},
		{"apache2", func(t *testing.T) *Server {
			return startApache(t, Config{Files: apacheFiles, Body: `<VirtualHost {{.Addr}}>
    ServerName probe.example.com
    Header always set Access-Control-Allow-Origin "https://app.example.com"
</VirtualHost>`})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := tt.start(t)
			req, err := http.NewRequest(http.MethodGet, "http://"+srv.Addr+"/v1/me", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Host = "probe.example.com"
			client := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil}}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Access-Control-Allow-Origin") != appOrigin {
				t.Fatalf("status %d, ACAO %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
			}
			if err := srv.Stop(); err != nil {
				t.Fatal(err)
			}
			if conn, err := net.DialTimeout("tcp", srv.Addr, time.Second); err == nil {
				_ = conn.Close()
				t.Fatalf("%s still accepts connections after Stop", srv.Addr)
			}
			// Workers leave with their master; give the kernel a moment to
			// reap them before asking whether the group is empty.
			deadline := time.Now().Add(2 * time.Second)
			for {
				err := syscall.Kill(-srv.cmd.Process.Pid, 0)
				if errors.Is(err, syscall.ESRCH) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("process group %d still exists after Stop (%v)", srv.cmd.Process.Pid, err)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

// TestStartReportsConfigErrors: a server that rejects its configuration
// fails the start at once, with its own message.
func TestStartReportsConfigErrors(t *testing.T) {
	tests := []struct {
		name  string
		start func(dir string) (*Server, error)
		want  string
	}{
		{"nginx", func(dir string) (*Server, error) {
			return StartNginx(dir, Config{Body: "server { listen {{.Addr}}; no_such_directive on; }"})
		}, "no_such_directive"},
		{"apache2", func(dir string) (*Server, error) {
			return StartApache(dir, Config{Body: "NoSuchDirective on"})
		}, "NoSuchDirective"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			begin := time.Now()
			srv, err := tt.start(t.TempDir())
			if errors.Is(err, ErrNotInstalled) {
				t.Skipf("%s: %v", tt.name, err)
			}
			if err == nil {
				_ = srv.Stop()
				t.Fatal("started with a broken configuration")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not show the server's complaint about %s", err, tt.want)
			}
			if d := time.Since(begin); d > ReadyTimeout {
				t.Fatalf("failing start took %s, longer than the readiness bound", d)
			}
		})
	}
}

// TestMissingBinaryIsNotInstalled: without the package, starts fail with
// ErrNotInstalled, which the tests turn into a skip (go test on a laptop).
func TestMissingBinaryIsNotInstalled(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	savedN, savedA := NginxPaths, ApachePaths
	t.Cleanup(func() { NginxPaths, ApachePaths = savedN, savedA })
	NginxPaths, ApachePaths = []string{"/nonexistent/nginx"}, []string{"/nonexistent/apache2"}
	for name, start := range map[string]func(string, Config) (*Server, error){"nginx": StartNginx, "apache2": StartApache} {
		srv, err := start(t.TempDir(), Config{})
		if !errors.Is(err, ErrNotInstalled) {
			if srv != nil {
				_ = srv.Stop()
			}
			t.Errorf("%s: error %v, want ErrNotInstalled", name, err)
		}
	}
}
