package fuzz

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules"
	"github.com/corsguard/corsguard/rules/spec"
)

func TestProbeExplainsWhatStopsTheRequest(t *testing.T) {
	// Allows PUT from the trusted origin with credentials, but not X-Token.
	h := allow{accept: exact(trustedApp), creds: true, methods: "GET, PUT"}
	c := startTarget(t, h)
	tests := []struct {
		name        string
		req         ProbeRequest
		allowed     bool
		preflight   bool
		actualSent  bool
		failingStep string
	}{
		{name: "simple GET", req: ProbeRequest{URL: testURL, Origin: trustedApp, Credentials: true},
			allowed: true, actualSent: true},
		{name: "PUT passes the preflight", req: ProbeRequest{URL: testURL, Origin: trustedApp, Method: "PUT", Credentials: true},
			allowed: true, preflight: true, actualSent: true},
		{name: "unknown header blocked at the preflight", req: ProbeRequest{URL: testURL, Origin: trustedApp, Method: "PUT",
			Header: http.Header{"X-Token": {"1"}}, Credentials: true},
			allowed: false, preflight: true, failingStep: spec.StepHeader},
		{name: "foreign origin blocked", req: ProbeRequest{URL: testURL, Origin: "http://localhost:4300"},
			allowed: false, actualSent: true, failingStep: spec.StepAllowOrigin},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Probe(context.Background(), c, tt.req, spec.Spec)
			if err != nil {
				t.Fatal(err)
			}
			if res.Allowed != tt.allowed || (res.Preflight != nil) != tt.preflight || (res.Actual != nil) != tt.actualSent {
				t.Fatalf("allowed %v preflight %v actual %v; want %v %v %v\n%s", res.Allowed, res.Preflight != nil, res.Actual != nil,
					tt.allowed, tt.preflight, tt.actualSent, res.Text())
			}
			if tt.failingStep != "" {
				i := slices.IndexFunc(res.Steps, func(s StepJSON) bool { return !s.OK })
				if i < 0 || res.Steps[i].Name != tt.failingStep || res.Steps[i].Fix == "" {
					t.Fatalf("failing step %+v; want %s with a fix\n%s", res.Steps, tt.failingStep, res.Text())
				}
			}
			if len(res.Profiles) != len(spec.Profiles) {
				t.Fatalf("%d profiles", len(res.Profiles))
			}
			b, _ := json.Marshal(res)
			for _, key := range []string{`"allowed":`, `"steps":`, `"profile":`} {
				if !bytes.Contains(b, []byte(key)) {
					t.Fatalf("JSON lacks %s: %s", key, b)
				}
			}
		})
	}
}

func TestExpectedVersusObserved(t *testing.T) {
	expected := rules.TargetPolicy{URL: testURL, Origins: []string{trustedApp, "https://admin.example.com"},
		Credentials: true, Methods: []string{"GET", "PUT"}, Headers: []string{"X-Custom", "Authorization", "Content-Type"}}.Expected(".corsguard.hcl")
	// The server also grants any subdomain, and forgets admin.
	h := allow{accept: func(o string) bool {
		return o == trustedApp || strings.HasSuffix(o, ".example.com") && o != "https://admin.example.com"
	}, creds: true, methods: "GET, PUT"}
	sum := fuzzOnce(t, h, Options{}, Target{URL: testURL, Expect: []rules.Policy{expected}, ExpectSource: ".corsguard.hcl"})
	var security, functional *Result
	for i, r := range sum.Results {
		if r.RuleID != "CG601" {
			continue
		}
		if r.Witness == "missing" {
			functional = &sum.Results[i]
		} else {
			security = &sum.Results[i]
		}
	}
	if security == nil || functional == nil {
		t.Fatalf("want a security and a functional CG601, got %+v", sum.Results)
	}
	if !strings.Contains(security.Diff, "+actual origin: https://evil.example.com") || security.Severity < rules.Medium {
		t.Fatalf("security mismatch:\n%s\n%s", security.Message, security.Diff)
	}
	if !strings.Contains(functional.Diff, "-actual origin: https://admin.example.com") || functional.Severity != rules.Low {
		t.Fatalf("functional mismatch:\n%s\n%s", functional.Message, functional.Diff)
	}
	// The same policy, served exactly, gives no mismatch at all.
	ok := allow{accept: exact(trustedApp, "https://admin.example.com"), creds: true, methods: "GET, PUT"}
	sum = fuzzOnce(t, ok, Options{}, Target{URL: testURL, Expect: []rules.Policy{expected}})
	for _, r := range sum.Results {
		if r.RuleID == "CG601" && r.Severity > rules.Info {
			t.Fatalf("exact server: %s %s\n%s", r.RuleID, r.Message, r.Diff)
		}
	}
}

func TestReplayReproducesAFinding(t *testing.T) {
	h := allow{accept: func(string) bool { return true }, creds: true}
	c := startTarget(t, h)
	sum, err := New(c, Options{Trusted: []string{trustedApp}, Seed: 3, Random: 4}).Run(context.Background(), []Target{{URL: testURL}}, nil)
	if err != nil || len(sum.Results) == 0 {
		t.Fatal(err, sum)
	}
	var buf bytes.Buffer
	if err := NewJSONL(&buf).Write(sum.Results[0]); err != nil {
		t.Fatal(err)
	}
	back, err := ReadResults(&buf, "finding.json")
	if err != nil || len(back) != 1 {
		t.Fatal(err)
	}
	if hosts := ReplayOrigins(back); !slices.Equal(hosts, []string{"http://" + testHost + ":80"}) {
		t.Fatalf("replay scope %v", hosts)
	}
	rep, err := Replay(context.Background(), c, back[0])
	if err != nil || !rep.Reproduced || !rep.Exchanges[0].Granted {
		t.Fatalf("replay %+v %v", rep, err)
	}
}

func TestCorpusRemembersNewBehaviour(t *testing.T) {
	dir := t.TempDir()
	corpus, err := OpenCorpus(dir)
	if err != nil {
		t.Fatal(err)
	}
	fuzzOnce(t, allow{accept: regex(`^https://app\.example\.com`), creds: true}, Options{Corpus: corpus})
	if err := corpus.Save(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, testHost+".origins"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "https://app.example.com.evil.test\tpost-domain") {
		t.Fatalf("corpus lacks the accepted post-domain origin:\n%s", data)
	}
	again, err := OpenCorpus(dir)
	if err != nil || len(again.Origins(testHost)) == 0 {
		t.Fatalf("reloaded corpus empty: %v", err)
	}
}

func TestJUnit(t *testing.T) {
	rs := []Result{{Finding: rules.Finding{RuleID: "CG101", Slug: "origin-reflected", Severity: rules.Critical, Message: "reflects"}, Target: "https://a.test/"}}
	sum := &Summary{
		Errors:  []TargetError{{Target: "https://c.test/", Kind: Unreachable, Message: "unreachable: connection refused", Sent: 2, Failed: 2}},
		Pending: []string{"https://d.test/"}, Interrupted: true,
	}
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, []string{"https://a.test/", "https://b.test/", "https://c.test/", "https://d.test/"}, sum, rs, rules.Low); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		`tests="4" failures="1" errors="2"`,
		`<testsuite name="https://b.test/" tests="1" failures="0" errors="0">`, `type="critical"`,
		// An unreachable target is an error, not a pass.
		`<testsuite name="https://c.test/" tests="1" failures="0" errors="1">`,
		`<error message="unreachable: connection refused" type="unreachable">`,
		// A target an interruption left undone says so.
		`<testsuite name="https://d.test/" tests="1" failures="0" errors="1">`, `type="interrupted"`,
	} {
		if !strings.Contains(out, want) {
			t.Fatalf("JUnit lacks %s:\n%s", want, out)
		}
	}
}

func TestTargetsAndSelection(t *testing.T) {
	got, err := ReadTargets(strings.NewReader("# fleet\nhttps://a.test/v1\n\nhttps://b.test\n"), "urls.txt")
	if err != nil || !slices.Equal(got, []string{"https://a.test/v1", "https://b.test/"}) {
		t.Fatalf("ReadTargets = %v %v", got, err)
	}
	if _, err := ReadTargets(strings.NewReader("ftp://x\n"), "urls.txt"); err == nil || !strings.Contains(err.Error(), "urls.txt:1") {
		t.Fatalf("bad line error = %v", err)
	}
	exp, err := ExpandPaths([]string{"https://a.test/"}, []string{"/v1/me", "health"})
	if err != nil || !slices.Equal(exp, []string{"https://a.test/", "https://a.test/v1/me", "https://a.test/health"}) {
		t.Fatalf("ExpandPaths = %v %v", exp, err)
	}
	pols := []rules.Policy{
		{Scope: rules.Scope{Name: "server api.example.com"}, Hosts: []string{"api.example.com"}},
		{Scope: rules.Scope{Name: "server api.example.com > location /v1"}, Hosts: []string{"api.example.com"}},
		{Scope: rules.Scope{Name: "server other.test"}, Hosts: []string{"other.test"}},
	}
	sel := SelectExpected(pols, "https://api.example.com/v1/me")
	if len(sel) != 1 || sel[0].Scope.Name != "server api.example.com > location /v1" {
		t.Fatalf("SelectExpected = %+v", sel)
	}
}
