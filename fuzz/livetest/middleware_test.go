//go:build unix

package livetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/corsguard/corsguard/fuzz"
	"github.com/corsguard/corsguard/fuzz/driver"
	"github.com/corsguard/corsguard/rules"
)

// Real CORS middleware, configured the ways its users get wrong and the
// ways they get right (middleware/express/app.js, middleware/flask/app.py):
// every unsafe configuration must be found with the rule that names its
// mistake, every broken one (trusted origins blocked) reported as broken,
// and every safe one clean: nothing above low. Low is hygiene that grants
// no hostile origin anything (express's cors reflects the requested
// headers by default, CG205 low); those are listed in the score table.

// verdict is what a scenario is.
type verdict string

const (
	unsafe verdict = "unsafe"
	broken verdict = "broken"
	safe   verdict = "safe"
)

// scenario is one configuration and the rules that name its mistake (any
// of them counts as the right class; none for safe ones).
type scenario struct {
	name  string
	is    verdict
	rules []string
}

var expressScenarios = []scenario{
	{"reflect-credentials", unsafe, []string{"CG101"}},
	// The scheme at the start leaves nothing to prepend: the exploitable
	// hole is the missing end anchor.
	{"regex-unanchored", unsafe, []string{"CG103", "CG106"}},
	{"regex-no-end-anchor", unsafe, []string{"CG103"}},
	{"regex-unescaped-dot", unsafe, []string{"CG105"}},
	{"callback-endswith", unsafe, []string{"CG104"}},
	{"null-allowed", unsafe, []string{"CG102"}},
	{"trailing-slash", broken, []string{"CG111"}},
	{"preflight-continue-auth", broken, []string{"CG302"}},
	{"allowlist", safe, nil},
	{"regex-anchored", safe, nil},
	{"public", safe, nil},
}

var flaskScenarios = []scenario{
	{"credentials-any", unsafe, []string{"CG101"}},
	// flask-cors's default echoes every Origin (no credentials: medium,
	// the verdict lint gives nginx's $http_origin without credentials).
	{"default-reflect", unsafe, []string{"CG101"}},
	{"regex-no-end-anchor", unsafe, []string{"CG103"}},
	{"regex-any-subdomain", unsafe, []string{"CG108"}},
	{"regex-unescaped-dot", unsafe, []string{"CG105"}},
	{"trailing-slash", broken, []string{"CG111"}},
	{"preflight-auth", broken, []string{"CG302"}},
	{"allowlist", safe, nil},
	{"regex-anchored", safe, nil},
	{"public", safe, nil},
}

func TestExpressCorsMiddleware(t *testing.T) {
	srv := startedApp(t, "express", StartExpress)
	checkScenarios(t, srv, expressScenarios)
}

func TestFlaskCorsMiddleware(t *testing.T) {
	srv := startedApp(t, "flask", StartFlask)
	checkScenarios(t, srv, flaskScenarios)
}

func startedApp(t *testing.T, name string, start func(string) (*Server, error)) *Server {
	t.Helper()
	return started(t, name, start)
}

// checkScenarios fuzzes every scenario of one app in one run, the way a
// user fuzzes a fleet, and scores each: found with the right class, clean,
// or broken as it should be.
func checkScenarios(t *testing.T, srv *Server, scs []scenario) {
	t.Helper()
	const host = "api.example.com"
	targets := make([]fuzz.Target, len(scs))
	for i, s := range scs {
		targets[i] = fuzz.Target{URL: "http://" + host + "/s/" + s.name + "/v1/me"}
	}
	// The session cookie lets credentialed requests past the auth
	// middleware of the preflight-auth scenarios, as a logged-in user's do.
	client, err := driver.New(driver.Config{Scope: []string{"http://" + host}, Resolve: srv.Resolve(host), Timeout: 3 * time.Second,
		Cookies: []string{"session=1"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*runTimeout)
	defer cancel()
	opts := fuzz.Options{Trusted: trusted, Seed: seed, Random: random, Budget: budget, Workers: workers}
	sum, err := fuzz.New(client, opts).Run(ctx, targets, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range sum.Errors {
		t.Errorf("target error: %s", e.Error())
	}
	score := map[verdict][2]int{}
	var table strings.Builder
	for i, s := range scs {
		var ids, hygiene []string
		for _, r := range sum.Results {
			switch {
			case r.Target != targets[i].URL || r.Severity == rules.Info:
			case r.Severity == rules.Low && s.is == safe:
				hygiene = append(hygiene, r.RuleID+" low")
			default:
				ids = append(ids, r.RuleID)
			}
		}
		slices.Sort(ids)
		ids = slices.Compact(ids)
		ok := false
		switch s.is {
		case safe:
			ok = len(ids) == 0
		default:
			ok = len(ids) > 0 && slices.ContainsFunc(ids, func(id string) bool { return slices.Contains(s.rules, id) })
		}
		c := score[s.is]
		c[1]++
		if ok {
			c[0]++
		}
		score[s.is] = c
		mark := "ok"
		if !ok {
			mark = "MISS"
			for _, r := range sum.Results {
				if r.Target == targets[i].URL {
					t.Logf("  %s %s %s: %s", s.name, r.RuleID, r.Severity, r.Message)
				}
			}
			t.Errorf("%s (%s): findings %v, want %s", s.name, s.is, ids, want2(s))
		}
		got := strings.Join(append(ids, hygiene...), ", ")
		fmt.Fprintf(&table, "| %s | %s | %s | %s | %s |\n", s.name, s.is, strings.Join(s.rules, ", "), got, mark)
	}
	t.Logf("score: unsafe found %d/%d, broken found %d/%d, safe clean %d/%d\n| scenario | is | want | got | |\n|---|---|---|---|---|\n%s",
		score[unsafe][0], score[unsafe][1], score[broken][0], score[broken][1], score[safe][0], score[safe][1], table.String())
}

func want2(s scenario) string {
	if s.is == safe {
		return "none above low"
	}
	return "one of " + strings.Join(s.rules, ", ")
}
