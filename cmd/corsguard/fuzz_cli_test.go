package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// reflectingServer echoes any Origin with credentials: the worst case.
func reflectingServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o := r.Header.Get("Origin"); o != "" {
			w.Header().Set("Access-Control-Allow-Origin", o)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
			w.Header().Set("Vary", "Origin")
		}
		if r.Method == http.MethodOptions {
			w.Header().Set("Access-Control-Allow-Methods", "GET, PUT")
			w.Header().Set("Access-Control-Allow-Headers", "X-Token")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// exactServer allows only https://app.example.com, correctly.
func exactServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Vary", "Origin")
		if r.Header.Get("Origin") == "https://app.example.com" {
			w.Header().Set("Access-Control-Allow-Origin", "https://app.example.com")
			w.Header().Set("Access-Control-Allow-Credentials", "true")
		}
		_, _ = w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFuzzCLI(t *testing.T) {
	open := reflectingServer(t)
	safe := exactServer(t)
	runCLICases(t, []cliCase{
		{"reflection is critical", []string{"fuzz", "--seed", "7", "--rate", "0", "--budget", "300", "--no-progress", "--trusted-origin", "https://app.example.com", open.URL + "/"}, exitFindings, "CG101"},
		{"exact allowlist is clean", []string{"fuzz", "--seed", "7", "--rate", "0", "--budget", "300", "--no-progress", "--trusted-origin", "https://app.example.com", safe.URL + "/"}, exitClean, ""},
		{"sarif", []string{"fuzz", "--seed", "7", "--rate", "0", "--budget", "300", "--no-progress", "--format", "sarif", open.URL + "/"}, exitFindings, `"ruleId": "CG101"`},
		{"text replays with curl", []string{"fuzz", "--seed", "7", "--rate", "0", "--budget", "300", "--no-progress", "-H", "Authorization: Bearer s3cr3t", open.URL + "/"}, exitFindings, "reproduce: curl -sS -o /dev/null -D - -H 'Authorization: REDACTED' -H 'Origin: https://evil.test'"},
		{"sarif replays with curl", []string{"fuzz", "--seed", "7", "--rate", "0", "--budget", "300", "--no-progress", "--format", "sarif", open.URL + "/"}, exitFindings, "reproduce: curl -sS"},
		{"no target", []string{"fuzz"}, exitError, ""},
		{"out of scope resolve", []string{"fuzz", "--resolve", "bad", open.URL}, exitError, ""},
	})
}

func TestFuzzReplay(t *testing.T) {
	open := reflectingServer(t)
	results := filepath.Join(t.TempDir(), "results.jsonl")
	_, code := run(t, "fuzz", "--seed", "3", "--rate", "0", "--budget", "200", "--no-progress", "--format", "jsonl", "-o", results, open.URL+"/")
	if code != exitFindings {
		t.Fatalf("fuzz exit %d, want %d", code, exitFindings)
	}
	data, err := os.ReadFile(results)
	if err != nil {
		t.Fatal(err)
	}
	first := strings.SplitN(strings.TrimSpace(string(data)), "\n", 2)[0]
	var finding map[string]any
	if err := json.Unmarshal([]byte(first), &finding); err != nil {
		t.Fatalf("first JSONL line is not JSON: %v\n%s", err, first)
	}
	one := filepath.Join(t.TempDir(), "finding.json")
	if err := os.WriteFile(one, []byte(first), 0o644); err != nil {
		t.Fatal(err)
	}
	out, code := run(t, "fuzz", "--replay", one, open.URL+"/")
	if code == exitError {
		t.Fatalf("replay failed: %s", out)
	}
	if !strings.Contains(strings.ToLower(out), "reproduc") {
		t.Errorf("replay does not say whether the finding reproduces:\n%s", out)
	}
}

func TestProbeCLI(t *testing.T) {
	open := reflectingServer(t)
	safe := exactServer(t)
	runCLICases(t, []cliCase{
		{"allowed with preflight", []string{"probe", open.URL + "/", "--origin", "http://localhost:4300", "--credentials", "--method", "PUT", "-H", "X-Token: 1"}, exitClean, "preflight"},
		{"blocked explains the fix", []string{"probe", safe.URL + "/", "--origin", "http://localhost:4300"}, exitFindings, "Access-Control-Allow-Origin"},
		{"json verdict", []string{"probe", safe.URL + "/", "--origin", "https://app.example.com", "--credentials", "--format", "json"}, exitClean, `"allowed": true`},
	})
}
