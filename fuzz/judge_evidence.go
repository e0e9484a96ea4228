package fuzz

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/corsguard/corsguard/fuzz/driver"
	"github.com/corsguard/corsguard/fuzz/observe"
	"github.com/corsguard/corsguard/rules"
	"github.com/corsguard/corsguard/rules/spec"
)

// One mistake, one finding, named by the evidence. When the answers show
// a broader mistake, the narrower classes it also grants are consequences
// of it, not mistakes of their own:
//   - reflection (the arbitrary origin is granted) grants null, every
//     suffix, prefix and scheme too;
//   - a missing start anchor or dot boundary (evilexample.org granted)
//     grants any subdomain, a dot replaced by another character and any
//     scheme: CG105 stands only when the suffix class was refused.
var subsumes = map[string][]string{
	"CG101": {"CG102", "CG103", "CG104", "CG105", "CG106", "CG107", "CG108", "CG109", "CG110", "CG112"},
	"CG104": {"CG105", "CG107", "CG108"},
}

// subsumeLive drops the rules a broader granted class explains, moving
// their witnesses behind the broader one's (they stay in its evidence).
func subsumeLive(order []string, byRule map[string][]witness) []string {
	for _, broad := range []string{"CG101", "CG104"} {
		if len(byRule[broad]) == 0 {
			continue
		}
		order = slices.DeleteFunc(order, func(id string) bool {
			if !slices.Contains(subsumes[broad], id) {
				return false
			}
			byRule[broad] = append(byRule[broad], byRule[id]...)
			delete(byRule, id)
			return true
		})
	}
	return order
}

// hostilePreflightGrant returns a preflight that passes, credentialed, for
// an origin that is not trusted: then a reflected Allow-Methods/Headers is
// a hostile grant and not only loose hygiene.
func (r *targetRun) hostilePreflightGrant() (outcome, bool) {
	for _, o := range r.outcomes {
		if o.kind != observe.Preflight || r.isTrusted(o.origin) {
			continue
		}
		// Without credentials a hostile page gains nothing its own server
		// could not do: the grant that matters is the credentialed one.
		if okC, _ := preflightPasses(o, true); okC {
			return o, true
		}
	}
	return outcome{}, false
}

// scaleReflection: a reflected Allow-Headers (CG205) or Allow-Methods
// (CG206) lets a page ask for anything; it matters when the same kind of
// preflight passes for a hostile origin. When only trusted origins pass,
// it is hygiene: low, without the credentials bump.
func (r *targetRun) scaleReflection(f *rules.Finding) []driver.Exchange {
	if o, ok := r.hostilePreflightGrant(); ok {
		f.Message += fmt.Sprintf("; the preflight for the untrusted Origin %s passes too", o.origin)
		return []driver.Exchange{o.ex}
	}
	f.Severity, f.Credentials = rules.Low, false
	f.Message += "; only trusted origins pass the preflight, so this is hygiene: list the methods and headers the API uses"
	return nil
}

// actualGrants tells whether the actual response to origin lets a page on
// it read, in the given credentials mode.
func actualGrants(a outcome, creds bool) bool {
	return spec.CORSCheck(a.header(), a.origin, creds).OK
}

// judgeNeverMatches: an actual response carries an
// Access-Control-Allow-Origin that no serialised origin can equal (a
// trailing slash, a path, a default port, upper case): whoever it was
// meant for is blocked, every time (CG111, broken rather than unsafe). The
// evidence is the trusted origin's own answer when it carries the value,
// else the answer that does (flask-cors sends its list only when the
// Origin is absent) next to the trusted origin's refusal.
func (r *targetRun) judgeNeverMatches() {
	var bad, trustedAns *outcome
	for i, o := range r.outcomes {
		if o.kind != observe.Actual || o.purpose != "" || o.ex.Response == nil {
			continue
		}
		if o.hasOrigin && r.isTrusted(o.origin) && trustedAns == nil {
			trustedAns = &r.outcomes[i]
		}
		vs := o.header().Values(rules.HeaderAllowOrigin)
		if len(vs) != 1 {
			continue // none: not granted; several: CG203
		}
		v := strings.TrimSpace(vs[0])
		if v == "" || v == "*" || v == "null" || spec.IsSerialisedOrigin(v) || !looksLikeOrigin(v) {
			continue
		}
		if o.hasOrigin && v == strings.TrimSpace(o.origin) {
			continue // an echo of an Origin no browser sends (judgeActual: info)
		}
		trustedBad := bad != nil && bad.hasOrigin && r.isTrusted(bad.origin)
		if bad == nil || o.hasOrigin && r.isTrusted(o.origin) && !trustedBad {
			bad = &r.outcomes[i]
		}
	}
	if bad == nil {
		return
	}
	v := strings.TrimSpace(bad.header().Get(rules.HeaderAllowOrigin))
	sent := "without Origin"
	if bad.hasOrigin {
		sent = "with Origin: " + bad.origin
	}
	msg := fmt.Sprintf("%s %s %s → Access-Control-Allow-Origin: %s, which no browser origin can equal (%s): every browser blocks the read",
		bad.method, r.t.URL, sent, clip(v, 200), neverMatchReason(v))
	exs := []driver.Exchange{bad.ex}
	if trustedAns != nil && trustedAns != bad {
		msg += fmt.Sprintf("; the trusted Origin %s gets %s", trustedAns.origin, grantOrNone(trustedAns.header()))
		exs = append(exs, trustedAns.ex)
	}
	res := r.newResult("CG111", false, msg, exs...)
	if trustedAns != nil {
		res.Witness = trustedAns.origin
	}
	r.report(res)
}

func grantOrNone(h http.Header) string {
	if acao(h) == "" {
		return "no Access-Control-Allow-Origin"
	}
	return describe(h)
}

// looksLikeOrigin: an absolute http(s) URL-ish value (the CG202 invalid
// values, lists and junk, are another rule).
func looksLikeOrigin(v string) bool {
	l := strings.ToLower(v)
	return (strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")) && !strings.ContainsAny(v, " ,")
}

func neverMatchReason(v string) string {
	rest := v[strings.Index(v, "://")+3:]
	switch {
	case strings.HasSuffix(v, "/") && !strings.Contains(strings.TrimSuffix(rest, "/"), "/"):
		return "a trailing slash"
	case strings.Contains(rest, "/"):
		return "a path"
	case v != strings.ToLower(v):
		return "upper case"
	case strings.HasSuffix(v, ":443") || strings.HasSuffix(v, ":80"):
		return "a default port"
	}
	return "not a serialised origin"
}
