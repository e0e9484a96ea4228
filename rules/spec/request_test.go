package spec

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// preflightFor reports whether a fetch() from wptOrigin with method and the
// single header (name, value) is preflighted.
func preflightFor(method, name, value string) bool {
	return NeedsPreflight(Request{Origin: wptOrigin, Method: method, Header: hdr(name, value)})
}

// Vectors from web-platform-tests cors/cors-safelisted-request-header.any.js:
// a POST with one Content-Type value; true means a preflight is expected.
// The MIME type is parsed (MIME Sniffing) and only its essence matters.
var safelistedContentTypeVectors = []struct {
	value     string
	preflight bool
}{
	{"text /plain", true},
	{"text\t/\tplain", true},
	{"text/plain;", false},
	{"text/plain;garbage", false},
	{"text/plain;garbage\x01\x02", true},
	{"text/plain,", true},
	{",text/plain", true},
	{"text/plain,text/plain", true},
	{"text/plain,x/x", true},
	{"text/plain\x0b", true},
	{"text/plain\x0c", true},
	{"application/www-form-urlencoded", true},
	{"application/x-www-form-urlencoded;\x7f", true},
	{"multipart/form-data", false},
	{"multipart/form-data;\"", true},
}

func TestSafelisted_WPTContentType(t *testing.T) {
	for _, tc := range safelistedContentTypeVectors {
		if got := preflightFor("POST", "content-type", tc.value); got != tc.preflight {
			t.Errorf("Content-Type %q: preflight=%v, want %v", tc.value, got, tc.preflight)
		}
	}
}

// Vectors from web-platform-tests cors/cors-safelisted-request-header.any.js:
// a POST with one Range value. Only "bytes=N-" and "bytes=N-M" (N <= M, no
// whitespace) are safelisted; the 129-byte value fails the length rule.
var safelistedRangeVectors = []struct {
	value     string
	preflight bool
}{
	{"100-200", true},
	{"MB=100-200", true},
	{"bytes=100-200", false},
	{"bytes =100-200", true},
	{"bytes\t=100-200", true},
	{"bytes=  100-200", true},
	{"bytes=\t\t100-200", true},
	{"bytes= \t100-200", true},
	{"bytes=100 -200", true},
	{"bytes=100\t-200", true},
	{"bytes=100- 200", true},
	{"bytes=100-\t200", true},
	{"bytes=100-200hello", true},
	{"bytes=abc-def", true},
	{"bytes=100-200,300-400", true},
	{"bytes=-200", true},
	{"bytes=200-", false},
	{"bytes=200-100", true},
	{"bytes=1" + strings.Repeat("0", 60) + "-2" + strings.Repeat("0", 60), true},
	{"bytes 100-200", true},
	{"bytes = 100-200", true},
	{",bytes=100-200", true},
	{"bytes=,100-200", true},
}

func TestSafelisted_WPTRange(t *testing.T) {
	for _, tc := range safelistedRangeVectors {
		if got := preflightFor("POST", "range", tc.value); got != tc.preflight {
			t.Errorf("Range %q: preflight=%v, want %v", tc.value, got, tc.preflight)
		}
	}
}

// Vectors from web-platform-tests cors/cors-safelisted-request-header.any.js
// for Last-Event-ID. WPT tracks the proposal to safelist it (whatwg/fetch#1788,
// not in the standard yet), so the first row is a deliberate divergence:
// WPT expects no preflight for "abc123", the standard (and we) still
// preflight every Last-Event-ID.
var lastEventIDVectors = []struct {
	value     string
	preflight bool
}{
	{"abc123", true}, // WPT: false, pending whatwg/fetch#1788
	{"\"", true},
	{"e5p3n<3k0k0s", true},
	{"012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678", true},
}

func TestSafelisted_WPTLastEventID(t *testing.T) {
	for _, tc := range lastEventIDVectors {
		if got := preflightFor("POST", "last-event-id", tc.value); got != tc.preflight {
			t.Errorf("Last-Event-ID %q: preflight=%v, want %v", tc.value, got, tc.preflight)
		}
	}
}

// Vectors from web-platform-tests fetch/api/cors/resources/not-cors-safelisted.json
// (read by cors-preflight-not-cors-safelisted.any.js): a GET with each of
// these headers needs a CORS preflight.
var notCORSSafelistedVectors = [][2]string{
	{"accept", "\""},
	{"accept", "012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678"},
	{"accept-language", "\x01"},
	{"accept-language", "@"},
	{"authorization", "basics"},
	{"content-language", "\x01"},
	{"content-language", "@"},
	{"content-type", "text/html"},
	{"content-type", "text/plain; long=0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901"},
	{"last-event-id", "\""},
	{"last-event-id", "012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678"},
	{"range", "bytes 0-"},
	{"test", "hi"},
}

func TestSafelisted_WPTNotCORSSafelisted(t *testing.T) {
	for _, tc := range notCORSSafelistedVectors {
		if !preflightFor("GET", tc[0], tc[1]) {
			t.Errorf("%s: %q: no preflight, want one", tc[0], tc[1])
		}
		if IsSafelistedRequestHeader(tc[0], tc[1]) {
			t.Errorf("IsSafelistedRequestHeader(%q, %q) = true", tc[0], tc[1])
		}
	}
}

// The rest of the Fetch standard's "CORS-safelisted request-header": which
// names can be safelisted, the Accept and *-Language byte rules, the 128-byte
// limit, case-insensitive names and fetch()'s trimming of values.
func TestIsSafelistedRequestHeader(t *testing.T) {
	tests := []struct {
		name, value string
		want        bool
	}{
		{"Accept", "application/json, text/plain, */*", true},
		{"Accept", "text/html;q=0.9\t*/*", true},
		{"Accept", "a" + strings.Repeat("b", 127), true},
		{"Accept", "a" + strings.Repeat("b", 128), false},
		{"Accept", "{json}", false},
		{"Accept", "application/json\x7f", false},
		{"ACCEPT-LANGUAGE", "en-US,en;q=0.9", true},
		{"Accept-Language", "de_DE", false},
		{"Content-Language", "fr, *", true},
		{"Content-Language", "fr\t", true}, // trailing tab trimmed by fetch()
		{"Content-Language", "fr\tde", false},
		{"Content-Type", "TEXT/PLAIN; charset=UTF-8", true},
		{"Content-Type", "  text/plain  ", true},
		{"Content-Type", "application/json", false},
		{"Content-Type", "text/plain; boundary=\"x\"", false},
		{"Content-Type", "multipart/form-data; boundary=----x", true},
		{"Content-Type", "text/", false},
		{"Content-Type", "/plain", false},
		{"Range", "bytes=0-0", true},
		{"Range", "bytes=007-7", true},
		{"Range", "BYTES=0-1", false},
		{"X-Requested-With", "XMLHttpRequest", false},
		{"Authorization", "Bearer x", false},
		{"Cache-Control", "no-cache", false},
	}
	for _, tc := range tests {
		if got := IsSafelistedRequestHeader(tc.name, tc.value); got != tc.want {
			t.Errorf("IsSafelistedRequestHeader(%q, %q) = %v, want %v", tc.name, tc.value, got, tc.want)
		}
	}
}

// Fetch "CORS-unsafe request-header names": lower-cased, sorted, de-duplicated;
// when the safelisted values add up to more than 1024 bytes they all become
// unsafe; forbidden request headers are dropped by fetch() and never count.
func TestUnsafeHeaderNames(t *testing.T) {
	long := strings.Repeat("a", 128)
	tests := []struct {
		name string
		h    http.Header
		want []string
	}{
		{"none", hdr(), nil},
		{"safelisted only", hdr("Accept", "*/*", "Content-Type", "text/plain"), nil},
		{"sorted and lower-cased", hdr("X-Zeta", "1", "Authorization", "x", "x-alpha", "2"), []string{"authorization", "x-alpha", "x-zeta"}},
		{"same name in two spellings", hdr("x-test", "1", "X-TEST", "2"), []string{"x-test"}},
		{"empty value still unsafe", hdr("X-Force-Preflight", ""), []string{"x-force-preflight"}},
		{"exactly 1024 safelisted bytes", hdr("Accept", long, "Accept", long, "Accept", long, "Accept", long,
			"Accept-Language", long, "Accept-Language", long, "Content-Language", long, "Content-Language", long), nil},
		{"over 1024 safelisted bytes", hdr("Accept", long, "Accept", long, "Accept", long, "Accept", long,
			"Accept-Language", long, "Accept-Language", long, "Content-Language", long, "Content-Language", long,
			"Range", "bytes=0-", "X-Custom", "1"), []string{"accept", "accept-language", "content-language", "range", "x-custom"}},
		{"each entry judged on its own", hdr("Content-Type", "text/plain", "content-type", "text/plain"), nil},
		{"one unsafe entry makes the name unsafe", hdr("Content-Type", "text/plain", "Content-Type", "application/json"), []string{"content-type"}},
		{"forbidden headers ignored", hdr("Cookie", "a=b", "Host", "x", "Origin", "https://e.test", "Sec-Fetch-Mode", "cors", "Proxy-Authorization", "x", "User-Agent", "x"), []string{"user-agent"}},
		{"method override with forbidden method ignored", hdr("X-HTTP-Method-Override", "TRACE"), nil},
		{"method override with ordinary method counts", hdr("X-HTTP-Method-Override", "PATCH"), []string{"x-http-method-override"}},
	}
	for _, tc := range tests {
		if got := UnsafeHeaderNames(tc.h); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: UnsafeHeaderNames = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// fetch()'s method normalisation and the CORS-safelisted methods, as
// cors-preflight-star.any.js relies on them.
func TestMethods(t *testing.T) {
	norm := map[string]string{
		"get": "GET", "Get": "GET", "head": "HEAD", "post": "POST", "put": "PUT",
		"delete": "DELETE", "options": "OPTIONS", "patch": "patch", "PATCH": "PATCH",
		"custom": "custom", "pOsT": "POST",
	}
	for in, want := range norm {
		if got := NormalizeMethod(in); got != want {
			t.Errorf("NormalizeMethod(%q) = %q, want %q", in, got, want)
		}
	}
	for m, want := range map[string]bool{"GET": true, "HEAD": true, "POST": true, "get": false, "PUT": false, "OPTIONS": false, "PATCH": false} {
		if got := IsSafelistedMethod(m); got != want {
			t.Errorf("IsSafelistedMethod(%q) = %v, want %v", m, got, want)
		}
	}
	for s, want := range map[string]bool{"GET": true, "*": true, "M-SEARCH": true, "": false, "Bad value": false, "GET,": false, "ü": false} {
		if IsMethodToken(s) != want || IsHeaderNameToken(s) != want {
			t.Errorf("token(%q) != %v", s, want)
		}
	}
}

// List headers: joined, split on commas, trimmed of spaces and tabs; empty
// elements are skipped; any other non-token element fails the whole header.
func TestParseList(t *testing.T) {
	tests := []struct {
		in    []string
		items []string
		ok    bool
	}{
		{nil, nil, true},
		{[]string{""}, nil, true},
		{[]string{"GET, POST"}, []string{"GET", "POST"}, true},
		{[]string{"GET", "PUT,\tDELETE"}, []string{"GET", "PUT", "DELETE"}, true},
		{[]string{" , GET,,"}, []string{"GET"}, true},
		{[]string{"x-test, *"}, []string{"x-test", "*"}, true},
		{[]string{"Bad value"}, nil, false},
		{[]string{"GET", "PUT DELETE"}, nil, false},
		{[]string{"x-a, \"x-b\""}, nil, false},
		{[]string{"GET;"}, nil, false},
	}
	for _, tc := range tests {
		items, ok := ParseList(tc.in)
		if ok != tc.ok || !reflect.DeepEqual(items, tc.items) {
			t.Errorf("ParseList(%q) = %q, %v; want %q, %v", tc.in, items, ok, tc.items, tc.ok)
		}
	}
}

func TestHeaderValues(t *testing.T) {
	tests := []struct {
		h       http.Header
		joined  string
		present bool
	}{
		{hdr(), "", false},
		{hdr("Access-Control-Allow-Origin", " * "), "*", true},
		{hdr("Access-Control-Allow-Origin", "a", "Access-Control-Allow-Origin", "b"), "a, b", true},
		{hdr("access-control-allow-origin", "a", "Access-Control-Allow-Origin", "b"), "b, a", true}, // keys in sorted order
		{hdr("Access-Control-Allow-Origin", ""), "", true},
	}
	for _, tc := range tests {
		j, p := HeaderValues(tc.h, "ACCESS-CONTROL-ALLOW-ORIGIN")
		if j != tc.joined || p != tc.present {
			t.Errorf("HeaderValues(%v) = %q, %v; want %q, %v", tc.h, j, p, tc.joined, tc.present)
		}
	}
}

// The preflight request (Fetch "CORS-preflight fetch"): OPTIONS with Accept
// */*, Origin, the normalised method, the unsafe names joined with "," and no
// space, and the Private Network Access request header when flagged.
func TestPreflightHeaders(t *testing.T) {
	r := Request{
		Origin: "https://app.test", Method: "put",
		Header:         hdr("X-B", "1", "Content-Type", "application/json", "Accept", "*/*", "Cookie", "s=1"),
		PrivateNetwork: true,
	}
	want := http.Header{
		"Accept":                                 {"*/*"},
		"Origin":                                 {"https://app.test"},
		"Access-Control-Request-Method":          {"PUT"},
		"Access-Control-Request-Headers":         {"content-type,x-b"},
		"Access-Control-Request-Private-Network": {"true"},
	}
	if got := PreflightHeaders(r); !reflect.DeepEqual(got, want) {
		t.Errorf("PreflightHeaders = %v, want %v", got, want)
	}
	simple := PreflightHeaders(Request{Origin: "null", Method: "DELETE"})
	if _, ok := simple["Access-Control-Request-Headers"]; ok {
		t.Errorf("Access-Control-Request-Headers sent without unsafe headers: %v", simple)
	}
}

// When a preflight happens: an unsafe method or header always; the Private
// Network Access flag only for profiles that enforce it.
func TestNeedsPreflight(t *testing.T) {
	tests := []struct {
		name string
		r    Request
		any  bool
		per  map[Profile]bool
	}{
		{"no method means GET", Request{}, false, map[Profile]bool{Spec: false}},
		{"simple GET", Request{Method: "GET"}, false, map[Profile]bool{Spec: false, Chromium: false, Firefox: false, WebKit: false}},
		{"lower-case post is normalised", Request{Method: "post", Header: hdr("Content-Type", "text/plain")}, false, map[Profile]bool{Spec: false}},
		{"patch stays patch", Request{Method: "patch"}, true, map[Profile]bool{Spec: true, Firefox: true}},
		{"OPTIONS", Request{Method: "OPTIONS"}, true, map[Profile]bool{WebKit: true}},
		{"JSON body", Request{Method: "POST", Header: hdr("Content-Type", "application/json")}, true, map[Profile]bool{Chromium: true}},
		{"private network GET", Request{Method: "GET", PrivateNetwork: true}, true, map[Profile]bool{Spec: false, Chromium: true, Firefox: false, WebKit: false}},
	}
	for _, tc := range tests {
		if got := NeedsPreflight(tc.r); got != tc.any {
			t.Errorf("%s: NeedsPreflight = %v, want %v", tc.name, got, tc.any)
		}
		for p, want := range tc.per {
			if got := NeedsPreflightFor(p, tc.r); got != want {
				t.Errorf("%s: NeedsPreflightFor(%s) = %v, want %v", tc.name, p, got, want)
			}
		}
	}
}

// Chromium's own additions to the safelist, measured in Chromium 156 by
// rules/spec/browsertest: client hints with well-formed values, and repeated
// values judged joined.
func TestChromiumSafelistExtensions(t *testing.T) {
	tests := []struct {
		name           string
		h              http.Header
		spec, chromium []string
	}{
		{"DPR decimal", http.Header{"Dpr": {"1.5"}}, []string{"dpr"}, nil},
		{"DPR negative", http.Header{"Dpr": {"-1"}}, []string{"dpr"}, []string{"dpr"}},
		{"Width integer", http.Header{"Width": {"100"}}, []string{"width"}, nil},
		{"Width decimal", http.Header{"Width": {"1.5"}}, []string{"width"}, []string{"width"}},
		{"ECT 4g", http.Header{"Ect": {"4g"}}, []string{"ect"}, nil},
		{"ECT 5g", http.Header{"Ect": {"5g"}}, []string{"ect"}, []string{"ect"}},
		{"Save-Data on", http.Header{"Save-Data": {"ON"}}, []string{"save-data"}, nil},
		{"Save-Data off", http.Header{"Save-Data": {"off"}}, []string{"save-data"}, []string{"save-data"}},
		{"Content-Type twice", http.Header{"Content-Type": {"text/plain", "text/plain"}}, nil, []string{"content-type"}},
		{"Accept twice", http.Header{"Accept": {"text/plain", "text/html"}}, nil, nil},
	}
	for _, tt := range tests {
		if got := UnsafeHeaderNamesFor(Spec, tt.h); !reflect.DeepEqual(got, tt.spec) {
			t.Errorf("%s: spec = %q, want %q", tt.name, got, tt.spec)
		}
		if got := UnsafeHeaderNamesFor(Chromium, tt.h); !reflect.DeepEqual(got, tt.chromium) {
			t.Errorf("%s: chromium = %q, want %q", tt.name, got, tt.chromium)
		}
	}
}
