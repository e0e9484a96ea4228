package spec

import (
	"net/http"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// Vectors from web-platform-tests fetch/api/cors/cors-expose-star.sub.any.js
// (cors-expose-star.js): the response has Access-Control-Expose-Headers: *
// and the headers Test, Set-Cookie and one literally named "*". Without
// credentials "*" exposes everything but Set-Cookie; with credentials it is
// only the literal header name "*".
func TestExposedHeaders_WPTExposeStar(t *testing.T) {
	shared := func(expose string, extra ...string) http.Header {
		return hdr(append([]string{"Access-Control-Expose-Headers", expose, "Test", "X", "Set-Cookie", "X", "*", "whoa", "Content-Type", "text/plain"}, extra...)...)
	}
	tests := []struct {
		name        string
		h           http.Header
		credentials bool
		read        map[string]bool // header name -> readable
	}{
		{"Basic Access-Control-Expose-Headers: * support", shared("*", "Access-Control-Allow-Origin", "*"), false,
			map[string]bool{"test": true, "set-cookie": false, "*": true, "content-type": true}},
		{"* for credentialed fetches only matches literally", shared("*", "Access-Control-Allow-Origin", wptOrigin, "Access-Control-Allow-Credentials", "true"), true,
			map[string]bool{"content-type": true, "test": false, "set-cookie": false, "*": true}},
		{"* can be one of several values", shared("set-cookie,*", "Access-Control-Allow-Origin", "*"), false,
			map[string]bool{"test": true, "set-cookie": false, "*": true}},
	}
	for _, tc := range tests {
		r := Request{Origin: wptOrigin, Method: "GET", Credentials: tc.credentials}
		d := Evaluate(Spec, r, nil, Response{Status: 200, Header: tc.h})
		if !d.Allowed {
			t.Fatalf("%s: blocked: %s", tc.name, d.Reason())
		}
		for name, want := range tc.read {
			if got := IsExposed(tc.h, name, tc.credentials); got != want {
				t.Errorf("%s: IsExposed(%q) = %v, want %v", tc.name, name, got, want)
			}
			if got := containsFold(d.Exposed, name); got != want {
				t.Errorf("%s: %q in Decision.Exposed = %v, want %v (%q)", tc.name, name, got, want, d.Exposed)
			}
		}
	}
}

// Access-Control-Expose-Headers beyond the WPT file: the always-exposed
// safelist, case-insensitive names, an unparsable list exposing nothing, and
// Set-Cookie2 never exposed.
func TestExposedHeaders(t *testing.T) {
	safelist := []string{"cache-control", "content-language", "content-length", "content-type", "expires", "last-modified", "pragma"}
	tests := []struct {
		name  string
		h     http.Header
		creds bool
		names []string
		all   bool
	}{
		{"no header: safelist only", hdr(), false, safelist, false},
		{"listed names lower-cased", hdr("Access-Control-Expose-Headers", "X-Request-ID, ETag"), false, []string{"cache-control", "content-language", "content-length", "content-type", "etag", "expires", "last-modified", "pragma", "x-request-id"}, false},
		{"unparsable list exposes nothing more", hdr("Access-Control-Expose-Headers", "X-A, bad value"), false, safelist, false},
		{"Set-Cookie2 never", hdr("Access-Control-Expose-Headers", "Set-Cookie2, set-cookie"), false, safelist, false},
		{"star with credentials is literal", hdr("Access-Control-Expose-Headers", "*"), true, append([]string{"*"}, safelist...), false},
	}
	for _, tc := range tests {
		names, all := ExposedHeaders(tc.h, tc.creds)
		want := append([]string(nil), tc.names...)
		sort.Strings(want)
		if !reflect.DeepEqual(names, want) || all != tc.all {
			t.Errorf("%s: ExposedHeaders = %q, %v; want %q, %v", tc.name, names, all, want, tc.all)
		}
	}
	if !IsExposed(hdr("Access-Control-Expose-Headers", "x-request-id"), "X-Request-Id", false) {
		t.Error("IsExposed must compare names case-insensitively")
	}
}

// The whole browser flow (Evaluate): fetch()'s own validation, a needed but
// unanswered preflight, the actual request not sent after a failed preflight,
// max-age and exposure on success, and profile differences.
func TestEvaluate_Flow(t *testing.T) {
	const o = "https://app.test"
	okPre := &Response{Status: 204, Header: hdr("Access-Control-Allow-Origin", o, "Access-Control-Allow-Methods", "PUT", "Access-Control-Allow-Headers", "content-type", "Access-Control-Max-Age", "86400")}
	okActual := Response{Status: 500, Header: hdr("Access-Control-Allow-Origin", o, "Access-Control-Expose-Headers", "X-Trace")}
	tests := []struct {
		name      string
		p         Profile
		r         Request
		pre       *Response
		actual    Response
		allowed   bool
		needed    bool
		reason    string
		maxAgeSec int
	}{
		{"simple GET readable", Spec, Request{Origin: o, Method: "GET"}, nil, okActual, true, false, "", 0},
		{"preflight given but not needed is ignored", Spec, Request{Origin: o, Method: "GET"}, &Response{Status: 500}, okActual, true, false, "", 0},
		{"needed preflight missing", Spec, Request{Origin: o, Method: "PUT"}, nil, okActual, false, true, "needs a CORS preflight (method PUT", 0},
		{"JSON PUT passes, max-age capped by Chromium", Chromium, Request{Origin: o, Method: "put", Header: hdr("Content-Type", "application/json")}, okPre, okActual, true, true, "", 7200},
		{"JSON PUT passes, max-age uncapped in spec", Spec, Request{Origin: o, Method: "PUT", Header: hdr("Content-Type", "application/json")}, okPre, okActual, true, true, "", 86400},
		{"preflight fails: actual not sent", Spec, Request{Origin: o, Method: "DELETE"}, okPre, okActual, false, true, "Method DELETE is not allowed", 0},
		{"actual response lacks ACAO", Spec, Request{Origin: o, Method: "PUT"}, okPre, Response{Status: 200, Header: hdr()}, false, true, "No 'Access-Control-Allow-Origin'", 86400},
		{"forbidden method", Spec, Request{Origin: o, Method: "TRACE"}, nil, okActual, false, false, "forbidden method", 0},
		{"invalid method", Spec, Request{Origin: o, Method: "GE T"}, nil, okActual, false, false, "not a valid HTTP method", 0},
		{"invalid header name", Spec, Request{Origin: o, Method: "GET", Header: hdr("X Bad", "1")}, nil, okActual, false, false, "not a valid HTTP header name", 0},
		{"header value with LF", Spec, Request{Origin: o, Method: "GET", Header: hdr("Accept", "a\nb")}, nil, okActual, false, false, "NUL, CR or LF", 0},
		{"origin with trailing slash", Spec, Request{Origin: o + "/", Method: "GET"}, nil, okActual, false, false, "trailing slash", 0},
		{"private network GET: Chromium preflights", Chromium, Request{Origin: o, Method: "GET", PrivateNetwork: true}, nil, okActual, false, true, "the target is a private network", 0},
		{"private network GET: WebKit does not", WebKit, Request{Origin: o, Method: "GET", PrivateNetwork: true}, nil, okActual, true, false, "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Evaluate(tc.p, tc.r, tc.pre, tc.actual)
			if d.Profile != tc.p {
				t.Errorf("profile %q", d.Profile)
			}
			if d.Allowed != tc.allowed || d.PreflightNeeded != tc.needed {
				t.Fatalf("allowed=%v needed=%v, want %v %v (%s)", d.Allowed, d.PreflightNeeded, tc.allowed, tc.needed, d.Reason())
			}
			if !strings.Contains(d.Reason(), tc.reason) {
				t.Errorf("reason %q does not mention %q", d.Reason(), tc.reason)
			}
			if tc.allowed && d.Reason() != "" {
				t.Errorf("allowed with reason %q", d.Reason())
			}
			if d.MaxAge.Seconds() != float64(tc.maxAgeSec) {
				t.Errorf("max-age %v, want %ds", d.MaxAge, tc.maxAgeSec)
			}
			if tc.allowed && !containsFold(d.Exposed, "x-trace") {
				t.Errorf("exposed %q lacks x-trace", d.Exposed)
			}
			if d.Preflight != nil && !d.Preflight.OK && d.Actual.OK {
				t.Error("actual request judged although the preflight failed")
			}
		})
	}
}

// MostPermissive is allowed exactly when some profile allows, and otherwise
// reports the standard's reason.
func TestMostPermissive(t *testing.T) {
	r := Request{Origin: "https://evil.test", Method: "GET", PrivateNetwork: true}
	actual := Response{Status: 200, Header: hdr("Access-Control-Allow-Origin", "*")}
	d := MostPermissive(r, nil, actual)
	if !d.Allowed || d.Profile != Spec {
		t.Errorf("private-network GET with ACAO *: allowed=%v by %s; want allowed (browsers without PNA)", d.Allowed, d.Profile)
	}
	blocked := MostPermissive(Request{Origin: "https://evil.test", Method: "GET", Credentials: true}, nil, actual)
	if blocked.Allowed || blocked.Profile != Spec || !strings.Contains(blocked.Reason(), "wildcard") {
		t.Errorf("credentialed * : %+v", blocked)
	}
}

func TestParseProfile(t *testing.T) {
	for in, want := range map[string]Profile{"spec": Spec, "Chromium": Chromium, " chrome ": Chromium, "edge": Chromium, "firefox": Firefox, "safari": WebKit, "WEBKIT": WebKit} {
		if got, err := ParseProfile(in); err != nil || got != want {
			t.Errorf("ParseProfile(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseProfile("netscape"); err == nil || !strings.Contains(err.Error(), "spec, chromium, firefox, webkit") {
		t.Errorf("ParseProfile(netscape) error %v", err)
	}
	if len(Profiles) != 4 || Profiles[0] != Spec {
		t.Errorf("Profiles = %v", Profiles)
	}
}
