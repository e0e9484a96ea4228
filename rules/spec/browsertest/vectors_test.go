//go:build unix

package browsertest

import (
	"strconv"
	"strings"
)

// vector is one cross-origin fetch() and the server's answers to it. Header
// values may use {origin} (the page's origin, http://127.0.0.1:<port>) and
// {port} (the page's port); the target substitutes them before answering.
type vector struct {
	group  string // the web-platform-tests file the vector follows
	name   string
	method string // as given to fetch(); "" = fetch()'s default (GET)
	req    []hdr  // author request headers, appended in order
	cred   string // fetch()'s credentials mode: omit, include or same-origin

	pfStatus int   // status of the answer to the preflight (0 = 204)
	pf       []hdr // headers of the answer to the preflight
	status   int   // status of the actual response (0 = 200)
	resp     []hdr // headers of the actual response

	expose string // a response header the page tries to read ("" = none)

	// known, when set, says that the oracle and Chromium disagree on this
	// vector and why; the test then expects the disagreement instead of
	// failing on it.
	known string
}

func (v vector) preflightStatus() int {
	if v.pfStatus == 0 {
		return 204
	}
	return v.pfStatus
}

func (v vector) actualStatus() int {
	if v.status == 0 {
		return 200
	}
	return v.status
}

// h builds a header list from name, value pairs.
func h(kv ...string) []hdr {
	out := make([]hdr, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, hdr{kv[i], kv[i+1]})
	}
	return out
}

func join(lists ...[]hdr) []hdr {
	var out []hdr
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

const (
	omit    = "omit"
	include = "include"
	sameOr  = "same-origin"
)

// grant is the actual response that lets the page read in mode cred.
func grant(cred string) []hdr {
	if cred == include {
		return h("Access-Control-Allow-Origin", "{origin}", "Access-Control-Allow-Credentials", "true")
	}
	return h("Access-Control-Allow-Origin", "*")
}

// vectors is the whole table, in groups.
func vectors() []vector {
	var all []vector
	for _, g := range [][]vector{
		originVectors(), credentialsVectors(), safelistVectors(),
		preflightStatusVectors(), preflightValidationVectors(),
		preflightStarVectors(), exposeVectors(),
	} {
		all = append(all, g...)
	}
	return all
}

// originVectors follow cors/origin.htm: which Access-Control-Allow-Origin
// values let a simple GET through, without and with credentials (with
// Access-Control-Allow-Credentials: true, so only the origin decides).
func originVectors() []vector {
	cases := []struct {
		name   string
		values []string // one response header per value; none = absent
	}{
		{"absent", nil},
		{"*", []string{"*"}},
		{"exact origin", []string{"{origin}"}},
		{"trailing slash", []string{"{origin}/"}},
		{"with a path", []string{"{origin}/path"}},
		{"upper-case scheme", []string{"HTTP://127.0.0.1:{port}"}},
		{"https scheme", []string{"https://127.0.0.1:{port}"}},
		{"localhost for 127.0.0.1", []string{"http://localhost:{port}"}},
		{"port missing", []string{"http://127.0.0.1"}},
		{"other port", []string{"http://127.0.0.1:1"}},
		{"scheme missing", []string{"127.0.0.1:{port}"}},
		{"null", []string{"null"}},
		{"NULL", []string{"NULL"}},
		{"empty value", []string{""}},
		{"list: origin, other", []string{"{origin}, http://example.test"}},
		{"list: origin, origin", []string{"{origin}, {origin}"}},
		{"list: origin with trailing comma", []string{"{origin},"}},
		{"list: *, origin", []string{"*, {origin}"}},
		{"double quotes", []string{`"{origin}"`}},
		{"single quotes", []string{"'{origin}'"}},
		{"surrounding spaces", []string{"   {origin}   "}},
		{"surrounding tabs", []string{"\t{origin}\t"}},
		{"* with spaces", []string{"  *  "}},
		{"**", []string{"**"}},
		{"two headers: origin, origin", []string{"{origin}", "{origin}"}},
		{"two headers: *, *", []string{"*", "*"}},
		{"two headers: *, origin", []string{"*", "{origin}"}},
	}
	var out []vector
	for _, cred := range []string{omit, include} {
		for _, c := range cases {
			resp := make([]hdr, 0, len(c.values)+1)
			for _, v := range c.values {
				resp = append(resp, hdr{"Access-Control-Allow-Origin", v})
			}
			if cred == include {
				resp = append(resp, hdr{"Access-Control-Allow-Credentials", "true"})
			}
			out = append(out, vector{group: "cors/origin.htm", name: "ACAO " + c.name + " (" + cred + ")", cred: cred, resp: resp})
		}
	}
	// The default credentials mode, same-origin, is not "include" for a
	// cross-origin URL.
	out = append(out,
		vector{group: "cors/origin.htm", name: "ACAO * (same-origin mode)", cred: sameOr, resp: h("Access-Control-Allow-Origin", "*")},
		vector{group: "cors/origin.htm", name: "ACAO exact origin (same-origin mode)", cred: sameOr, resp: h("Access-Control-Allow-Origin", "{origin}")},
		vector{group: "cors/origin.htm", name: "ACAO absent (same-origin mode)", cred: sameOr},
		vector{group: "cors/origin.htm", name: "ACAO exact origin, status 500 still readable", cred: omit, status: 500, resp: h("Access-Control-Allow-Origin", "{origin}")},
	)
	return out
}

// credentialsVectors follow cors/credentials-flag.htm: only the exact value
// "true" of Access-Control-Allow-Credentials admits a credentialed request,
// and a non-credentialed one ignores the header.
func credentialsVectors() []vector {
	cases := []struct {
		name   string
		values []string
	}{
		{"true", []string{"true"}},
		{"True", []string{"True"}},
		{"TRUE", []string{"TRUE"}},
		{"1", []string{"1"}},
		{`"true"`, []string{`"true"`}},
		{"surrounding spaces", []string{"  true  "}},
		{"absent", nil},
		{"false", []string{"false"}},
		{"empty value", []string{""}},
		{"list: true, true", []string{"true, true"}},
		{"two headers: true, true", []string{"true", "true"}},
	}
	var out []vector
	for _, c := range cases {
		resp := h("Access-Control-Allow-Origin", "{origin}")
		for _, v := range c.values {
			resp = append(resp, hdr{"Access-Control-Allow-Credentials", v})
		}
		out = append(out, vector{group: "cors/credentials-flag.htm", name: "ACAC " + c.name + " (include)", cred: include, resp: resp})
	}
	for _, v := range []string{"True", "false"} {
		out = append(out, vector{group: "cors/credentials-flag.htm", name: "ACAC " + v + " (omit)", cred: omit,
			resp: h("Access-Control-Allow-Origin", "{origin}", "Access-Control-Allow-Credentials", v)})
	}
	out = append(out,
		vector{group: "cors/credentials-flag.htm", name: "ACAC absent (omit)", cred: omit, resp: h("Access-Control-Allow-Origin", "{origin}")},
		vector{group: "cors/credentials-flag.htm", name: "ACAC true with ACAO * (include)", cred: include,
			resp: h("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Credentials", "true")},
	)
	return out
}

// refusePreflight answers the preflight with a bare 403, so a vector that
// needs a preflight is blocked and one that does not is allowed: the verdict
// and the server's OPTIONS log both say whether a preflight was needed.
var refusePreflight = h()

// safelistVectors follow cors/cors-safelisted-request-header.any.js and
// fetch/api/cors/resources/not-cors-safelisted.json: which methods and
// request headers make Chromium send a preflight.
func safelistVectors() []vector {
	const group = "cors-safelisted-request-header"
	var out []vector
	for _, m := range []string{"GET", "get", "HEAD", "head", "POST", "post", "PUT", "put", "DELETE", "delete",
		"PATCH", "patch", "OPTIONS", "options", "FOO", "foo"} {
		out = append(out, vector{group: group, name: "method " + m, method: m, cred: omit,
			pfStatus: 403, pf: refusePreflight, resp: grant(omit)})
	}
	long := func(prefix string, n int) string { return prefix + strings.Repeat("a", n-len(prefix)) }
	headers := []struct {
		method, name, value string
	}{
		{"", "Accept", "*/*"},
		{"", "Accept", "text/html"},
		{"", "Accept", "application/json"},
		{"", "Accept", "  text/html  "},
		{"", "Accept", `text/"html"`},
		{"", "Accept", "text/html?"},
		{"", "Accept", "a(b)"},
		{"", "Accept", "{x}"},
		{"", "Accept", long("text/", 128)},
		{"", "Accept", long("text/", 129)},
		{"", "Accept-Language", "en-US"},
		{"", "Accept-Language", "en-US,en;q=0.9"},
		{"", "Accept-Language", "en_US"},
		{"", "Accept-Language", "en@x"},
		{"", "Accept-Language", long("en", 128)},
		{"", "Accept-Language", long("en", 129)},
		{"", "Content-Language", "de"},
		{"", "Content-Language", "de-DE, en"},
		{"", "Content-Language", "de?"},
		{"POST", "Content-Type", "text/plain"},
		{"POST", "Content-Type", "text/plain;charset=UTF-8"},
		{"POST", "Content-Type", "TEXT/PLAIN"},
		{"POST", "Content-Type", "  text/plain  "},
		{"POST", "Content-Type", "text/plain;"},
		{"POST", "Content-Type", "text/plain; charset=\"utf-8\""},
		{"POST", "Content-Type", "text/plain;a=(b)"},
		{"POST", "Content-Type", "text/plain, application/json"},
		{"POST", "Content-Type", "application/x-www-form-urlencoded"},
		{"POST", "Content-Type", "multipart/form-data; boundary=x"},
		{"POST", "Content-Type", "application/json"},
		{"POST", "Content-Type", "text/html"},
		{"POST", "Content-Type", "text/csv"},
		{"POST", "Content-Type", "text /plain"},
		{"POST", "Content-Type", "text"},
		{"POST", "Content-Type", ""},
		{"POST", "Content-Type", long("text/plain;a=", 128)},
		{"POST", "Content-Type", long("text/plain;a=", 129)},
		{"", "Range", "bytes=0-"},
		{"", "Range", "bytes=0-100"},
		{"", "Range", "bytes=100-0"},
		{"", "Range", "bytes=-500"},
		{"", "Range", "bytes=0-1,2-3"},
		{"", "Range", "bytes = 0-1"},
		{"", "Range", "items=0-1"},
		{"", "X-Custom", "1"},
		{"", "Authorization", "Bearer x"},
		{"", "Cache-Control", "no-cache"},
		{"", "Pragma", "no-cache"},
		{"", "If-None-Match", "x"},
		{"", "Last-Event-ID", "1"},
		{"", "X-HTTP-Method-Override", "PUT"},
		// Forbidden request headers: fetch() drops them, so they cannot
		// make a request unsafe.
		{"", "X-HTTP-Method-Override", "TRACE"},
		{"", "Cookie", "a=b"},
		{"", "Referer", "http://example.test/"},
		{"", "Accept-Charset", "utf-8"},
		{"", "DNT", "1"},
		{"", "Sec-Custom", "1"},
		{"", "Proxy-Custom", "1"},
	}
	for _, c := range headers {
		name := c.name + ": " + shorten(c.value)
		if c.method != "" {
			name = c.method + " " + name
		}
		out = append(out, vector{group: group, name: name, method: c.method, req: h(c.name, c.value), cred: omit,
			pfStatus: 403, pf: refusePreflight, resp: grant(omit)})
	}
	out = append(out, clientHintVectors(group, long)...)
	out = append(out,
		vector{group: group, name: "POST Content-Type: text/plain twice", method: "POST",
			req: h("Content-Type", "text/plain", "Content-Type", "text/plain"), cred: omit,
			pfStatus: 403, pf: refusePreflight, resp: grant(omit),
		},
		// The same request with a preflight that allows content-type: both
		// read the response, but only Chromium asks first; the actual
		// request then carries "Content-Type: text/plain, text/plain".
		vector{group: group, name: "POST Content-Type: text/plain twice, preflight allows content-type", method: "POST",
			req: h("Content-Type", "text/plain", "Content-Type", "text/plain"), cred: omit,
			pf: h("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Headers", "content-type"), resp: grant(omit),
		},
		// Two Accept values join into "text/plain, text/html", still free
		// of unsafe bytes: no preflight either way.
		vector{group: group, name: "Accept twice", req: h("Accept", "text/plain", "Accept", "text/html"), cred: omit,
			pfStatus: 403, pf: refusePreflight, resp: grant(omit)},
		vector{group: group, name: "all four safelisted headers at once", method: "POST",
			req: h("Accept", "*/*", "Accept-Language", "en", "Content-Language", "de", "Content-Type", "text/plain"), cred: omit,
			pfStatus: 403, pf: refusePreflight, resp: grant(omit)},
		vector{group: group, name: "unsafe names are lower-cased and sorted", method: "PUT",
			req: h("X-B", "1", "X-A", "1", "Content-Type", "application/json"), cred: omit,
			pfStatus: 403, pf: refusePreflight, resp: grant(omit)},
		vector{group: group, name: "credentialed GET with X-Custom", req: h("X-Custom", "1"), cred: include,
			pfStatus: 403, pf: refusePreflight, resp: grant(include)},
	)
	// Requests fetch() refuses to make: it throws, nothing is sent.
	for _, c := range []struct {
		name, method string
		req          []hdr
	}{
		{"method CONNECT", "CONNECT", nil},
		{"method trace", "trace", nil},
		{"method with a space", "GET POST", nil},
		{"header name with a space", "", h("X Custom", "1")},
		{"header value with NUL", "", h("X-Custom", "a\x00b")},
	} {
		out = append(out, vector{group: group, name: "fetch() throws: " + c.name, method: c.method, req: c.req, cred: omit,
			pf: h("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "*", "Access-Control-Allow-Headers", "*"), resp: grant(omit)})
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

// clientHintVectors probe the client-hint request headers. The Fetch
// standard safelists none of them, but Chromium (and so the oracle's Chromium
// profile) sends these without a preflight when the value is well formed
// (measured: DPR, Device-Memory, Downlink take a non-negative decimal such
// as 2 or 1.5 but not -1 or 1e3; Width, Viewport-Width, RTT a non-negative
// integer; the effective connection type slow-2g or 4g but not 5g; Save-Data
// "on" in any case but not "off"); a malformed or over-long value is
// preflighted like any other unsafe header.
func clientHintVectors(group string, long func(string, int) string) []vector {
	// safelisted: Chromium sends it without a preflight.
	cases := []struct {
		name, value string
		safelisted  bool
	}{
		{"DPR", "2", true},
		{"DPR", "1.5", true},
		{"DPR", "-1", false},
		{"DPR", "1e3", false},
		{"DPR", "not a number", false},
		{"DPR", long("1", 129), false},
		{"Device-Memory", "8", true},
		{"Device-Memory", "0.5", true},
		{"Device-Memory", "abc", false},
		{"Downlink", "10", true},
		{"Downlink", "1.5", true},
		{"Downlink", "abc", false},
		{"Width", "100", true},
		{"Width", "1.5", false},
		{"Width", "abc", false},
		{"Viewport-Width", "100", true},
		{"Viewport-Width", "-1", false},
		{"RTT", "50", true},
		{"RTT", "1.5", false},
		{"RTT", "abc", false},
		{"ECT", "4g", true},
		{"ECT", "slow-2g", true},
		{"ECT", "5g", false},
		{"ECT", "(x)", false},
		{"Save-Data", "on", true},
		{"Save-Data", "ON", true},
		{"Save-Data", "off", false},
		{"Save-Data", "(x)", false},
	}
	out := make([]vector, 0, len(cases))
	for _, c := range cases {
		v := vector{group: group, name: "client hint " + c.name + ": " + shorten(c.value), req: h(c.name, c.value), cred: omit,
			pfStatus: 403, pf: refusePreflight, resp: grant(omit)}
		out = append(out, v)
	}
	return out
}

// shorten keeps long header values readable in vector names.
func shorten(v string) string {
	if len(v) > 40 {
		return v[:12] + "…(" + itoa(len(v)) + " bytes)"
	}
	return v
}

// putXCustom is the request the preflight-check vectors send unless they say
// otherwise: PUT with one unsafe header, not credentialed.
func putXCustom(group, name string, pfStatus int, pf []hdr) vector {
	return vector{group: group, name: name, method: "PUT", req: h("X-Custom", "1"), cred: omit,
		pfStatus: pfStatus, pf: pf, resp: grant(omit)}
}

// okPreflight is a preflight answer that admits PUT with X-Custom.
var okPreflight = h("Access-Control-Allow-Origin", "*",
	"Access-Control-Allow-Methods", "PUT", "Access-Control-Allow-Headers", "X-Custom")

// preflightStatusVectors follow fetch/api/cors/cors-preflight-status.any.js:
// only 200-299 is an ok status for a preflight, and redirects are not
// followed.
func preflightStatusVectors() []vector {
	const group = "cors-preflight-status.any.js"
	var out []vector
	for _, s := range []int{200, 204, 206, 299, 300, 301, 302, 303, 307, 308, 400, 401, 403, 404, 500, 503} {
		pf := okPreflight
		if s >= 300 && s < 400 {
			pf = join(okPreflight, h("Location", "/v/elsewhere"))
		}
		out = append(out, putXCustom(group, "preflight status "+itoa(s), s, pf))
	}
	return out
}

// preflightValidationVectors follow
// fetch/api/cors/cors-preflight-response-validation.any.js and
// cors-preflight.any.js: the CORS check on the preflight, and the
// Access-Control-Allow-Methods / -Allow-Headers lists.
func preflightValidationVectors() []vector {
	const group = "cors-preflight-response-validation.any.js"
	acao := h("Access-Control-Allow-Origin", "*")
	withHeaders := func(acam string) []hdr {
		return join(acao, h("Access-Control-Allow-Methods", acam, "Access-Control-Allow-Headers", "X-Custom"))
	}
	var out []vector
	// The CORS check on the preflight.
	out = append(out,
		putXCustom(group, "preflight without ACAO", 204, h("Access-Control-Allow-Methods", "PUT", "Access-Control-Allow-Headers", "X-Custom")),
		putXCustom(group, "preflight ACAO exact origin", 204, h("Access-Control-Allow-Origin", "{origin}", "Access-Control-Allow-Methods", "PUT", "Access-Control-Allow-Headers", "X-Custom")),
		putXCustom(group, "preflight ACAO trailing slash", 204, h("Access-Control-Allow-Origin", "{origin}/", "Access-Control-Allow-Methods", "PUT", "Access-Control-Allow-Headers", "X-Custom")),
		putXCustom(group, "preflight ACAO null", 204, h("Access-Control-Allow-Origin", "null", "Access-Control-Allow-Methods", "PUT", "Access-Control-Allow-Headers", "X-Custom")),
		putXCustom(group, "preflight passes, actual response lacks ACAO", 204, okPreflight),
	)
	out[len(out)-1].resp = nil
	// Credentialed preflights: the preflight itself carries no credentials
	// but is checked in the actual request's credentials mode.
	cred := func(name string, pf []hdr) vector {
		return vector{group: group, name: name, method: "PUT", req: h("X-Custom", "1"), cred: include,
			pf: pf, resp: grant(include)}
	}
	allow := h("Access-Control-Allow-Methods", "PUT", "Access-Control-Allow-Headers", "X-Custom")
	out = append(out,
		cred("credentialed: preflight ACAO origin + ACAC true", join(h("Access-Control-Allow-Origin", "{origin}", "Access-Control-Allow-Credentials", "true"), allow)),
		cred("credentialed: preflight ACAC absent", join(h("Access-Control-Allow-Origin", "{origin}"), allow)),
		cred("credentialed: preflight ACAC True", join(h("Access-Control-Allow-Origin", "{origin}", "Access-Control-Allow-Credentials", "True"), allow)),
		cred("credentialed: preflight ACAO *", join(h("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Credentials", "true"), allow)),
	)
	// Access-Control-Allow-Methods.
	for _, c := range []struct{ name, acam string }{
		{"PUT", "PUT"},
		{"put (case-sensitive)", "put"},
		{"Put (case-sensitive)", "Put"},
		{"GET, PUT", "GET, PUT"},
		{"GET,PUT", "GET,PUT"},
		{"surrounding spaces", "  PUT  "},
		{"PUT, (trailing comma)", "PUT,"},
		{",PUT (leading comma)", ",PUT"},
		{"GET,,PUT (empty element)", "GET,,PUT"},
		{"GET, POST (PUT missing)", "GET, POST"},
		{"empty value", ""},
		{"PUT GET (space inside: Bad method name)", "PUT GET"},
		{"PUT, (GET) (Bad method name)", "PUT, (GET)"},
		{"PUT; GET (Bad method name)", "PUT; GET"},
		{`"PUT" (quoted)`, `"PUT"`},
		{"PUT, GET POST (Bad method name after a match)", "PUT, GET POST"},
	} {
		out = append(out, putXCustom(group, "ACAM "+c.name, 204, withHeaders(c.acam)))
	}
	out = append(out,
		putXCustom(group, "ACAM absent for PUT", 204, join(acao, h("Access-Control-Allow-Headers", "X-Custom"))),
		putXCustom(group, "ACAM two headers: GET + PUT", 204, join(acao, h("Access-Control-Allow-Methods", "GET", "Access-Control-Allow-Methods", "PUT", "Access-Control-Allow-Headers", "X-Custom"))),
		vector{group: group, name: "ACAM absent for POST with X-Custom (safelisted method)", method: "POST", req: h("X-Custom", "1"), cred: omit,
			pf: join(acao, h("Access-Control-Allow-Headers", "X-Custom")), resp: grant(omit)},
		vector{group: group, name: "ACAM PUT only for POST with X-Custom (safelisted method)", method: "POST", req: h("X-Custom", "1"), cred: omit,
			pf: withHeaders("PUT"), resp: grant(omit)},
		vector{group: group, name: "ACAM bad token for POST with X-Custom", method: "POST", req: h("X-Custom", "1"), cred: omit,
			pf: withHeaders("POST GET"), resp: grant(omit)},
	)
	// PATCH is not normalised by fetch(): "patch" stays lower-case.
	for _, c := range []struct{ method, acam string }{
		{"patch", "PATCH"}, {"patch", "patch"}, {"PATCH", "patch"}, {"PATCH", "PATCH"}, {"patch", "*"},
		{"delete", "DELETE"}, {"delete", "delete"}, {"foo", "FOO"},
	} {
		out = append(out, vector{group: group, name: "method " + c.method + " with ACAM " + c.acam, method: c.method, cred: omit,
			pf: join(acao, h("Access-Control-Allow-Methods", c.acam)), resp: grant(omit)})
	}
	// Access-Control-Allow-Headers.
	get := func(name string, req []hdr, pf []hdr) vector {
		return vector{group: group, name: name, req: req, cred: omit, pf: join(acao, pf), resp: grant(omit)}
	}
	xc := h("X-Custom", "1")
	for _, c := range []struct{ name, acah string }{
		{"X-Custom", "X-Custom"},
		{"x-custom (case-insensitive)", "x-custom"},
		{"X-CUSTOM (case-insensitive)", "X-CUSTOM"},
		{"X-Other (missing)", "X-Other"},
		{"X-Other, X-Custom", "X-Other, X-Custom"},
		{"surrounding spaces", "  X-Custom  "},
		{"empty value", ""},
		{"X-Custom bad (Bad header name)", "X-Custom bad"},
		{"X-Custom, (bad) (Bad header name)", "X-Custom, (bad)"},
		{"X-Custom, x:y (Bad header name)", "X-Custom, x:y"},
		{`"X-Custom" (quoted)`, `"X-Custom"`},
	} {
		out = append(out, get("ACAH "+c.name, xc, h("Access-Control-Allow-Headers", c.acah)))
	}
	out = append(out,
		get("ACAH absent for X-Custom", xc, nil),
		get("ACAH two headers: X-Other + X-Custom", xc, h("Access-Control-Allow-Headers", "X-Other", "Access-Control-Allow-Headers", "X-Custom")),
		get("two unsafe headers, ACAH lists one", h("X-Custom", "1", "X-Other", "1"), h("Access-Control-Allow-Headers", "X-Custom")),
		get("two unsafe headers, ACAH lists both", h("X-Custom", "1", "X-Other", "1"), h("Access-Control-Allow-Headers", "x-other,x-custom")),
		get("Content-Type application/json, ACAH content-type", h("Content-Type", "application/json"), h("Access-Control-Allow-Headers", "content-type")),
		get("Content-Type application/json, ACAH absent", h("Content-Type", "application/json"), nil),
	)
	return out
}

// preflightStarVectors follow fetch/api/cors/cors-preflight-star.any.js: "*"
// in Access-Control-Allow-Methods / -Allow-Headers is a wildcard only for
// requests that are not credentialed, and (per the standard) never covers
// Authorization.
func preflightStarVectors() []vector {
	const group = "cors-preflight-star.any.js"
	credACAO := h("Access-Control-Allow-Origin", "{origin}", "Access-Control-Allow-Credentials", "true")
	starACAO := h("Access-Control-Allow-Origin", "*")
	v := func(name, method string, req []hdr, cred, acam, acah string) vector {
		pf := starACAO
		if cred == include {
			pf = credACAO
		}
		pf = append([]hdr(nil), pf...)
		if acam != "" {
			pf = append(pf, hdr{"Access-Control-Allow-Methods", acam})
		}
		if acah != "" {
			pf = append(pf, hdr{"Access-Control-Allow-Headers", acah})
		}
		return vector{group: group, name: name, method: method, req: req, cred: cred, pf: pf, resp: grant(cred)}
	}
	xc := h("X-Custom", "1")
	auth := h("Authorization", "Bearer x")
	return []vector{
		v("ACAM * for PUT (omit)", "PUT", nil, omit, "*", ""),
		v("ACAM * for PUT (include)", "PUT", nil, include, "*", ""),
		v("ACAM *, PUT for PUT (include)", "PUT", nil, include, "*, PUT", ""),
		v("ACAM * for method * (include: literal match)", "*", nil, include, "*", ""),
		v("ACAM * for SHOUT (omit)", "SHOUT", nil, omit, "*", ""),
		v("ACAH * for X-Custom (omit)", "", xc, omit, "", "*"),
		v("ACAH * for X-Custom (include)", "", xc, include, "", "*"),
		v("ACAH *, X-Custom for X-Custom (include)", "", xc, include, "", "*, X-Custom"),
		v("ACAH * for X-Custom and X-Other (omit)", "", h("X-Custom", "1", "X-Other", "2"), omit, "", "*"),
		v("ACAM * + ACAH * for PUT with X-Custom (omit)", "PUT", xc, omit, "*", "*"),
		v("ACAM * + ACAH * for PUT with X-Custom (include)", "PUT", xc, include, "*", "*"),
		v("ACAH * for Authorization (omit)", "", auth, omit, "", "*"),
		v("ACAH * for Authorization (include)", "", auth, include, "", "*"),
		v("ACAH *, Authorization for Authorization (omit)", "", auth, omit, "", "*, Authorization"),
		v("ACAH authorization for Authorization (omit)", "", auth, omit, "", "authorization"),
		v("ACAH Authorization for Authorization (include)", "", auth, include, "", "Authorization"),
		v("ACAH X-Custom for Authorization (omit)", "", auth, omit, "", "X-Custom"),
		v("ACAH * for Authorization and X-Custom (omit)", "", join(auth, xc), omit, "", "*"),
	}
}

// exposeVectors follow fetch/api/cors/cors-expose-star.js and
// cors-filtering: which response headers a page can read.
func exposeVectors() []vector {
	const group = "cors-expose-star.js"
	extra := h("X-Custom", "v", "X-Other", "w", "Set-Cookie", "exposetest=1; Path=/v", "Content-Language", "de", "Date", "Mon, 01 Jan 2024 00:00:00 GMT")
	v := func(name, cred, expose, read string) vector {
		resp := join(grant(cred), extra)
		if expose != "\x00" {
			resp = append(resp, hdr{"Access-Control-Expose-Headers", expose})
		}
		return vector{group: group, name: name, cred: cred, resp: resp, expose: read}
	}
	const absent = "\x00"
	return []vector{
		v("X-Custom not listed", omit, absent, "X-Custom"),
		v("X-Custom listed", omit, "X-Custom", "X-Custom"),
		v("x-custom listed lower-case", omit, "x-custom", "X-Custom"),
		v("X-Custom listed (include)", include, "X-Custom", "X-Custom"),
		v("X-Custom listed with surrounding spaces", omit, "  X-Custom  ", "X-Custom"),
		v("X-Other, X-Custom", omit, "X-Other, X-Custom", "X-Custom"),
		v("X-Other,,X-Custom (empty element)", omit, "X-Other,,X-Custom", "X-Custom"),
		v("X-Custom, bad header (unparsable list)", omit, "X-Custom, bad header", "X-Custom"),
		v("bad header, X-Custom (unparsable list)", omit, "bad header, X-Custom", "X-Custom"),
		v("X-Custom, (x) (unparsable list)", omit, "X-Custom, (x)", "X-Custom"),
		v("* (omit) exposes X-Custom", omit, "*", "X-Custom"),
		v("* (omit) exposes Date", omit, "*", "Date"),
		v("* (include) does not expose X-Custom", include, "*", "X-Custom"),
		v("*, X-Custom (include)", include, "*, X-Custom", "X-Custom"),
		v("Set-Cookie listed (omit)", omit, "Set-Cookie", "Set-Cookie"),
		v("Set-Cookie listed (include)", include, "Set-Cookie", "Set-Cookie"),
		v("* (omit) does not expose Set-Cookie", omit, "*", "Set-Cookie"),
		v("Content-Language not listed (safelisted)", omit, absent, "Content-Language"),
		v("Content-Type not listed (safelisted)", omit, absent, "Content-Type"),
		v("Content-Length not listed (safelisted)", include, absent, "Content-Length"),
		v("Cache-Control not listed (safelisted)", omit, absent, "Cache-Control"),
		v("Date not listed", omit, absent, "Date"),
		{group: group, name: "two Expose headers: X-Other + X-Custom", cred: omit, expose: "X-Custom",
			resp: join(grant(omit), extra, h("Access-Control-Expose-Headers", "X-Other", "Access-Control-Expose-Headers", "X-Custom"))},
	}
}
