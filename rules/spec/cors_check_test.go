package spec

import (
	"net/http"
	"strings"
	"testing"
)

// Vectors from web-platform-tests cors/origin.htm: the page at wptOrigin
// fetches a cross-origin resource whose Access-Control-Allow-Origin is the
// given value; shouldPass values make the response readable, shouldFail values
// block it. Not credentialed.
var originHTMVectors = []struct {
	acao string
	pass bool
}{
	// shouldPass: "*" and the exact origin, with spaces and tabs trimmed.
	{"*", true},
	{" *  ", true},
	{"\t*", true},
	{wptOrigin, true},
	{" " + wptOrigin, true},
	{" " + wptOrigin + "   \t ", true},
	{"\t" + wptOrigin, true},

	// shouldFail: anything that is not byte-for-byte the origin or "*".
	{"http://www." + wptHost, false}, // SUBDOMAIN
	{"//" + wptHost, false},
	{"://" + wptHost, false},
	{"ftp://" + wptHost, false},
	{"http:://" + wptHost, false},
	{"http:/" + wptHost, false},
	{"http:" + wptHost, false},
	{wptHost, false},
	{wptOrigin + "?", false},
	{wptOrigin + "/", false},
	{wptOrigin + " /", false},
	{wptOrigin + "#", false},
	{wptOrigin + "%23", false},
	{wptOrigin + ":80", false},
	{wptOrigin + ", *", false},
	{wptOrigin + "\x00", false},
	{strings.ToUpper(wptOrigin), false},
	{"HTTP://" + wptHost, false},
	{"-", false},
	{"**", false},
	{"\x00*", false},
	{"*\x00", false},
	{"'*'", false},
	{`"*"`, false},
	{"* *", false},
	{"* null", false},
	{"*http://*", false},
	{"*" + wptOrigin, false},
	{"* " + wptOrigin, false},
	{"*, " + wptOrigin, false},
	{"\x00" + wptOrigin, false},
	{"null " + wptOrigin, false},
	{"http://example.net", false},
	{"null", false},
	{"null *", false},
	{"", false},
	{wptHref, false},
	{wptOrigin + "/cors/", false}, // dirname(location.href)
	{wptCrossDomain, false},
	{"test:8000", false},          // location.host minus its first label
	{".test:8000", false},         // ... with a leading dot
	{"*.test:8000", false},        // ... as a wildcard
	{"http://test:8000", false},   // ... with a scheme
	{"http://.test:8000", false},  // ... dot and scheme
	{"http://*.test:8000", false}, // ... wildcard and scheme
}

func TestCORSCheck_WPTOriginHTM(t *testing.T) {
	for _, tc := range originHTMVectors {
		v := CORSCheck(hdr("Access-Control-Allow-Origin", tc.acao), wptOrigin, false)
		if v.OK != tc.pass {
			t.Errorf("ACAO %q: OK=%v, want %v (%s)", tc.acao, v.OK, tc.pass, v.Reason())
		}
		if !v.OK && v.Reason() == "" {
			t.Errorf("ACAO %q: failure without a reason", tc.acao)
		}
	}
}

// Vectors from web-platform-tests cors/origin.htm doubleOrigin(): the
// response carries Access-Control-Allow-Origin twice; the browser sees the
// values joined with ", ", which is never a single origin.
var doubleOriginVectors = [][2]string{
	{"", "*"},
	{"*", ""},
	{"*", "*"},
	{"", wptOrigin},
	{"*", wptOrigin},
	{wptOrigin, wptOrigin},
}

func TestCORSCheck_WPTOriginHTMDoubleHeader(t *testing.T) {
	for _, tc := range doubleOriginVectors {
		h := hdr("Access-Control-Allow-Origin", tc[0], "Access-Control-Allow-Origin", tc[1])
		if v := CORSCheck(h, wptOrigin, false); v.OK {
			t.Errorf("two ACAO headers %q, %q: allowed, want blocked", tc[0], tc[1])
		}
	}
}

// Vectors from web-platform-tests cors/credentials-flag.htm
// (test_response_header): with credentials mode "include" and an exact ACAO,
// Access-Control-Allow-Credentials must be exactly "true". The extra rows
// pin the neighbouring rules of the Fetch CORS check (absent ACAC, trimming,
// two headers, "*" with credentials).
var credentialsFlagVectors = []struct {
	name string
	h    http.Header
	pass bool
}{
	{"TRUE", hdr("Access-Control-Allow-Origin", wptOrigin, "Access-Control-Allow-Credentials", "TRUE"), false},
	{"True", hdr("Access-Control-Allow-Origin", wptOrigin, "Access-Control-Allow-Credentials", "True"), false},
	{`"true"`, hdr("Access-Control-Allow-Origin", wptOrigin, "Access-Control-Allow-Credentials", `"true"`), false},
	{"'true'", hdr("Access-Control-Allow-Origin", wptOrigin, "Access-Control-Allow-Credentials", "'true'"), false},
	{"false", hdr("Access-Control-Allow-Origin", wptOrigin, "Access-Control-Allow-Credentials", "false"), false},
	{"1", hdr("Access-Control-Allow-Origin", wptOrigin, "Access-Control-Allow-Credentials", "1"), false},
	{"0", hdr("Access-Control-Allow-Origin", wptOrigin, "Access-Control-Allow-Credentials", "0"), false},
	{",true", hdr("Access-Control-Allow-Origin", wptOrigin, "Access-Control-Allow-Credentials", ",true"), false},
	{"true,", hdr("Access-Control-Allow-Origin", wptOrigin, "Access-Control-Allow-Credentials", "true,"), false},
	{"true%0B", hdr("Access-Control-Allow-Origin", wptOrigin, "Access-Control-Allow-Credentials", "true\x0b"), false},
	{"true%0C", hdr("Access-Control-Allow-Origin", wptOrigin, "Access-Control-Allow-Credentials", "true\x0c"), false},
	{"exactly true", hdr("Access-Control-Allow-Origin", wptOrigin, "Access-Control-Allow-Credentials", "true"), true},
	{"true padded with space and tab", hdr("Access-Control-Allow-Origin", wptOrigin, "Access-Control-Allow-Credentials", " true\t"), true},
	{"ACAC absent", hdr("Access-Control-Allow-Origin", wptOrigin), false},
	{"ACAC twice", hdr("Access-Control-Allow-Origin", wptOrigin, "Access-Control-Allow-Credentials", "true", "Access-Control-Allow-Credentials", "true"), false},
	{"ACAO * with credentials", hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Credentials", "true"), false},
	{"lower-case header names", hdr("access-control-allow-origin", wptOrigin, "access-control-allow-credentials", "true"), true},
	{"ACAO absent", hdr("Access-Control-Allow-Credentials", "true"), false},
}

func TestCORSCheck_WPTCredentialsFlag(t *testing.T) {
	for _, tc := range credentialsFlagVectors {
		v := CORSCheck(tc.h, wptOrigin, true)
		if v.OK != tc.pass {
			t.Errorf("%s: OK=%v, want %v (%s)", tc.name, v.OK, tc.pass, v.Reason())
		}
	}
}

// The CORS check's own steps (Fetch "CORS check"), including the null origin
// of sandboxed documents, which "null" in ACAO lets through.
func TestCORSCheck_Steps(t *testing.T) {
	tests := []struct {
		name     string
		h        http.Header
		origin   string
		creds    bool
		pass     bool
		failStep string
		reason   string // substring of the failure reason
	}{
		{"absent ACAO", hdr(), "https://a.test", false, false, StepAllowOrigin, "No 'Access-Control-Allow-Origin' header"},
		{"wildcard non-credentialed", hdr("Access-Control-Allow-Origin", "*"), "https://a.test", false, true, "", ""},
		{"wildcard credentialed", hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Credentials", "true"), "https://a.test", true, false, StepAllowOrigin, "must not be the wildcard"},
		{"trailing slash explained", hdr("Access-Control-Allow-Origin", "https://a.test/"), "https://a.test", false, false, StepAllowOrigin, "trailing slash"},
		{"list explained", hdr("Access-Control-Allow-Origin", "https://a.test https://b.test"), "https://a.test", false, false, StepAllowOrigin, "list"},
		{"comma list", hdr("Access-Control-Allow-Origin", "https://a.test,https://b.test"), "https://a.test", false, false, StepAllowOrigin, "multiple values"},
		{"null origin matched by null", hdr("Access-Control-Allow-Origin", "null", "Access-Control-Allow-Credentials", "true"), "null", true, true, "", ""},
		{"null ACAO does not match a tuple origin", hdr("Access-Control-Allow-Origin", "null"), "https://a.test", false, false, StepAllowOrigin, "not equal"},
		{"missing ACAC", hdr("Access-Control-Allow-Origin", "https://a.test"), "https://a.test", true, false, StepAllowCreds, "must be 'true'"},
		{"origin that no browser sends", hdr("Access-Control-Allow-Origin", "https://a.test/"), "https://a.test/", false, false, StepRequest, "not a serialised origin"},
		{"non-canonical key spelling", http.Header{"ACCESS-CONTROL-ALLOW-ORIGIN": {"https://a.test"}}, "https://a.test", false, true, "", ""},
		{"empty value slice is absent", http.Header{"Access-Control-Allow-Origin": {}}, "https://a.test", false, false, StepAllowOrigin, "No 'Access-Control-Allow-Origin'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := CORSCheck(tc.h, tc.origin, tc.creds)
			if v.OK != tc.pass {
				t.Fatalf("OK=%v, want %v (%s)", v.OK, tc.pass, v.Reason())
			}
			if tc.pass {
				if v.Reason() != "" {
					t.Errorf("passing verdict has reason %q", v.Reason())
				}
				return
			}
			st, _ := v.Failed()
			if st.Name != tc.failStep {
				t.Errorf("failing step %q, want %q", st.Name, tc.failStep)
			}
			if !strings.Contains(v.Reason(), tc.reason) {
				t.Errorf("reason %q does not mention %q", v.Reason(), tc.reason)
			}
			if tc.failStep == StepAllowOrigin && st.Fix != "Access-Control-Allow-Origin: "+tc.origin {
				t.Errorf("fix %q", st.Fix)
			}
		})
	}
}
