package fuzz

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/corsguard/corsguard/fuzz/driver"
	"github.com/corsguard/corsguard/rules"
	gorilla "github.com/gorilla/handlers"
	rscors "github.com/rs/cors"
)

// The target every test server poses as; --resolve style dialling sends it
// to the loopback server, so no test touches the network.
const (
	testHost    = "api.example.com"
	testURL     = "http://api.example.com/v1/me"
	trustedApp  = "https://app.example.com"
	evilOrigin  = "https://evil.test"
	testSeed    = 1
	testRandom  = 16
	testWorkers = 8
)

// startTarget serves h on loopback and returns a client that reaches it as
// api.example.com.
func startTarget(t *testing.T, h http.Handler) *driver.Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	c, err := driver.New(driver.Config{Scope: []string{"http://" + testHost}, Resolve: []string{testHost + ":80:" + u.Host}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func fuzzOnce(t *testing.T, h http.Handler, opts Options, targets ...Target) *Summary {
	t.Helper()
	c := startTarget(t, h)
	if opts.Trusted == nil {
		opts.Trusted = []string{trustedApp}
	}
	opts.Seed, opts.Random, opts.Workers = testSeed, testRandom, testWorkers
	if len(targets) == 0 {
		targets = []Target{{URL: testURL}}
	}
	sum, err := New(c, opts).Run(context.Background(), targets, nil)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// above returns "ID:severity" for every result above info, sorted.
func above(sum *Summary, min rules.Severity) []string {
	var out []string
	for _, r := range sum.Results {
		if r.Severity >= min {
			out = append(out, r.RuleID+":"+r.Severity.String())
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// allow builds a CORS handler: accept decides the origin, the handler sets
// ACAO (echo), ACAC, Vary, and answers OPTIONS with 204 and the methods.
type allow struct {
	accept  func(origin string) bool
	creds   bool
	noVary  bool
	methods string
}

func (a allow) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	o, has := r.Header["Origin"]
	if !a.noVary {
		w.Header().Add("Vary", "Origin")
	}
	if has && a.accept(o[0]) {
		w.Header().Set("Access-Control-Allow-Origin", o[0])
		if a.creds {
			w.Header().Set("Access-Control-Allow-Credentials", "true")
		}
	}
	if r.Method == http.MethodOptions {
		if has && a.accept(o[0]) {
			m := a.methods
			if m == "" {
				m = "GET, POST, PUT, DELETE, PATCH"
			}
			w.Header().Set("Access-Control-Allow-Methods", m)
			w.Header().Set("Access-Control-Allow-Headers", "x-custom, authorization, content-type")
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	// Errors keep the CORS headers (nginx `always`): only the classes under test show.
	if r.URL.Path != "/v1/me" {
		w.WriteHeader(http.StatusNotFound)
	}
	_, _ = w.Write([]byte(`{"user":"alice"}`))
}

func regex(expr string) func(string) bool {
	re := regexp.MustCompile(expr)
	return re.MatchString
}

func exact(origins ...string) func(string) bool {
	return func(o string) bool { return slices.Contains(origins, o) }
}

// TestAttackClasses: one server per mistake of ATTACKS.md; the fuzzer must
// report exactly the rules that name it (above info), no more, no less.
func TestAttackClasses(t *testing.T) {
	tests := []struct {
		name string
		h    http.Handler
		want []string
	}{
		{"exact allowlist is safe", allow{accept: exact(trustedApp), creds: true}, nil},
		{"reflection with credentials", allow{accept: func(string) bool { return true }, creds: true}, []string{"CG101:critical"}}, // null is echoed too: one mistake, one finding
		{"reflection without credentials", allow{accept: func(string) bool { return true }}, []string{"CG101:medium"}},
		{"null trusted", allow{accept: exact(trustedApp, "null"), creds: true}, []string{"CG102:critical"}},
		{"regex without end anchor", allow{accept: regex(`^https://app\.example\.com`), creds: true},
			[]string{"CG103:high"}},
		{"regex without start anchor", allow{accept: regex(`app\.example\.com$`), creds: true},
			// Any prefix is granted: subdomains and http:// are consequences.
			[]string{"CG104:high"}},
		{"unescaped dot", allow{accept: regex(`^https://app.example.com$`), creds: true}, []string{"CG105:high"}},
		{"http downgrade", allow{accept: regex(`^https?://app\.example\.com$`), creds: true}, []string{"CG107:medium"}},
		{"any subdomain", allow{accept: regex(`^https://([a-z0-9-]+\.)*example\.com$`), creds: true}, []string{"CG108:medium"}},
		{"shared hosting", allow{accept: regex(`^(https://app\.example\.com|https://[a-z0-9-]+\.github\.io)$`), creds: true}, []string{"CG109:high"}},
		{"public wildcard without credentials is safe", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Access-Control-Allow-Origin", "*")
		}), nil},
		{"substring check", allow{accept: func(o string) bool {
			host := strings.TrimPrefix(o, "https://")
			return strings.HasPrefix(o, "https://") && host != "" && strings.Contains("app.example.com", host)
		}, creds: true}, []string{"CG106:high"}},
		// Meant to allow "app.example.com" followed by a port or nothing,
		// the class lets Safari's special characters through: app.example.com`.evil.test.
		{"sloppy character class", allow{accept: regex(`^https://app\.example\.com([^a-z0-9./-][a-z0-9.-]*)?$`), creds: true}, []string{"CG110:high"}},
		{"case-insensitive compare is info only", allow{accept: func(o string) bool { return strings.EqualFold(o, trustedApp) }, creds: true}, nil},
		{"port ignored is info only", allow{accept: func(o string) bool {
			u, err := url.Parse(o)
			return err == nil && u.Scheme == "https" && u.Hostname() == "app.example.com"
		}, creds: true}, nil},
		{"localhost leftover", allow{accept: exact(trustedApp, "http://localhost", "http://localhost:3000"), creds: true}, []string{"CG112:medium"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sum := fuzzOnce(t, tt.h, Options{})
			if got := above(sum, rules.Low); !slices.Equal(got, tt.want) {
				for _, r := range sum.Results {
					t.Logf("%s %s %s", r.RuleID, r.Severity, r.Message)
				}
				t.Fatalf("findings %v, want %v", got, tt.want)
			}
		})
	}
}

// TestMiddlewares runs the fuzzer against real CORS middlewares configured
// the way their advisories describe.
func TestMiddlewares(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("{}")) })
	tests := []struct {
		name string
		h    http.Handler
		want []string
	}{
		{
			// rs/cors: `*` matches any characters, so https://*example.com
			// accepts https://evilexample.com (and every subdomain).
			name: "rs/cors https://*example.com",
			h: rscors.New(rscors.Options{AllowedOrigins: []string{"https://*example.com"}, AllowCredentials: true,
				AllowedMethods: []string{"GET", "PUT"}}).Handler(ok),
			want: []string{"CG104:high"},
		},
		{
			name: "rs/cors exact origin",
			h: rscors.New(rscors.Options{AllowedOrigins: []string{trustedApp}, AllowCredentials: true,
				AllowedMethods: []string{"GET", "PUT"}}).Handler(ok),
			want: nil,
		},
		{
			// gorilla/handlers answers the one allowed origin without
			// Vary: Origin, so a shared cache hands its grant to others.
			name: "gorilla/handlers one origin",
			h:    gorilla.CORS(gorilla.AllowedOrigins([]string{trustedApp}), gorilla.AllowCredentials())(ok),
			want: []string{"CG401:medium"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sum := fuzzOnce(t, tt.h, Options{})
			if got := above(sum, rules.Low); !slices.Equal(got, tt.want) {
				for _, r := range sum.Results {
					t.Logf("%s %s %s", r.RuleID, r.Severity, r.Message)
				}
				t.Fatalf("findings %v, want %v", got, tt.want)
			}
		})
	}
}

// TestPreflightAndConsistency covers the findings that need more than one
// response: preflight vs actual, Vary, errors, repeats.
func TestPreflightAndConsistency(t *testing.T) {
	var n atomic.Int64
	tests := []struct {
		name string
		h    http.Handler
		want []string
	}{
		{
			name: "preflight grants any origin with credentials",
			h: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Vary", "Origin")
				o := r.Header.Get("Origin")
				if r.Method == http.MethodOptions {
					w.Header().Set("Access-Control-Allow-Origin", o)
					w.Header().Set("Access-Control-Allow-Credentials", "true")
					w.Header().Set("Access-Control-Allow-Methods", "GET, PUT, DELETE, PATCH")
					w.Header().Set("Access-Control-Allow-Headers", "x-custom, authorization")
					w.WriteHeader(http.StatusNoContent)
					return
				}
				if o == trustedApp {
					w.Header().Set("Access-Control-Allow-Origin", o)
					w.Header().Set("Access-Control-Allow-Credentials", "true")
				}
			}),
			want: []string{"CG303:high"},
		},
		{
			name: "preflight needs credentials",
			h: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Vary", "Origin")
				if r.Method == http.MethodOptions {
					w.WriteHeader(http.StatusUnauthorized)
					return
				}
				if r.Header.Get("Origin") == trustedApp {
					w.Header().Set("Access-Control-Allow-Origin", trustedApp)
					w.Header().Set("Access-Control-Allow-Methods", "GET, PUT")
				}
			}),
			want: []string{"CG302:low"},
		},
		{
			name: "errors lose the CORS headers",
			h: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Vary", "Origin")
				if r.URL.Path != "/v1/me" {
					http.NotFound(w, r)
					return
				}
				if r.Header.Get("Origin") == trustedApp {
					w.Header().Set("Access-Control-Allow-Origin", trustedApp)
				}
			}),
			want: []string{"CG402:low"},
		},
		{
			name: "grant flips between requests",
			h: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Vary", "Origin")
				if r.Header.Get("Origin") == trustedApp && n.Add(1)%2 == 0 {
					w.Header().Set("Access-Control-Allow-Origin", trustedApp)
				}
			}),
			want: []string{"CG602:low"},
		},
		{
			name: "bad header values",
			h: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Vary", "Origin")
				if r.Header.Get("Origin") == trustedApp {
					w.Header().Set("Access-Control-Allow-Origin", trustedApp)
					w.Header().Set("Access-Control-Allow-Credentials", "True")
				}
			}),
			want: []string{"CG204:low"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sum := fuzzOnce(t, tt.h, Options{})
			if got := above(sum, rules.Low); !slices.Equal(got, tt.want) {
				for _, r := range sum.Results {
					t.Logf("%s %s %s", r.RuleID, r.Severity, r.Message)
				}
				t.Fatalf("findings %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEvidenceIsReproducible(t *testing.T) {
	sum := fuzzOnce(t, allow{accept: func(string) bool { return true }, creds: true}, Options{})
	i := slices.IndexFunc(sum.Results, func(r Result) bool { return r.RuleID == "CG101" })
	if i < 0 {
		t.Fatal("no CG101")
	}
	r := sum.Results[i]
	if r.Witness != evilOrigin || r.Range.File != testURL || len(r.Exchanges) == 0 {
		t.Fatalf("result %+v: want witness %s, range file %s and exchanges", r.Finding, evilOrigin, testURL)
	}
	ex := r.Exchanges[0]
	if ex.Response == nil || ex.Response.Header.Get("Access-Control-Allow-Origin") != evilOrigin ||
		!strings.Contains(ex.Curl, "-H 'Origin: https://evil.test'") || !strings.Contains(ex.Curl, "--connect-to") {
		t.Fatalf("evidence %+v", ex)
	}
	if r.Seed != testSeed {
		t.Fatalf("seed %d, want %d", r.Seed, testSeed)
	}
}

func TestSameSeedSameRun(t *testing.T) {
	h := allow{accept: regex(`^https://app\.example\.com`), creds: true}
	a := fuzzOnce(t, h, Options{})
	b := fuzzOnce(t, h, Options{})
	if a.Requests != b.Requests || len(a.Results) != len(b.Results) {
		t.Fatalf("two runs with one seed: %d/%d requests, %d/%d results", a.Requests, b.Requests, len(a.Results), len(b.Results))
	}
	for i := range a.Results {
		if a.Results[i].Witness != b.Results[i].Witness || a.Results[i].RuleID != b.Results[i].RuleID {
			t.Fatalf("result %d differs: %s %s vs %s %s", i, a.Results[i].RuleID, a.Results[i].Witness, b.Results[i].RuleID, b.Results[i].Witness)
		}
	}
}

func TestBudgetBoundsRequests(t *testing.T) {
	var hits atomic.Int64
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })
	fuzzOnce(t, h, Options{Budget: 25})
	if hits.Load() != 25 {
		t.Fatalf("server saw %d requests, want the budget of 25", hits.Load())
	}
}
