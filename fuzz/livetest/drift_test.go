//go:build unix

package livetest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

// driftSite is one server block whose CORS headers come from {{.cors}}:
// the config in the repository says one thing, the deployed one another.
const driftSite = `
    map $http_origin $cors_exact {
        default "";
        "https://app.example.com" $http_origin;
        "https://admin.example.com" $http_origin;
    }
    server {
        listen {{.Addr}};
        server_name drift.example.com;
        add_header Access-Control-Allow-Origin CORS always;
        add_header Access-Control-Allow-Credentials true always;
        add_header Vary Origin always;
        location = /v1/me {
            return 200 "ok";
        }
        location / {
            return 404;
        }
    }
`

// TestNginxConfigDrift: the reviewed config has an exact allowlist, the
// running nginx reflects any origin (a hotfix nobody committed). Linting
// the config alone finds nothing; fuzzing with --expect-from shows the
// drift as a security CG601 whose diff names the attacker's origin.
func TestNginxConfigDrift(t *testing.T) {
	running := Config{Body: strings.Replace(driftSite, "CORS", "$http_origin", 1)}
	reviewed := Config{Body: strings.Replace(driftSite, "CORS", "$cors_exact", 1)}
	srv := startNginx(t, running)

	// The reviewed file, rendered for the same address and directory so
	// that it differs from the running one in that one line only.
	text, err := RenderNginx(reviewed, Vars{Addr: srv.Addr, Port: srv.Port, Dir: srv.Dir})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "nginx.conf")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	res := lintConf(t, path)
	if got := lintIDs(res, "drift.example.com"); len(got) != 0 {
		t.Fatalf("the reviewed config should lint clean, got %v", got)
	}

	sum := fuzzLive(t, srv, expectTarget(t, res, siteURL("drift.example.com"), "nginx.conf"))
	var drift []string
	for _, r := range sum.Results {
		if r.RuleID != "CG601" || r.Witness == "missing" {
			continue
		}
		usable, _ := addedGrants(r.Diff)
		drift = append(drift, usable...)
		// A security mismatch, not the functional (low) kind. The extra
		// origins get credentials too, which should make it high; the judge
		// only counts credentials when the credentials line itself is new,
		// so medium is accepted here (reported as a fuzz issue).
		if r.Severity < rules.Medium {
			t.Errorf("CG601 severity %s, want at least medium: %s", r.Severity, r.Message)
		}
		if !strings.Contains(r.Diff, "--- nginx.conf (expected)") || !strings.Contains(r.Diff, "+++ "+siteURL("drift.example.com")+" (observed)") {
			t.Errorf("diff header names neither side:\n%s", r.Diff)
		}
	}
	if !containsLine(drift, "+actual origin: "+attacker) {
		logResults(t, sum)
		t.Fatalf("no security CG601 whose diff grants %s; browser-usable extra grants: %v", attacker, drift)
	}
	// The same run still judges the origins themselves.
	if ids := aboveInfo(sum); !containsLine(ids, "CG101") {
		t.Errorf("rules above info %v lack CG101 (reflection)", ids)
	}
}

func containsLine(lines []string, s string) bool {
	for _, l := range lines {
		if l == s {
			return true
		}
	}
	return false
}
