//go:build unix

package browsertest

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/corsguard/corsguard/rules/spec"
)

// mismatch is one aspect of one vector on which Chromium and the oracle
// disagree.
type mismatch struct {
	aspect   string // verdict, preflight sent, preflight headers, sent method, exposed
	chromium string
	oracle   string
	step     string // the oracle's failing step, or its reasoning
}

// substitute fills {origin} and {port} in header values.
func substitute(hs []hdr, origin string, port int) []hdr {
	r := strings.NewReplacer("{origin}", origin, "{port}", strconv.Itoa(port))
	out := make([]hdr, len(hs))
	for i, x := range hs {
		out[i] = hdr{x.name, r.Replace(x.value)}
	}
	return out
}

// toHeader keeps every line, values untrimmed, keys as written: the oracle
// does its own case folding and trimming, as the browser does.
func toHeader(hs []hdr) http.Header {
	out := http.Header{}
	for _, x := range hs {
		out[x.name] = append(out[x.name], x.value)
	}
	return out
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func verdictWord(allowed bool) string {
	if allowed {
		return "allowed"
	}
	return "blocked"
}

// oracleStep explains the oracle's decision by its failing step.
func oracleStep(d spec.Decision) string {
	if d.Allowed {
		return "allowed"
	}
	if d.Preflight != nil && !d.Preflight.OK {
		if s, ok := d.Preflight.Failed(); ok {
			return s.Name + ": " + s.Detail
		}
	}
	if s, ok := d.Actual.Failed(); ok {
		return s.Name + ": " + s.Detail
	}
	return d.Reason()
}

// TestOracleMatchesChromium runs every vector in headless Chromium and checks
// that spec.Evaluate(spec.Chromium, ...) reaches the same verdict, predicts
// the same preflight (whether it is sent and its Access-Control-Request-*
// headers) and the same readable response headers.
func TestOracleMatchesChromium(t *testing.T) {
	bin := findChromium()
	if bin == "" {
		t.Skip("chromium not installed (neither /usr/bin/chromium nor chromium on PATH): the oracle cannot be checked against a real browser")
	}
	if testing.Short() {
		t.Skip("starts a headless browser; skipped in -short mode")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	started := time.Now()

	vs := vectors()
	if len(vs) < 150 {
		t.Fatalf("only %d vectors; the table is meant to hold at least 150", len(vs))
	}
	names := map[string]bool{}
	for _, v := range vs {
		if names[v.name] {
			t.Fatalf("duplicate vector name %q", v.name)
		}
		names[v.name] = true
	}

	// The page's origin must be known before the target can answer (the
	// vectors' headers name it), and the target's before the page is
	// written: listen on both, then serve.
	pg := listenPage(t)
	pageOrigin, pagePort := pg.origin(), pg.port()
	tgt := newTarget(t, func(id int, preflight bool) (int, []hdr) {
		if id < 0 || id >= len(vs) {
			return 404, nil
		}
		v := vs[id]
		if preflight {
			return v.preflightStatus(), substitute(v.pf, pageOrigin, pagePort)
		}
		return v.actualStatus(), substitute(v.resp, pageOrigin, pagePort)
	})
	targetOrigin := "http://127.0.0.1:" + strconv.Itoa(tgt.port())
	pvs := make([]pageVector, len(vs))
	for i, v := range vs {
		pvs[i] = pageVector{ID: i, URL: targetOrigin + "/v/" + strconv.Itoa(i), Method: v.method, Credentials: v.cred, Expose: v.expose, Headers: [][2]string{}}
		for _, x := range v.req {
			pvs[i].Headers = append(pvs[i].Headers, [2]string{x.name, x.value})
		}
	}
	body, err := pageHTML(pvs)
	if err != nil {
		t.Fatal(err)
	}
	pg.serve(t, body)

	version := chromiumVersion(ctx, bin)
	results, err := runChromium(ctx, t, bin, pageOrigin+"/", pg.results)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int]pageResult{}
	for _, r := range results {
		byID[r.ID] = r
	}

	var failures, known strings.Builder
	fw := tabwriter.NewWriter(&failures, 0, 0, 2, ' ', 0)
	kw := tabwriter.NewWriter(&known, 0, 0, 2, ' ', 0)
	var everything strings.Builder
	aw := tabwriter.NewWriter(&everything, 0, 0, 2, ' ', 0)
	_, _ = fmt.Fprint(aw, "group\tvector\tchromium\toracle\tpreflight sent\toracle: needed\tread header\tmismatches\n")
	_, _ = fmt.Fprint(fw, "group\tvector\taspect\tchromium\toracle\toracle step\n")
	_, _ = fmt.Fprint(kw, "group\tvector\taspect\tchromium\toracle\twhy\n")
	nFail, nKnown, nAllowed, nPreflights := 0, 0, 0, 0
	for i, v := range vs {
		res, ok := byID[i]
		if !ok {
			t.Errorf("%s: the page reported nothing", v.name)
			continue
		}
		obs := tgt.observed(i)
		ms, d := compare(v, res, obs, pageOrigin, pagePort)
		_, _ = fmt.Fprintf(aw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", v.group, v.name, verdictWord(res.OK), verdictWord(d.Allowed),
			yesNo(obs.preflights > 0), yesNo(d.PreflightNeeded), exposedWord(v, res), len(ms))
		if res.OK {
			nAllowed++
		}
		if obs.preflights > 0 {
			nPreflights++
		}
		switch {
		case v.known != "" && len(ms) == 0:
			t.Errorf("%s: marked as a known disagreement (%s) but Chromium %s now agrees with the oracle: drop the mark", v.name, v.known, version)
		case v.known != "":
			nKnown++
			for _, m := range ms {
				_, _ = fmt.Fprintf(kw, "%s\t%s\t%s\t%s\t%s\t%s\n", v.group, v.name, m.aspect, m.chromium, m.oracle, v.known)
			}
		default:
			for _, m := range ms {
				nFail++
				_, _ = fmt.Fprintf(fw, "%s\t%s\t%s\t%s\t%s\t%s\n", v.group, v.name, m.aspect, m.chromium, m.oracle, m.step)
			}
		}
	}
	_ = fw.Flush()
	_ = kw.Flush()
	_ = aw.Flush()
	if testing.Verbose() {
		t.Logf("every vector:\n%s", everything.String())
	}
	t.Logf("%s: %d vectors, %d allowed, %d preflighted, %d known disagreements, %v", version, len(vs), nAllowed, nPreflights, nKnown, time.Since(started).Round(time.Millisecond))
	if nKnown > 0 {
		t.Logf("known disagreements between the oracle and Chromium:\n%s", known.String())
	}
	if nFail > 0 {
		t.Errorf("%d disagreements between Chromium and spec.Evaluate(spec.Chromium, ...):\n%s", nFail, failures.String())
	}
}

// compare lists the aspects on which Chromium's behaviour for v differs from
// the oracle's prediction.
func compare(v vector, res pageResult, obs observed, origin string, port int) ([]mismatch, spec.Decision) {
	req := spec.Request{Origin: origin, Method: v.method, Header: toHeader(v.req), Credentials: v.cred == include}
	pfHeaders := substitute(v.pf, origin, port)
	actualHeaders := substitute(v.resp, origin, port)
	pf := &spec.Response{Status: v.preflightStatus(), Header: toHeader(framing(v.preflightStatus(), pfHeaders))}
	actual := spec.Response{Status: v.actualStatus(), Header: toHeader(framing(v.actualStatus(), actualHeaders))}
	d := spec.Evaluate(spec.Chromium, req, pf, actual)

	var ms []mismatch
	if res.OK != d.Allowed {
		chromium := verdictWord(res.OK)
		if !res.OK && res.Error != "" {
			chromium += " (" + res.Error + ")"
		}
		ms = append(ms, mismatch{"verdict", chromium, verdictWord(d.Allowed), oracleStep(d)})
	}
	sent := obs.preflights > 0
	// A request fetch() refuses to send has no preflight either; the
	// oracle's PreflightNeeded is then false as well.
	if sent != d.PreflightNeeded {
		ms = append(ms, mismatch{"preflight sent", yesNo(sent), yesNo(d.PreflightNeeded),
			"NeedsPreflight: " + yesNo(spec.NeedsPreflight(req)) + ", NeedsPreflightFor(chromium): " + yesNo(spec.NeedsPreflightFor(spec.Chromium, req))})
	}
	if sent && d.PreflightNeeded {
		want := spec.PreflightHeadersFor(spec.Chromium, req)
		wantACRM := want.Get("Access-Control-Request-Method")
		wantACRH, wantACRHSent := want["Access-Control-Request-Headers"]
		got := fmt.Sprintf("ACRM %q ACRH %s", obs.acrm, quoteOrAbsent(obs.acrh, obs.acrhSent))
		exp := fmt.Sprintf("ACRM %q ACRH %s", wantACRM, quoteOrAbsent(strings.Join(wantACRH, ","), wantACRHSent))
		if got != exp {
			ms = append(ms, mismatch{"preflight headers", got, exp, "PreflightHeaders"})
		}
	}
	if obs.actuals > 0 {
		wantMethod := spec.NormalizeMethod(v.method)
		if v.method == "" {
			wantMethod = "GET"
		}
		if obs.method != wantMethod {
			ms = append(ms, mismatch{"sent method", obs.method, wantMethod, "NormalizeMethod"})
		}
	}
	if obs.actuals > 0 {
		// An author header reaches the server unless fetch() drops it as a
		// forbidden request-header. Presence alone proves nothing (the
		// browser sends its own Accept, Referer, Cookie...), so look for
		// the author's value.
		for _, x := range v.req {
			value := strings.Trim(x.value, " \t\r\n")
			got := strings.Contains(strings.Join(obs.header.Values(x.name), ", "), value)
			want := !spec.IsForbiddenRequestHeader(x.name, value)
			if got != want {
				ms = append(ms, mismatch{"header " + x.name + " sent", yesNo(got), yesNo(want), "IsForbiddenRequestHeader: " + yesNo(!want)})
			}
		}
	}
	if v.expose != "" && res.OK && d.Allowed {
		got := res.Exposed != nil && *res.Exposed
		want := spec.IsExposed(actual.Header, v.expose, req.Credentials)
		if got != want {
			ms = append(ms, mismatch{"exposed " + v.expose, yesNo(got), yesNo(want), "IsExposed; Decision.Exposed = " + strings.Join(d.Exposed, ",")})
		}
	}
	return ms, d
}

// exposedWord is what the page could read of the vector's header.
func exposedWord(v vector, res pageResult) string {
	switch {
	case v.expose == "":
		return "-"
	case res.Exposed == nil:
		return v.expose + ": n/a"
	}
	return v.expose + ": " + yesNo(*res.Exposed)
}

func quoteOrAbsent(s string, present bool) string {
	if !present {
		return "absent"
	}
	return strconv.Quote(s)
}
