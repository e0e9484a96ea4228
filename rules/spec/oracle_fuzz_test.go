package spec

import (
	"net/http"
	"strings"
	"testing"
)

// FuzzOracle: for every profile and for MostPermissive, whatever the
// request and the answers, the oracle never lets a page read a response
// that has no Access-Control-Allow-Origin, never passes a needed preflight
// whose answer has none, and never lets a wildcard through a credentialed
// request (on the actual response or on the preflight).
func FuzzOracle(f *testing.F) {
	f.Add("https://a.test", "GET", "", "", false, true, "https://a.test", "true", true, 204, "*", "*", "")
	f.Add("https://a.test", "PUT", "Authorization", "x", true, true, "*", "true", true, 204, "PUT", "*", "*")
	f.Add("null", "DELETE", "X-Test", "1", true, false, "", "", true, 200, "*", "x-test", "null")
	f.Add("https://a.test", "POST", "Content-Type", "text/plain", false, true, " * ", "", false, 0, "", "", "")
	f.Fuzz(func(t *testing.T, origin, method, hname, hvalue string, credentials, withACAO bool, acao, acac string,
		withPreflight bool, status int, acam, acah, preACAO string) {
		r := Request{Origin: origin, Method: method, Credentials: credentials, Header: http.Header{}}
		if hname != "" {
			r.Header[hname] = []string{hvalue}
		}
		actual := Response{Status: 200, Header: http.Header{}}
		if withACAO {
			// A record separator splits the value into several headers.
			actual.Header["Access-Control-Allow-Origin"] = strings.Split(acao, "\x1e")
		}
		if acac != "" {
			actual.Header["Access-Control-Allow-Credentials"] = []string{acac}
		}
		var pre *Response
		if withPreflight {
			pre = &Response{Status: status, Header: http.Header{
				"Access-Control-Allow-Methods":     {acam},
				"Access-Control-Allow-Headers":     {acah},
				"Access-Control-Allow-Credentials": {acac},
			}}
			if preACAO != "" {
				pre.Header["Access-Control-Allow-Origin"] = strings.Split(preACAO, "\x1e")
			}
		}
		check := func(d Decision) {
			if !d.Allowed {
				return
			}
			got, present := HeaderValues(actual.Header, "Access-Control-Allow-Origin")
			if !present || strings.Trim(got, " \t") == "" {
				t.Fatalf("%s allowed a response without Access-Control-Allow-Origin", d.Profile)
			}
			if credentials && strings.Trim(got, " \t") == "*" {
				t.Fatalf("%s allowed ACAO * with credentials", d.Profile)
			}
			if d.PreflightNeeded {
				pg, ok := HeaderValues(pre.Header, "Access-Control-Allow-Origin")
				if !ok || strings.Trim(pg, " \t") == "" {
					t.Fatalf("%s passed a preflight without Access-Control-Allow-Origin", d.Profile)
				}
				if credentials && strings.Trim(pg, " \t") == "*" {
					t.Fatalf("%s passed a credentialed preflight with ACAO *", d.Profile)
				}
			}
		}
		for _, p := range Profiles {
			check(Evaluate(p, r, pre, actual))
		}
		check(MostPermissive(r, pre, actual))
	})
}
