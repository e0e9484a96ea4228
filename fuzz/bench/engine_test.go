//go:build unix

package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/corsguard/corsguard/fuzz"
	"github.com/corsguard/corsguard/fuzz/driver"
	"github.com/corsguard/corsguard/fuzz/livetest"
)

// nginxBody is the bench's nginx server: the same CORS endpoint as
// runServer (the trusted origin granted with credentials, Vary: Origin).
const nginxBody = `
    map $http_origin $cg_allow { "https://app.example.com" $http_origin; default ""; }
    map $http_origin $cg_creds { "https://app.example.com" "true"; default ""; }
    server {
        listen {{.Addr}};
        location / {
            add_header Vary Origin always;
            add_header Access-Control-Allow-Origin $cg_allow always;
            add_header Access-Control-Allow-Credentials $cg_creds always;
            default_type application/json;
            return 200 '{"ok":true}';
        }
    }
`

// serveNginx runs the bench endpoint on a loopback nginx until SIGTERM or
// SIGINT, writing its address to addrFile.
func serveNginx(addrFile string) error {
	dir, err := os.MkdirTemp("", "corsguard-bench-nginx")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	srv, err := livetest.StartNginx(dir, livetest.Config{Body: nginxBody})
	if err != nil {
		return err
	}
	defer func() { _ = srv.Stop() }()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if addrFile != "" {
		if err := os.WriteFile(addrFile, []byte(srv.Addr), 0o644); err != nil {
			return err
		}
	}
	<-ctx.Done()
	return nil
}

// runEngine drives the whole fuzz engine (plan, mutate, send, judge, the
// JSONL stream) against target with the rate limit off: n requests or a
// little more, spread over as many targets (paths of the one host) as the
// engine's plan per target needs. It prints the lines runClient prints.
func runEngine(out io.Writer, target string, n, conc int) error {
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		return fmt.Errorf("-url %q: want http://host:port/", target)
	}
	client, err := driver.New(driver.Config{Scope: []string{target}, Conns: conc, Timeout: 5 * time.Second})
	if err != nil {
		return err
	}
	opts := fuzz.Options{Trusted: []string{"https://app.example.com"}, Seed: 1, Workers: conc}
	stream := fuzz.NewJSONL(io.Discard)
	var emitErr error
	var emitMu sync.Mutex
	emit := func(r fuzz.Result) {
		if err := stream.Write(r); err != nil {
			emitMu.Lock()
			emitErr = err
			emitMu.Unlock()
		}
	}
	ctx := context.Background()
	// One target first: how many requests a target's plan sends.
	probe, err := fuzz.New(client, opts).Run(ctx, []fuzz.Target{{URL: target + "probe"}}, nil)
	if err != nil {
		return err
	}
	per := int(probe.Requests)
	if per == 0 || len(probe.Errors) > 0 {
		return fmt.Errorf("%s: the engine got no answers: %v", target, probe.Errors)
	}
	targets := make([]fuzz.Target, (n+per-1)/per)
	for i := range targets {
		targets[i] = fuzz.Target{URL: fmt.Sprintf("%st%d", target, i)}
	}
	total := len(targets) * per
	checkpoint := max(1, int64(total/10))
	var heaps []uint64
	var done int64
	var heapMu sync.Mutex
	opts.Progress = func() {
		heapMu.Lock()
		defer heapMu.Unlock()
		done++
		if done%checkpoint == 0 {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			heaps = append(heaps, m.HeapAlloc)
		}
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	sentBefore := client.Sent()
	cpuBefore := cpuTime()
	start := time.Now()
	sum, err := fuzz.New(client, opts).Run(ctx, targets, emit)
	if err != nil {
		return err
	}
	el := time.Since(start)
	cpu := cpuTime() - cpuBefore
	runtime.ReadMemStats(&after)
	runtime.GC()
	var final runtime.MemStats
	runtime.ReadMemStats(&final)
	sent := client.Sent() - sentBefore
	if emitErr != nil {
		return emitErr
	}
	fmt.Fprintf(out, "engine        %d targets × %d requests, %d results\n", len(targets), per, len(sum.Results))
	fmt.Fprintf(out, "requests      %d (%d failed) in %s with %d workers\n", sent, len(sum.Errors), el.Round(time.Millisecond), conc)
	fmt.Fprintf(out, "corsguard     %.0f req/s\n", float64(sent)/el.Seconds())
	// CPU per request is the figure a loaded machine disturbs least.
	fmt.Fprintf(out, "cpu/req       %.1f µs (user+system, whole process)\n", float64(cpu.Microseconds())/float64(sent))
	fmt.Fprintf(out, "allocs/req    %.1f (%.0f B/req)\n", float64(after.Mallocs-before.Mallocs)/float64(sent), float64(after.TotalAlloc-before.TotalAlloc)/float64(sent))
	fmt.Fprintf(out, "heap (MiB)    at each tenth:")
	for _, h := range heaps {
		fmt.Fprintf(out, " %.1f", float64(h)/(1<<20))
	}
	fmt.Fprintf(out, "; after GC %.1f (the report's %d results included)\n", float64(final.HeapAlloc)/(1<<20), len(sum.Results))
	runtime.KeepAlive(sum)
	return nil
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// The engine mode drives the whole engine against the bench's server and
// reports what bench.sh reads.
func TestEngineModeDrivesItsServer(t *testing.T) {
	var out bytes.Buffer
	if err := runEngine(&out, startServer(t), 1000, 8); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"engine        ", "(0 failed)", "cpu/req", "\ncorsguard     ", "allocs/req", "heap (MiB)"} {
		if !bytes.Contains(out.Bytes(), []byte(want)) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// BenchmarkEngine runs the whole engine, one target (a whole plan, about
// 230 requests) per op, against the bench's nginx when there is one (its
// own process: the figures are the client's) or the Go server in this
// process; "secrets" adds a cookie and an Authorization header, as a
// credentialed run has, so that redaction has work to do. Beside ns/op
// and allocs/op per target it reports per request: ns/req of wall time,
// CPU µs/req of this process and allocs/req.
//
//	go test -run ^$ -bench Engine -benchmem ./fuzz/bench
func BenchmarkEngine(b *testing.B) {
	target := ""
	if srv, err := livetest.StartNginx(b.TempDir(), livetest.Config{Body: nginxBody}); err == nil {
		b.Cleanup(func() { _ = srv.Stop() })
		target = "http://" + srv.Addr + "/"
	} else {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		go func() { _ = runServer(l) }()
		b.Cleanup(func() { _ = l.Close() })
		target = "http://" + l.Addr().String() + "/"
	}
	const conc = 64
	for _, secrets := range []bool{false, true} {
		cfg := driver.Config{Scope: []string{target}, Conns: conc, Timeout: 5 * time.Second}
		name := "plain"
		if secrets {
			name = "secrets"
			cfg.Cookies = []string{"sid=bench-session-0123456789"}
			cfg.Header = http.Header{"Authorization": {"Bearer bench-token-0123456789"}}
		}
		b.Run(name, func(b *testing.B) { benchEngine(b, cfg, target, conc) })
	}
}

func benchEngine(b *testing.B, cfg driver.Config, target string, conc int) {
	client, err := driver.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	opts := fuzz.Options{Trusted: []string{"https://app.example.com"}, Seed: 1, Workers: conc}
	targets := make([]fuzz.Target, b.N)
	for i := range targets {
		targets[i] = fuzz.Target{URL: fmt.Sprintf("%st%d", target, i)}
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	sent, cpu := client.Sent(), cpuTime()
	b.ReportAllocs()
	b.ResetTimer()
	sum, err := fuzz.New(client, opts).Run(context.Background(), targets, nil)
	b.StopTimer()
	if err != nil || len(sum.Errors) > 0 {
		b.Fatalf("%v %v", err, sum.Errors)
	}
	runtime.ReadMemStats(&after)
	n := float64(client.Sent() - sent)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/req")
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/n, "cpu-µs/req")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/n, "allocs/req")
}
