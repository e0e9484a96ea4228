//go:build unix

package livetest

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/lint/nginx"
	"github.com/corsguard/corsguard/rules"
)

// The live proof of the nginx speller (issue 14): for each unsafe site, a
// real nginx shows the fuzzer the mistake; the remedy is built the way the
// rules build it, from the policy the front end reads out of the site's
// file; nginx.Spell's edits are applied to that file; a real nginx running
// the fixed file no longer shows the mistake, and nothing new appears.

// fixListen stands in for the template's listen address while the site
// file is parsed and edited as plain nginx text.
const fixListen = "127.0.0.1:1"

var fixScenarios = []struct {
	name string
	host string
	// site is a conf.d-style file (maps and one server) as a template.
	site string
	// rule is what the fuzzer finds before the fix and must not after.
	rule string
	// remedies derives the remedies from the site's policies.
	remedies func(ps []rules.Policy) []rules.Remedy
}{
	{
		name: "unanchored regex", host: "unanchored.example.com", rule: "CG103",
		site: `map $http_origin $cors {
    default "";
    ~^https://app\.example\.com $http_origin;
}
server {
    listen {{.Addr}};
    server_name unanchored.example.com;
    add_header Access-Control-Allow-Origin $cors always;
    add_header Access-Control-Allow-Credentials true always;
    add_header Vary Origin always;
    location = /v1/me { return 200 "ok"; }
}
`,
		remedies: patternRemedies(func(expr string) string { return expr + "$" }),
	},
	{
		name: "unescaped dot", host: "dot.example.com", rule: "CG105",
		site: `map $http_origin $cors {
    default "";
    "~^https://app.example.com$" $http_origin;
}
server {
    listen {{.Addr}};
    server_name dot.example.com;
    add_header Access-Control-Allow-Origin $cors always;
    add_header Access-Control-Allow-Credentials true always;
    add_header Vary Origin always;
    location = /v1/me { return 200 "ok"; }
}
`,
		remedies: patternRemedies(func(expr string) string { return strings.ReplaceAll(expr, ".", `\.`) }),
	},
	{
		name: "reflected origin with trusted origins declared", host: "reflect.example.com", rule: "CG101",
		site: `# Reflection with credentials: every origin reads authenticated data.
server {
    listen {{.Addr}};
    server_name reflect.example.com;
    location / {
        add_header Access-Control-Allow-Origin $http_origin always;
        add_header Access-Control-Allow-Credentials true always;
        add_header Vary Origin always;
        return 200 "ok";
    }
}
`,
		remedies: func(ps []rules.Policy) []rules.Remedy {
			var out []rules.Remedy
			for _, p := range ps {
				for _, h := range p.Actual.Find(rules.HeaderAllowOrigin) {
					if h.Value.Reflects == "Origin" {
						out = append(out, rules.Remedy{Kind: rules.ReplaceEcho, Format: "nginx", At: h.Evidence, Origins: trusted})
					}
				}
			}
			return out
		},
	},
	{
		name: "missing always", host: "noalways.example.com", rule: "CG402",
		site: `map $http_origin $cors {
    default "";
    "https://app.example.com" $http_origin;
    "https://admin.example.com" $http_origin;
}
server {
    listen {{.Addr}};
    server_name noalways.example.com;
    add_header Access-Control-Allow-Origin $cors;
    add_header Access-Control-Allow-Credentials true;
    add_header Vary Origin;
    location = /v1/me { return 200 "ok"; }
    location / { return 404; }
}
`,
		remedies: func(ps []rules.Policy) []rules.Remedy {
			var out []rules.Remedy
			for _, p := range ps {
				for _, h := range p.Actual.Headers {
					if !h.Always {
						out = append(out, rules.Remedy{Kind: rules.AddAlways, Format: "nginx", At: h.Evidence})
					}
				}
			}
			return out
		},
	},
}

// patternRemedies rewrites every origin pattern of the site with fix, as
// the origin rules do (the whole fixed pattern is New).
func patternRemedies(fix func(string) string) func([]rules.Policy) []rules.Remedy {
	return func(ps []rules.Policy) []rules.Remedy {
		var out []rules.Remedy
		for _, p := range ps {
			for _, o := range p.Actual.Origins {
				if o.Pattern != nil {
					out = append(out, rules.Remedy{Kind: rules.ReplaceValue, Format: "nginx", At: o.Pattern.Evidence,
						Old: o.Pattern.Expr, New: fix(o.Pattern.Expr)})
				}
			}
		}
		return out
	}
}

func TestNginxFixedConfigPassesTheFuzzer(t *testing.T) {
	for _, sc := range fixScenarios {
		t.Run(sc.name, func(t *testing.T) {
			before := aboveInfo(fuzzLive(t, startNginx(t, Config{Body: sc.site}), fuzzTarget(sc.host)))
			if !slices.Contains(before, sc.rule) {
				t.Fatalf("before the fix the fuzzer found %v, want %s among them", before, sc.rule)
			}
			plain, fixed := fixSite(t, sc.site, sc.remedies)
			t.Logf("fixed site:\n%s", fixed)
			after := aboveInfo(fuzzLive(t, startNginx(t, Config{Body: strings.Replace(fixed, fixListen, "{{.Addr}}", 1)}), fuzzTarget(sc.host)))
			if slices.Contains(after, sc.rule) {
				t.Errorf("after the fix the fuzzer still finds %s (all: %v)", sc.rule, after)
			}
			for _, id := range after {
				if !slices.Contains(before, id) {
					t.Errorf("after the fix the fuzzer finds %s, which it did not before", id)
				}
			}
			// Lint agrees: the finding goes and none comes.
			lintBefore := lintIDs(lintConf(t, writeSite(t, plain)), sc.host)
			lintAfter := lintIDs(lintConf(t, writeSite(t, fixed)), sc.host)
			t.Logf("fuzz found %v before the fix, %v after; lint %v before, %v after", before, after, lintBefore, lintAfter)
			if !slices.Contains(lintBefore, sc.rule) || slices.Contains(lintAfter, sc.rule) {
				t.Errorf("lint found %v before the fix and %v after, want %s only before", lintBefore, lintAfter, sc.rule)
			}
			for _, id := range lintAfter {
				if !slices.Contains(lintBefore, id) {
					t.Errorf("after the fix lint finds %s, which it did not before", id)
				}
			}
		})
	}
}

// fixSite parses the site as the file lint would read, builds the
// remedies from its policies, spells and applies them, and returns the
// site and the fixed site as plain nginx text (listening on fixListen).
func fixSite(t *testing.T, site string, remedies func([]rules.Policy) []rules.Remedy) (plain, fixed string) {
	t.Helper()
	if strings.Count(site, "{{.Addr}}") != 1 {
		t.Fatal("the site must listen on {{.Addr}} exactly once")
	}
	src := strings.Replace(site, "{{.Addr}}", fixListen, 1)
	path := writeSite(t, src)
	res := nginx.ParseSource(path, []byte(src))
	if len(res.Diagnostics) > 0 {
		t.Fatalf("the site does not parse: %v", res.Diagnostics)
	}
	rs := remedies(res.Policies)
	if len(rs) == 0 {
		t.Fatal("no remedy derived from the site's policies")
	}
	var edits []rules.Edit
	for _, r := range rs {
		es, err := nginx.Spell(path, []byte(src), r)
		if err != nil {
			t.Fatalf("Spell %s: %v", r.Kind, err)
		}
		edits = append(edits, es...)
	}
	fixed = applyDistinct(t, src, edits)
	if strings.Count(fixed, "listen "+fixListen+";") != 1 {
		t.Fatalf("the fix lost the listen address:\n%s", fixed)
	}
	return src, fixed
}

// applyDistinct applies edits the way lint/fix merges them: identical
// edits (the same directive cited by several policies) count once;
// overlapping different ones fail the test.
func applyDistinct(t *testing.T, src string, edits []rules.Edit) string {
	t.Helper()
	sort.SliceStable(edits, func(i, j int) bool { return edits[i].Start < edits[j].Start })
	var b strings.Builder
	last := 0
	for i, e := range edits {
		if i > 0 && e == edits[i-1] {
			continue
		}
		if e.Start < last {
			t.Fatalf("edits overlap: %+v", e)
		}
		b.WriteString(src[last:e.Start])
		b.WriteString(e.New)
		last = e.End
	}
	b.WriteString(src[last:])
	return b.String()
}

// writeSite writes a site file where lint can read it.
func writeSite(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "site.conf")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
