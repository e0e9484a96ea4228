// Package bench's test binary is loadgen, which measures the fuzz
// driver's throughput against a loopback server, for fuzz/bench/bench.sh:
// run with CORSGUARD_LOADGEN=1, the binary `go test -c` builds is loadgen
// instead of running tests. With -serve it is that server (a small CORS
// endpoint, in its own process so that client numbers are the client's);
// otherwise it drives -url through fuzz/driver with the rate limit off and
// prints requests/s, allocations per request and the live heap at ten
// checkpoints (it must stay flat over a long run).
//
// It lives in a test file so that `go install ./...` installs corsguard
// alone, while go vet, the linters and the test below still cover it.
package bench

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/corsguard/corsguard/fuzz/driver"
)

// TestMain is loadgen's main when CORSGUARD_LOADGEN=1.
func TestMain(m *testing.M) {
	if os.Getenv("CORSGUARD_LOADGEN") == "1" {
		if err := loadgen(os.Args[1:], os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "loadgen:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func loadgen(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	serve := fs.String("serve", "", "serve the CORS endpoint on this address (127.0.0.1:0 picks a port)")
	addrFile := fs.String("addr-file", "", "with -serve: write the chosen address here")
	target := fs.String("url", "", "URL to drive")
	n := fs.Int("n", 200000, "requests to send")
	c := fs.Int("c", 64, "concurrent requests")
	engine := fs.Bool("engine", false, "drive the whole fuzz engine (plan, mutate, send, judge, JSONL), not the driver alone")
	nginx := fs.Bool("nginx", false, "serve the endpoint on a loopback nginx (/usr/sbin/nginx) instead of in Go")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the client here")
	memprofile := fs.String("memprofile", "", "write an allocation profile of the client here")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuprofile != "" && *serve == "" && !*nginx {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer func() { _ = f.Close() }()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *memprofile != "" {
		defer func() {
			if f, err := os.Create(*memprofile); err == nil {
				_ = pprof.Lookup("allocs").WriteTo(f, 0)
				_ = f.Close()
			}
		}()
	}
	if *nginx {
		return serveNginx(*addrFile)
	}
	if *engine {
		return runEngine(out, *target, *n, *c)
	}
	if *serve != "" {
		l, err := net.Listen("tcp", *serve)
		if err != nil {
			return err
		}
		if *addrFile != "" {
			if err := os.WriteFile(*addrFile, []byte(l.Addr().String()), 0o644); err != nil {
				return err
			}
		}
		return runServer(l)
	}
	return runClient(out, *target, *n, *c)
}

// The bench's two halves agree: every request is answered, and the report
// has the lines bench.sh reads.
func TestLoadgenDrivesItsServer(t *testing.T) {
	var out bytes.Buffer
	if err := runClient(&out, startServer(t), 400, 8); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"requests      400 (0 failed)", "\ncorsguard     ", "allocs/req", "heap (MiB)"} {
		if !bytes.Contains(out.Bytes(), []byte(want)) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

func runServer(l net.Listener) error {
	body := []byte(`{"ok":true}`)
	return http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Vary", "Origin")
		if o := r.Header.Get("Origin"); o == "https://app.example.com" {
			h.Set("Access-Control-Allow-Origin", o)
			h.Set("Access-Control-Allow-Credentials", "true")
		}
		_, _ = w.Write(body)
	}))
}

func runClient(out io.Writer, target string, n, conc int) error {
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		return fmt.Errorf("-url %q: want http://host:port/", target)
	}
	client, err := driver.New(driver.Config{Scope: []string{target}, Conns: conc, Timeout: 5 * time.Second})
	if err != nil {
		return err
	}
	origins := []string{"https://app.example.com", "https://evil.test", "https://app.example.com.evil.test", "null"}
	ctx := context.Background()
	var next, failed atomic.Int64
	var before, after runtime.MemStats
	checkpoint := max(1, int64(n/10))
	var heapMu sync.Mutex
	var heaps []uint64
	runtime.GC()
	runtime.ReadMemStats(&before)
	cpuBefore := cpuTime()
	start := time.Now()
	var wg sync.WaitGroup
	for range conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(n) {
					return
				}
				req := driver.Request{Method: http.MethodGet, URL: target,
					Header: http.Header{"Origin": {origins[i%int64(len(origins))]}}}
				ex, err := client.Send(ctx, req)
				if err != nil || ex.Response == nil {
					failed.Add(1)
				}
				if i%checkpoint == 0 {
					var m runtime.MemStats
					runtime.ReadMemStats(&m)
					heapMu.Lock()
					heaps = append(heaps, m.HeapAlloc)
					heapMu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	cpu := cpuTime() - cpuBefore
	runtime.ReadMemStats(&after)
	runtime.GC()
	var final runtime.MemStats
	runtime.ReadMemStats(&final)
	fmt.Fprintf(out, "requests      %d (%d failed) in %s with %d connections\n", n, failed.Load(), el.Round(time.Millisecond), conc)
	fmt.Fprintf(out, "corsguard     %.0f req/s\n", float64(n)/el.Seconds())
	fmt.Fprintf(out, "cpu/req       %.1f µs (user+system, whole process)\n", float64(cpu.Microseconds())/float64(n))
	fmt.Fprintf(out, "allocs/req    %.1f (%.0f B/req)\n", float64(after.Mallocs-before.Mallocs)/float64(n), float64(after.TotalAlloc-before.TotalAlloc)/float64(n))
	fmt.Fprintf(out, "heap (MiB)    at each tenth:")
	for _, h := range heaps {
		fmt.Fprintf(out, " %.1f", float64(h)/(1<<20))
	}
	fmt.Fprintf(out, "; after GC %.1f\n", float64(final.HeapAlloc)/(1<<20))
	return nil
}

// startServer runs the bench's loopback server for one test and returns
// its URL.
func startServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = runServer(l) }()
	t.Cleanup(func() { _ = l.Close() })
	return "http://" + l.Addr().String() + "/"
}
