package driver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Redacted replaces every secret value in recorded evidence.
const Redacted = "REDACTED"

// Defaults used when a Config field is zero.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultBodyCap      = 4 << 10
	DefaultMaxBackoff   = 30 * time.Second
	DefaultMaxRedirects = 5
	// DefaultConns is above any worker count a run uses by default: idle
	// connections exist only as many as were busy at once, and a pool
	// smaller than the concurrency would close and redial connections
	// on every burst.
	DefaultConns = 256
	// DefaultHeaderCap bounds the response header block: CORS needs a few
	// hundred bytes, and without a cap a server can make every response
	// cost megabytes (net/http's own default is 10 MB per response). 256
	// KiB is far above any real header block (servers cap theirs at 8–64
	// KiB) and keeps a run of 64 connections under 16 MB of headers.
	DefaultHeaderCap = 256 << 10
)

// Config says how to talk to the targets. The zero value of every field
// except Scope is usable.
type Config struct {
	// Rate is the request budget per host per second; 0 turns the limit off.
	Rate float64
	// Burst is how many requests may go at once before Rate applies (default 1).
	Burst int
	// Timeout bounds one attempt's exchange: writing the request and
	// reading its answer, headers and body. Over plain HTTP the
	// connection carries that deadline (conn.go) and a new connection's
	// dial has a Timeout of its own, so an attempt that must connect
	// first takes at most twice Timeout; over HTTPS one deadline covers
	// connecting, the handshake and the exchange.
	Timeout time.Duration
	// Retries is how many times a 429/503 answer or a transient network
	// error is retried (with exponential backoff, or the server's Retry-After).
	Retries int
	// MaxBackoff caps one wait between attempts, Retry-After included, so a
	// server cannot park the fuzzer for an hour.
	MaxBackoff time.Duration
	// BodyCap is how many body bytes are read before the connection is
	// dropped: CORS lives in headers, bodies are only drained for keep-alive.
	BodyCap int64
	// HeaderCap bounds the bytes of one response's header block; a
	// response over it is an error for that request (default 256 KiB).
	HeaderCap int64
	// MaxRedirects bounds same-origin redirects followed on actual
	// requests. A redirect to another origin (host, port or scheme) is
	// never followed: it is recorded in the Exchange.
	MaxRedirects int
	// Resolve entries are "host:port:addr" or "host:port:addr:port2": connect
	// to addr (and port2) while keeping host in the URL, Host header and SNI.
	// A pinned host is never looked up in DNS, on any port: a scope origin
	// on a port that is not pinned is refused by New.
	Resolve []string
	// Proxy is an explicit proxy URL (http, https or socks5). The
	// environment's proxy settings are ignored: only what the user names is
	// used. A proxy resolves names itself, so it cannot be combined with
	// Resolve.
	Proxy string
	// Insecure skips TLS certificate verification (staging certificates).
	Insecure bool
	// Header holds the user's authentication headers, sent on credentialed
	// requests only and redacted in every record.
	Header http.Header
	// Cookies are "name=value" pairs sent on credentialed requests, redacted.
	Cookies []string
	// Secret names further request headers whose values must be redacted.
	Secret []string
	// SecretValues are further values to scrub wherever they appear (the
	// values of Secret headers, for instance). Header, Cookies and the
	// proxy's user information are scrubbed by value without being listed.
	SecretValues []string
	// Scope lists the origins requests may go to, as URLs or serialised
	// origins ("https://api.example.com:8443"): scheme, host and port
	// together. A request to any other origin is refused before it is
	// sent, and the dialer connects only to addresses of these origins.
	Scope []string
	// Conns bounds idle keep-alive connections kept per host.
	Conns int
	// UserAgent is sent on every request.
	UserAgent string
	// Transport replaces the built transport (tests); Resolve, Proxy and
	// Insecure are then ignored.
	Transport http.RoundTripper
}

// Request is one request to send.
type Request struct {
	Method string `json:"method"`
	URL    string `json:"url"`
	// Header is sent as is. An "Origin" key with an empty value sends an
	// empty Origin header; no key sends none.
	Header http.Header `json:"header,omitempty"`
	// Credentials attaches the user's authentication headers and cookies,
	// as a browser does for credentials mode "include". Preflights never do.
	Credentials bool `json:"credentials,omitempty"`
}

// Sent is the request as recorded: secrets redacted.
type Sent struct {
	Method      string      `json:"method"`
	URL         string      `json:"url"`
	Header      http.Header `json:"header,omitempty"`
	Credentials bool        `json:"credentials,omitempty"`
}

// Received is the response as recorded: status and headers, secrets
// (Set-Cookie values) redacted, the body only counted.
type Received struct {
	Status    int         `json:"status"`
	Proto     string      `json:"proto,omitempty"`
	Header    http.Header `json:"header"`
	BodyBytes int64       `json:"bodyBytes"`
	Truncated bool        `json:"truncated,omitempty"`
}

// Exchange is one request and what came back. Network failures are
// observations, not errors: they land in Error.
type Exchange struct {
	Request  Sent      `json:"request"`
	Response *Received `json:"response,omitempty"`
	// Hops lists same-host redirects followed, in order.
	Hops []string `json:"hops,omitempty"`
	// BlockedRedirect is a Location that was not followed (another
	// origin, user information, too many hops); BlockedReason says why.
	BlockedRedirect string        `json:"blockedRedirect,omitempty"`
	BlockedReason   string        `json:"blockedReason,omitempty"`
	Attempts        int           `json:"attempts"`
	Elapsed         time.Duration `json:"elapsed"`
	Error           string        `json:"error,omitempty"`
	// Curl reproduces the request (secrets as REDACTED placeholders); the
	// caller fills it for exchanges that become evidence (Client.Curl).
	Curl string `json:"curl,omitempty"`
}

// Client sends requests under one Config. It is safe for concurrent use.
type Client struct {
	cfg Config
	rt  http.RoundTripper
	// connDeadlines: the transport is the driver's own, whose connections
	// bound each exchange themselves (deadlineConn), so plain-HTTP
	// requests need no per-request context and timer.
	connDeadlines bool
	scope         map[Origin]bool
	dialable      map[string]bool   // normalised "host:port" the dialer may connect to
	resolve       map[string]string // normalised "host:port" → "addr:port"
	pinned        map[string]bool   // hosts named in any Resolve entry
	secret        map[string]bool   // canonical header names to redact
	redact        *Redactor         // secret values to scrub
	limiters      sync.Map          // host → *rate.Limiter
	sent          atomic.Int64
	sleep         func(context.Context, time.Duration) error
	// Header values sent as they are on every request (the transport
	// only reads them).
	userAgent, cookie []string
}

// New builds a Client. It fails on malformed Resolve entries, proxy URLs
// or an empty scope.
func New(cfg Config) (*Client, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.BodyCap <= 0 {
		cfg.BodyCap = DefaultBodyCap
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = DefaultMaxBackoff
	}
	if cfg.MaxRedirects < 0 {
		cfg.MaxRedirects = 0
	} else if cfg.MaxRedirects == 0 {
		cfg.MaxRedirects = DefaultMaxRedirects
	}
	if cfg.Conns <= 0 {
		cfg.Conns = DefaultConns
	}
	if cfg.Burst <= 0 {
		cfg.Burst = 1
	}
	if cfg.HeaderCap <= 0 {
		cfg.HeaderCap = DefaultHeaderCap
	}
	scope, err := ParseScope(cfg.Scope)
	if err != nil {
		return nil, err
	}
	c := &Client{
		cfg:      cfg,
		scope:    scope,
		dialable: map[string]bool{},
		resolve:  map[string]string{},
		pinned:   map[string]bool{},
		secret:   map[string]bool{"Cookie": true, "Authorization": true, "Proxy-Authorization": true},
		redact:   NewRedactor(secretValues(cfg)...),
		sleep:    sleepCtx,
	}
	if cfg.UserAgent != "" {
		c.userAgent = []string{cfg.UserAgent}
	}
	if len(cfg.Cookies) > 0 {
		c.cookie = []string{strings.Join(cfg.Cookies, "; ")}
	}
	for name := range cfg.Header {
		c.secret[http.CanonicalHeaderKey(name)] = true
	}
	for _, name := range cfg.Secret {
		c.secret[http.CanonicalHeaderKey(name)] = true
	}
	for _, r := range cfg.Resolve {
		from, to, err := ParseResolve(r)
		if err != nil {
			return nil, err
		}
		c.resolve[from] = to
		host, _, _ := net.SplitHostPort(from)
		c.pinned[host] = true
	}
	if len(c.resolve) > 0 && cfg.Proxy != "" {
		return nil, errors.New("--resolve and --proxy together: the proxy resolves names itself, so the pins would not hold")
	}
	for o := range scope {
		key := o.HostPort()
		if c.pinned[o.Host] && c.resolve[key] == "" {
			return nil, fmt.Errorf("--resolve pins %s, but not port %s of %s: add --resolve %s:%s:ADDR (a pinned name is never looked up in DNS)",
				o.Host, o.Port, o, o.Host, o.Port)
		}
		c.dialable[key] = true
	}
	rt := cfg.Transport
	if rt == nil {
		t, err := c.transport()
		if err != nil {
			return nil, err
		}
		rt = t
		c.connDeadlines = cfg.Proxy == ""
	}
	// The transport is used directly, not through http.Client: redirects
	// are walked by Send itself (every hop passes the scope check and the
	// rate limit), and a 3xx with a Location net/url cannot parse is still
	// an answer to record, where http.Client would turn it into an error.
	c.rt = rt
	return c, nil
}

// Sent returns how many HTTP requests went out (retries and hops included).
func (c *Client) Sent() int64 { return c.sent.Load() }

// InScope reports whether a URL's origin (scheme, host and port) is one
// the user named.
func (c *Client) InScope(rawURL string) error {
	o, err := ParseOrigin(rawURL)
	if err != nil {
		return c.redact.err(err)
	}
	if !c.scope[o] {
		return fmt.Errorf("%w: %s", ErrOutOfScope, c.redact.String(o.String()))
	}
	return nil
}

// Redact scrubs the client's secret values from s: for strings built
// outside the driver (messages, notes) that quote what a server sent.
func (c *Client) Redact(s string) string { return c.redact.String(s) }

// Send performs one request: scope check, rate limit, retries, same-host
// redirects, and returns the recorded exchange. The error is non-nil only
// when nothing could be attempted (bad URL, out of scope, cancelled).
func (c *Client) Send(ctx context.Context, r Request) (Exchange, error) {
	return c.SendWith(ctx, r, SendOptions{})
}

// SendPaced is Send for a request whose rate-limit token the caller took
// with Pace: its first attempt does not wait again. Retries and redirect
// hops still wait.
func (c *Client) SendPaced(ctx context.Context, r Request) (Exchange, error) {
	return c.SendWith(ctx, r, SendOptions{Paced: true})
}

// SendOptions says how Send treats one request.
type SendOptions struct {
	// Paced: the caller took the first attempt's rate-limit token (Pace).
	Paced bool
	// Keep, when set, is what of the response's headers is recorded; the
	// rest is dropped on arrival, before redaction, so that neither
	// scrubbing nor memory is spent on headers nobody reads.
	Keep *Keep
}

// SendWith is Send with options. Whatever they are, every string of the
// returned exchange and error is redacted.
func (c *Client) SendWith(ctx context.Context, r Request, o SendOptions) (Exchange, error) {
	ex, err := c.send(ctx, r, o)
	c.redact.Exchange(&ex)
	return ex, c.redact.err(err)
}

func (c *Client) send(ctx context.Context, r Request, o SendOptions) (Exchange, error) {
	start := time.Now()
	ex := Exchange{Request: c.record(r)}
	if err := c.InScope(r.URL); err != nil {
		return ex, err
	}
	cur := r
	for hop := 0; ; hop++ {
		resp, attempts, err := c.attempt(ctx, cur, o.Paced && hop == 0, o.Keep)
		ex.Attempts += attempts
		if err != nil {
			if ctx.Err() != nil {
				return ex, ctx.Err()
			}
			ex.Error = err.Error()
			break
		}
		ex.Response = resp
		loc := resp.Header.Get("Location")
		if resp.Status < 300 || resp.Status > 399 || loc == "" || cur.Method == http.MethodOptions {
			break
		}
		next, why := redirectTarget(cur.URL, loc)
		if why == "" && c.InScope(next) != nil {
			why = "not in scope"
		}
		if why == "" && hop >= c.cfg.MaxRedirects {
			why = fmt.Sprintf("more than %d redirects", c.cfg.MaxRedirects)
		}
		if why != "" {
			ex.BlockedRedirect, ex.BlockedReason = next, why
			break
		}
		ex.Hops = append(ex.Hops, next)
		cur.URL = next
		if resp.Status != http.StatusTemporaryRedirect && resp.Status != http.StatusPermanentRedirect &&
			cur.Method != http.MethodGet && cur.Method != http.MethodHead {
			cur.Method = http.MethodGet
		}
	}
	ex.Elapsed = time.Since(start)
	return ex, nil
}

// attempt sends one request, retrying 429/503 and transient network errors.
func (c *Client) attempt(ctx context.Context, r Request, paced bool, keep *Keep) (*Received, int, error) {
	var lastErr error
	for i := 0; ; i++ {
		if i > 0 || !paced {
			if err := c.wait(ctx, r.URL); err != nil {
				return nil, i, err
			}
		}
		resp, retryAfter, err := c.once(ctx, r, keep)
		retryable := err != nil && isTransient(err) ||
			err == nil && (resp.Status == http.StatusTooManyRequests || resp.Status == http.StatusServiceUnavailable)
		if !retryable || i >= c.cfg.Retries {
			return resp, i + 1, err
		}
		lastErr = err
		d := backoff(i)
		if retryAfter > 0 {
			d = retryAfter
		}
		if d > c.cfg.MaxBackoff {
			d = c.cfg.MaxBackoff
		}
		if err := c.sleep(ctx, d); err != nil {
			if lastErr == nil {
				lastErr = err
			}
			return resp, i + 1, lastErr
		}
	}
}

// backoff is deterministic (no jitter) so that runs are reproducible.
func backoff(i int) time.Duration { return 250 * time.Millisecond << min(i, 6) }

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func isTransient(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		strings.Contains(err.Error(), "connection reset")
}

// Pace waits for rawURL's host's rate-limit token, for a request sent next
// with SendPaced. A caller that bounds requests in flight (the fuzz engine's
// workers) paces before taking a slot, so that no slot sleeps on one host's
// limiter while another host's requests are ready.
func (c *Client) Pace(ctx context.Context, rawURL string) error { return c.wait(ctx, rawURL) }

// Rated says whether requests are rate limited per host.
func (c *Client) Rated() bool { return c.cfg.Rate > 0 }

func (c *Client) wait(ctx context.Context, rawURL string) error {
	if c.cfg.Rate <= 0 {
		return ctx.Err()
	}
	o, err := ParseOrigin(rawURL)
	if err != nil {
		return err
	}
	host := o.Host
	l, ok := c.limiters.Load(host)
	if !ok {
		l, _ = c.limiters.LoadOrStore(host, rate.NewLimiter(rate.Limit(c.cfg.Rate), c.cfg.Burst))
	}
	return l.(*rate.Limiter).Wait(ctx)
}

// ParseRetryAfter reads a Retry-After value: delta seconds or an HTTP date.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

func (c *Client) once(ctx context.Context, r Request, keep *Keep) (*Received, time.Duration, error) {
	// One deadline for the attempt. The driver's own connections carry it
	// for plain HTTP (HTTP/1.1: one exchange at a time per connection, see
	// deadlineConn); HTTPS may be HTTP/2, whose streams share a
	// connection, and a proxy's connection is not the target's: those get
	// a context deadline per attempt.
	if !c.connDeadlines || !isPlainHTTP(r.URL) {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.Timeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, nil)
	if err != nil {
		return nil, 0, err
	}
	for k, vs := range r.Header {
		req.Header[http.CanonicalHeaderKey(k)] = vs
	}
	if c.cfg.UserAgent != "" && req.Header.Get("User-Agent") == "" {
		req.Header["User-Agent"] = c.userAgent
	}
	if r.Credentials {
		for k, vs := range c.cfg.Header {
			req.Header[http.CanonicalHeaderKey(k)] = vs
		}
		if len(c.cfg.Cookies) > 0 {
			req.Header["Cookie"] = c.cookie
		}
	}
	c.sent.Add(1)
	resp, err := c.rt.RoundTrip(req)
	if err != nil {
		return nil, 0, fmt.Errorf("%s %s: %w", r.Method, r.URL, err)
	}
	// CORS lives in the headers: read at most BodyCap bytes (enough to keep
	// small keep-alive responses reusable), then let go.
	n, readErr := drain(resp.Body, c.cfg.BodyCap+1)
	_ = resp.Body.Close()
	rec := &Received{Status: resp.StatusCode, Proto: resp.Proto, Header: keep.Apply(resp.Header), BodyBytes: n}
	if n > c.cfg.BodyCap {
		rec.BodyBytes, rec.Truncated = c.cfg.BodyCap, true
	} else if readErr != nil {
		rec.Truncated = true
	}
	if sc := rec.Header["Set-Cookie"]; len(sc) > 0 {
		red := make([]string, len(sc))
		for i, v := range sc {
			name, _, _ := strings.Cut(v, "=")
			red[i] = name + "=" + Redacted
		}
		rec.Header["Set-Cookie"] = red
	}
	var ra time.Duration
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		ra = ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	}
	return rec, ra, nil
}
