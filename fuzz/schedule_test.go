package fuzz

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/corsguard/corsguard/fuzz/driver"
)

// BenchmarkManyHostsRated measures how long a run over many hosts takes
// under a per-host rate limit, against the ideal budget/rate: each host has
// its own limiter, so the hosts' plans should go side by side and the run
// should last about as long as one host's plan at --rate, whatever the
// number of hosts (as long as -c leaves room). It reports seconds/run and
// the ratio to that ideal (1.0 is ideal).
func BenchmarkManyHostsRated(b *testing.B) {
	const (
		hosts   = 24
		perHost = 30  // --budget
		rps     = 20. // --rate
		workers = 16  // -c
	)
	srv := httptest.NewServer(allow{accept: exact(trustedApp)})
	b.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	var scope, resolve []string
	var targets []Target
	for i := range hosts {
		h := fmt.Sprintf("h%02d.example.com", i)
		scope = append(scope, "http://"+h)
		resolve = append(resolve, h+":80:"+u.Host)
		targets = append(targets, Target{URL: "http://" + h + "/v1/me"})
	}
	c, err := driver.New(driver.Config{Scope: scope, Resolve: resolve, Rate: rps})
	if err != nil {
		b.Fatal(err)
	}
	ideal := time.Duration(float64(perHost-1) / rps * float64(time.Second))
	var total time.Duration
	for b.Loop() {
		start := time.Now()
		e := New(c, Options{Trusted: []string{trustedApp}, Seed: testSeed, Budget: perHost, Workers: workers})
		if _, err := e.Run(context.Background(), targets, nil); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
	}
	per := total / time.Duration(b.N)
	b.ReportMetric(per.Seconds(), "s/run")
	b.ReportMetric(per.Seconds()/ideal.Seconds(), "x-ideal")
}

// Targets start host by host in turn, each host's own targets in order, so
// that those under way at once sit on different rate limiters.
func TestTargetsStartRoundRobinByHost(t *testing.T) {
	targets := []Target{
		{URL: "http://a.example.com/1"}, {URL: "http://a.example.com/2"}, {URL: "http://A.example.com:8080/3"},
		{URL: "http://b.example.com/1"}, {URL: "http://c.example.com/1"}, {URL: "http://b.example.com/2"},
	}
	got := fmt.Sprint(byHostRoundRobin(targets))
	if want := "[0 3 4 1 5 2]"; got != want {
		t.Fatalf("start order %s, want %s", got, want)
	}
}
