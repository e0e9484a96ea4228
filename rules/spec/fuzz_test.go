package spec

import (
	"net/http"
	"strings"
	"testing"
)

// FuzzParseOrigin: never panics; whatever it accepts is a fixed point of
// serialisation (ParseOrigin is strict, so String gives the input back), and
// for the URL standard's special schemes the browser-side derivation agrees.
func FuzzParseOrigin(f *testing.F) {
	for _, tc := range validOrigins {
		f.Add(tc.in)
	}
	for _, tc := range invalidOrigins {
		f.Add(tc.in)
	}
	for _, tc := range originOfURLVectors {
		f.Add(tc.url)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseOrigin(s)
		if _, uerr := OriginOfURL(s); uerr != nil && uerr.Error() == "" {
			t.Fatalf("OriginOfURL(%q): empty error", s)
		}
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("ParseOrigin(%q): empty error", s)
			}
			return
		}
		if o.String() != s {
			t.Fatalf("ParseOrigin(%q).String() = %q", s, o.String())
		}
		if again, err := ParseOrigin(o.String()); err != nil || again != o {
			t.Fatalf("re-parse of %q: %+v, %v", s, again, err)
		}
		if !o.Opaque && isSpecialTupleScheme(o.Scheme) {
			u, err := OriginOfURL(s)
			if err != nil || u.String() != s {
				t.Fatalf("OriginOfURL(%q) = %q, %v; want the origin itself", s, u.String(), err)
			}
		}
	})
}

// FuzzCORSCheck: never panics, and the CORS check passes only when
// Access-Control-Allow-Origin (trimmed) is "*" for a request without
// credentials, or equals the request origin exactly, and then, with
// credentials, only when Access-Control-Allow-Credentials is exactly "true".
// A verdict's reason is empty exactly when it passes.
func FuzzCORSCheck(f *testing.F) {
	for _, tc := range originHTMVectors {
		f.Add(tc.acao, "", wptOrigin, false)
		f.Add(tc.acao, "true", wptOrigin, true)
	}
	f.Add("null", "true", "null", true)
	f.Add("https://a.test", "True", "https://a.test", true)
	f.Fuzz(func(t *testing.T, acao, acac, origin string, credentials bool) {
		h := http.Header{}
		if acao != "" {
			// A record separator splits the fuzzed value into several
			// headers, to exercise the joining rule.
			h["Access-Control-Allow-Origin"] = strings.Split(acao, "\x1e")
		}
		if acac != "" {
			h["Access-Control-Allow-Credentials"] = []string{acac}
		}
		v := CORSCheck(h, origin, credentials)
		if v.OK != (v.Reason() == "") {
			t.Fatalf("OK=%v with reason %q", v.OK, v.Reason())
		}
		if len(v.Steps) == 0 || v.Steps[len(v.Steps)-1].OK != v.OK {
			t.Fatalf("last step disagrees with the verdict: %+v", v)
		}
		if !v.OK {
			return
		}
		got, _ := HeaderValues(h, "Access-Control-Allow-Origin")
		wildcard := got == "*" && !credentials
		if !wildcard && got != origin {
			t.Fatalf("passed with ACAO %q for origin %q (credentials %v)", got, origin, credentials)
		}
		if !wildcard && !IsSerialisedOrigin(origin) {
			t.Fatalf("passed for an origin no browser sends: %q", origin)
		}
		if credentials && strings.Trim(acac, " \t") != "true" {
			t.Fatalf("credentialed pass with ACAC %q", acac)
		}
	})
}

// FuzzEvaluate: the whole flow never panics for arbitrary methods, headers
// and preflight answers, and a profile never allows what the CORS check on
// the actual response refuses.
func FuzzEvaluate(f *testing.F) {
	f.Add("https://a.test", "PUT", "X-Test", "1", 204, "https://a.test", "PUT", "x-test", true)
	f.Add("null", "patch", "Authorization", "x", 200, "*", "*", "*", false)
	f.Add("https://a.test", "POST", "Content-Type", "text/plain", 301, "*", "", "", false)
	f.Fuzz(func(t *testing.T, origin, method, hname, hvalue string, status int, acao, acam, acah string, credentials bool) {
		r := Request{Origin: origin, Method: method, Header: http.Header{hname: {hvalue}}, Credentials: credentials}
		pre := &Response{Status: status, Header: http.Header{
			"Access-Control-Allow-Origin":      {acao},
			"Access-Control-Allow-Methods":     {acam},
			"Access-Control-Allow-Headers":     {acah},
			"Access-Control-Allow-Credentials": {"true"},
		}}
		actual := Response{Status: 200, Header: pre.Header}
		for _, p := range Profiles {
			d := Evaluate(p, r, pre, actual)
			if d.Allowed && !CORSCheck(actual.Header, origin, credentials).OK {
				t.Fatalf("%s allowed what the CORS check refuses", p)
			}
			if d.Allowed != (d.Reason() == "") {
				t.Fatalf("%s: allowed=%v reason %q", p, d.Allowed, d.Reason())
			}
			_ = PreflightHeaders(r)
		}
	})
}
