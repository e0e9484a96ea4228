package fuzz

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/corsguard/corsguard/fuzz/driver"
	"github.com/corsguard/corsguard/fuzz/observe"
	"github.com/corsguard/corsguard/rules"
	"github.com/corsguard/corsguard/rules/spec"
)

// profileFree are the steps of spec.PreflightCheck that no browser
// profile changes (the status, the request, the CORS check).
var profileFree = map[string]bool{spec.StepStatus: true, spec.StepRequest: true, spec.StepAllowOrigin: true, spec.StepAllowCreds: true}

// preflightPasses reports whether any browser profile passes the preflight.
func preflightPasses(o outcome, creds bool) (bool, spec.Verdict) {
	req := spec.Request{Origin: o.origin, Method: o.method, Header: http.Header{}, Credentials: creds, PrivateNetwork: o.pna}
	for _, n := range strings.Split(o.acrh, ",") {
		if n = strings.TrimSpace(n); n != "" {
			req.Header.Set(n, "1")
		}
	}
	var first spec.Verdict
	for i, p := range spec.Profiles {
		v := spec.PreflightCheck(p, req, o.status(), o.header())
		if v.OK {
			return true, v
		}
		if i == 0 {
			first = v
			// The status and the CORS check come first and read no
			// profile: failing there, every profile fails the same way.
			if step, _ := v.Failed(); profileFree[step.Name] {
				return false, v
			}
		}
	}
	return false, first
}

func (r *targetRun) judgePreflights() {
	mainStatus := map[string]int{}
	actualOf := map[string]*outcome{} // into r.outcomes: an outcome is large
	intent := false                   // the API advertises non-simple methods or headers
	for i, o := range r.outcomes {
		if o.kind == observe.Actual && o.purpose == "" && o.hasOrigin {
			mainStatus[o.origin] = o.status()
			actualOf[o.origin] = &r.outcomes[i]
			if r.grantedBy[o.origin] && (len(o.header().Values(rules.HeaderAllowMethods)) > 0 || len(o.header().Values(rules.HeaderAllowHeaders)) > 0) {
				intent = true
			}
		}
	}
	for _, p := range r.t.Expect {
		for _, g := range []rules.Grant{p.Actual, p.Preflight.Grant} {
			if len(g.Find(rules.HeaderAllowMethods))+len(g.Find(rules.HeaderAllowHeaders)) > 0 {
				intent = true
			}
		}
	}
	// 403 to a preflight is how some middleware refuses one method or
	// header; 403 to every preflight of an origin is a gate in front of
	// OPTIONS.
	forbiddenAll := map[string]bool{}
	for _, o := range r.outcomes {
		if o.kind == observe.Preflight && o.ex.Response != nil {
			all, seen := forbiddenAll[o.origin]
			forbiddenAll[o.origin] = (all || !seen) && o.status() == http.StatusForbidden
		}
	}
	passedFor := map[string]bool{}
	var broader, auth, redirect []outcome
	var broaderCreds bool
	for _, o := range r.outcomes {
		if o.kind != observe.Preflight || o.ex.Response == nil {
			continue
		}
		okC, _ := preflightPasses(o, true)
		okN, _ := preflightPasses(o, false)
		if okC || okN {
			passedFor[o.origin] = true
			// Like with like: the preflight and the actual request of the
			// same origin in the same credentials mode. `*` on both,
			// uncredentialed, is one consistent public policy.
			a, sent := actualOf[o.origin]
			wider := !r.isTrusted(o.origin) && (!sent && !r.grantedBy[o.origin] ||
				sent && (okC && !actualGrants(*a, true) || okN && !okC && !actualGrants(*a, false)))
			if wider {
				broader = append(broader, o)
				broaderCreds = broaderCreds || okC && (!sent || !actualGrants(*a, true))
			}
		}
		granted := r.isTrusted(o.origin) || r.grantedBy[o.origin]
		st := o.status()
		switch {
		case granted && (st == http.StatusUnauthorized || st == http.StatusProxyAuthRequired || st == http.StatusForbidden && forbiddenAll[o.origin]) &&
			(r.isTrusted(o.origin) || mainStatus[o.origin] > 0 && mainStatus[o.origin] < 400):
			// Browsers never send cookies or Authorization on a preflight:
			// an auth check in front of OPTIONS fails every non-simple
			// request, whatever the actual request would get with them.
			auth = append(auth, o)
		case granted && st >= 300 && st <= 399:
			redirect = append(redirect, o)
		}
	}
	if len(broader) > 0 {
		o := broader[0]
		for _, b := range broader {
			if ok, _ := preflightPasses(b, true); ok {
				o = b
				break
			}
		}
		msg := fmt.Sprintf("OPTIONS %s for Origin: %s (%s%s) passes the preflight, but the actual response does not grant that origin: the %s request is still sent and acts%s",
			r.t.URL, o.origin, o.method, acrhNote(o.acrh), o.method, credNote(broaderCreds))
		res := r.newResult("CG303", broaderCreds, msg, o.ex)
		if a, ok := actualOf[o.origin]; ok {
			res.Exchanges = append(res.Exchanges, r.evidence(a.ex)...)
		}
		res.Witness, res.WitnessClass = o.origin, o.class
		r.report(res)
	}
	if len(auth) > 0 {
		o := auth[0]
		r.report(r.newResult("CG302", false, fmt.Sprintf("OPTIONS %s for Origin: %s answers %d: browsers never send credentials on a preflight, so every non-simple request fails", r.t.URL, o.origin, o.status()), o.ex))
	}
	if len(redirect) > 0 {
		o := redirect[0]
		r.report(r.newResult("CG304", false, fmt.Sprintf("OPTIONS %s for Origin: %s answers %d (redirect to %s): browsers fail a redirected preflight", r.t.URL, o.origin, o.status(), o.header().Get("Location")), o.ex))
	}
	// The reverse of CG303: the actual grant exists, the API advertises
	// non-simple requests, and no preflight for that origin passes.
	if intent && len(auth)+len(redirect) == 0 {
		for _, o := range r.outcomes {
			if o.kind != observe.Preflight || o.class != classTrusted || !r.grantedBy[o.origin] || passedFor[o.origin] {
				continue
			}
			_, v := preflightPasses(o, false)
			r.report(r.newResult("CG301", false, fmt.Sprintf("Origin %s is granted on %s, but no preflight for it passes (OPTIONS %s%s → %d): %s",
				o.origin, r.t.URL, o.method, acrhNote(o.acrh), o.status(), v.Reason()), o.ex, actualEx(actualOf[o.origin])))
			break
		}
	}
}

// actualEx is the exchange of an actual request, or an empty one when
// the origin was not sent on one.
func actualEx(a *outcome) driver.Exchange {
	if a == nil {
		return driver.Exchange{}
	}
	return a.ex
}

func acrhNote(acrh string) string {
	if acrh == "" {
		return ""
	}
	return " with " + acrh
}

func credNote(creds bool) string {
	if creds {
		return " with the user's cookies (CSRF through non-simple requests)"
	}
	return ""
}
