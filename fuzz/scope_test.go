package fuzz

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/corsguard/corsguard/fuzz/driver"
)

// A whole fuzz run with credentials against a server that redirects every
// request somewhere else (the 380-requests-with-a-bearer-token report):
// nothing reaches a listener outside the target's origin, the token
// reaches only the target, and every redirect is reported.
func TestFuzzRunNeverFollowsCredentialsOffOrigin(t *testing.T) {
	var leaks atomic.Int32
	catchAll := func(addr string) string {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Skipf("cannot listen on %s: %v", addr, err)
		}
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				leaks.Add(1)
				_ = c.Close()
			}
		}()
		t.Cleanup(func() { _ = l.Close(); wg.Wait() })
		return l.Addr().String()
	}
	var n atomic.Int32
	var locs []string
	var tokens atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "Bearer tok-secret-0123" {
			tokens.Add(1)
		}
		if o := r.Header.Get("Origin"); o != "" {
			w.Header().Set("Access-Control-Allow-Origin", o)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
		}
		w.Header().Set("Location", locs[int(n.Add(1))%len(locs)])
		w.WriteHeader([]int{301, 302, 303, 307, 308}[int(n.Load())%5])
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	_, otherPort, _ := net.SplitHostPort(catchAll("127.0.0.1:0"))
	catchAll("127.0.0.2:" + port)
	locs = []string{
		"http://127.0.0.2:" + port + "/", "//127.0.0.2:" + port + "/", `/\127.0.0.2:` + port + "/",
		"http://" + testHost + ":" + otherPort + "/", "http://" + testHost + ".:" + otherPort + "/",
		"http://localhost:" + otherPort + "/", "https://" + testHost + "/", "http://[::ffff:127.0.0.2]:" + port + "/",
		"http://" + testHost + "@127.0.0.2:" + port + "/",
	}
	c, err := driver.New(driver.Config{Scope: []string{"http://" + testHost}, Resolve: []string{testHost + ":80:" + srv.Listener.Addr().String()},
		Header: map[string][]string{"Authorization": {"Bearer tok-secret-0123"}}, Cookies: []string{"sid=cookie-secret-4567"}})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := New(c, Options{Trusted: []string{trustedApp}, Seed: testSeed, Random: testRandom, Workers: testWorkers, Budget: 150}).
		Run(context.Background(), []Target{{URL: testURL}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tokens.Load() == 0 {
		t.Fatal("no credentialed request reached the target: the run proves nothing")
	}
	if leaks.Load() != 0 {
		t.Fatalf("%d connection(s) left the target's origin", leaks.Load())
	}
	notes := strings.Join(sum.Notes, "\n")
	for _, why := range []string{"other host", "other port", "other scheme", "user information"} {
		if !strings.Contains(notes, why) {
			t.Errorf("no redirect reported as %q:\n%s", why, notes)
		}
	}
}
