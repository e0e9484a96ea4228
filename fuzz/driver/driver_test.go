package driver

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// loopback starts a server and returns a client that reaches it under the
// name api.example.test, the way --resolve does.
func loopback(t *testing.T, h http.Handler, cfg Config) (*Client, string) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	cfg.Resolve = append(cfg.Resolve, "api.example.test:80:"+u.Host)
	if cfg.Scope == nil {
		cfg.Scope = []string{"http://api.example.test"}
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, "http://api.example.test"
}

func TestParseResolve(t *testing.T) {
	tests := []struct {
		in, from, to string
		bad          bool
	}{
		{in: "api.example.com:443:127.0.0.1", from: "api.example.com:443", to: "127.0.0.1:443"},
		{in: "API.example.com:80:127.0.0.1:8080", from: "api.example.com:80", to: "127.0.0.1:8080"},
		{in: "a.test:443:[::1]", from: "a.test:443", to: "[::1]:443"},
		{in: "a.test:443:[::1]:8443", from: "a.test:443", to: "[::1]:8443"},
		{in: "a.test:443:::1", from: "a.test:443", to: "[::1]:443"},
		{in: "a.test:443", bad: true},
		{in: "a.test:x:127.0.0.1", bad: true},
		{in: "a.test:443:127.0.0.1:99999", bad: true},
		{in: "a.test:443:[::1", bad: true},
	}
	for _, tt := range tests {
		from, to, err := ParseResolve(tt.in)
		if tt.bad {
			if err == nil {
				t.Errorf("ParseResolve(%q) = %q, %q; want an error", tt.in, from, to)
			}
			continue
		}
		if err != nil || from != tt.from || to != tt.to {
			t.Errorf("ParseResolve(%q) = %q, %q, %v; want %q, %q", tt.in, from, to, err, tt.from, tt.to)
		}
	}
}

func TestScopeRefusesUnnamedHosts(t *testing.T) {
	var hits atomic.Int32
	c, base := loopback(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }), Config{})
	for _, u := range []string{"http://other.test/", "http://127.0.0.1/", "ftp://api.example.test/", "http://api.example.test.evil.test/"} {
		if _, err := c.Send(context.Background(), Request{Method: "GET", URL: u}); err == nil {
			t.Errorf("Send(%s) went out; want refused", u)
		}
	}
	if _, err := c.Send(context.Background(), Request{Method: "GET", URL: base + "/"}); err != nil {
		t.Fatalf("in-scope request refused: %v", err)
	}
	if hits.Load() != 1 {
		t.Fatalf("server saw %d requests, want 1", hits.Load())
	}
}

func TestRedirectsStayOnHost(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/a", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/b", http.StatusFound) })
	mux.HandleFunc("/b", func(w http.ResponseWriter, r *http.Request) { w.Header().Set("X-Final", "b") })
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://evil.test/steal", http.StatusFound)
	})
	c, base := loopback(t, mux, Config{})
	ex, err := c.Send(context.Background(), Request{Method: "GET", URL: base + "/a"})
	if err != nil || ex.Response == nil || ex.Response.Header.Get("X-Final") != "b" || len(ex.Hops) != 1 {
		t.Fatalf("same-host redirect: %+v %v", ex, err)
	}
	ex, err = c.Send(context.Background(), Request{Method: "GET", URL: base + "/away"})
	if err != nil || ex.Response == nil || ex.Response.Status != http.StatusFound || ex.BlockedRedirect != "http://evil.test/steal" {
		t.Fatalf("cross-host redirect must be recorded, not followed: %+v %v", ex, err)
	}
	ex, _ = c.Send(context.Background(), Request{Method: "OPTIONS", URL: base + "/a"})
	if ex.Response == nil || ex.Response.Status != http.StatusFound || len(ex.Hops) != 0 {
		t.Fatalf("preflights never follow redirects: %+v", ex)
	}
}

func TestRetriesHonourRetryAfter(t *testing.T) {
	var n atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) < 3 {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	c, base := loopback(t, h, Config{Retries: 3})
	var waits []time.Duration
	c.sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	ex, err := c.Send(context.Background(), Request{Method: "GET", URL: base + "/"})
	if err != nil || ex.Response.Status != http.StatusOK || ex.Attempts != 3 {
		t.Fatalf("got %+v %v; want 200 after 3 attempts", ex, err)
	}
	if len(waits) != 2 || waits[0] != 7*time.Second {
		t.Fatalf("waits %v; want two waits of Retry-After 7s", waits)
	}
}

func TestRetryGivesUpAfterBudget(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	c, base := loopback(t, h, Config{Retries: 2, MaxBackoff: time.Second})
	var waits []time.Duration
	c.sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	ex, _ := c.Send(context.Background(), Request{Method: "GET", URL: base + "/"})
	if ex.Response.Status != http.StatusServiceUnavailable || ex.Attempts != 3 {
		t.Fatalf("got %+v; want the 503 after 3 attempts", ex)
	}
	if waits[0] != 250*time.Millisecond || waits[1] != 500*time.Millisecond {
		t.Fatalf("backoff %v; want 250ms then 500ms", waits)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := map[string]time.Duration{
		"":                              0,
		"3":                             3 * time.Second,
		"-1":                            0,
		"Fri, 02 Jan 2026 03:04:15 GMT": 10 * time.Second,
		"yesterday":                     0,
	}
	for in, want := range tests {
		if got := ParseRetryAfter(in, now); got != want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestSecretsAreRedactedAndSentOnlyWithCredentials(t *testing.T) {
	var got []http.Header
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Clone())
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "s3cret"})
	})
	c, base := loopback(t, h, Config{
		Header:  http.Header{"X-Api-Key": {"k3y"}},
		Cookies: []string{"sid=abc"},
	})
	ex, err := c.Send(context.Background(), Request{Method: "GET", URL: base + "/", Credentials: true,
		Header: http.Header{"Origin": {"https://evil.test"}}})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Get("X-Api-Key") != "k3y" || got[0].Get("Cookie") != "sid=abc" {
		t.Fatalf("server did not get the credentials: %v", got[0])
	}
	if ex.Request.Header.Get("X-Api-Key") != Redacted || ex.Request.Header.Get("Cookie") != Redacted ||
		ex.Request.Header.Get("Origin") != "https://evil.test" {
		t.Fatalf("recorded request not redacted: %v", ex.Request.Header)
	}
	if sc := ex.Response.Header.Get("Set-Cookie"); sc != "session="+Redacted {
		t.Fatalf("Set-Cookie not redacted: %q", sc)
	}
	curl := c.Curl(ex.Request)
	if strings.Contains(curl, "k3y") || strings.Contains(curl, "abc") || !strings.Contains(curl, "--connect-to") {
		t.Fatalf("curl line leaks or lacks --connect-to: %s", curl)
	}
	if _, err := c.Send(context.Background(), Request{Method: "OPTIONS", URL: base + "/"}); err != nil {
		t.Fatal(err)
	}
	if got[1].Get("X-Api-Key") != "" || got[1].Get("Cookie") != "" {
		t.Fatalf("uncredentialed request carried secrets: %v", got[1])
	}
	back := c.Unredact(ex.Request)
	if back.Header.Get("X-Api-Key") != "" || back.Header.Get("Origin") != "https://evil.test" || !back.Credentials {
		t.Fatalf("Unredact = %+v", back)
	}
}

func TestEmptyOriginIsSent(t *testing.T) {
	var present bool
	var value string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, present = r.Header["Origin"]
		value = r.Header.Get("Origin")
	})
	c, base := loopback(t, h, Config{})
	ex, _ := c.Send(context.Background(), Request{Method: "GET", URL: base + "/", Header: http.Header{"Origin": {""}}})
	if !present || value != "" {
		t.Fatalf("empty Origin not sent (present=%v value=%q)", present, value)
	}
	if !strings.Contains(c.Curl(ex.Request), "-H 'Origin;'") {
		t.Fatalf("curl must send the empty header with 'Origin;': %s", c.Curl(ex.Request))
	}
}

func TestBodyCap(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(make([]byte, 1<<20)) })
	c, base := loopback(t, h, Config{BodyCap: 100})
	ex, _ := c.Send(context.Background(), Request{Method: "GET", URL: base + "/"})
	if ex.Response.BodyBytes != 100 || !ex.Response.Truncated {
		t.Fatalf("body read %d (truncated %v); want 100 and truncated", ex.Response.BodyBytes, ex.Response.Truncated)
	}
}

func TestRateLimitPerHost(t *testing.T) {
	c, base := loopback(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), Config{Rate: 20})
	start := time.Now()
	for range 5 {
		if _, err := c.Send(context.Background(), Request{Method: "GET", URL: base + "/"}); err != nil {
			t.Fatal(err)
		}
	}
	// 5 requests at 20/s with burst 1: at least 4 gaps of 50ms.
	if el := time.Since(start); el < 190*time.Millisecond {
		t.Fatalf("5 requests took %v; the 20 req/s limit was not applied", el)
	}
}

func TestNetworkErrorIsAnObservation(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	c, err := New(Config{Scope: []string{"http://down.test"}, Resolve: []string{"down.test:80:" + addr}, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := c.Send(context.Background(), Request{Method: "GET", URL: "http://down.test/"})
	if err != nil || ex.Error == "" || ex.Response != nil {
		t.Fatalf("got %+v, %v; want a recorded connection error", ex, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Send(ctx, Request{Method: "GET", URL: "http://down.test/"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled send returned %v", err)
	}
}

// BenchmarkSend measures one request through the driver (rate limit off,
// keep-alive). Allocations include the in-process server's; fuzz/bench
// measures the client alone against a separate server process.
func BenchmarkSend(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
	}))
	defer srv.Close()
	c, err := New(Config{Scope: []string{srv.URL}})
	if err != nil {
		b.Fatal(err)
	}
	req := Request{Method: http.MethodGet, URL: srv.URL + "/", Header: http.Header{"Origin": {"https://evil.test"}}}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Send(context.Background(), req); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// Spellings of one host share one limiter: a server must not double the
// request rate by redirecting to its trailing-dot or upper-case name.
func TestRateLimitIsPerNormalisedHost(t *testing.T) {
	var hits atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1)%2 == 1 {
			http.Redirect(w, r, "http://API.Example.Test./next", http.StatusFound)
		}
	})
	c, base := loopback(t, h, Config{Rate: 1000})
	for _, u := range []string{base + "/", "http://API.EXAMPLE.TEST./", "http://api.example.test:80/"} {
		if ex, err := c.Send(context.Background(), Request{Method: "GET", URL: u}); err != nil || ex.Response == nil {
			t.Fatalf("%s: %+v %v", u, ex, err)
		}
	}
	n := 0
	c.limiters.Range(func(any, any) bool { n++; return true })
	if n != 1 {
		t.Fatalf("%d limiters for one host, want 1", n)
	}
}

// A request paced beforehand spends the token Pace took, not a second one:
// at one request an hour, Pace then SendPaced goes at once, while a plain
// Send after Pace would wait an hour for its own token.
func TestSendPacedSpendsThePacedToken(t *testing.T) {
	c, base := loopback(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), Config{Rate: 1.0 / 3600})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.Pace(ctx, base+"/"); err != nil {
		t.Fatal(err)
	}
	ex, err := c.SendPaced(ctx, Request{Method: "GET", URL: base + "/"})
	if err != nil || ex.Response == nil || ex.Attempts != 1 {
		t.Fatalf("paced request: %+v, %v", ex, err)
	}
	// The next token is an hour away: an unpaced Send cannot get it before
	// the context ends.
	if ex, err := c.Send(ctx, Request{Method: "GET", URL: base + "/"}); err == nil && ex.Response != nil {
		t.Fatal("a second request went without waiting for the limiter")
	}
}
