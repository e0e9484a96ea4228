package driver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// The proof that credentials stay in scope: listeners that catch every
// connection on the addresses a redirect could lead to, which must stay
// empty whatever the target answers.

const secretToken = "Bearer SECRET-tok-4f9a1c"

// catchAll accepts and counts every TCP connection on addr.
type catchAll struct {
	addr string
	hits atomic.Int32
}

func listenCatchAll(t *testing.T, addr string) *catchAll {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	c := &catchAll{addr: l.Addr().String()}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			c.hits.Add(1)
			_ = conn.Close()
		}
	}()
	t.Cleanup(func() { _ = l.Close(); wg.Wait() })
	return c
}

// redirector answers every request with the status and Location it is
// told, and records what reached it.
type redirector struct {
	mu     sync.Mutex
	status int
	loc    string
	extra  http.Header
	seen   []string
}

func (h *redirector) set(status int, loc string, extra http.Header) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.status, h.loc, h.extra = status, loc, extra
}

func (h *redirector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seen = append(h.seen, r.URL.Path)
	for k, vs := range h.extra {
		w.Header()[k] = vs
	}
	if strings.HasPrefix(r.URL.Path, "/ok") {
		return // the end of a same-origin redirect
	}
	if h.loc != "" {
		w.Header()["Location"] = []string{h.loc}
	}
	w.WriteHeader(h.status)
	_, _ = fmt.Fprintf(w, "go to http://%s/ or <a href=\"//127.0.0.2/\">here</a>", h.loc)
}

func (h *redirector) paths() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.seen...)
}

var redirectCodes = []int{301, 302, 303, 307, 308}

// hostileLocations are Locations that lead off the target's origin
// http://127.0.0.1:port, however a URL parser or a browser reads them.
func hostileLocations(port, otherPort string) []string {
	return []string{
		"http://127.0.0.2:" + port + "/x",                        // another host, same port
		"http://127.0.0.1:" + otherPort + "/x",                   // same host, another port
		"https://127.0.0.1:" + port + "/x",                       // https→ on the same port
		"https://127.0.0.1:" + otherPort + "/x",                  // another scheme and port
		"//127.0.0.2:" + port + "/x",                             // scheme-relative
		"http://127.0.0.1:" + port + "@127.0.0.2:" + port + "/x", // userinfo disguise
		"http://user:pw@127.0.0.1:" + port + "/ok",               // userinfo on the target itself
		`/\127.0.0.2:` + port + "/x",                             // backslash: a browser reads //
		`\\127.0.0.2:` + port + "/x",
		`http:/\127.0.0.2:` + port + "/x",
		"HtTp://127.0.0.2:" + port + "/x",          // mixed-case scheme
		"http://LocalHost:" + otherPort + "/x",     // mixed-case name, another port
		"http://[::ffff:127.0.0.2]:" + port + "/x", // IPv4-mapped IPv6
		"http://[::ffff:7f00:2]:" + port + "/x",
		"http://127.0.0.2.:" + port + "/x",               // trailing dot
		"http://127\u30020\u30020\u30022:" + port + "/x", // full-width dots (IDNA maps them to .)
		"http://[::1]:" + port + "/x",
		"  http://127.0.0.2:" + port + "/x",
		"http://127.0.0.1:0" + otherPort + "/x", // leading zero port
		"ftp://127.0.0.2:" + port + "/x",
	}
}

func TestRedirectsNeverLeaveTheOrigin(t *testing.T) {
	h := &redirector{}
	srv := httptest.NewServer(h)
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	other := listenCatchAll(t, "127.0.0.1:0")
	_, otherPort, _ := net.SplitHostPort(other.addr)
	catches := []*catchAll{other, listenCatchAll(t, "127.0.0.2:"+port)}
	if l, err := net.Listen("tcp", "[::1]:"+port); err == nil {
		_ = l.Close()
		catches = append(catches, listenCatchAll(t, "[::1]:"+port))
	}
	c, err := New(Config{Scope: []string{srv.URL}, Header: http.Header{"Authorization": {secretToken}},
		Cookies: []string{"sid=SECRET-cookie-77"}})
	if err != nil {
		t.Fatal(err)
	}
	target, _ := ParseOrigin(srv.URL)
	for _, code := range redirectCodes {
		for _, loc := range hostileLocations(port, otherPort) {
			for _, method := range []string{http.MethodGet, http.MethodPost} {
				h.set(code, loc, nil)
				ex, err := c.Send(context.Background(), Request{Method: method, URL: srv.URL + "/start", Credentials: true})
				if err != nil {
					t.Fatalf("%d %q: %v", code, loc, err)
				}
				for _, hop := range ex.Hops {
					if o, err := ParseOrigin(hop); err != nil || o != target {
						t.Errorf("%d %q: followed to %s", code, loc, hop)
					}
				}
				if len(ex.Hops) == 0 && (ex.BlockedRedirect == "" || ex.BlockedReason == "") {
					t.Errorf("%d %q: neither followed on the origin nor reported: %+v", code, loc, ex)
				}
			}
		}
	}
	for _, ca := range catches {
		if n := ca.hits.Load(); n != 0 {
			t.Errorf("%d connection(s) reached %s, outside the scope", n, ca.addr)
		}
	}
}

// Addresses in other headers and in the body are never followed at all.
func TestOtherAddressesInAnswersAreNotFollowed(t *testing.T) {
	h := &redirector{}
	srv := httptest.NewServer(h)
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	ca := listenCatchAll(t, "127.0.0.2:"+port)
	c, err := New(Config{Scope: []string{srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	away := "127.0.0.2:" + port
	extra := http.Header{
		"Link":             {"<http://" + away + "/>; rel=preload", "<//" + away + "/>; rel=preconnect"},
		"Refresh":          {"0; url=http://" + away + "/"},
		"Alt-Svc":          {`h2="` + away + `"; ma=86400, h3=":` + port + `"`},
		"Content-Location": {"http://" + away + "/"},
	}
	for _, status := range []int{200, 300, 301, 302, 307, 401} {
		h.set(status, "", extra)
		for range 3 {
			ex, err := c.Send(context.Background(), Request{Method: http.MethodGet, URL: srv.URL + "/", Credentials: true})
			if err != nil || len(ex.Hops) != 0 {
				t.Fatalf("status %d: %+v %v", status, ex, err)
			}
		}
	}
	if n := ca.hits.Load(); n != 0 {
		t.Fatalf("%d connection(s) reached %s", n, away)
	}
}

// With --resolve the name never reaches DNS: not on another port, not in
// its trailing-dot or upper-case form. "localhost" is the name used,
// because system DNS does resolve it (to where the catch-all listens).
func TestResolvePinsHoldAcrossRedirects(t *testing.T) {
	h := &redirector{}
	srv := httptest.NewServer(h)
	defer srv.Close()
	ca := listenCatchAll(t, "127.0.0.1:0")
	_, caPort, _ := net.SplitHostPort(ca.addr)
	c, err := New(Config{Scope: []string{"http://localhost"}, Resolve: []string{"localhost:80:" + srv.Listener.Addr().String()},
		Header: http.Header{"Authorization": {secretToken}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, loc := range []string{"http://localhost:" + caPort + "/x", "http://localhost.:" + caPort + "/x",
		"http://LOCALHOST:" + caPort + "/x", "//localhost:" + caPort + "/x", "http://127.0.0.1:" + caPort + "/x"} {
		h.set(http.StatusFound, loc, nil)
		ex, err := c.Send(context.Background(), Request{Method: http.MethodGet, URL: "http://localhost/start", Credentials: true})
		if err != nil || ex.BlockedRedirect == "" {
			t.Errorf("%q: want a reported, unfollowed redirect: %+v %v", loc, ex, err)
		}
	}
	if n := ca.hits.Load(); n != 0 {
		t.Fatalf("%d connection(s) went through DNS to the catch-all", n)
	}
	// The same origin in another spelling is followed, to the pinned address.
	for i, loc := range []string{"http://LocalHost./ok1", "http://localhost:80/ok2", "/ok3"} {
		h.set(http.StatusFound, loc, nil)
		ex, err := c.Send(context.Background(), Request{Method: http.MethodGet, URL: "http://localhost/start", Credentials: true})
		if err != nil || len(ex.Hops) != 1 || ex.Response == nil || ex.Response.Status != 200 {
			t.Errorf("%q: same origin not followed: %+v %v", loc, ex, err)
		}
		if p := h.paths(); p[len(p)-1] != fmt.Sprintf("/ok%d", i+1) {
			t.Errorf("%q: the pinned server did not get the hop: %v", loc, p)
		}
	}
}

func TestDialerConnectsOnlyToScope(t *testing.T) {
	c, err := New(Config{Scope: []string{"http://api.test", "https://other.test:8443"},
		Resolve: []string{"api.test:80:127.0.0.1:1234"}})
	if err != nil {
		t.Fatal(err)
	}
	for addr, want := range map[string]string{
		"api.test:80":             "127.0.0.1:1234",
		"API.TEST.:80":            "127.0.0.1:1234",
		"other.test:8443":         "other.test:8443",
		"Other.Test.:8443":        "other.test:8443",
		"api.test:443":            "",
		"other.test:443":          "",
		"127.0.0.1:1234":          "",
		"evil.test:80":            "",
		"[::ffff:127.0.0.1]:1234": "",
	} {
		got, err := c.dialAddr(addr)
		if want == "" {
			if err == nil || !errors.Is(err, ErrOutOfScope) {
				t.Errorf("dialAddr(%q) = %q, %v; want refused", addr, got, err)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("dialAddr(%q) = %q, %v; want %q", addr, got, err, want)
		}
	}
}

func TestNewRefusesScopesThatCannotBeKept(t *testing.T) {
	for name, cfg := range map[string]Config{
		"bare host":                  {Scope: []string{"api.test"}},
		"pinned host, unpinned port": {Scope: []string{"http://api.test", "http://api.test:8080"}, Resolve: []string{"api.test:80:127.0.0.1"}},
		"pin in another spelling":    {Scope: []string{"https://API.test."}, Resolve: []string{"api.test:80:127.0.0.1"}},
		"resolve through a proxy":    {Scope: []string{"http://api.test"}, Resolve: []string{"api.test:80:127.0.0.1"}, Proxy: "http://127.0.0.1:3128"},
		"userinfo in scope":          {Scope: []string{"http://u:p@api.test"}},
		"empty":                      {},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New accepted %+v", name, cfg)
		}
	}
}

func TestNormHost(t *testing.T) {
	for in, want := range map[string]string{
		"API.Example.COM.":         "api.example.com",
		"[::ffff:127.0.0.2]":       "127.0.0.2",
		"::FFFF:7f00:2":            "127.0.0.2",
		"[2001:DB8::1]":            "2001:db8::1",
		"bücher.example":           "xn--bcher-kva.example",
		"BÜCHER.example.":          "xn--bcher-kva.example",
		"127\u30020\u30020\u30021": "127.0.0.1",
	} {
		if got, err := NormHost(in); err != nil || got != want {
			t.Errorf("NormHost(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", ".", "a b", "a/b", "\xff"} {
		if got, err := NormHost(bad); err == nil {
			t.Errorf("NormHost(%q) = %q; want an error", bad, got)
		}
	}
}

func TestOversizedResponseHeaderIsAnErrorForThatRequest(t *testing.T) {
	big := strings.Repeat("a", 1<<20)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			w.Header().Set("X-Big", big)
		}
	})
	c, base := loopback(t, h, Config{})
	ex, err := c.Send(context.Background(), Request{Method: http.MethodGet, URL: base + "/big"})
	if err != nil || ex.Response != nil || !strings.Contains(ex.Error, "exceeded") {
		t.Fatalf("1 MB header: got %+v, %v; want an error result", ex.Response != nil, ex.Error)
	}
	ex, err = c.Send(context.Background(), Request{Method: http.MethodGet, URL: base + "/small"})
	if err != nil || ex.Response == nil {
		t.Fatalf("the next request failed: %+v %v", ex, err)
	}
}
