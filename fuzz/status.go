package fuzz

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/corsguard/corsguard/fuzz/driver"
)

// TargetError says why a target was not (fully) fuzzed. A run with any is
// not a clean run: the CLI exits 2 and every report format lists them.
type TargetError struct {
	Target string `json:"target"`
	// Kind is "unreachable" (no usable answer at all: refused, DNS, TLS,
	// every request timing out or rate limited) or "partial" (most requests
	// failed, or the per-target deadline cut the run short).
	Kind    string `json:"kind"`
	Message string `json:"message"`
	// Sent and Failed count the requests that got an answer or a failure
	// (cancelled ones are not counted).
	Sent   int `json:"sent"`
	Failed int `json:"failed"`
}

// Target error kinds.
const (
	Unreachable = "unreachable"
	Partial     = "partial"
)

func (e TargetError) Error() string { return e.Target + ": " + e.Message }

// Why a target's context was cancelled before its plan was done.
var (
	errDeadline = errors.New("per-target deadline")
	errBreaker  = errors.New("too many failures in a row")
)

// breakerRun is how many failed requests in a row make the engine stop
// sending to a target: past that point the target is down or blocking us,
// and every further request only costs --timeout.
const breakerRun = 12

// failure says why an exchange is no usable answer: a network error, or a
// 429/503 that survived the driver's retries (a rate-limited or overloaded
// server says nothing about its CORS policy). "" means a usable answer.
func failure(ex driver.Exchange) string {
	if ex.Response == nil {
		if ex.Error == "" {
			return "no response"
		}
		return ex.Error
	}
	switch ex.Response.Status {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		msg := fmt.Sprintf("answered %d after %d attempt(s)", ex.Response.Status, ex.Attempts)
		if ra := ex.Response.Header.Get("Retry-After"); ra != "" {
			msg += " (Retry-After: " + clip(ra, 64) + ")"
		}
		return msg
	}
	return ""
}

// targetContext derives the target's context: the per-target deadline and
// a cancel that the failure breaker pulls.
func (r *targetRun) targetContext(ctx context.Context) (context.Context, context.CancelCauseFunc) {
	tctx, cancel := context.WithCancelCause(ctx)
	if d := r.e.opts.TargetTimeout; d > 0 {
		dctx, stop := context.WithTimeoutCause(tctx, d, errDeadline)
		return dctx, func(cause error) { cancel(cause); stop() }
	}
	return tctx, cancel
}

// count records one answered or failed request and trips the breaker.
// Called with r.mu held.
func (r *targetRun) count(ex driver.Exchange) {
	r.sent++
	why := failure(ex)
	if why == "" {
		r.run = 0
		return
	}
	r.failed++
	r.run++
	if r.firstErr == "" {
		r.firstErr = why
	}
	r.lastErr = why
	if r.run >= breakerRun && r.cancel != nil {
		r.cancel(errBreaker)
	}
}

// status turns the counts and the way the target ended into a TargetError
// (nil when the target was fuzzed as planned).
func (r *targetRun) status(tctx context.Context, took time.Duration) *TargetError {
	te := &TargetError{Target: r.t.URL, Sent: r.sent, Failed: r.failed}
	cause := context.Cause(tctx)
	cut := tctx.Err() != nil
	answered := r.sent - r.failed
	switch {
	case r.sent == 0 && cut:
		te.Kind = Unreachable
		te.Message = fmt.Sprintf("unreachable: no answer within the per-target deadline of %s", r.e.opts.TargetTimeout)
	case answered == 0:
		te.Kind = Unreachable
		te.Message = fmt.Sprintf("unreachable: %s (%d request(s), none answered)", r.firstErr, r.sent)
	case cut && errors.Is(cause, errDeadline):
		te.Kind = Partial
		te.Message = fmt.Sprintf("partial: gave up at the per-target deadline of %s; %d of %d request(s) failed", r.e.opts.TargetTimeout, r.failed, r.sent)
	case cut && errors.Is(cause, errBreaker):
		te.Kind = Partial
		te.Message = fmt.Sprintf("partial: gave up after %d failures in a row (%s); %d of %d request(s) failed", breakerRun, r.lastErr, r.failed, r.sent)
	case 2*r.failed > r.sent:
		te.Kind = Partial
		te.Message = fmt.Sprintf("partial: %d of %d request(s) failed (%s)", r.failed, r.sent, r.firstErr)
	default:
		return nil
	}
	if cut {
		te.Message += fmt.Sprintf(" after %s", took.Round(time.Millisecond))
	}
	return te
}

// clip shortens s to n bytes for messages (server-controlled values can be
// megabytes long).
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// keptHeader tells which response headers are kept as evidence: the
// judges read CORS headers, Vary and Location; Server and X-Powered-By
// name the middleware for a fix; the rest is dropped on arrival so that
// memory stays flat however large the server's headers are.
func keptHeader(name string) bool {
	if strings.HasPrefix(name, "Access-Control-") {
		return true
	}
	switch name {
	case "Vary", "Location", "Retry-After", "Server", "X-Powered-By", "Content-Type", "Timing-Allow-Origin":
		return true
	}
	return false
}

// Bounds on what one kept response header may hold.
const (
	maxHeaderValues = 8
	maxValueBytes   = 2 << 10
)

// evidenceKeep is what the driver keeps of each response (the rest is
// dropped on arrival, before redaction): the headers judging reads, a few
// values each, each cut short.
var evidenceKeep = driver.Keep{Header: keptHeader, Values: maxHeaderValues, ValueBytes: maxValueBytes}

// trim keeps of an exchange only what judging and evidence need. The
// driver already dropped the response headers evidenceKeep does not keep;
// trim checks that bound (exchanges can come from elsewhere: tests, a
// caller's own driver options) and clips the strings the driver made.
func trim(ex *driver.Exchange) {
	if len(ex.Hops) > 8 {
		ex.Hops = ex.Hops[:8]
	}
	ex.Error = clip(ex.Error, 512)
	ex.BlockedRedirect = clip(ex.BlockedRedirect, 2<<10)
	if ex.Response == nil {
		return
	}
	for name, vs := range ex.Response.Header {
		if !keptHeader(name) || len(vs) > maxHeaderValues {
			ex.Response.Header = evidenceKeep.Apply(ex.Response.Header)
			return
		}
		for _, v := range vs {
			if len(v) > maxValueBytes+len("…") {
				ex.Response.Header = evidenceKeep.Apply(ex.Response.Header)
				return
			}
		}
	}
}
