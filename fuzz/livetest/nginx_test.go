//go:build unix

package livetest

import (
	"slices"
	"testing"
)

// nginxSites are the corpus idioms, one server block per host name, all on
// one nginx. Each block is a scenario of nginxScenarios.
const nginxSites = `
    # The exact allowlists grant two first-party origins, nothing else.
    map $http_origin $cors_exact {
        default "";
        "https://app.example.com" $http_origin;
        "https://admin.example.com" $http_origin;
    }
    # Meant as an allowlist, but the regex has no end anchor.
    map $http_origin $cors_unanchored {
        default "";
        ~^https://app\.example\.com $http_origin;
    }

    # Reflection with credentials: every origin reads authenticated data.
    server {
        listen {{.Addr}};
        server_name reflect.example.com;
        location / {
            add_header Access-Control-Allow-Origin $http_origin always;
            add_header Access-Control-Allow-Credentials true always;
            return 200 "ok";
        }
    }

    server {
        listen {{.Addr}};
        server_name unanchored.example.com;
        add_header Access-Control-Allow-Origin $cors_unanchored always;
        add_header Access-Control-Allow-Credentials true always;
        add_header Vary Origin always;
        location = /v1/me {
            return 200 "ok";
        }
        location / {
            return 404;
        }
    }

    # The correct form: exact allowlist, Vary, and always so that errors
    # keep the grant.
    server {
        listen {{.Addr}};
        server_name exact.example.com;
        add_header Access-Control-Allow-Origin $cors_exact always;
        add_header Access-Control-Allow-Credentials true always;
        add_header Vary Origin always;
        location = /v1/me {
            return 200 "ok";
        }
        location / {
            return 404;
        }
    }

    # The preflight branch answers any origin; the actual response only the
    # allowlist (headers outside the if).
    server {
        listen {{.Addr}};
        server_name preflight.example.com;
        location / {
            if ($request_method = OPTIONS) {
                add_header Access-Control-Allow-Origin $http_origin;
                add_header Access-Control-Allow-Credentials true;
                add_header Access-Control-Allow-Methods "GET, PUT, DELETE, PATCH";
                add_header Access-Control-Allow-Headers "authorization, x-custom, content-type";
                return 204;
            }
            add_header Access-Control-Allow-Origin $cors_exact;
            add_header Access-Control-Allow-Credentials true;
            add_header Vary Origin;
            return 200 "ok";
        }
    }

    # Exact allowlist without always: the 404 location loses the grant.
    server {
        listen {{.Addr}};
        server_name noalways.example.com;
        add_header Access-Control-Allow-Origin $cors_exact;
        add_header Access-Control-Allow-Credentials true;
        add_header Vary Origin;
        location = /v1/me {
            return 200 "ok";
        }
        location / {
            return 404;
        }
    }
`

// nginxScenarios: what fuzzing each server block must find (live), and
// what linting the same block finds (static).
var nginxScenarios = []struct {
	host string
	fuzz []want
	lint []string
}{
	{
		host: "reflect.example.com",
		fuzz: []want{
			{rule: "CG101", severity: "critical", class: "arbitrary", witness: attacker},
			// null is echoed too, as part of the same mistake (like lint).
			{rule: "CG401", severity: "medium", witness: "without Vary: Origin"},
		},
		lint: []string{"CG101", "CG401"},
	},
	{
		host: "unanchored.example.com",
		fuzz: []want{{rule: "CG103", severity: "high", class: "post-domain", witness: "https://app.example.com.evil.test"}},
		lint: []string{"CG103"},
	},
	{host: "exact.example.com"},
	{
		host: "preflight.example.com",
		fuzz: []want{{rule: "CG303", severity: "high", class: "arbitrary", witness: attacker}},
		// The actual headers lack always; live, location / answers 200
		// everywhere, so no error path shows it.
		lint: []string{"CG303", "CG402"},
	},
	{
		host: "noalways.example.com",
		fuzz: []want{{rule: "CG402", severity: "low", witness: "answers 404 without Access-Control-Allow-Origin"}},
		lint: []string{"CG402"},
	},
}

// TestNginxLiveFindings fuzzes every scenario on a real nginx and expects
// exactly the rules that name its mistake, each with a concrete witness
// the server really granted.
func TestNginxLiveFindings(t *testing.T) {
	srv := startNginx(t, Config{Body: nginxSites})
	for _, sc := range nginxScenarios {
		t.Run(sc.host, func(t *testing.T) {
			checkFindings(t, fuzzLive(t, srv, fuzzTarget(sc.host)), sc.fuzz)
		})
	}
}

// TestNginxConfigMatchesLive lints the configuration nginx is running, and
// fuzzes each host with the linted policies as the expected policy
// (corsguard fuzz --expect-from nginx.conf URL): the linter must see the
// same mistakes statically, and the live server must not be reported as
// drifting from the config it runs.
func TestNginxConfigMatchesLive(t *testing.T) {
	srv := startNginx(t, Config{Body: nginxSites})
	res := lintConf(t, srv.Conf)
	for _, sc := range nginxScenarios {
		t.Run(sc.host, func(t *testing.T) {
			if got := lintIDs(res, sc.host); !slices.Equal(got, sc.lint) {
				t.Errorf("lint found %v, want %v", got, sc.lint)
			}
			sum := fuzzLive(t, srv, expectTarget(t, res, siteURL(sc.host), "nginx.conf"))
			checkNoDrift(t, sum)
		})
	}
}
