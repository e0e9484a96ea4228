package fuzz

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/corsguard/corsguard/fuzz/driver"
	"github.com/corsguard/corsguard/rules"
	"github.com/corsguard/corsguard/rules/report"
)

// The user's secrets, each unique enough to grep for.
const (
	leakToken  = "LEAKtok-7e6d5c4b3a"
	leakCookie = "LEAKcookie-0f1e2d3c"
)

// leakForms are the forms the secrets take on the wire and in an echo.
var leakForms = []string{leakToken, leakCookie, "Bearer " + leakToken, "sid=" + leakCookie}

// leakingServer puts the user's secrets, as it received them, into every
// header it sends and into its body; it reflects any origin (CG101) and
// answers the trusted origin with a grant no browser origin can equal
// (CG111, which quotes the header), so both kinds of evidence are kept.
func leakingServer(got *atomic.Int32) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth, cookie := r.Header.Get("Authorization"), r.Header.Get("Cookie")
		if strings.Contains(auth, leakToken) && strings.Contains(cookie, leakCookie) {
			got.Add(1)
		}
		leak := auth + "; " + cookie + "; " + strings.TrimPrefix(auth, "Bearer ")
		h := w.Header()
		for _, name := range []string{"Vary", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers",
			"Access-Control-Expose-Headers", "Access-Control-Max-Age", "Access-Control-Allow-Private-Network",
			"Location", "Retry-After", "Server", "X-Powered-By", "Timing-Allow-Origin", "X-Echo"} {
			h.Set(name, "Origin, "+leak)
		}
		h.Set("Content-Type", "text/plain; "+leak)
		h.Set("Access-Control-Allow-Credentials", "true; "+leak)
		h.Add("Set-Cookie", "echo="+leak)
		o := r.Header.Get("Origin")
		switch {
		case o == trustedApp:
			h.Set("Access-Control-Allow-Origin", o+"/"+strings.TrimPrefix(auth, "Bearer "))
		case o != "":
			h.Set("Access-Control-Allow-Origin", o)
		}
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		_, _ = io.WriteString(w, "body: "+leak)
	})
}

// A response kept as evidence with a secret in every header and in the
// body comes out redacted in every output of a fuzz run: the text, JSON
// and SARIF reports (as the CLI writes them: text and SARIF carry the
// curl line), the JSONL stream, the corpus, notes and errors. The kept
// headers are there, scrubbed: the secrets are not hidden by dropping the
// evidence.
func TestKeptEvidenceIsRedactedInEveryOutput(t *testing.T) {
	var got atomic.Int32
	srv := httptest.NewServer(leakingServer(&got))
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	c, err := driver.New(driver.Config{Scope: []string{"http://" + testHost}, Resolve: []string{testHost + ":80:" + u.Host},
		Header: http.Header{"Authorization": {"Bearer " + leakToken}}, Cookies: []string{"sid=" + leakCookie}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	corpus, err := OpenCorpus(filepath.Join(dir, "corpus"))
	if err != nil {
		t.Fatal(err)
	}
	var stream bytes.Buffer
	jsonl := NewJSONL(&stream)
	opts := Options{Trusted: []string{trustedApp}, Seed: testSeed, Random: testRandom, Workers: testWorkers, Corpus: corpus}
	sum, err := New(c, opts).Run(context.Background(), []Target{{URL: testURL}}, func(r Result) {
		if err := jsonl.Write(r); err != nil {
			t.Error(err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := corpus.Save(); err != nil {
		t.Fatal(err)
	}
	if got.Load() == 0 {
		t.Fatal("the secrets never reached the server: the test proves nothing")
	}
	if !hasRule(sum, "CG101") || !hasRule(sum, "CG111") {
		t.Fatalf("want CG101 and CG111 with evidence, got %v", above(sum, rules.Info))
	}

	outputs := map[string]string{"stream": stream.String()}
	for _, format := range []string{"text", "json", "sarif"} {
		in := report.Input{Tool: "fuzz", Version: "test", Files: sum.Targets}
		for _, r := range sum.Results {
			f := r.Finding
			if format != "json" && len(r.Exchanges) > 0 {
				f.Message += "; reproduce: " + r.Exchanges[0].Curl // as cmd/corsguard does
			}
			in.Findings = append(in.Findings, f)
		}
		for _, e := range sum.Errors {
			in.Errors = append(in.Errors, rules.Diagnostic{Range: rules.Range{File: e.Target}, Message: e.Message})
		}
		var b bytes.Buffer
		var err error
		switch format {
		case "text":
			err = report.Text(&b, in, report.TextOptions{})
		case "json":
			err = report.JSON(&b, in)
		case "sarif":
			err = report.SARIF(&b, in)
		}
		if err != nil {
			t.Fatal(err)
		}
		outputs[format] = b.String()
	}
	files, _ := filepath.Glob(filepath.Join(dir, "corpus", "*"))
	if len(files) == 0 {
		t.Fatal("no corpus file written")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		outputs["corpus "+filepath.Base(f)] = string(b)
	}
	outputs["notes"] = strings.Join(sum.Notes, "\n")

	for name, text := range outputs {
		for _, s := range leakForms {
			if i := strings.Index(text, s); i >= 0 {
				t.Errorf("%s contains the secret %q: …%s…", name, s, text[max(0, i-80):min(len(text), i+len(s)+20)])
			}
		}
	}
	// The evidence kept the leaking headers, scrubbed.
	for _, want := range []string{`"Access-Control-Expose-Headers":["Origin, REDACTED; REDACTED; REDACTED"]`,
		`"Access-Control-Allow-Credentials":["true; REDACTED; REDACTED; REDACTED"]`, `"Cookie":["REDACTED"]`} {
		if !strings.Contains(stream.String(), want) {
			t.Errorf("the stream lacks %s", want)
		}
	}
	if strings.Contains(stream.String(), "X-Echo") {
		t.Error("the stream keeps a header judging never reads")
	}
	for _, format := range []string{"text", "sarif"} {
		if !strings.Contains(outputs[format], "Allow-Origin: "+trustedApp+"/REDACTED") {
			t.Errorf("the %s report does not quote the CG111 grant, scrubbed", format)
		}
	}
}
