package observe

import (
	"net/http"
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

const target = "https://api.example.com/v1/"

func actual(origin string, hostile bool, status int, h ...string) Observation {
	return Observation{Kind: Actual, URL: target, Origin: origin, HasOrigin: true, Hostile: hostile,
		Method: "GET", Status: status, Header: hdr(h...)}
}

func preflightObs(origin, method, reqHeaders string, status int, h ...string) Observation {
	return Observation{Kind: Preflight, URL: target, Origin: origin, HasOrigin: true,
		Method: method, RequestHeaders: reqHeaders, Status: status, Header: hdr(h...)}
}

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func TestBuildOrigins(t *testing.T) {
	const acao = rules.HeaderAllowOrigin
	tests := []struct {
		name string
		obs  []Observation
		want string // rendered actual origin lines
	}{
		{
			name: "reflection of a hostile origin",
			obs: []Observation{
				actual("https://evil.test", true, 200, acao, "https://evil.test"),
				actual("https://app.example.com", false, 200, acao, "https://app.example.com"),
			},
			want: "actual origin: (reflects any Origin)\nactual origin: https://app.example.com\nactual origin: https://evil.test",
		},
		{
			name: "allowlist echo",
			obs: []Observation{
				actual("https://evil.test", true, 200),
				actual("https://app.example.com", false, 200, acao, "https://app.example.com"),
			},
			want: "actual origin: https://app.example.com",
		},
		{
			name: "fixed literal and wildcard",
			obs: []Observation{
				actual("https://evil.test", true, 200, acao, "https://app.example.com"),
				actual("null", false, 200, acao, "*"),
			},
			want: "actual origin-literal: https://app.example.com\nactual origin: *",
		},
		{
			name: "error responses do not grant",
			obs:  []Observation{actual("https://evil.test", true, 500, acao, "https://evil.test")},
			want: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, l := range strings.Split(Render(Build(target, tt.obs)), "\n") {
				if strings.HasPrefix(l, "actual origin") {
					got = append(got, l)
				}
			}
			if strings.Join(got, "\n") != tt.want {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), tt.want)
			}
		})
	}
}

func TestBuildDetectsReflectedRequestHeaders(t *testing.T) {
	p := Build(target, []Observation{
		preflightObs("https://app.example.com", "PUT", "x-custom", 204,
			rules.HeaderAllowOrigin, "https://app.example.com", rules.HeaderAllowHeaders, "x-custom", rules.HeaderAllowMethods, "GET, PUT"),
		preflightObs("https://app.example.com", "DELETE", "x-a,x-b", 204,
			rules.HeaderAllowOrigin, "https://app.example.com", rules.HeaderAllowHeaders, "x-a,x-b", rules.HeaderAllowMethods, "GET, PUT"),
	})
	if p.Preflight.Kind != rules.PreflightAnswered || p.Preflight.Status != 204 {
		t.Fatalf("preflight = %v %d", p.Preflight.Kind, p.Preflight.Status)
	}
	ah := p.Preflight.Grant.Find(rules.HeaderAllowHeaders)
	if len(ah) != 1 || ah[0].Value.Reflects != "Access-Control-Request-Headers" {
		t.Fatalf("Allow-Headers = %+v; want reflected", ah)
	}
	am := p.Preflight.Grant.Find(rules.HeaderAllowMethods)
	if len(am) != 1 || am[0].Value.Literal != "GET, PUT" {
		t.Fatalf("Allow-Methods = %+v; want the literal", am)
	}
}

func TestPreflightKinds(t *testing.T) {
	tests := []struct {
		statuses []int
		want     rules.PreflightKind
	}{
		{nil, rules.PreflightUnknown},
		{[]int{405}, rules.PreflightRejected},
		{[]int{301}, rules.PreflightRedirect},
		{[]int{401}, rules.PreflightAuth},
		{[]int{403, 204}, rules.PreflightAnswered},
	}
	for _, tt := range tests {
		var obs []Observation
		for _, s := range tt.statuses {
			obs = append(obs, preflightObs("https://app.example.com", "PUT", "", s))
		}
		if got := Build(target, obs).Preflight.Kind; got != tt.want {
			t.Errorf("statuses %v: kind %v, want %v", tt.statuses, got, tt.want)
		}
	}
}

func TestAlwaysMeansSeenOnErrors(t *testing.T) {
	p := Build(target, []Observation{
		actual("https://app.example.com", false, 200, rules.HeaderAllowOrigin, "https://app.example.com", rules.HeaderAllowCredentials, "true"),
		actual("https://app.example.com", false, 404, rules.HeaderAllowCredentials, "true"),
	})
	if h := p.Actual.Find(rules.HeaderAllowCredentials); len(h) != 1 || !h[0].Always {
		t.Fatalf("ACAC = %+v; want one value, always", h)
	}
}

func TestProjectAndDiff(t *testing.T) {
	probed := []string{"https://app.example.com", "https://evil.example.com", "https://example.com.evil.test"}
	expected := rules.Policy{Actual: rules.Grant{
		Origins: []rules.OriginRule{{Kind: rules.OriginPattern, Echo: true,
			Pattern: &rules.Pattern{Expr: `^https://app\.example\.com$`, Dialect: rules.PCRE}}},
		Headers: []rules.Header{{Name: rules.HeaderAllowCredentials, Value: rules.LiteralValue("true")}},
	}, Preflight: rules.Preflight{Kind: rules.PreflightAnswered, Grant: rules.Grant{
		Headers: []rules.Header{{Name: rules.HeaderAllowMethods, Value: rules.LiteralValue("GET, PUT")}},
	}}}
	proj, errs := Project(expected, probed, nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	observed := Build(target, []Observation{
		actual("https://app.example.com", false, 200, rules.HeaderAllowOrigin, "https://app.example.com", rules.HeaderAllowCredentials, "true"),
		actual("https://evil.example.com", false, 200, rules.HeaderAllowOrigin, "https://evil.example.com", rules.HeaderAllowCredentials, "true"),
		preflightObs("https://app.example.com", "PUT", "", 204, rules.HeaderAllowOrigin, "https://app.example.com", rules.HeaderAllowMethods, "PUT,GET,DELETE"),
	})
	lines := DiffLines(Render(proj), Render(observed))
	var plus, minus []string
	for _, l := range lines {
		switch l.Op {
		case '+':
			plus = append(plus, l.Text)
			if !l.Grant() {
				t.Errorf("%q should count as a grant", l.Text)
			}
		case '-':
			minus = append(minus, l.Text)
		}
	}
	wantPlus := []string{"actual origin: https://evil.example.com", "preflight method: DELETE", "preflight origin: https://app.example.com"}
	if strings.Join(plus, "|") != strings.Join(wantPlus, "|") || len(minus) != 0 {
		t.Fatalf("diff +%v -%v; want +%v", plus, minus, wantPlus)
	}
	text := Format(lines, "expected", "observed", 1)
	if !strings.HasPrefix(text, "--- expected\n+++ observed\n") || !strings.Contains(text, "+actual origin: https://evil.example.com\n") {
		t.Fatalf("Format:\n%s", text)
	}
	if Format(DiffLines("a\n", "a\n"), "x", "y", 3) != "" {
		t.Fatal("no change must format as empty")
	}
}

func TestRenderIsStable(t *testing.T) {
	p := rules.Policy{Actual: rules.Grant{Headers: []rules.Header{
		{Name: rules.HeaderVary, Value: rules.LiteralValue("Origin, Accept-Encoding")},
		{Name: rules.HeaderExposeHeaders, Value: rules.LiteralValue("X-B,X-A")},
	}}}
	want := "actual expose: x-a\nactual expose: x-b\nactual vary: accept-encoding\nactual vary: origin\npreflight: unknown\n"
	if got := Render(p); got != want {
		t.Fatalf("Render:\n%s\nwant\n%s", got, want)
	}
}
