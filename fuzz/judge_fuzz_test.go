package fuzz

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/corsguard/corsguard/fuzz/driver"
	"github.com/corsguard/corsguard/fuzz/observe"
	"github.com/corsguard/corsguard/rules"
)

// scriptedServer answers every request from a fuzzed script: one
// "Name: value" header per line, "$origin" replaced by the request's
// Origin, "$acrm"/"$acrh" by its preflight asks; a line "status N" sets the
// status; "if-origin SUBSTR" makes the following lines apply only when the
// Origin contains SUBSTR; "preflight" / "actual" restrict them to one kind.
type scriptedServer string

func (s scriptedServer) RoundTrip(req *http.Request) (*http.Response, error) {
	origin := req.Header.Get("Origin")
	pre := req.Method == http.MethodOptions
	h := http.Header{}
	status := http.StatusOK
	on := true
	sc := bufio.NewScanner(strings.NewReader(string(s)))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "if-origin "):
			on = strings.Contains(origin, strings.TrimPrefix(line, "if-origin "))
		case line == "preflight" || line == "actual":
			on = pre == (line == "preflight")
		case !on:
		case strings.HasPrefix(line, "status "):
			if n, err := strconv.Atoi(strings.TrimPrefix(line, "status ")); err == nil && n >= 100 && n <= 599 {
				status = n
			}
		default:
			name, value, ok := strings.Cut(line, ":")
			name = strings.TrimSpace(name)
			if !ok || name == "" || strings.ContainsAny(name, " \t\r\n") {
				continue
			}
			value = strings.NewReplacer("$origin", origin, "$acrm", req.Header.Get("Access-Control-Request-Method"),
				"$acrh", req.Header.Get("Access-Control-Request-Headers")).Replace(strings.TrimSpace(value))
			h.Add(name, value)
		}
	}
	return &http.Response{StatusCode: status, Status: strconv.Itoa(status), Header: h, Body: io.NopCloser(strings.NewReader("")),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Request: req}, nil
}

// scriptSeeds are servers worth judging: reflection, '*' with
// credentials, an allowlist by substring, a fixed value that never
// matches, a preflight that echoes every ask, auth in front of
// everything, a permanent 429, duplicated ACAO, no CORS at all.
var scriptSeeds = []string{
	"Access-Control-Allow-Origin: $origin\nAccess-Control-Allow-Credentials: true",
	"Access-Control-Allow-Origin: *\nAccess-Control-Allow-Credentials: true",
	"if-origin example.com\nAccess-Control-Allow-Origin: $origin\nVary: Origin",
	"Access-Control-Allow-Origin: https://app.example.com/\nAccess-Control-Allow-Credentials: true",
	"preflight\nAccess-Control-Allow-Origin: $origin\nAccess-Control-Allow-Methods: $acrm\nAccess-Control-Allow-Headers: $acrh\nstatus 204",
	"status 401\nAccess-Control-Allow-Origin: $origin",
	"status 429\nRetry-After: 3600",
	"Access-Control-Allow-Origin: $origin, $origin\nAccess-Control-Allow-Origin: null",
	"X-Nothing: 1",
}

// checkJudged asserts the properties every judged run must have: the
// oracle never grants without Access-Control-Allow-Origin (every
// origin-trust finding's evidence carries one, and the observed policy
// grants no origin when the server never sends it) and every finding's
// evidence is a request with its answer.
func checkJudged(t *testing.T, script string, results []Result, observed []rules.Policy) {
	t.Helper()
	for _, r := range results {
		for _, ex := range r.Exchanges {
			if ex.Response == nil {
				t.Fatalf("%s: evidence without an answer: %+v", r.RuleID, ex)
			}
		}
		if strings.HasPrefix(r.RuleID, "CG1") && r.RuleID != "CG111" {
			if len(r.Exchanges) == 0 || len(r.Exchanges[0].Response.Header.Values(rules.HeaderAllowOrigin)) == 0 {
				t.Fatalf("%s granted without Access-Control-Allow-Origin: %s", r.RuleID, r.Message)
			}
		}
	}
	if !strings.Contains(strings.ToLower(script), "access-control-allow-origin") {
		for _, p := range observed {
			if len(p.Actual.Origins)+len(p.Preflight.Grant.Origins) > 0 {
				t.Fatalf("observed policy grants origins though no response had ACAO:\n%s", observe.Render(p))
			}
		}
	}
}

// scriptClient only names the scope and renders curl lines: judgeScripted
// sends nothing through it, so one serves every input.
var scriptClient = func() *driver.Client {
	c, err := driver.New(driver.Config{Scope: []string{"http://" + testHost}})
	if err != nil {
		panic(err)
	}
	return c
}()

// judgeScripted plans a target's probes, answers each from the script
// (no network, no goroutines) and judges them as the engine does.
func judgeScripted(t *testing.T, script string) ([]Result, rules.Policy) {
	t.Helper()
	e := New(scriptClient, Options{Trusted: []string{trustedApp}, Seed: testSeed, Random: 4})
	var results []Result
	r := &targetRun{e: e, t: Target{URL: testURL}, budget: -1, reported: map[string]bool{}, grantedBy: map[string]bool{},
		emit: func(res Result) { results = append(results, res) }}
	r.trusted = trustedFor(r.t, e.opts.Trusted)
	answer := func(plan []probe) {
		for _, p := range plan {
			dr := p.request()
			req, err := http.NewRequest(dr.Method, dr.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header = dr.Header
			resp, _ := scriptedServer(script).RoundTrip(req)
			ex := driver.Exchange{Request: driver.Sent(dr),
				Response: &driver.Received{Status: resp.StatusCode, Header: resp.Header}, Attempts: 1}
			trim(&ex)
			r.count(ex)
			r.accept(outcome{probe: p, ex: ex})
		}
	}
	answer(r.planActual())
	r.judgeActual()
	answer(r.planPreflights())
	answer(r.planConsistency())
	r.judgeRest()
	return results, r.observed
}

// FuzzJudge judges a server scripted by the input (see scriptedServer):
// response judging and observation, whole, for any answers. Besides the
// properties of checkJudged, what is kept as evidence stays within the
// engine's bounds (only the headers judging reads, a few values each).
func FuzzJudge(f *testing.F) {
	for _, seed := range scriptSeeds {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, script string) {
		if len(script) > 4<<10 {
			return
		}
		results, observed := judgeScripted(t, script)
		checkJudged(t, script, results, []rules.Policy{observed})
		for _, r := range results {
			for _, ex := range r.Exchanges {
				for name, vs := range ex.Response.Header {
					if !keptHeader(name) || len(vs) > maxHeaderValues {
						t.Fatalf("%s keeps %d values of %s", r.RuleID, len(vs), name)
					}
				}
			}
		}
	})
}

// The whole engine (plan, worker pool, driver, judging) against the same
// scripted servers: the same properties, and the run stays within its
// budget of probes, each costing at most one retry and the same-host
// redirect hops the driver follows.
func TestScriptedServers(t *testing.T) {
	const budget = 150
	for _, script := range append(scriptSeeds, "status 302\nLocation: /x") {
		c, err := driver.New(driver.Config{Scope: []string{"http://" + testHost}, Transport: scriptedServer(script),
			Retries: 1, MaxBackoff: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		opts := Options{Trusted: []string{trustedApp}, Seed: testSeed, Random: 4, Workers: 4, Budget: budget, TargetTimeout: 10 * time.Second}
		sum, err := New(c, opts).Run(context.Background(), []Target{{URL: testURL}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if limit := int64(budget * 2 * (1 + driver.DefaultMaxRedirects)); sum.Requests > limit {
			t.Errorf("%q: %d requests for a budget of %d probes (limit %d)", script, sum.Requests, budget, limit)
		}
		checkJudged(t, script, sum.Results, sum.Observed)
	}
}
