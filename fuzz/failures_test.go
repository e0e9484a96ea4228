package fuzz

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/corsguard/corsguard/fuzz/driver"
	"github.com/corsguard/corsguard/rules/attack"
)

// Hostile or dead targets: each is an error for that target, given up
// after a bounded number of requests, while a healthy target in the same
// run is fuzzed to the end.

const okHost = "ok.example.com"

// listen returns a loopback listener whose connections serve runs.
func listen(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(c)
		}
	}()
	return ln.Addr().String()
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

// hang reads the request and never answers (also: a TLS handshake that
// never gets its ServerHello).
func hang(c net.Conn) {
	defer func() { _ = c.Close() }()
	buf := make([]byte, 4096)
	for {
		if _, err := c.Read(buf); err != nil {
			return
		}
	}
}

// garbage answers every connection with bytes that are not HTTP.
func garbage(c net.Conn) {
	defer func() { _ = c.Close() }()
	buf := make([]byte, 4096)
	_, _ = c.Read(buf)
	_, _ = c.Write([]byte("\x00\x01garbage that is not HTTP\r\n\r\n"))
}

// failingRun fuzzes the dead target (dialled at deadAddr, port 443 when
// tls) side by side with a reflecting healthy one, with short timeouts.
func failingRun(t *testing.T, deadAddr string, tls bool, opts Options) (*Summary, *driver.Client) {
	t.Helper()
	ok := httptest.NewServer(allow{accept: func(string) bool { return true }, creds: true})
	t.Cleanup(ok.Close)
	scheme, port := "http", "80"
	if tls {
		scheme, port = "https", "443"
	}
	c, err := driver.New(driver.Config{
		Scope:   []string{scheme + "://" + testHost, "http://" + okHost},
		Resolve: []string{testHost + ":" + port + ":" + deadAddr, okHost + ":80:" + strings.TrimPrefix(ok.URL, "http://")},
		Timeout: 300 * time.Millisecond, Retries: 1, MaxBackoff: 20 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	opts.Trusted = []string{trustedApp}
	opts.Seed, opts.Random, opts.Workers = testSeed, testRandom, testWorkers
	targets := []Target{{URL: scheme + "://" + testHost + "/v1/me"}, {URL: "http://" + okHost + "/v1/me"}}
	sum, err := New(c, opts).Run(context.Background(), targets, nil)
	if err != nil {
		t.Fatal(err)
	}
	return sum, c
}

func TestDeadTargetsAreErrors(t *testing.T) {
	status429 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	t.Cleanup(status429.Close)
	cases := []struct {
		name string
		addr string
		tls  bool
		want string // in the error message
	}{
		{"refused", closedAddr(t), false, "refused"},
		{"never answers", listen(t, hang), false, "unreachable"},
		{"garbage bytes", listen(t, garbage), false, "malformed"},
		{"stalled TLS handshake", listen(t, hang), true, "unreachable"},
		{"429 forever", strings.TrimPrefix(status429.URL, "http://"), false, "429"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sum, _ := failingRun(t, tc.addr, tc.tls, Options{})
			if len(sum.Errors) != 1 {
				t.Fatalf("want one target error, got %+v", sum.Errors)
			}
			e := sum.Errors[0]
			if !strings.Contains(e.Target, testHost) || e.Kind != Unreachable || !strings.Contains(e.Message, tc.want) {
				t.Errorf("error = %+v, want unreachable %s mentioning %q", e, testHost, tc.want)
			}
			// Given up after the head probes (baseline and first trusted
			// origin): the rest of the plan is never sent to a dead target.
			if e.Sent > 2 {
				t.Errorf("%d requests counted for a dead target, want at most the 2 head probes", e.Sent)
			}
			// The healthy target in the same run is fuzzed to the end.
			if sum.Done != 2 || !hasRule(sum, "CG101") {
				t.Errorf("healthy target not fuzzed: done %d, results %v", sum.Done, above(sum, 0))
			}
		})
	}
}

func hasRule(sum *Summary, id string) bool {
	for _, r := range sum.Results {
		if r.RuleID == id {
			return true
		}
	}
	return false
}

// A target that answers its trusted origins but rate limits everything
// else is partial, with the count, and its findings are still judged on
// the answers it gave.
func TestMostlyFailingTargetIsPartial(t *testing.T) {
	inner := allow{accept: func(string) bool { return true }, creds: true}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o := r.Header.Get("Origin"); o != "" && o != trustedApp && o != "https://"+attack.Attacker {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		inner.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	sum, _ := failingRun(t, strings.TrimPrefix(srv.URL, "http://"), false, Options{})
	if len(sum.Errors) != 1 || sum.Errors[0].Kind != Partial || sum.Errors[0].Failed*2 <= sum.Errors[0].Sent {
		t.Fatalf("want one partial target with most requests failed, got %+v", sum.Errors)
	}
	if !strings.Contains(sum.Errors[0].Message, "failed") {
		t.Errorf("partial message lacks the count: %q", sum.Errors[0].Message)
	}
	// The 503s are not judged: no finding comes from a refused answer, and
	// the reflection of the one hostile origin that got through is found.
	if !hasRule(sum, "CG101") {
		t.Errorf("the reflection shown by the answers it gave is lost: %v", above(sum, 0))
	}
	for _, r := range sum.Results {
		for _, ex := range r.Exchanges {
			if ex.Response != nil && ex.Response.Status == http.StatusServiceUnavailable {
				t.Errorf("%s judged a 503: %s", r.RuleID, r.Message)
			}
		}
	}
}

// A target slow enough to outlast the per-target deadline is given up
// there and reported, whatever it answered by then (partial, or
// unreachable if not even the first probes came back).
func TestPerTargetDeadline(t *testing.T) {
	inner := allow{accept: func(string) bool { return true }, creds: true}
	c := startTarget(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
		inner.ServeHTTP(w, r)
	}))
	opts := Options{Trusted: []string{trustedApp}, Seed: testSeed, Random: testRandom, Workers: testWorkers, TargetTimeout: time.Second}
	sum, err := New(c, opts).Run(context.Background(), []Target{{URL: testURL}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Errors) != 1 || !strings.Contains(sum.Errors[0].Message, "per-target deadline of 1s") {
		t.Fatalf("want the target given up at the deadline, got %+v", sum.Errors)
	}
	// 1 s at 8 requests in flight, 300 ms each: far less than the plan.
	if sent := sum.Errors[0].Sent; sent > 8*4 {
		t.Errorf("%d requests answered within a 1 s deadline", sent)
	}
	if sum.Done != 1 || sum.Interrupted {
		t.Errorf("done %d, interrupted %v: a deadline is not an interruption", sum.Done, sum.Interrupted)
	}
}

// An interrupted run stops sending, keeps the findings judged so far and
// names the targets it left undone.
func TestInterruptKeepsFindings(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var n atomic.Int64
	inner := allow{accept: func(string) bool { return true }, creds: true}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 40 {
			cancel()
		}
		inner.ServeHTTP(w, r)
	})
	c := startTarget(t, h)
	opts := Options{Trusted: []string{trustedApp}, Seed: testSeed, Random: testRandom, Workers: 1}
	sum, err := New(c, opts).Run(ctx, []Target{{URL: testURL}, {URL: "http://" + testHost + "/v2/"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !sum.Interrupted || len(sum.Pending) != 2 {
		t.Fatalf("interrupted %v, pending %v: want both targets pending", sum.Interrupted, sum.Pending)
	}
	if len(sum.Results) == 0 {
		t.Error("the grants judged before the interruption were dropped")
	}
	if got := n.Load(); got > 40+int64(opts.Workers) {
		t.Errorf("%d requests answered, want sending to stop at the interruption (40)", got)
	}
}

// Responses are kept only as evidence, trimmed to what judging reads:
// a server's megabyte of headers does not stay in memory per request.
func TestEvidenceKeepsOnlyCORSHeaders(t *testing.T) {
	junk := strings.Repeat("j", 64<<10)
	inner := allow{accept: func(string) bool { return true }, creds: true}
	sum := fuzzOnce(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Junk", junk)
		w.Header().Set("Access-Control-Expose-Headers", junk)
		inner.ServeHTTP(w, r)
	}), Options{})
	if !hasRule(sum, "CG101") {
		t.Fatalf("reflection not found: %v", above(sum, 0))
	}
	for _, r := range sum.Results {
		for _, ex := range r.Exchanges {
			if ex.Response == nil {
				continue
			}
			if ex.Response.Header.Get("X-Junk") != "" {
				t.Errorf("%s keeps a header no judge reads", r.RuleID)
			}
			if v := ex.Response.Header.Get("Access-Control-Expose-Headers"); len(v) > maxValueBytes+len("…") {
				t.Errorf("%s keeps a %d-byte header value", r.RuleID, len(v))
			}
		}
	}
}
