package nginx

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/corsguard/corsguard/rules"
)

// parseDeadline is how long one fuzz input may take. Every analysis is
// bounded by the package's budgets (maxNesting, the expansion budget,
// maxCombos, maxResolveDepth): an input near this limit is a budget that
// does not hold, not a slow machine (inputs are at most a few KB).
const parseDeadline = 20 * time.Second

// FuzzParse runs nginx.Parse on a tree of two files: nginx.conf, which may
// include the second (conf.d/cors.conf) or itself, with maps, set, if and
// nested inheritance in the seeds. Properties: Parse returns (no panic)
// within parseDeadline; every diagnostic and every piece of evidence in
// every policy points at a line that exists in a file Parse read; no value
// is larger than the expansion budget allows.
func FuzzParse(f *testing.F) {
	f.Add(string(GenerateConfig(1)), "")
	f.Add(`http {
    map $http_origin $cors { default ""; "~^https://(www\.)?example\.org$" $http_origin; app.example.org 1; }
    include conf.d/*.conf;
}`, `server {
    listen 443 ssl;
    server_name api.example.org;
    add_header Access-Control-Allow-Origin $cors always;
    set $pf "";
    if ($request_method = OPTIONS) { set $pf "${pf}options"; }
    if ($http_origin ~* (.*\.example\.org$)) { set $o $1; }
    location / {
        add_header_inherit merge;
        add_header Vary Origin;
        location /api { if ($pf = options) { add_header Access-Control-Allow-Methods "GET, PUT"; return 204; } proxy_pass http://app; }
    }
    location /admin { limit_except GET { deny all; } auth_basic "x"; add_header Access-Control-Allow-Origin $http_origin; }
}`)
	f.Add(`location / {
    set $a "https://x.example.org";
    set $a "$a$a"; set $a "$a$a"; set $a "$a$a";
    if ($http_origin !~ '^https://app\.example\.org$') { return 403; }
    add_header Access-Control-Allow-Origin $a;
    include conf.d/cors.conf;
}`, `add_header Access-Control-Allow-Credentials true; more_set_headers "Access-Control-Allow-Origin: $http_origin";`)
	f.Add("server { include nginx.conf; location / { location /a { location /b { add_header Access-Control-Allow-Origin *; } } } }", "map $a $b { default $b$b; }")
	f.Add("map $http_origin $x { hostnames; .example.org $http_origin; *.a.example $http_origin; default $y; }\nmap $x $y { ~(.+) $x$1; }\nserver { add_header Access-Control-Allow-Origin $x; }", "")

	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, main, included string) {
		if len(main)+len(included) > 64<<10 {
			return // the budgets are about structure, not megabytes of input
		}
		entry := filepath.Join(dir, "nginx.conf")
		inc := filepath.Join(dir, "conf.d", "cors.conf")
		if err := os.MkdirAll(filepath.Dir(inc), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(entry, []byte(main), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(inc, []byte(included), 0o644); err != nil {
			t.Fatal(err)
		}
		done := make(chan rules.ParseResult, 1)
		go func() { done <- Parse(entry) }()
		var res rules.ParseResult
		select {
		case res = <-done:
		case <-time.After(parseDeadline):
			t.Fatalf("Parse took more than %v", parseDeadline)
		}
		lines := map[string]int{entry: lineCount(main), inc: lineCount(included)}
		at := func(what string, r rules.Range) {
			n, ok := lines[r.File]
			if !ok || r.Line < 1 || r.Line > n {
				t.Fatalf("%s points at %s: not a line of the input (%d lines)", what, r, n)
			}
		}
		for _, d := range res.Diagnostics {
			at("diagnostic "+d.Message, d.Range)
		}
		for _, p := range res.Policies {
			forEachEvidence(p, func(what string, r rules.Range) { at(p.Scope.Name+": "+what, r) })
			for _, g := range []rules.Grant{p.Actual, p.Preflight.Grant} {
				for _, o := range g.Origins {
					size := len(o.Reason)
					for _, v := range o.Values {
						size += len(v)
					}
					if size > 2*maxValueBytes || len(o.Evidence) > 2*maxValueParts {
						t.Fatalf("%s: an origin rule beyond the expansion budget (%d bytes, %d evidence)", p.Scope.Name, size, len(o.Evidence))
					}
				}
			}
		}
	})
}

// lineCount is the number of lines of a file as the parsers count them.
func lineCount(s string) int { return strings.Count(s, "\n") + 1 }

// forEachEvidence calls fn with every source position a policy cites.
func forEachEvidence(p rules.Policy, fn func(what string, r rules.Range)) {
	fn("scope", p.Scope.Range)
	grant := func(kind string, g rules.Grant) {
		for _, h := range g.Headers {
			fn(kind+" header "+h.Name, h.Evidence.Range)
		}
		for _, o := range g.Origins {
			for _, e := range o.Evidence {
				fn(kind+" origin "+o.Kind.String(), e.Range)
			}
			if o.Pattern != nil {
				fn(kind+" pattern "+o.Pattern.Expr, o.Pattern.Evidence.Range)
			}
		}
	}
	grant("actual", p.Actual)
	grant("preflight", p.Preflight.Grant)
	for _, e := range p.Preflight.Evidence {
		fn("preflight", e.Range)
	}
	for _, d := range p.Dropped {
		fn("dropped "+d.Header+" (inherited)", d.Inherited.Range)
		fn("dropped "+d.Header+" (by)", d.DroppedBy.Range)
	}
}
