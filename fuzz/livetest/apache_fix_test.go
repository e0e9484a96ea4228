//go:build unix

package livetest

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/lint"
	"github.com/corsguard/corsguard/lint/apache"
	"github.com/corsguard/corsguard/rules"
)

// apacheFixSites are unsafe configurations whose fix --fix can write: one
// virtual host each, all serving /v1/me.
const apacheFixSites = `
# The regex is anchored at neither end: any origin that contains the
# trusted one passes.
<VirtualHost {{.Addr}}>
    ServerName unanchored.example.com
    SetEnvIf Origin "https://app\.example\.com" ALLOWED
    Header always set Access-Control-Allow-Origin "expr=%{req:Origin}" env=ALLOWED
    Header always merge Vary Origin
</VirtualHost>

# The dots are unescaped: appXexample.com passes.
<VirtualHost {{.Addr}}>
    ServerName dots.example.com
    SetEnvIf Origin "^https://app.example.com$" ALLOWED
    Header always set Access-Control-Allow-Origin "expr=%{req:Origin}" env=ALLOWED
    Header always merge Vary Origin
</VirtualHost>

# Any origin is echoed, while the site trusts two.
<VirtualHost {{.Addr}}>
    ServerName reflect.example.com
    Header always set Access-Control-Allow-Origin "expr=%{req:Origin}"
    Header always merge Vary Origin
</VirtualHost>

# The preflight is refused (403) before anything answers it.
<VirtualHost {{.Addr}}>
    ServerName preflight.example.com
    Header always set Access-Control-Allow-Origin "https://app.example.com"
    Header always set Access-Control-Allow-Methods "PUT, DELETE"
    Header always set Access-Control-Allow-Headers "Content-Type"
    Header always merge Vary Origin
    <Location /v1>
        <Limit OPTIONS>
            Require all denied
        </Limit>
    </Location>
</VirtualHost>

# The same, in a Location: its access check runs before any rewrite rule
# of its own could answer, so the answer goes to the virtual host.
<VirtualHost {{.Addr}}>
    ServerName locpreflight.example.com
    Header always merge Vary Origin
    <Location /v1>
        Header always set Access-Control-Allow-Origin "https://app.example.com"
        Header always set Access-Control-Allow-Methods "PUT, DELETE"
        <LimitExcept GET POST PUT DELETE>
            Require all denied
        </LimitExcept>
    </Location>
</VirtualHost>

# The grant is in the success table only: errors go without it.
<VirtualHost {{.Addr}}>
    ServerName onsuccess.example.com
    Header set Access-Control-Allow-Origin "https://app.example.com"
</VirtualHost>
`

// apacheFixScenarios say, for each host, the finding the running server
// shows and the remedy the rules attach to it: Kind and New as the rules
// decide them, At and Old from the linted policy (pick).
var apacheFixScenarios = []struct {
	host   string
	rule   string
	remedy rules.Remedy
	pick   func(p *rules.Policy) (at rules.Evidence, old string)
}{
	{
		host:   "unanchored.example.com",
		rule:   "CG103",
		remedy: rules.Remedy{Kind: rules.ReplaceValue, New: `^https://app\.example\.com$`},
		pick:   originPattern,
	},
	{
		host:   "dots.example.com",
		rule:   "CG105",
		remedy: rules.Remedy{Kind: rules.ReplaceValue, New: `^https://app\.example\.com$`},
		pick:   originPattern,
	},
	{
		host:   "reflect.example.com",
		rule:   "CG101",
		remedy: rules.Remedy{Kind: rules.ReplaceEcho, Origins: trusted},
		pick:   allowOrigin(true),
	},
	{
		host: "preflight.example.com",
		rule: "CG302",
		remedy: rules.Remedy{Kind: rules.AnswerPreflight, Headers: []rules.HeaderLine{
			{Name: rules.HeaderAllowOrigin, Value: appOrigin},
			{Name: "Access-Control-Allow-Methods", Value: "PUT, DELETE"},
			{Name: "Access-Control-Allow-Headers", Value: "Content-Type"},
			{Name: "Access-Control-Max-Age", Value: "600"},
		}},
		pick: header("Access-Control-Allow-Methods"),
	},
	{
		host: "locpreflight.example.com",
		rule: "CG302",
		remedy: rules.Remedy{Kind: rules.AnswerPreflight, Headers: []rules.HeaderLine{
			{Name: rules.HeaderAllowOrigin, Value: appOrigin},
			{Name: "Access-Control-Allow-Methods", Value: "PUT, DELETE"},
		}},
		pick: header("Access-Control-Allow-Methods"),
	},
	{
		host:   "onsuccess.example.com",
		rule:   "CG402",
		remedy: rules.Remedy{Kind: rules.AddAlways},
		pick:   allowOrigin(false),
	},
}

// originPattern is the evidence and expression of the policy's origin regex.
func originPattern(p *rules.Policy) (rules.Evidence, string) {
	for _, o := range p.Actual.Origins {
		if o.Pattern != nil {
			return o.Pattern.Evidence, o.Pattern.Expr
		}
	}
	return rules.Evidence{}, ""
}

// allowOrigin is the evidence of the Allow-Origin header in the always
// table or not.
func allowOrigin(always bool) func(p *rules.Policy) (rules.Evidence, string) {
	return func(p *rules.Policy) (rules.Evidence, string) {
		for _, h := range p.Actual.Find(rules.HeaderAllowOrigin) {
			if h.Always == always {
				return h.Evidence, ""
			}
		}
		return rules.Evidence{}, ""
	}
}

// header is the evidence of the policy's header name.
func header(name string) func(p *rules.Policy) (rules.Evidence, string) {
	return func(p *rules.Policy) (rules.Evidence, string) {
		for _, h := range p.Actual.Find(name) {
			return h.Evidence, ""
		}
		return rules.Evidence{}, ""
	}
}

// TestApacheFixLive is the end-to-end proof of the Apache speller: a real
// httpd runs each unsafe configuration and the fuzzer shows the finding;
// the remedy is spelled into the very file httpd runs; a second httpd runs
// the fixed file, and the fuzzer no longer shows the finding, nor any
// other it did not show before. Lint agrees on the fixed file.
func TestApacheFixLive(t *testing.T) {
	srv := startApache(t, Config{Body: apacheFixSites, Files: apacheFiles})
	res := lintConf(t, srv.Conf)
	src, err := os.ReadFile(srv.Conf)
	if err != nil {
		t.Fatal(err)
	}
	before := map[string][]string{}
	var edits []rules.Edit
	for _, sc := range apacheFixScenarios {
		ids := aboveInfo(fuzzLive(t, srv, fuzzTarget(sc.host)))
		if !slices.Contains(ids, sc.rule) {
			t.Fatalf("%s: the unfixed server shows %v, not %s", sc.host, ids, sc.rule)
		}
		before[sc.host] = ids
		r := sc.remedy
		r.Format = "apache"
		for _, p := range policiesFor(t, res, sc.host) {
			if r.At.Range.Line == 0 {
				r.At, r.Old = sc.pick(p)
			}
		}
		if r.At.Range.Line == 0 {
			t.Fatalf("%s: the policy has nothing to fix", sc.host)
		}
		es, err := apache.Spell(srv.Conf, src, r)
		if err != nil {
			t.Fatalf("%s: %v", sc.host, err)
		}
		edits = append(edits, es...)
	}
	fixed := applyEdits(t, string(src), edits)
	t.Logf("fixed configuration:\n%s", fixed)

	fixedSrv := startApache(t, Config{Body: unrender(t, srv, fixed), Files: apacheFiles})
	fixedLint := lintConf(t, fixedSrv.Conf)
	for _, sc := range apacheFixScenarios {
		t.Run(sc.host, func(t *testing.T) {
			ids := aboveInfo(fuzzLive(t, fixedSrv, fuzzTarget(sc.host)))
			if slices.Contains(ids, sc.rule) {
				t.Errorf("the fixed server still shows %s (all: %v)", sc.rule, ids)
			}
			for _, id := range ids {
				if !slices.Contains(before[sc.host], id) {
					t.Errorf("the fixed server shows %s, which the unfixed one did not", id)
				}
			}
			if slices.Contains(lintIDs(fixedLint, sc.host), sc.rule) {
				t.Errorf("lint still reports %s on the fixed file", sc.rule)
			}
			t.Logf("before %v, after %v", before[sc.host], ids)
		})
	}
}

// policiesFor are the linted policies of the virtual host named host (the
// host's own, then its sections').
func policiesFor(t *testing.T, res *lint.Result, host string) []*rules.Policy {
	t.Helper()
	var out []*rules.Policy
	for i := range res.Policies {
		if slices.Contains(res.Policies[i].Hosts, host) {
			out = append(out, &res.Policies[i])
		}
	}
	if len(out) == 0 {
		t.Fatalf("no linted policy for %s", host)
	}
	return out
}

// applyEdits writes non-overlapping edits into src.
func applyEdits(t *testing.T, src string, edits []rules.Edit) string {
	t.Helper()
	edits = slices.Clone(edits)
	slices.SortFunc(edits, func(a, b rules.Edit) int { return b.Start - a.Start })
	for i, e := range edits {
		if e.Start < 0 || e.End < e.Start || e.End > len(src) || (i > 0 && e.End > edits[i-1].Start) {
			t.Fatalf("edit %+v does not fit the %d-byte file", e, len(src))
		}
		src = src[:e.Start] + e.New + src[e.End:]
	}
	return src
}

// unrender turns the fixed httpd.conf srv ran back into a body template
// for a fresh server: the preamble goes, the address and directory become
// template variables again.
func unrender(t *testing.T, srv *Server, fixed string) string {
	t.Helper()
	pre, err := RenderApache(Config{}, Vars{Addr: srv.Addr, Port: srv.Port, Dir: srv.Dir})
	if err != nil {
		t.Fatal(err)
	}
	pre = strings.TrimSuffix(pre, "\n")
	body, ok := strings.CutPrefix(fixed, pre)
	if !ok {
		t.Fatal("the edits touched the test's preamble")
	}
	return strings.NewReplacer(srv.Addr, "{{.Addr}}", srv.Dir, "{{.Dir}}").Replace(body)
}
