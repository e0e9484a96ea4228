package spec

import (
	"fmt"
	"net/http"
	"strings"
)

// Step names, stable so that callers (rules, fuzz, reports) can match on them.
const (
	StepRequest        = "request"               // the request is one fetch() would send at all
	StepStatus         = "preflight-status"      // preflight answered with an ok status (200-299)
	StepAllowOrigin    = "allow-origin"          // Access-Control-Allow-Origin
	StepAllowCreds     = "allow-credentials"     // Access-Control-Allow-Credentials
	StepPrivateNetwork = "allow-private-network" // Access-Control-Allow-Private-Network
	StepAllowMethods   = "allow-methods-syntax"  // Access-Control-Allow-Methods parses
	StepAllowHeaders   = "allow-headers-syntax"  // Access-Control-Allow-Headers parses
	StepMethod         = "method-allowed"        // the request's method is allowed
	StepHeader         = "header-allowed"        // one CORS-unsafe request header is allowed (one step each)
	StepPreflight      = "preflight-sent"        // a needed preflight was answered
	StepActual         = "actual-request"        // the actual request was sent
)

// Step is one decision a browser makes on the way to allowing or blocking a
// response. Detail reads like the browser console's message; Fix is the
// response-header change that would make a failing step pass (empty when no
// header change can).
type Step struct {
	Name   string
	OK     bool
	Detail string
	Fix    string
}

// Verdict is the outcome of one check with the steps that led to it, in
// order. On failure the last step is the one that failed.
type Verdict struct {
	OK    bool
	Steps []Step
}

// Reason is the failing step's detail, or "" when the verdict is a pass.
func (v Verdict) Reason() string {
	if v.OK || len(v.Steps) == 0 {
		return ""
	}
	return v.Steps[len(v.Steps)-1].Detail
}

// Failed returns the failing step, if any.
func (v Verdict) Failed() (Step, bool) {
	if v.OK || len(v.Steps) == 0 {
		return Step{}, false
	}
	return v.Steps[len(v.Steps)-1], true
}

func (v *Verdict) pass(name, detail string) {
	v.Steps = append(v.Steps, Step{Name: name, OK: true, Detail: detail})
}

func (v *Verdict) fail(name, detail, fix string) Verdict {
	v.Steps = append(v.Steps, Step{Name: name, Detail: detail, Fix: fix})
	v.OK = false
	return *v
}

// headerList returns every value of header name (any key spelling), each
// trimmed of spaces and tabs, in a deterministic order.
func headerList(h http.Header, name string) []string {
	vals := headerNamed(h, strings.ToLower(name))
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = trimOWS(v)
	}
	return out
}

// CORSCheck is the Fetch standard's CORS check on a response to a request
// from origin (a serialised origin, "null" for opaque) in credentials mode
// include (credentials=true) or not:
//
//  1. Access-Control-Allow-Origin absent: fail.
//  2. Not credentialed and the value is "*": pass.
//  3. The value is not the origin, byte for byte: fail (a trailing slash,
//     other case, default port, quotes, a list or two headers all fail).
//  4. Not credentialed: pass.
//  5. Access-Control-Allow-Credentials must be exactly "true".
//
// Values are trimmed of spaces and tabs; a header sent several times is seen
// as its values joined with ", ". An origin that is not a serialised origin
// fails: no browser sends one.
func CORSCheck(h http.Header, origin string, credentials bool) Verdict {
	var v Verdict
	corsCheck(&v, h, origin, credentials, "")
	return v
}

// corsCheck appends the CORS check's steps to v; prefix goes in front of
// failure details (the preflight's "Response to preflight request doesn't
// pass access control check: ").
func corsCheck(v *Verdict, h http.Header, origin string, credentials bool, prefix string) bool {
	if _, err := ParseOrigin(origin); err != nil {
		v.fail(StepRequest, fmt.Sprintf("The request origin is not a serialised origin, so no browser sends it: %v.", err), "")
		return false
	}
	vals := headerList(h, "Access-Control-Allow-Origin")
	if len(vals) == 0 {
		fix := "Access-Control-Allow-Origin: " + origin
		v.fail(StepAllowOrigin, prefix+"No 'Access-Control-Allow-Origin' header is present on the requested resource.", fix)
		return false
	}
	acao := strings.Join(vals, ", ")
	if !credentials && acao == "*" {
		v.pass(StepAllowOrigin, "Access-Control-Allow-Origin is '*' and the request is not credentialed.")
		v.OK = true
		return true
	}
	if acao != origin {
		fix := "Access-Control-Allow-Origin: " + origin
		var detail string
		switch {
		case len(vals) > 1 || strings.Contains(acao, ","):
			detail = fmt.Sprintf("The 'Access-Control-Allow-Origin' header contains multiple values '%s', but only one is allowed.", acao)
		case acao == "*":
			detail = "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."
		default:
			detail = fmt.Sprintf("The 'Access-Control-Allow-Origin' header has a value '%s' that is not equal to the supplied origin '%s'.", acao, origin)
			if _, err := ParseOrigin(acao); err != nil {
				detail += fmt.Sprintf(" The value is not a serialised origin: %v.", err)
			}
		}
		v.fail(StepAllowOrigin, prefix+detail, fix)
		return false
	}
	v.pass(StepAllowOrigin, "Access-Control-Allow-Origin equals the request origin.")
	if !credentials {
		v.OK = true
		return true
	}
	acac, present := HeaderValues(h, "Access-Control-Allow-Credentials")
	if acac != "true" {
		shown := acac
		if !present {
			shown = ""
		}
		v.fail(StepAllowCreds, prefix+fmt.Sprintf("The value of the 'Access-Control-Allow-Credentials' header in the response is '%s' which must be 'true' when the request's credentials mode is 'include'.", shown),
			"Access-Control-Allow-Credentials: true")
		return false
	}
	v.pass(StepAllowCreds, "Access-Control-Allow-Credentials is 'true'.")
	v.OK = true
	return true
}

// containsFold reports whether list holds s, ignoring ASCII case.
func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// withItem is the list header value that adds item to the current items.
func withItem(items []string, item string) string {
	return strings.Join(append(append([]string(nil), items...), item), ", ")
}

const preflightPrefix = "Response to preflight request doesn't pass access control check: "

// PreflightCheck judges a response (status, h) to the CORS preflight for r
// under profile p, in the Fetch standard's order:
//
//  1. the status is an ok status (200-299; redirects and errors fail);
//  2. the CORS check passes, with the actual request's credentials mode;
//  3. for a PrivateNetwork request in a profile that enforces it,
//     Access-Control-Allow-Private-Network is exactly "true";
//  4. Access-Control-Allow-Methods and -Allow-Headers parse as token lists;
//  5. the (normalised) method is safelisted, listed (case-sensitively), or
//     "*" is listed and the request is not credentialed;
//  6. each CORS-unsafe header name is listed (case-insensitively), or "*" is
//     listed and the request is not credentialed, except that "*" never
//     covers Authorization unless the profile says so (Chromium).
//
// The literal "*" still matches a method or header named "*" when
// credentialed.
func PreflightCheck(p Profile, r Request, status int, h http.Header) Verdict {
	var v Verdict
	switch {
	case status >= 300 && status < 400:
		return v.fail(StepStatus, preflightPrefix+fmt.Sprintf("Redirect is not allowed for a preflight request (status %d).", status),
			"answer OPTIONS with 204 No Content instead of redirecting")
	case status < 200 || status > 299:
		return v.fail(StepStatus, preflightPrefix+fmt.Sprintf("It does not have HTTP ok status (status %d).", status),
			"answer OPTIONS with 204 No Content")
	}
	v.pass(StepStatus, fmt.Sprintf("The preflight status %d is an ok status.", status))
	if !corsCheck(&v, h, r.Origin, r.Credentials, preflightPrefix) {
		return v
	}
	v.OK = false
	if r.PrivateNetwork && p.EnforcesPrivateNetworkAccess() {
		if val, _ := HeaderValues(h, "Access-Control-Allow-Private-Network"); val != "true" {
			return v.fail(StepPrivateNetwork, preflightPrefix+"No 'Access-Control-Allow-Private-Network' header with value 'true' was present in the preflight response for this private network request.",
				"Access-Control-Allow-Private-Network: true")
		}
		v.pass(StepPrivateNetwork, "Access-Control-Allow-Private-Network is 'true'.")
	}
	methods, ok := ParseList(headerList(h, "Access-Control-Allow-Methods"))
	if !ok {
		return v.fail(StepAllowMethods, "Cannot parse Access-Control-Allow-Methods response header field in preflight response: every element must be a method token.",
			"Access-Control-Allow-Methods: "+r.method())
	}
	v.pass(StepAllowMethods, "Access-Control-Allow-Methods parses.")
	names, ok := ParseList(headerList(h, "Access-Control-Allow-Headers"))
	if !ok {
		fix := "Access-Control-Allow-Headers: " + strings.Join(UnsafeHeaderNamesFor(p, r.Header), ", ")
		return v.fail(StepAllowHeaders, "Cannot parse Access-Control-Allow-Headers response header field in preflight response: every element must be a header-name token.", fix)
	}
	v.pass(StepAllowHeaders, "Access-Control-Allow-Headers parses.")

	m := r.method()
	switch {
	case contains(methods, m):
		v.pass(StepMethod, fmt.Sprintf("Method %s is listed in Access-Control-Allow-Methods.", m))
	case IsSafelistedMethod(m):
		v.pass(StepMethod, fmt.Sprintf("Method %s is a CORS-safelisted method.", m))
	case !r.Credentials && contains(methods, "*"):
		v.pass(StepMethod, fmt.Sprintf("Method %s is covered by '*' (not credentialed).", m))
	default:
		detail := fmt.Sprintf("Method %s is not allowed by Access-Control-Allow-Methods in preflight response.", m)
		if r.Credentials && contains(methods, "*") {
			detail += " '*' is only a wildcard when the request's credentials mode is not 'include'."
		} else if containsFold(methods, m) {
			detail += " Methods are matched case-sensitively."
		}
		return v.fail(StepMethod, detail, "Access-Control-Allow-Methods: "+withItem(methods, m))
	}

	star := contains(names, "*")
	for _, n := range UnsafeHeaderNamesFor(p, r.Header) {
		switch {
		case containsFold(names, n):
			v.pass(StepHeader, fmt.Sprintf("Request header field %s is listed in Access-Control-Allow-Headers.", n))
		case star && !r.Credentials && (n != "authorization" || p.WildcardCoversAuthorization()):
			v.pass(StepHeader, fmt.Sprintf("Request header field %s is covered by '*' (not credentialed).", n))
		default:
			detail := fmt.Sprintf("Request header field %s is not allowed by Access-Control-Allow-Headers in preflight response.", n)
			switch {
			case star && r.Credentials:
				detail += " '*' is only a wildcard when the request's credentials mode is not 'include'."
			case star:
				detail += " '*' does not cover Authorization; it must be listed by name."
			}
			return v.fail(StepHeader, detail, "Access-Control-Allow-Headers: "+withItem(names, n))
		}
	}
	v.OK = true
	return v
}
