package spec

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Response is an HTTP response as far as CORS cares.
type Response struct {
	Status int
	Header http.Header
}

// Decision is a profile's verdict on a whole request: the preflight (when one
// was needed) and the CORS check on the actual response.
type Decision struct {
	Profile         Profile
	Allowed         bool          // the page may read the actual response
	PreflightNeeded bool          // this profile sends a preflight for the request
	Preflight       *Verdict      // nil when no preflight was needed
	Actual          Verdict       // the CORS check on the actual response (or why it was never sent)
	MaxAge          time.Duration // how long the preflight result is cached (0 without a preflight)
	Exposed         []string      // response header names the page may read (lower-case), when allowed
}

// Reason is the first failing step's detail, or "" when allowed.
func (d Decision) Reason() string {
	if d.Allowed {
		return ""
	}
	if d.Preflight != nil && !d.Preflight.OK {
		return d.Preflight.Reason()
	}
	return d.Actual.Reason()
}

// DefaultMaxAge is how long a preflight result is cached when
// Access-Control-Max-Age is absent or invalid.
const DefaultMaxAge = 5 * time.Second

// maxDeltaSeconds is RFC 9111's ceiling for an overflowing delta-seconds.
const maxDeltaSeconds = 1 << 31

// MaxAge is how long profile p caches a preflight result given the preflight
// response's headers: Access-Control-Max-Age as delta-seconds (digits only,
// one value), DefaultMaxAge when absent or invalid, values beyond 2^31 read as
// 2^31 (RFC 9111), then capped by MaxAgeCap(p). 0 means "do not cache".
func MaxAge(p Profile, h http.Header) time.Duration {
	vals := headerList(h, "Access-Control-Max-Age")
	if len(vals) != 1 || vals[0] == "" || strings.Trim(vals[0], "0123456789") != "" {
		return DefaultMaxAge
	}
	digits := strings.TrimLeft(vals[0], "0")
	secs := int64(0)
	if len(digits) > 10 {
		secs = maxDeltaSeconds
	} else {
		for i := 0; i < len(digits); i++ {
			secs = secs*10 + int64(digits[i]-'0')
		}
		secs = min(secs, maxDeltaSeconds)
	}
	d := time.Duration(secs) * time.Second
	if c := MaxAgeCap(p); c > 0 && d > c {
		d = c
	}
	return d
}

// safelistedResponseHeaders are the CORS-safelisted response-header names: a
// page may always read them.
var safelistedResponseHeaders = []string{
	"cache-control", "content-language", "content-length", "content-type",
	"expires", "last-modified", "pragma",
}

// isForbiddenResponseHeader: never exposed to a page, whatever the server says.
func isForbiddenResponseHeader(name string) bool {
	n := strings.ToLower(name)
	return n == "set-cookie" || n == "set-cookie2"
}

// ExposedHeaders is the set of response header names a page may read from a
// CORS response with headers h: the safelisted ones, plus those listed in
// Access-Control-Expose-Headers. A listed "*" exposes every header (all=true;
// names then also holds every header present in h) only when the request is
// not credentialed; with credentials it is the literal header name "*".
// Set-Cookie and Set-Cookie2 are never exposed. An unparsable
// Access-Control-Expose-Headers exposes nothing beyond the safelist. Names are
// lower-case and sorted.
func ExposedHeaders(h http.Header, credentials bool) (names []string, all bool) {
	set := map[string]bool{}
	for _, n := range safelistedResponseHeaders {
		set[n] = true
	}
	if vals := headerList(h, "Access-Control-Expose-Headers"); len(vals) > 0 {
		if items, ok := ParseList(vals); ok {
			for _, it := range items {
				if it == "*" && !credentials {
					all = true
					continue
				}
				if !isForbiddenResponseHeader(it) {
					set[strings.ToLower(it)] = true
				}
			}
		}
	}
	if all {
		present, _ := headerGroups(h)
		for _, n := range present {
			if !isForbiddenResponseHeader(n) {
				set[n] = true
			}
		}
	}
	names = make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, all
}

// IsExposed reports whether a page may read response header name from a CORS
// response with headers h.
func IsExposed(h http.Header, name string, credentials bool) bool {
	if isForbiddenResponseHeader(name) {
		return false
	}
	names, all := ExposedHeaders(h, credentials)
	return all || containsFold(names, name)
}

// validateRequest rejects what fetch() itself would reject (it throws a
// TypeError and sends nothing): a method that is not a token or is CONNECT,
// TRACE or TRACK, a header name that is not a token, a header value with NUL,
// CR or LF, and an Origin that is not a serialised origin.
func validateRequest(r Request) (Step, bool) {
	if _, err := ParseOrigin(r.Origin); err != nil {
		return Step{Name: StepRequest, Detail: fmt.Sprintf("The request origin is not a serialised origin, so no browser sends it: %v.", err)}, false
	}
	if !IsMethodToken(r.method()) {
		return Step{Name: StepRequest, Detail: fmt.Sprintf("fetch() throws: %q is not a valid HTTP method.", r.Method)}, false
	}
	if isForbiddenMethod(r.method()) {
		return Step{Name: StepRequest, Detail: fmt.Sprintf("fetch() throws: %q is a forbidden method.", r.Method)}, false
	}
	names, groups := headerGroups(r.Header)
	for _, n := range names {
		if !IsHeaderNameToken(n) {
			return Step{Name: StepRequest, Detail: fmt.Sprintf("fetch() throws: %q is not a valid HTTP header name.", n)}, false
		}
		for _, v := range groups[n] {
			if strings.ContainsAny(trimHTTPWhitespace(v), "\x00\r\n") {
				return Step{Name: StepRequest, Detail: fmt.Sprintf("fetch() throws: the value of %s contains NUL, CR or LF.", n)}, false
			}
		}
	}
	return Step{Name: StepRequest, OK: true, Detail: "fetch() accepts the request."}, true
}

// preflightReason says why r is preflighted under p, for messages.
func preflightReason(p Profile, r Request) string {
	var why []string
	if m := r.method(); !IsSafelistedMethod(m) {
		why = append(why, "method "+m+" is not CORS-safelisted")
	}
	if names := UnsafeHeaderNamesFor(p, r.Header); len(names) > 0 {
		why = append(why, "request headers "+strings.Join(names, ",")+" are not CORS-safelisted")
	}
	if r.PrivateNetwork && p.EnforcesPrivateNetworkAccess() {
		why = append(why, "the target is a private network")
	}
	return strings.Join(why, "; ")
}

// Evaluate runs the whole browser flow for r under profile p: fetch()'s own
// validation, the preflight when the profile needs one (preflight nil means
// none was answered, which blocks the request when one was needed), then the
// CORS check on the actual response. A preflight given when none is needed is
// ignored. The actual response's status does not matter to CORS: a readable
// 500 is still readable.
func Evaluate(p Profile, r Request, preflight *Response, actual Response) Decision {
	d := Decision{Profile: p}
	if step, ok := validateRequest(r); !ok {
		d.Actual = Verdict{Steps: []Step{step}}
		return d
	}
	notSent := Verdict{Steps: []Step{{Name: StepActual, Detail: "The actual request was not sent because the preflight failed."}}}
	d.PreflightNeeded = NeedsPreflightFor(p, r)
	if d.PreflightNeeded {
		if preflight == nil {
			v := Verdict{Steps: []Step{{
				Name:   StepPreflight,
				Detail: "The request needs a CORS preflight (" + preflightReason(p, r) + "), but no preflight response was given.",
				Fix:    "answer OPTIONS with 204 and the Access-Control-Allow-* headers",
			}}}
			d.Preflight = &v
			d.Actual = notSent
			return d
		}
		v := PreflightCheck(p, r, preflight.Status, preflight.Header)
		d.Preflight = &v
		if !v.OK {
			d.Actual = notSent
			return d
		}
		d.MaxAge = MaxAge(p, preflight.Header)
	}
	d.Actual = CORSCheck(actual.Header, r.Origin, r.Credentials)
	d.Allowed = d.Actual.OK
	if d.Allowed {
		d.Exposed, _ = ExposedHeaders(actual.Header, r.Credentials)
	}
	return d
}

// MostPermissive is the security verdict: the first profile (in Profiles
// order) that allows the request, or the Spec decision when none does. An
// attacker picks the browser, so a response any engine lets through is
// readable.
func MostPermissive(r Request, preflight *Response, actual Response) Decision {
	var first Decision
	for i, p := range Profiles {
		d := Evaluate(p, r, preflight, actual)
		if d.Allowed {
			return d
		}
		if i == 0 {
			first = d
		}
	}
	return first
}
