package fuzz

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules/spec"
)

// probeAgainst probes a server whose every answer carries headers.
func probeAgainst(t *testing.T, headers http.Header, req ProbeRequest) *ProbeResult {
	t.Helper()
	c := startTarget(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, vs := range headers {
			w.Header()[k] = vs
		}
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
		}
	}))
	req.URL = testURL
	res, err := Probe(context.Background(), c, req, spec.Spec)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// The whole fix in one run: every header that is missing or wrong, the
// preflight's and the actual response's, not only the first failing check.
func TestProbeGivesTheWholeFix(t *testing.T) {
	res := probeAgainst(t, http.Header{
		"Server":                       {"nginx/1.22.1"},
		"Access-Control-Allow-Origin":  {trustedApp},
		"Access-Control-Allow-Methods": {"GET"},
	}, ProbeRequest{Origin: trustedApp, Method: "PUT", Header: http.Header{"X-Token": {"1"}}, Credentials: true, Always: true})
	missing := map[string]bool{}
	for _, f := range res.Fix {
		if !f.OK {
			missing[f.Phase+" "+f.Name] = true
		}
	}
	for _, want := range []string{
		"preflight Access-Control-Allow-Credentials", "preflight Access-Control-Allow-Methods", "preflight Access-Control-Allow-Headers",
		"actual Access-Control-Allow-Credentials", "actual Vary",
	} {
		if !missing[want] {
			t.Errorf("the fix lacks %s: %+v", want, res.Fix)
		}
	}
	if missing["preflight Access-Control-Allow-Origin"] || missing["actual Access-Control-Allow-Origin"] {
		t.Errorf("a header the server already sends right is listed as missing: %+v", res.Fix)
	}
	// nginx says what it is: the fix is written for it, as an allowlist.
	if res.Server != "nginx" || !strings.Contains(res.FixSnippet, `"https://app.example.com" $http_origin;`) ||
		!strings.Contains(res.FixSnippet, "Access-Control-Allow-Headers \"x-token\"") || strings.Contains(res.FixSnippet, "add_header Access-Control-Allow-Origin $http_origin") {
		t.Errorf("server %q, snippet:\n%s", res.Server, res.FixSnippet)
	}
	if out := res.Text(); !strings.Contains(out, "The fix for nginx") || !strings.Contains(out, "✗ actual Vary: Origin") {
		t.Errorf("text lacks the fix:\n%s", out)
	}
}

// A server that offers credentials to a probe made without them: the
// answer says how the verdict changes with them.
func TestProbeSaysWhatCredentialsChange(t *testing.T) {
	res := probeAgainst(t, http.Header{"Access-Control-Allow-Origin": {"*"}, "Access-Control-Allow-Credentials": {"true"}},
		ProbeRequest{Origin: trustedApp})
	if !res.Allowed || len(res.WithCredentials) != len(spec.Profiles) {
		t.Fatalf("allowed %v, %d credentialed verdicts", res.Allowed, len(res.WithCredentials))
	}
	for _, a := range res.WithCredentials {
		if a.Allowed {
			t.Errorf("%s allows '*' with credentials", a.Profile)
		}
	}
	if out := res.Text(); !strings.Contains(out, `with credentials: "include" (--credentials) the same answers are BLOCKED in every profile`) {
		t.Errorf("text lacks the credentials verdict:\n%s", out)
	}
	// Without the offer there is nothing to say.
	plain := probeAgainst(t, http.Header{"Access-Control-Allow-Origin": {"*"}}, ProbeRequest{Origin: trustedApp})
	if len(plain.WithCredentials) != 0 {
		t.Errorf("credentialed verdicts for a server that does not offer credentials")
	}
}
