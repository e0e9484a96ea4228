package spec

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// preflightPy models fetch/api/resources/preflight.py as the fetch/api/cors
// tests configure it: ACAO is the page origin and ACAC true when the test is
// credentialed, "*" otherwise; allow_methods and allow_headers become
// Access-Control-Allow-Methods and -Allow-Headers. The actual response
// carries the same ACAO/ACAC.
func preflightPy(credentials bool, allowMethods, allowHeaders string) (*Response, Response) {
	h := http.Header{}
	if credentials {
		h.Set("Access-Control-Allow-Origin", wptOrigin)
		h.Set("Access-Control-Allow-Credentials", "true")
	} else {
		h.Set("Access-Control-Allow-Origin", "*")
	}
	actual := Response{Status: 200, Header: h.Clone()}
	pre := h.Clone()
	pre["Access-Control-Allow-Methods"] = []string{allowMethods}
	pre["Access-Control-Allow-Headers"] = []string{allowHeaders}
	return &Response{Status: 200, Header: pre}, actual
}

// Vectors from web-platform-tests fetch/api/cors/cors-preflight-star.any.js
// (preflightTest(succeeds, withCredentials, allowMethod, allowHeader,
// useMethod, useHeader)). "*" is a wildcard only without credentials, method
// matching is case-sensitive after fetch()'s normalisation, header matching is
// case-insensitive, and "*" never covers Authorization in the standard.
var preflightStarVectors = []struct {
	succeeds    bool
	credentials bool
	allowMethod string
	allowHeader string
	method      string
	header      []string // name, value
}{
	{true, false, "get", "x-test", "GET", []string{"X-Test", "1"}},
	{true, false, "*", "x-test", "SUPER", []string{"X-Test", "1"}},
	{true, false, "*", "*", "OK", []string{"X-Test", "1"}},
	{false, true, "*", "*", "OK", []string{"X-Test", "1"}},
	{false, true, "*", "", "PUT", nil},
	{false, true, "get", "*", "GET", []string{"X-Test", "1"}},
	{false, true, "*", "*", "GET", []string{"X-Test", "1"}},
	{true, true, "*", "*", "*", []string{"*", "1"}},
	// Safelisted methods pass whatever their case on either side.
	{true, true, "GET", "*", "GET", nil},
	{true, true, "GET", "*", "get", nil},
	{true, true, "get", "*", "GET", nil},
	{true, true, "get", "*", "get", nil},
	{true, true, "HEAD", "*", "HEAD", nil},
	{true, true, "HEAD", "*", "head", nil},
	{true, true, "head", "*", "HEAD", nil},
	{true, true, "head", "*", "head", nil},
	{true, true, "POST", "*", "POST", nil},
	{true, true, "POST", "*", "post", nil},
	{true, true, "post", "*", "POST", nil},
	{true, true, "post", "*", "post", nil},
	// DELETE and PUT are upper-cased by fetch() but not in the response.
	{true, true, "DELETE", "*", "DELETE", nil},
	{true, true, "DELETE", "*", "delete", nil},
	{false, true, "delete", "*", "DELETE", nil},
	{false, true, "delete", "*", "delete", nil},
	{true, true, "PUT", "*", "PUT", nil},
	{true, true, "PUT", "*", "put", nil},
	{false, true, "put", "*", "PUT", nil},
	{false, true, "put", "*", "put", nil},
	// PATCH is not normalised anywhere.
	{true, true, "PATCH", "*", "PATCH", nil},
	{false, true, "PATCH", "*", "patch", nil},
	{false, true, "patch", "*", "PATCH", nil},
	{true, true, "patch", "*", "patch", nil},
	// "Authorization" header can't be wildcarded (standard).
	{false, false, "*", "*", "POST", []string{"Authorization", "123"}},
	{true, false, "*", "*, Authorization", "POST", []string{"Authorization", "123"}},
}

func TestEvaluate_WPTPreflightStar(t *testing.T) {
	for _, tc := range preflightStarVectors {
		r := Request{Origin: wptOrigin, Method: tc.method, Credentials: tc.credentials, Header: hdr(tc.header...)}
		pre, actual := preflightPy(tc.credentials, tc.allowMethod, tc.allowHeader)
		d := Evaluate(Spec, r, pre, actual)
		if d.Allowed != tc.succeeds {
			t.Errorf("creds=%v method %s (allowed %q) header %v (allowed %q): allowed=%v, want %v (%s)",
				tc.credentials, tc.method, tc.allowMethod, tc.header, tc.allowHeader, d.Allowed, tc.succeeds, d.Reason())
		}
	}
}

// The one place the profiles disagree on cors-preflight-star.any.js:
// Chromium was measured letting "*" cover Authorization for a request without
// credentials; the standard, Firefox and WebKit do not. With credentials "*"
// covers nothing anywhere.
func TestPreflightCheck_AuthorizationWildcardByProfile(t *testing.T) {
	tests := []struct {
		credentials bool
		allowed     map[Profile]bool
	}{
		{false, map[Profile]bool{Spec: false, Chromium: true, Firefox: false, WebKit: false}},
		{true, map[Profile]bool{Spec: false, Chromium: false, Firefox: false, WebKit: false}},
	}
	for _, tc := range tests {
		r := Request{Origin: wptOrigin, Method: "POST", Credentials: tc.credentials, Header: hdr("Authorization", "123")}
		pre, actual := preflightPy(tc.credentials, "*", "*")
		for p, want := range tc.allowed {
			d := Evaluate(p, r, pre, actual)
			if d.Allowed != want {
				t.Errorf("%s creds=%v: allowed=%v, want %v (%s)", p, tc.credentials, d.Allowed, want, d.Reason())
			}
			if !want {
				if st, _ := d.Preflight.Failed(); st.Name != StepHeader || !strings.Contains(st.Detail, "authorization") {
					t.Errorf("%s creds=%v: failing step %+v", p, tc.credentials, st)
				}
			}
		}
		if mp := MostPermissive(r, pre, actual); mp.Allowed != !tc.credentials {
			t.Errorf("MostPermissive creds=%v: allowed=%v", tc.credentials, mp.Allowed)
		} else if mp.Allowed && mp.Profile != Chromium {
			t.Errorf("MostPermissive picked %s", mp.Profile)
		}
	}
}

// Vectors from web-platform-tests fetch/api/cors/cors-preflight-status.any.js:
// a request forced to preflight (x-force-preflight) succeeds only when the
// preflight answers with an ok status, 200 to 299.
var preflightStatusVectors = []int{
	200, 201, 202, 203, 204, 205, 206,
	300, 301, 302, 303, 304, 305, 306, 307, 308,
	400, 401, 402, 403, 404, 405,
	501, 502, 503, 504, 505,
}

func TestPreflightCheck_WPTStatus(t *testing.T) {
	r := Request{Origin: wptOrigin, Method: "GET", Header: hdr("x-force-preflight", "")}
	for _, status := range preflightStatusVectors {
		h := hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Headers", "x-force-preflight")
		v := PreflightCheck(Spec, r, status, h)
		want := status >= 200 && status <= 299
		if v.OK != want {
			t.Errorf("status %d: OK=%v, want %v (%s)", status, v.OK, want, v.Reason())
		}
		if !want {
			if st, _ := v.Failed(); st.Name != StepStatus {
				t.Errorf("status %d: failed at %q, want %q", status, st.Name, StepStatus)
			}
		}
	}
}

// Vectors from web-platform-tests fetch/api/cors/cors-preflight-response-validation.any.js:
// an unparsable Access-Control-Allow-Headers or -Allow-Methods fails the
// preflight even when the request's own method and headers would be allowed;
// the same responses serve a request that needs no preflight.
func TestPreflightCheck_WPTResponseValidation(t *testing.T) {
	tests := []struct {
		name         string
		allowHeaders string
		allowMethods string
		failStep     string
	}{
		{"bad Access-Control-Allow-Headers", "x-force-preflight,Bad value", "", StepAllowHeaders},
		{"bad Access-Control-Allow-Methods", "x-force-preflight", "Bad value", StepAllowMethods},
	}
	for _, tc := range tests {
		h := hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Headers", tc.allowHeaders)
		if tc.allowMethods != "" {
			h["Access-Control-Allow-Methods"] = []string{tc.allowMethods}
		}
		forced := Request{Origin: wptOrigin, Method: "GET", Header: hdr("x-force-preflight", "")}
		d := Evaluate(Spec, forced, &Response{Status: 200, Header: h}, Response{Status: 200, Header: h})
		if d.Allowed {
			t.Errorf("%s: preflighted request allowed", tc.name)
		} else if st, _ := d.Preflight.Failed(); st.Name != tc.failStep {
			t.Errorf("%s: failed at %q, want %q", tc.name, st.Name, tc.failStep)
		}
		simple := Request{Origin: wptOrigin, Method: "GET"}
		if d := Evaluate(Spec, simple, &Response{Status: 200, Header: h}, Response{Status: 200, Header: h}); !d.Allowed || d.PreflightNeeded {
			t.Errorf("%s: simple request: allowed=%v preflight=%v", tc.name, d.Allowed, d.PreflightNeeded)
		}
	}
}

// The CORS-preflight check's other steps: the CORS check runs on the
// preflight with the actual request's credentials mode, Private Network
// Access in Chromium, and the Fix that would make each failure pass.
func TestPreflightCheck_Steps(t *testing.T) {
	const o = "https://app.test"
	tests := []struct {
		name     string
		p        Profile
		r        Request
		status   int
		h        http.Header
		failStep string // "" = pass
		fix      string
	}{
		{"no ACAO on preflight", Spec, Request{Origin: o, Method: "PUT"}, 204, hdr("Access-Control-Allow-Methods", "PUT"), StepAllowOrigin, "Access-Control-Allow-Origin: " + o},
		{"credentialed preflight needs ACAC", Spec, Request{Origin: o, Method: "PUT", Credentials: true}, 204, hdr("Access-Control-Allow-Origin", o, "Access-Control-Allow-Methods", "PUT"), StepAllowCreds, "Access-Control-Allow-Credentials: true"},
		{"method missing from list", Spec, Request{Origin: o, Method: "DELETE"}, 204, hdr("Access-Control-Allow-Origin", o, "Access-Control-Allow-Methods", "GET, PUT"), StepMethod, "Access-Control-Allow-Methods: GET, PUT, DELETE"},
		{"header missing from list", Spec, Request{Origin: o, Method: "GET", Header: hdr("X-Token", "1", "X-Api", "2")}, 200, hdr("Access-Control-Allow-Origin", o, "Access-Control-Allow-Headers", "x-api"), StepHeader, "Access-Control-Allow-Headers: x-api, x-token"},
		{"headers listed in other case", Spec, Request{Origin: o, Method: "GET", Header: hdr("X-Token", "1")}, 200, hdr("Access-Control-Allow-Origin", o, "Access-Control-Allow-Headers", "X-TOKEN"), "", ""},
		{"allow lists split across headers", Spec, Request{Origin: o, Method: "PUT", Header: hdr("X-A", "1", "X-B", "1")}, 200, hdr("Access-Control-Allow-Origin", o, "Access-Control-Allow-Methods", "GET", "Access-Control-Allow-Methods", "PUT", "Access-Control-Allow-Headers", "x-a", "Access-Control-Allow-Headers", "x-b"), "", ""},
		{"PNA missing in Chromium", Chromium, Request{Origin: o, Method: "GET", PrivateNetwork: true}, 204, hdr("Access-Control-Allow-Origin", o), StepPrivateNetwork, "Access-Control-Allow-Private-Network: true"},
		{"PNA granted in Chromium", Chromium, Request{Origin: o, Method: "GET", PrivateNetwork: true}, 204, hdr("Access-Control-Allow-Origin", o, "Access-Control-Allow-Private-Network", "true"), "", ""},
		{"PNA ignored by Firefox", Firefox, Request{Origin: o, Method: "PUT", PrivateNetwork: true}, 204, hdr("Access-Control-Allow-Origin", o, "Access-Control-Allow-Methods", "PUT"), "", ""},
		{"redirected preflight", Spec, Request{Origin: o, Method: "PUT"}, 301, hdr("Access-Control-Allow-Origin", o, "Access-Control-Allow-Methods", "PUT"), StepStatus, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := PreflightCheck(tc.p, tc.r, tc.status, tc.h)
			if tc.failStep == "" {
				if !v.OK {
					t.Fatalf("failed: %s", v.Reason())
				}
				return
			}
			st, failed := v.Failed()
			if !failed || st.Name != tc.failStep {
				t.Fatalf("OK=%v step %q, want failure at %q", v.OK, st.Name, tc.failStep)
			}
			if tc.fix != "" && st.Fix != tc.fix {
				t.Errorf("fix %q, want %q", st.Fix, tc.fix)
			}
			if !strings.HasPrefix(st.Detail, preflightPrefix) && tc.failStep != StepMethod && tc.failStep != StepHeader {
				t.Errorf("detail %q lacks the preflight prefix", st.Detail)
			}
		})
	}
}

// Access-Control-Max-Age: delta-seconds, 5 s when absent or invalid, capped
// per profile (Chromium 2 h, WebKit 10 min, Firefox 24 h, the standard none).
func TestMaxAge(t *testing.T) {
	tests := []struct {
		value []string
		want  map[Profile]time.Duration
	}{
		{nil, map[Profile]time.Duration{Spec: 5 * time.Second, Chromium: 5 * time.Second, Firefox: 5 * time.Second, WebKit: 5 * time.Second}},
		{[]string{"0"}, map[Profile]time.Duration{Spec: 0, Chromium: 0}},
		{[]string{"600"}, map[Profile]time.Duration{Spec: 600 * time.Second, Chromium: 600 * time.Second, WebKit: 600 * time.Second, Firefox: 600 * time.Second}},
		{[]string{" 3600 "}, map[Profile]time.Duration{Spec: time.Hour, WebKit: 10 * time.Minute}},
		{[]string{"86400"}, map[Profile]time.Duration{Spec: 24 * time.Hour, Chromium: 2 * time.Hour, Firefox: 24 * time.Hour, WebKit: 10 * time.Minute}},
		{[]string{"31536000"}, map[Profile]time.Duration{Spec: 31536000 * time.Second, Firefox: 24 * time.Hour}},
		{[]string{"99999999999999999999"}, map[Profile]time.Duration{Spec: (1 << 31) * time.Second, Chromium: 2 * time.Hour}},
		{[]string{"-1"}, map[Profile]time.Duration{Spec: 5 * time.Second, Chromium: 5 * time.Second}},
		{[]string{"1.5"}, map[Profile]time.Duration{Spec: 5 * time.Second}},
		{[]string{"600s"}, map[Profile]time.Duration{WebKit: 5 * time.Second}},
		{[]string{""}, map[Profile]time.Duration{Spec: 5 * time.Second}},
		{[]string{"60", "60"}, map[Profile]time.Duration{Spec: 5 * time.Second}},
	}
	for _, tc := range tests {
		h := http.Header{}
		if tc.value != nil {
			h["Access-Control-Max-Age"] = tc.value
		}
		for p, want := range tc.want {
			if got := MaxAge(p, h); got != want {
				t.Errorf("MaxAge(%s, %q) = %v, want %v", p, tc.value, got, want)
			}
		}
	}
	for p, want := range map[Profile]time.Duration{Spec: 0, Chromium: 7200 * time.Second, WebKit: 600 * time.Second, Firefox: 86400 * time.Second} {
		if got := MaxAgeCap(p); got != want {
			t.Errorf("MaxAgeCap(%s) = %v, want %v", p, got, want)
		}
	}
}
