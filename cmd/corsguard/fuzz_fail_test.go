package main

import (
	"bufio"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

// TestMain lets a test run this binary as the real CLI in a subprocess
// (for signals): with CORSGUARD_AS_CLI set, it is corsguard.
func TestMain(m *testing.M) {
	if os.Getenv("CORSGUARD_AS_CLI") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// deadURL is a loopback URL nothing listens on.
func deadURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + ln.Addr().String() + "/"
	_ = ln.Close()
	return u
}

// A target that cannot be reached is an error in every format and exit 2;
// the other target of the run is still fuzzed and reported.
func TestFuzzUnreachableTargetIsAnError(t *testing.T) {
	open := reflectingServer(t)
	dead := deadURL(t)
	base := []string{"fuzz", "--seed", "7", "--rate", "0", "--budget", "300", "--no-progress", "--timeout", "500ms", "--retries", "0"}
	runCLICases(t, []cliCase{
		{"text", append(base, dead, open.URL+"/"), exitError, dead + ": error: unreachable: "},
		{"text keeps the other target", append(base, dead, open.URL+"/"), exitError, "CG101"},
		{"json errors", append(base, "--format", "json", dead, open.URL+"/"), exitError, `"file": "` + dead + `"`},
		{"sarif notification", append(base, "--format", "sarif", dead, open.URL+"/"), exitError, `"executionSuccessful": false`},
		{"junit error", append(base, "--format", "junit", dead, open.URL+"/"), exitError, `<error message="unreachable: `},
		{"alone", append(base, dead), exitError, "1 of 1 target(s) could not be fuzzed"},
	})
	out, _ := run(t, append(base, "--format", "json", dead)...)
	var doc struct {
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal([]byte(out[:strings.LastIndex(out, "}")+1]), &doc); err != nil || len(doc.Errors) != 1 || !strings.Contains(doc.Errors[0].Message, "refused") {
		t.Errorf("JSON errors = %+v (%v), want the refused connection:\n%s", doc.Errors, err, out)
	}
}

func TestProbeNetworkErrorIsNoCORSVerdict(t *testing.T) {
	dead := deadURL(t)
	runCLICases(t, []cliCase{
		{"simple", []string{"probe", dead, "--origin", "https://app.example.com", "--timeout", "500ms", "--retries", "0"}, exitError, "no CORS verdict"},
		{"preflighted", []string{"probe", dead, "--origin", "https://app.example.com", "-X", "PUT", "--timeout", "500ms", "--retries", "0"}, exitError, "network error (preflight: "},
	})
	out, _ := run(t, "probe", dead, "--origin", "https://app.example.com", "--timeout", "500ms", "--retries", "0", "--no-color")
	if strings.Contains(out, "Access-Control-Allow-Origin") || strings.Contains(out, "BLOCKED") {
		t.Errorf("probe diagnoses CORS headers of a response that never came:\n%s", out)
	}
}

// SIGINT and SIGTERM stop the run: the report (-o) holds what was found
// and says interrupted, the stream and the corpus are written, and the
// exit status is 128 + the signal.
func TestFuzzSignalWritesTheReport(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the CLI as a subprocess")
	}
	var seen atomic.Int64
	midRun := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o := r.Header.Get("Origin"); o != "" {
			w.Header().Set("Access-Control-Allow-Origin", o)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
			w.Header().Set("Vary", "Origin")
		}
		if seen.Add(1)%60 == 0 {
			select {
			case midRun <- struct{}{}:
			default:
			}
		}
	}))
	t.Cleanup(srv.Close)
	for _, sig := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGTERM, exitSIGTERM}, {syscall.SIGINT, exitSIGINT}} {
		t.Run(sig.sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			report, stream, corpus := filepath.Join(dir, "report.json"), filepath.Join(dir, "stream.jsonl"), filepath.Join(dir, "corpus")
			// --rate 20 makes the run last ~15 s; the signal lands 60
			// requests in, before any target is done.
			cmd := exec.Command(os.Args[0], "fuzz", "--seed", "3", "--rate", "20", "--no-progress", "--format", "json",
				"-o", report, "--stream", stream, "--corpus", corpus, srv.URL+"/a", srv.URL+"/b")
			cmd.Env = append(os.Environ(), "CORSGUARD_AS_CLI=1")
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			<-midRun
			if err := cmd.Process.Signal(sig.sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			if code := cmd.ProcessState.ExitCode(); code != sig.code {
				t.Fatalf("exit %d (%v), want %d\n%s", code, err, sig.code, stderr.String())
			}
			data, err := os.ReadFile(report)
			if err != nil {
				t.Fatalf("no report after %s: %v\n%s", sig.sig, err, stderr.String())
			}
			var doc struct {
				Interrupted bool `json:"interrupted"`
				Findings    []struct {
					RuleID string `json:"ruleId"`
				} `json:"findings"`
			}
			if err := json.Unmarshal(data, &doc); err != nil {
				t.Fatalf("report: %v\n%s", err, data)
			}
			if !doc.Interrupted || len(doc.Findings) == 0 {
				t.Errorf("report interrupted=%v with %d findings, want the marker and what was found:\n%s", doc.Interrupted, len(doc.Findings), data)
			}
			if ents, err := os.ReadDir(corpus); err != nil || len(ents) == 0 {
				t.Errorf("corpus not saved: %v", err)
			}
			if lines := countLines(t, stream); lines != len(doc.Findings) {
				t.Errorf("stream has %d lines, want one per finding (%d)", lines, len(doc.Findings))
			}
		})
	}
}

// countLines counts the complete lines of path.
func countLines(t *testing.T, path string) int {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = fh.Close() }()
	lines := 0
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		lines++
	}
	return lines
}
