package fuzz

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/corsguard/corsguard/fuzz/driver"
	"github.com/corsguard/corsguard/fuzz/mutate"
	"github.com/corsguard/corsguard/fuzz/observe"
	"github.com/corsguard/corsguard/rules"
	"github.com/corsguard/corsguard/rules/attack"
)

// Options tune a run. The zero value works: GET, 64 random origins, 2
// repeats, 16 workers, no budget.
type Options struct {
	// Trusted are the origins the user declared (--trusted-origin, policy
	// file); when a target has none, its own origin is assumed.
	Trusted []string
	// TrustedPatterns are trusted globs (`https://*.preview.example.com`).
	TrustedPatterns []string
	// Seed drives every random choice; the same seed sends the same probes.
	Seed int64
	// Budget bounds the requests planned per target (0: no bound). The plan
	// is ordered by value, so a small budget drops random mutations first.
	Budget int
	// Random is how many gofuzz origin mutations are tried per target.
	Random int
	// Repeats is how many times the grant of a trusted and an accepted
	// origin is re-requested to detect inconsistent answers.
	Repeats int
	// Workers bounds requests in flight across all targets.
	Workers int
	// Method is the actual request's method (default GET).
	Method string
	// Corpus holds origins that produced new behaviour in earlier runs; they
	// are probed first. See Corpus.
	Corpus *Corpus
	// TargetTimeout bounds the time spent on one target (0: no bound). When
	// it runs out the target is given up, reported as unreachable or
	// partial, and the run moves on (see TargetError).
	TargetTimeout time.Duration
	// Progress is called after each request (for a progress bar).
	Progress func()
	// TargetDone is called when a target is finished, given up or
	// interrupted (for progress lines).
	TargetDone func()
	// Source replaces the gofuzz mutation source (tests).
	Source mutate.Source
}

// Engine fuzzes targets through one driver.Client.
type Engine struct {
	opts   Options
	client *driver.Client
	src    mutate.Source
	sem    chan struct{}
}

// New returns an Engine.
func New(client *driver.Client, opts Options) *Engine {
	if opts.Random < 0 {
		opts.Random = 0
	} else if opts.Random == 0 {
		opts.Random = 64
	}
	if opts.Repeats <= 0 {
		opts.Repeats = 2
	}
	if opts.Workers <= 0 {
		opts.Workers = 16
	}
	if opts.Method == "" {
		opts.Method = http.MethodGet
	}
	src := opts.Source
	if src == nil {
		src = mutate.New(opts.Seed)
	}
	return &Engine{opts: opts, client: client, src: src, sem: make(chan struct{}, opts.Workers)}
}

// acquire takes a worker slot, or gives up when ctx is done first.
func (e *Engine) acquire(ctx context.Context) bool {
	select {
	case e.sem <- struct{}{}:
		if ctx.Err() != nil {
			<-e.sem
			return false
		}
		return true
	case <-ctx.Done():
		return false
	}
}

// Client returns the engine's driver.
func (e *Engine) Client() *driver.Client { return e.client }

// Run fuzzes every target and calls emit with each result as soon as it is
// judged (from several goroutines, one at a time). Results in the Summary
// are sorted. A target that cannot be fuzzed is a TargetError in the
// Summary, not an error of the run: the others still complete. When ctx is
// cancelled (SIGINT, SIGTERM), sending stops, what was already judged is
// kept and the Summary says Interrupted.
func (e *Engine) Run(ctx context.Context, targets []Target, emit func(Result)) (*Summary, error) {
	start := time.Now()
	sum := &Summary{Seed: e.opts.Seed, Targets: len(targets)}
	var mu sync.Mutex
	out := func(r Result) {
		mu.Lock()
		defer mu.Unlock()
		sum.Results = append(sum.Results, r)
		if emit != nil {
			emit(r)
		}
	}
	par := max(1, min(len(targets), e.targetsAtOnce(targets)))
	tsem := make(chan struct{}, par)
	var wg sync.WaitGroup
	reports := make([]*targetRun, len(targets))
launch:
	for _, i := range byHostRoundRobin(targets) {
		t := targets[i]
		select {
		case tsem <- struct{}{}:
		case <-ctx.Done():
			break launch
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-tsem }()
			reports[i] = e.fuzzTarget(ctx, t, out)
			if e.opts.TargetDone != nil {
				e.opts.TargetDone()
			}
		}()
	}
	wg.Wait()
	sum.Interrupted = ctx.Err() != nil
	for i, r := range reports {
		if r == nil || r.interrupted {
			sum.Pending = append(sum.Pending, targets[i].URL)
		}
		if r == nil {
			continue
		}
		if !r.interrupted {
			sum.Done++
		}
		sum.Observed = append(sum.Observed, r.observed)
		sum.Notes = append(sum.Notes, r.notes...)
		if r.err != nil {
			sum.Errors = append(sum.Errors, *r.err)
		}
	}
	if !sum.Interrupted {
		for _, r := range pathInconsistencies(reports, e.opts.Seed) {
			out(r)
		}
	}
	sum.Requests = e.client.Sent()
	sum.Duration = time.Since(start)
	SortResults(sum.Results)
	return sum, nil
}

// targetsAtOnce is how many targets are fuzzed side by side. Requests in
// flight are bounded by the worker slots whatever this is; it bounds the
// targets whose answers are held at once. A target's plan goes in phases
// (the first two probes alone, then the actual requests, the preflights,
// the repeats), and between phases it has few probes ready: one target per
// worker keeps the slots busy (with a quarter, the whole engine ran at 0.17
// of wrk against nginx; with one, 0.21, fuzz/bench MODE=engine). With a
// rate limit each host sends at most --rate requests a second, so every
// distinct host must be under way for per-host rate (and not this bound)
// to set the run time: up to 4 hosts per worker.
func (e *Engine) targetsAtOnce(targets []Target) int {
	par := e.opts.Workers
	if !e.client.Rated() {
		return par
	}
	hosts := map[string]bool{}
	for _, t := range targets {
		hosts[t.Host()] = true
	}
	return max(par, min(len(hosts), 4*e.opts.Workers))
}

// byHostRoundRobin orders target indexes so that consecutive targets sit on
// different hosts (first target of every host, then the second, ...): the
// targets under way at once then spread over the hosts' rate limits
// instead of queueing on one. Each host keeps its targets' order.
func byHostRoundRobin(targets []Target) []int {
	var hosts []string
	queue := map[string][]int{}
	for i, t := range targets {
		h := t.Host()
		if _, ok := queue[h]; !ok {
			hosts = append(hosts, h)
		}
		queue[h] = append(queue[h], i)
	}
	order := make([]int, 0, len(targets))
	for len(order) < len(targets) {
		for _, h := range hosts {
			if q := queue[h]; len(q) > 0 {
				order = append(order, q[0])
				queue[h] = q[1:]
			}
		}
	}
	return order
}

// probe is one planned request.
type probe struct {
	kind      observe.Kind
	url       string
	origin    string
	hasOrigin bool
	class     string // an attack.Class, or trusted / random / corpus / baseline
	from      string
	method    string // actual method, or the preflight's ACRM
	acrh      string
	pna       bool
	purpose   string // "", "repeat", "error"
}

// Probe classes that are not attack classes.
const (
	classTrusted  = "trusted"
	classRandom   = "random"
	classCorpus   = "corpus"
	classBaseline = "baseline"
)

func (p probe) request() driver.Request {
	if p.kind != observe.Preflight {
		h := http.Header{}
		if p.hasOrigin {
			h["Origin"] = []string{p.origin}
		}
		return driver.Request{Method: p.method, URL: p.url, Header: h, Credentials: true}
	}
	// The values share one array (capped slices: appending to one never
	// writes into another).
	vals := make([]string, 0, 5)
	h := make(http.Header, 5)
	set := func(name, v string) {
		vals = append(vals, v)
		h[name] = vals[len(vals)-1 : len(vals) : len(vals)]
	}
	if p.hasOrigin {
		set("Origin", p.origin)
	}
	set("Accept", "*/*")
	set("Access-Control-Request-Method", p.method)
	if p.acrh != "" {
		set("Access-Control-Request-Headers", p.acrh)
	}
	if p.pna {
		set("Access-Control-Request-Private-Network", "true")
	}
	// Browsers never send credentials on a preflight.
	return driver.Request{Method: http.MethodOptions, URL: p.url, Header: h}
}

// outcome is a probe and what came back.
type outcome struct {
	probe
	ex driver.Exchange
}

func (o outcome) status() int {
	if o.ex.Response == nil {
		return 0
	}
	return o.ex.Response.Status
}

func (o outcome) header() http.Header {
	if o.ex.Response == nil {
		return http.Header{}
	}
	return o.ex.Response.Header
}

func (o outcome) observation() observe.Observation {
	return observe.Observation{Kind: o.kind, URL: o.url, Origin: o.origin, HasOrigin: o.hasOrigin,
		Hostile: o.class == string(attack.Arbitrary), Method: o.method, RequestHeaders: o.acrh,
		Status: o.status(), Header: o.header()}
}

// targetRun holds one target's state while it is fuzzed.
type targetRun struct {
	e         *Engine
	t         Target
	trusted   []string
	trustedM  []attack.Matcher
	budget    int
	outcomes  []outcome
	observed  rules.Policy
	notes     []string
	emit      func(Result)
	reported  map[string]bool
	grantedBy map[string]bool // origins granted on the actual request (not '*')

	// Failure accounting (see status.go), under mu.
	mu       sync.Mutex
	sent     int
	failed   int
	run      int // failures in a row
	firstErr string
	lastErr  string
	cancel   context.CancelCauseFunc
	// How the target ended.
	err         *TargetError
	interrupted bool
}

func (e *Engine) fuzzTarget(ctx context.Context, t Target, emit func(Result)) *targetRun {
	r := &targetRun{e: e, t: t, budget: e.opts.Budget, emit: emit, reported: map[string]bool{}, grantedBy: map[string]bool{}}
	if r.budget <= 0 {
		r.budget = -1
	}
	r.trusted = trustedFor(t, e.opts.Trusted)
	for _, g := range e.opts.TrustedPatterns {
		if m, err := attack.Compile(g, attack.Glob, false); err == nil {
			r.trustedM = append(r.trustedM, m)
		} else {
			r.notes = append(r.notes, fmt.Sprintf("trusted pattern %q: %v", g, err))
		}
	}
	start := time.Now()
	tctx, cancel := r.targetContext(ctx)
	defer cancel(nil)
	r.cancel = cancel
	// Phase 1: actual requests with every origin. The baseline and the
	// first trusted origin go first, alone: when neither gets an answer the
	// target is down, and the rest of the plan would only cost --timeout
	// per request.
	plan := r.planActual()
	// Room for this plan and the preflights and repeats that follow.
	r.outcomes = make([]outcome, 0, len(plan)+64)
	head := min(2, len(plan))
	r.send(tctx, plan[:head])
	if r.sent == 0 || r.failed < r.sent {
		r.send(tctx, plan[head:])
	}
	r.judgeActual()
	// Phase 2: preflights for trusted and accepted origins, and for one
	// hostile origin (does the preflight grant what the actual refuses?).
	// Phase 3: repeats and an error path.
	if r.sent > r.failed {
		r.send(tctx, r.planPreflights())
		r.send(tctx, r.planConsistency())
	}
	if ctx.Err() != nil {
		// Interrupted: the grants judged above stand (each is one request
		// and its answer); the cross-request judgements need the whole plan.
		r.interrupted = true
	} else {
		r.err = r.status(tctx, time.Since(start))
		if r.err == nil || r.err.Kind == Partial {
			r.judgeRest()
		}
	}
	if e.opts.Corpus != nil {
		e.opts.Corpus.Learn(t.Host(), r.outcomes)
	}
	// Responses are kept only as evidence of findings (already emitted):
	// a long run holds one target's answers at a time, not every target's.
	r.outcomes = nil
	return r
}

// send runs the probes on the shared worker pool, within the budget, and
// appends the outcomes in plan order (so judging is deterministic).
func (r *targetRun) send(ctx context.Context, plan []probe) {
	if r.budget >= 0 {
		if r.budget < len(plan) {
			plan = plan[:r.budget]
		}
		r.budget -= len(plan)
	}
	// The outcomes are written straight into r.outcomes (an outcome is
	// large: one array, no copy), then compacted in plan order.
	base := len(r.outcomes)
	r.outcomes = slices.Grow(r.outcomes, len(plan))[:base+len(plan)]
	res := r.outcomes[base:]
	var wg sync.WaitGroup
	for i, p := range plan {
		if ctx.Err() != nil {
			break
		}
		req, paced := p.request(), false
		// The host's rate-limit token is taken before a worker slot: a
		// slot never sleeps on this host's limiter while other hosts'
		// probes are ready, so per-host --rate, not -c, sets the run time.
		if r.e.client.Rated() {
			if err := r.e.client.Pace(ctx, req.URL); err == nil {
				paced = true
			} else if ctx.Err() != nil {
				break
			}
		}
		if !r.e.acquire(ctx) {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-r.e.sem }()
			ex, err := r.e.client.SendWith(ctx, req, driver.SendOptions{Paced: paced, Keep: &evidenceKeep})
			if err != nil && ctx.Err() != nil {
				return // cancelled: neither an answer nor the target's failure
			}
			if err != nil && ex.Error == "" {
				ex.Error = err.Error()
			}
			trim(&ex)
			r.mu.Lock()
			r.count(ex)
			r.mu.Unlock()
			res[i] = outcome{probe: plan[i], ex: ex} // plan[i], not p: a probe captured would be a heap copy each
			if r.e.opts.Progress != nil {
				r.e.opts.Progress()
			}
		}()
	}
	wg.Wait()
	kept := r.outcomes[:base]
	for _, o := range res { // kept never overtakes the outcome read
		if o.url != "" && r.usable(o) { // "": not sent (cancelled)
			kept = append(kept, o)
		}
	}
	clear(r.outcomes[len(kept):])
	r.outcomes = kept
}

// accept keeps an answered outcome for judging, after those kept before.
func (r *targetRun) accept(o outcome) {
	if r.usable(o) {
		r.outcomes = append(r.outcomes, o)
	}
}

// usable says whether an answered outcome is kept for judging, and notes
// a redirect not followed. A failure was counted when it came back; it
// says nothing about CORS.
func (r *targetRun) usable(o outcome) bool {
	if o.ex.BlockedRedirect != "" {
		r.notes = append(r.notes, fmt.Sprintf("%s %s: redirect to %s not followed (%s)", o.ex.Request.Method, o.url, o.ex.BlockedRedirect, o.ex.BlockedReason))
	}
	return failure(o.ex) == ""
}
