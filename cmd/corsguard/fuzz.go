package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/corsguard/corsguard/fuzz"
	"github.com/corsguard/corsguard/fuzz/driver"
	"github.com/corsguard/corsguard/lint"
	"github.com/corsguard/corsguard/rules"
	"github.com/corsguard/corsguard/rules/report"
	"github.com/corsguard/corsguard/rules/spec"
)

func init() { subcommands = append(subcommands, newFuzzCmd) }

// netFlags are the connection flags fuzz and probe share.
type netFlags struct {
	rate     float64
	burst    int
	timeout  time.Duration
	retries  int
	resolve  []string
	proxy    string
	headers  []string
	cookies  []string
	insecure bool
}

func (n *netFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.Float64Var(&n.rate, "rate", 10, "requests per second per host (0: no limit)")
	f.IntVar(&n.burst, "burst", 1, "requests allowed at once before --rate applies")
	f.DurationVar(&n.timeout, "timeout", 10*time.Second, "timeout of one request")
	f.IntVar(&n.retries, "retries", 2, "retries on 429/503 and transient network errors (honouring Retry-After)")
	f.StringArrayVar(&n.resolve, "resolve", nil, "host:port:addr[:port]: connect to addr, keep host in the URL (repeatable)")
	f.StringVar(&n.proxy, "proxy", "", "send requests through this proxy (http://, https://, socks5://)")
	f.StringArrayVarP(&n.headers, "header", "H", nil, "'Name: value' sent on credentialed requests, REDACTED in reports (repeatable)")
	f.StringArrayVar(&n.cookies, "cookie", nil, "'name=value' sent on credentialed requests, REDACTED in reports (repeatable)")
	f.BoolVarP(&n.insecure, "insecure", "k", false, "do not verify TLS certificates")
}

// parseHeaders reads 'Name: value' flags. A malformed one is named by its
// position and leading header-name characters only: the rest is likely a
// secret ("Authorization Bearer …" with the colon forgotten).
func parseHeaders(flag string, vals []string) (http.Header, error) {
	h := http.Header{}
	for i, v := range vals {
		name, value, ok := strings.Cut(v, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" || !spec.IsHeaderNameToken(name) {
			// Show the leading word only when something follows it (a
			// name and a value with the colon forgotten): a lone word may
			// be the token itself.
			lead, rest, spaced := strings.Cut(strings.TrimSpace(v), " ")
			if !spaced || strings.TrimSpace(rest) == "" || len(lead) > 40 || !spec.IsHeaderNameToken(lead) {
				return nil, fmt.Errorf("%s #%d: want 'Name: value' (the value is not shown: it may be a secret)", flag, i+1)
			}
			return nil, fmt.Errorf("%s #%d (%q followed by a value not shown): want 'Name: value'", flag, i+1, lead)
		}
		h.Add(name, strings.TrimSpace(value))
	}
	return h, nil
}

func (n *netFlags) config(scope []string, authHeaders http.Header) driver.Config {
	return driver.Config{
		Rate: n.rate, Burst: n.burst, Timeout: n.timeout, Retries: n.retries, Resolve: n.resolve,
		Proxy: n.proxy, Insecure: n.insecure, Header: authHeaders, Cookies: n.cookies, Scope: scope,
		UserAgent: "corsguard/" + version,
		// A server asking for an hour (Retry-After) gets one more --timeout.
		MaxBackoff: n.timeout,
	}
}

// worstRequest is the longest one request can take: every attempt timing
// out, each followed by the longest wait between attempts.
func (n *netFlags) worstRequest() time.Duration {
	t := n.timeout
	if t <= 0 {
		t = driver.DefaultTimeout
	}
	r := time.Duration(max(n.retries, 0))
	return t*(r+1) + t*r
}

// planEstimate is the request count of an unbudgeted target with the
// default options (measured: 150-250), rounded up.
const planEstimate = 400

// targetDeadline is the per-target deadline derived from --timeout,
// --retries, --rate and --budget: three worst-case requests (a first wave
// that stalls, and the retries of the next), plus twice the time the rate
// limit needs for the planned requests. A stalled target is given up after
// it and reported; the run moves on.
func targetDeadline(n netFlags, budget int) time.Duration {
	planned := budget
	if planned <= 0 {
		planned = planEstimate
	}
	d := 3 * n.worstRequest()
	if n.rate > 0 {
		d += time.Duration(2 * float64(planned) / n.rate * float64(time.Second))
	}
	return d
}

type fuzzFlags struct {
	net        netFlags
	targets    string
	paths      []string
	trusted    []string
	expectFrom []string
	format     string
	output     string
	stream     string
	seed       int64
	budget     int
	random     int
	repeats    int
	workers    int
	method     string
	corpus     string
	replay     string
	failOn     string
	showInfo   bool
	noColor    bool
	noProgress bool
	shard      string
	targetTime time.Duration
	// workflows: colour and baseline.
	report reportFlags
}

func newFuzzCmd() *cobra.Command {
	var fl fuzzFlags
	cmd := &cobra.Command{
		Use:   "fuzz [URL...]",
		Short: "Probe live endpoints with hostile origins and preflights",
		Long: `fuzz sends every origin class of ATTACKS.md (derived from each target, each trusted
origin and each pattern of the expected policy), preflights with method, header, credentials
and Private Network Access combinations, and seeded random mutations, then judges every answer
the way browsers do. Findings carry the same rule IDs as lint, the exploit origin, the exact
request and response headers, and a curl line.

Only the hosts named on the command line (or in --targets) are ever contacted.`,
		Example: `  corsguard fuzz https://api.example.com/v1/ --trusted-origin https://app.example.com
  corsguard fuzz --targets urls.txt --config .corsguard.hcl --format sarif -o fuzz.sarif
  corsguard fuzz --expect-from nginx.conf https://staging.example.com/
  corsguard fuzz --replay finding.json https://api.example.com/v1/`,
		RunE: func(cmd *cobra.Command, args []string) error { return runFuzz(cmd, args, fl) },
	}
	fl.net.register(cmd)
	f := cmd.Flags()
	f.StringVar(&fl.targets, "targets", "", "file with one target URL per line (# comments)")
	f.StringArrayVar(&fl.paths, "path", nil, "also fuzz this path on every target host (repeatable)")
	f.StringArrayVar(&fl.trusted, "trusted-origin", nil, "an origin you trust (repeatable; default: each target's own origin)")
	f.String("config", "", "policy file (default: "+rules.PolicyFileName+" found from the working directory upward)")
	f.StringArrayVar(&fl.expectFrom, "expect-from", nil, "nginx/Apache/HCL config the targets should behave like (linted on the spot; repeatable)")
	f.StringVarP(&fl.format, "format", "f", "text", "final report: "+strings.Join(fuzzFormats, ", ")+" (jsonl: the stream only)")
	f.StringVarP(&fl.output, "output", "o", "", "write the final report here (default stdout)")
	f.StringVar(&fl.stream, "stream", "", "also stream results as JSONL to this file as they are found ('-': stdout)")
	f.Int64Var(&fl.seed, "seed", 0, "seed for random mutations (0: pick one and print it)")
	f.IntVar(&fl.budget, "budget", 0, "maximum requests per target (0: no limit)")
	f.IntVar(&fl.random, "random", 64, "random origin mutations per target")
	f.IntVar(&fl.repeats, "repeats", 2, "repeats of a granted request to detect inconsistent answers")
	f.IntVarP(&fl.workers, "concurrency", "c", 16, "requests in flight across all targets")
	f.StringVarP(&fl.method, "method", "X", "GET", "method of the actual requests")
	f.StringVar(&fl.corpus, "corpus", "", "directory of origins that produced new behaviour: read first, updated after the run")
	f.StringVar(&fl.replay, "replay", "", "re-send the requests of saved findings (a Result JSON or JSONL file) to the targets named on the command line, and say whether they reproduce")
	f.StringVar(&fl.failOn, "fail-on", "low", "lowest severity that makes the exit status 1")
	f.BoolVar(&fl.showInfo, "show-info", false, "include info-level findings in the report")
	f.BoolVar(&fl.noColor, "no-color", false, "no colour in text output")
	f.BoolVar(&fl.noProgress, "no-progress", false, "no progress bar (it only shows on a terminal anyway)")
	f.DurationVar(&fl.targetTime, "target-timeout", 0, "give up a target after this long and report it (0: derived from --timeout, --retries, --rate and --budget)")
	f.StringVar(&fl.shard, "shard", "", "K/N: fuzz only the K-th of N deterministic shards of the targets (1-based)")
	fl.report.register(cmd)
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(fuzzFormats, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func usageErr(format string, args ...any) error {
	return &exitCodeError{code: exitError, err: fmt.Errorf(format, args...)}
}

func runFuzz(cmd *cobra.Command, args []string, fl fuzzFlags) error {
	failOn, err := checkFuzzFlags(cmd, &fl)
	if err != nil {
		return err
	}
	auth, err := parseHeaders("--header", fl.net.headers)
	if err != nil {
		return usageErr("%w", err)
	}
	ctx, signalled, stop := interruptContext()
	defer stop()
	if fl.replay != "" {
		return runReplay(ctx, cmd, args, fl, auth)
	}
	for _, o := range fl.trusted {
		if !spec.IsSerialisedOrigin(o) || o == "null" {
			return usageErr("--trusted-origin %q is not an origin (want scheme://host[:port], lower case, no path)", o)
		}
	}
	baseline, err := fl.report.loadBaseline()
	if err != nil {
		return err
	}

	urls := append([]string(nil), args...)
	if fl.targets != "" {
		fh, err := os.Open(fl.targets)
		if err != nil {
			return usageErr("--targets: %w", err)
		}
		more, err := fuzz.ReadTargets(fh, fl.targets)
		_ = fh.Close()
		if err != nil {
			return usageErr("%w", err)
		}
		urls = append(urls, more...)
	}
	pf, err := loadPolicyFile(cmd)
	if err != nil {
		return err
	}
	// Policy file targets are fuzzed too when no URL is given.
	if len(urls) == 0 && pf != nil {
		for _, t := range pf.Targets {
			urls = append(urls, t.URL)
		}
	}
	if len(urls) == 0 {
		return usageErr("no targets: give URLs, --targets, or target blocks in the policy file")
	}
	urls, err = fuzz.ExpandPaths(urls, fl.paths)
	if err != nil {
		return usageErr("%w", err)
	}
	if urls, err = shard(urls, fl.shard); err != nil {
		return usageErr("%w", err)
	}

	opts := fuzz.Options{Trusted: fl.trusted, Budget: fl.budget, Random: fl.random, Repeats: fl.repeats,
		Workers: fl.workers, Method: fl.method, Seed: fl.seed, TargetTimeout: fl.targetTime}
	if opts.TargetTimeout <= 0 {
		opts.TargetTimeout = targetDeadline(fl.net, fl.budget)
	}
	if fl.random == 0 {
		opts.Random = -1
	}
	if pf != nil {
		opts.Trusted = append(opts.Trusted, pf.Trusted()...)
		opts.TrustedPatterns = pf.TrustedPatterns()
	}
	if opts.Seed == 0 {
		opts.Seed = randomSeed()
		fmt.Fprintf(cmd.ErrOrStderr(), "corsguard: seed %d (reproduce with --seed %d)\n", opts.Seed, opts.Seed)
	}

	var expected []rules.Policy
	source := ""
	if len(fl.expectFrom) > 0 {
		res, err := lint.LintPaths(fl.expectFrom, lint.Options{})
		if err != nil {
			return usageErr("--expect-from: %w", err)
		}
		for _, d := range res.Errors {
			fmt.Fprintln(cmd.ErrOrStderr(), "corsguard: --expect-from:", report.EscapeLine(d.Error()))
		}
		expected = res.Policies
		source = strings.Join(fl.expectFrom, ", ")
	}
	targets := make([]fuzz.Target, 0, len(urls))
	for _, u := range urls {
		t := fuzz.Target{URL: u}
		if expected != nil {
			t.Expect, t.ExpectSource = fuzz.SelectExpected(expected, u), source
		}
		if pf != nil {
			for _, tp := range pf.Targets {
				if sameURL(tp.URL, u) {
					t.Expect = append(t.Expect, tp.Expected(pf.Path))
					t.Trusted = append(t.Trusted, tp.Origins...)
					if t.ExpectSource == "" {
						t.ExpectSource = pf.Path
					}
				}
			}
		}
		targets = append(targets, t)
	}

	client, err := driver.New(fl.net.config(fuzz.Origins(targets), auth))
	if err != nil {
		return usageErr("%w", err)
	}
	if fl.corpus != "" {
		c, err := fuzz.OpenCorpus(fl.corpus)
		if err != nil {
			return usageErr("--corpus: %w", err)
		}
		opts.Corpus = c
	}

	// The stream: JSONL as results are found.
	// Only when asked for, or when it is the report: a SARIF file written
	// with -o must not come with JSONL on stdout.
	var stream *fuzz.JSONL
	streamTo := fl.stream
	if streamTo == "" && fl.format == "jsonl" {
		streamTo = "-"
	}
	if fl.format == "jsonl" && fl.output != "" {
		streamTo = fl.output
	}
	if streamTo != "" {
		w := cmd.OutOrStdout()
		if streamTo != "-" {
			fh, err := os.Create(streamTo)
			if err != nil {
				return usageErr("%w", err)
			}
			defer func() { _ = fh.Close() }()
			w = fh
		}
		stream = fuzz.NewJSONL(w)
	}
	filter := newResultFilter(pf, fl.showInfo)

	prog := startProgress(fl.noProgress, len(targets), &opts)
	engine := fuzz.New(client, opts)
	var streamErr error
	sum, err := engine.Run(ctx, targets, func(r fuzz.Result) {
		prog.finding()
		if r, keep := filter(r); keep && stream != nil {
			if err := stream.Write(r); err != nil && streamErr == nil {
				streamErr = err
			}
		}
	})
	prog.stop()
	if err != nil {
		return &exitCodeError{code: exitError, err: err}
	}
	if streamErr != nil {
		return &exitCodeError{code: exitError, err: streamErr}
	}
	// What was learnt is kept even when the run was interrupted.
	if opts.Corpus != nil {
		if err := opts.Corpus.Save(); err != nil {
			fmt.Fprintln(cmd.ErrOrStderr(), "corsguard: --corpus:", report.EscapeLine(err.Error()))
		}
	}
	for _, n := range sum.Notes {
		fmt.Fprintln(cmd.ErrOrStderr(), "corsguard: note:", report.EscapeLine(n))
	}
	var results []fuzz.Result
	for _, r := range sum.Results {
		if r, keep := filter(r); keep {
			results = append(results, r)
		}
	}
	results, outcome := applyFuzzBaseline(baseline, results)
	if fl.format != "jsonl" {
		if err := writeFuzzReport(cmd, fl, urls, sum, results, failOn, outcome); err != nil {
			return err
		}
	}
	if fl.format != "text" || fl.output != "" {
		// The report is in a file or for machines: say it where people look.
		for _, e := range sum.Errors {
			fmt.Fprintln(cmd.ErrOrStderr(), "corsguard:", e.Error())
		}
	}
	if code := signalled(); code != 0 {
		fmt.Fprintf(cmd.ErrOrStderr(), "corsguard: interrupted: %d of %d target(s) done, %d finding(s) kept\n", sum.Done, sum.Targets, len(results))
		return &exitCodeError{code: code}
	}
	if sum.Interrupted {
		return &exitCodeError{code: exitError, err: fmt.Errorf("interrupted: %d of %d target(s) done", sum.Done, sum.Targets)}
	}
	if len(sum.Errors) > 0 {
		return &exitCodeError{code: exitError, err: fmt.Errorf("%d of %d target(s) could not be fuzzed fully (see the report)", len(sum.Errors), sum.Targets)}
	}
	for _, r := range results {
		if r.Severity >= failOn {
			return &exitCodeError{code: exitFindings}
		}
	}
	return nil
}

func writeFuzzReport(cmd *cobra.Command, fl fuzzFlags, urls []string, sum *fuzz.Summary, results []fuzz.Result, failOn rules.Severity, base *fuzzBaseline) error {
	switch fl.format {
	case "junit":
		w := cmd.OutOrStdout()
		if fl.output != "" {
			fh, err := os.Create(fl.output)
			if err != nil {
				return usageErr("%w", err)
			}
			defer func() { _ = fh.Close() }()
			w = fh
		}
		if err := fuzz.WriteJUnit(w, urls, sum, results, failOn); err != nil {
			return &exitCodeError{code: exitError, err: err}
		}
		return nil
	}
	findings := make([]rules.Finding, len(results))
	for i, r := range results {
		findings[i] = r.Finding
		// The text and SARIF reports have no field for exchanges: the
		// message carries the curl line that replays the evidence (secrets
		// redacted), the JSONL stream the full exchanges.
		if len(r.Exchanges) > 0 && r.Exchanges[0].Curl != "" && fl.format != "json" {
			findings[i].Message += "; reproduce: " + r.Exchanges[0].Curl
		}
	}
	in := report.Input{Tool: "fuzz", Version: version, Findings: findings, Files: sum.Targets, Interrupted: sum.Interrupted,
		AutomationID: report.DefaultAutomationID("fuzz", fl.shard)}
	for _, e := range sum.Errors {
		in.Errors = append(in.Errors, rules.Diagnostic{Range: rules.Range{File: e.Target}, Message: e.Message})
	}
	base.annotate(&in)
	color, err := fl.report.useColor(fl.noColor, fl.output)
	if err != nil {
		return err
	}
	if err := writeReport(cmd, in, reportTarget{format: fl.format, output: fl.output, color: color, files: urls, failOn: failOn}); err != nil {
		return err
	}
	if fl.format == "text" {
		w := cmd.ErrOrStderr()
		fmt.Fprintf(w, "corsguard: %d targets, %d requests in %s (seed %d)\n", sum.Targets, sum.Requests, sum.Duration.Round(time.Millisecond), sum.Seed)
		if sum.Interrupted {
			fmt.Fprintf(w, "corsguard: interrupted after %d of %d target(s): the report holds what was found until then\n", sum.Done, sum.Targets)
		}
		for _, r := range results {
			if r.Diff != "" {
				fmt.Fprintf(cmd.OutOrStdout(), "\n%s %s\n%s", r.RuleID, report.EscapeLine(r.Target), report.EscapeText(r.Diff))
			}
		}
	}
	return nil
}

// newResultFilter applies --show-info and the policy file's rule settings
// and target suppressions to fuzz results.
func newResultFilter(pf *rules.PolicyFile, showInfo bool) func(fuzz.Result) (fuzz.Result, bool) {
	now := time.Now()
	return func(r fuzz.Result) (fuzz.Result, bool) {
		if pf != nil {
			for _, s := range pf.Rules {
				if s.ID != r.RuleID {
					continue
				}
				if !s.IsEnabled() {
					return r, false
				}
				if sev, ok := s.SeverityOverride(); ok {
					r.Severity = sev
				}
			}
			for _, s := range pf.Suppressions {
				if s.Rule == r.RuleID && s.Target != "" && sameURL(s.Target, r.Target) && !s.Expired(now) {
					return r, false
				}
			}
		}
		return r, showInfo || r.Severity > rules.Info
	}
}

func sameURL(a, b string) bool {
	ua, err1 := fuzz.ParseTargetURL(a)
	ub, err2 := fuzz.ParseTargetURL(b)
	return err1 == nil && err2 == nil && ua.String() == ub.String()
}

// shard keeps the K-th of N shards: target i goes to shard i mod N, after
// the order given, so that every CI job gets a stable share.
func shard(urls []string, spec string) ([]string, error) {
	if spec == "" {
		return urls, nil
	}
	ks, ns, ok := strings.Cut(spec, "/")
	k, err1 := strconv.Atoi(ks)
	n, err2 := strconv.Atoi(ns)
	if !ok || err1 != nil || err2 != nil || n < 1 || k < 1 || k > n {
		return nil, fmt.Errorf("--shard %q: want K/N with 1 <= K <= N", spec)
	}
	var out []string
	for i, u := range urls {
		if i%n == k-1 {
			out = append(out, u)
		}
	}
	return out, nil
}

func randomSeed() int64 {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return time.Now().UnixNano()
	}
	s := int64(binary.LittleEndian.Uint64(b[:]) >> 1)
	if s == 0 {
		s = 1
	}
	return s
}

func runReplay(ctx context.Context, cmd *cobra.Command, args []string, fl fuzzFlags, auth http.Header) error {
	if err := checkReplayFile(fl.replay); err != nil {
		return err
	}
	fh, err := os.Open(fl.replay)
	if err != nil {
		return usageErr("--replay: %w", err)
	}
	rs, err := fuzz.ReadResults(fh, fl.replay)
	_ = fh.Close()
	if err != nil {
		return usageErr("--replay: %w", err)
	}
	// The scope is what the user names, never what the file says: an
	// edited file must not send the -H and --cookie secrets elsewhere.
	scope, err := replayScope(args, fl.targets)
	if err != nil {
		return err
	}
	if len(scope) == 0 {
		return usageErr("--replay: name the target(s) to replay against after the file, e.g. corsguard fuzz --replay %s https://api.example.com/ "+
			"(the file's requests go to %s: name them only if they are yours; the file alone never decides where your credentials go)",
			fl.replay, strings.Join(fuzz.ReplayOrigins(rs), ", "))
	}
	client, err := driver.New(fl.net.config(scope, auth))
	if err != nil {
		return usageErr("%w", err)
	}
	if err := fuzz.CheckReplayScope(client, rs); err != nil {
		return usageErr("--replay %s: %w", fl.replay, err)
	}
	reproduced := false
	for _, r := range rs {
		rep, err := fuzz.Replay(ctx, client, r)
		if err != nil {
			return &exitCodeError{code: exitError, err: err}
		}
		reproduced = reproduced || rep.Reproduced
		if fl.format == "json" || fl.format == "jsonl" {
			if err := fuzz.NewJSONL(cmd.OutOrStdout()).Write(fuzz.Result{Finding: r.Finding, Target: r.Target, Seed: r.Seed, Exchanges: nowOf(rep)}); err != nil {
				return &exitCodeError{code: exitError, err: err}
			}
			continue
		}
		fmt.Fprintln(cmd.OutOrStdout(), report.EscapeText(rep.Text()))
	}
	if reproduced {
		return &exitCodeError{code: exitFindings}
	}
	return nil
}

// replayScope reads the targets named on the command line of a replay.
func replayScope(args []string, targets string) ([]string, error) {
	urls := append([]string(nil), args...)
	if targets != "" {
		fh, err := os.Open(targets)
		if err != nil {
			return nil, usageErr("--targets: %w", err)
		}
		more, err := fuzz.ReadTargets(fh, targets)
		_ = fh.Close()
		if err != nil {
			return nil, usageErr("%w", err)
		}
		urls = append(urls, more...)
	}
	for _, u := range urls {
		if _, err := fuzz.ParseTargetURL(u); err != nil {
			return nil, usageErr("%w", err)
		}
	}
	return urls, nil
}

func nowOf(rep *fuzz.ReplayResult) []driver.Exchange {
	out := make([]driver.Exchange, len(rep.Exchanges))
	for i, x := range rep.Exchanges {
		out[i] = x.Now
	}
	return out
}
