package attack

import (
	"fmt"
	"strings"
)

// NeverMatches reports whether no origin a browser sends can ever match the
// pattern, with a reason that names the near-miss it would need: a path or
// trailing slash (^https://example\.com/$), a default port
// (https://example.com:443), upper case in a case-sensitive pattern, a
// literal `*` meant as a glob (^https://\*\.example\.com$), or a bare host
// with no scheme (^example\.com$).
//
// It is deliberately conservative: it answers true only when it has both
// (a) tried the serialised origins built from the pattern's own literals,
// an origin searched for on the pattern's automaton and the attack
// candidates derived from the literals, none accepted, and (b) found a
// concrete string built from the pattern that it does accept, whose
// browser-serialised form it rejects. Anything it cannot show is "can
// match" (false), including patterns that do not compile and patterns
// whose backtracking budget runs out on the way. Whichever accepted origin
// it meets first ends the search, so the cheap ones are tried first.
func NeverMatches(expr string, d Dialect, caseInsensitive bool, opts ...Option) (never bool, reason string) {
	return Prepare(expr, d, caseInsensitive, opts...).NeverMatches()
}

// neverMatches is NeverMatches on a prepared pattern (its matcher and
// skeletons shared with the other analyses).
func neverMatches(p *Pattern) (never bool, reason string) {
	if p.d != Glob {
		if empty, why := emptyLanguageOf(p.perl, p.perlErr); empty {
			return true, why
		}
	}
	m, err := p.m, p.mErr
	if err != nil {
		return false, ""
	}
	failed := false
	accepts := func(s string) bool {
		ok, err := m.Match(s)
		failed = failed || err != nil
		return ok && err == nil
	}
	sks := p.skeletons()
	lits := p.Literals()

	// Any one origin a browser sends that the pattern accepts answers
	// "can match"; the cheapest ways first. (a) The serialised origins of
	// the literals: most patterns accept their first literal's.
	for _, l := range lits {
		if o, ok := parseSource(l); ok {
			for _, scheme := range []string{"https", "http"} {
				if accepts(serialOr(origin{scheme: scheme, host: o.host, port: o.port})) {
					return false, ""
				}
			}
		}
	}
	// (b) Concrete strings from the pattern itself: one that serialises
	// to itself (or to a string also accepted) answers as well; the
	// others are the near-misses a "never" explains itself with.
	var miss, missSer string
	missOK := false
	for _, sk := range sks {
		for _, f := range fills(sk) {
			for _, v := range variants(f) {
				if !accepts(v) {
					continue
				}
				s, ok := serialise(v)
				if ok && (s == v || accepts(s)) {
					return false, ""
				}
				// Prefer a near-miss that has a serialised form: "needs a
				// path" explains more than "not a URL at all".
				if miss == "" || ok && !missOK {
					miss, missSer, missOK = v, s, ok
				}
			}
		}
	}
	// (c) The automaton's serialised origin (a search of the pattern's
	// automaton, for patterns Go's parser reads), and (d) the attack
	// candidates derived from the literals, which it makes unneeded
	// whenever it finds one.
	if p.acceptsSerialisedOrigin(accepts) != "" {
		return false, ""
	}
	for _, c := range generateSendable(nil, lits) {
		if c.Class.BrowserSendable() && isSerialised(c.Origin) && accepts(c.Origin) {
			return false, ""
		}
	}
	if miss == "" || failed {
		return false, ""
	}
	return true, nearMissReason(miss, missSer, missOK)
}

// fills expands a skeleton's holes with their samples (at most maxFills).
func fills(sk skeleton) []string {
	out := []string{""}
	for _, s := range sk {
		opts := []string{s.text}
		if s.hole {
			opts = s.samples
		}
		var next []string
		for _, a := range out {
			for _, b := range opts {
				if len(next) < maxFills {
					next = append(next, a+b)
				}
			}
		}
		out = next
	}
	return out
}

// variants of a filled string to try: itself and, when it has no scheme,
// the origins it would be part of.
func variants(f string) []string {
	if f == "" {
		return nil
	}
	if strings.HasSuffix(f, "://") {
		// A pattern open after its scheme (`^moz-extension://`) lets any
		// host follow: try one.
		return []string{f, f + "a"}
	}
	if strings.Contains(f, "://") {
		return []string{f}
	}
	return []string{f, "https://" + f, "http://" + f}
}

// nearMissReason explains why the accepted string v is not what a browser
// sends (s, when v serialises at all).
func nearMissReason(v, s string, ok bool) string {
	if !ok {
		switch {
		case !strings.Contains(v, "://"):
			return fmt.Sprintf("it only accepts %q, with no scheme, but an Origin header is always scheme://host (plus port)", v)
		case strings.Contains(v, "*"):
			return fmt.Sprintf("it only accepts %q: `*` is a literal character in a regular expression, not a wildcard, and no browser sends it in a host", v)
		}
		return fmt.Sprintf("it only accepts %q, which is not an origin any browser sends", v)
	}
	rest := v[strings.Index(v, "://")+3:]
	var why string
	switch {
	case strings.ContainsAny(rest, "/?#"):
		why = "an Origin header never has a path, not even a trailing /"
	case strings.Contains(rest, "@"):
		why = "an Origin header never has userinfo"
	case strings.HasSuffix(v, ":443") && strings.HasPrefix(strings.ToLower(v), "https:") ||
		strings.HasSuffix(v, ":80") && strings.HasPrefix(strings.ToLower(v), "http:"):
		why = "browsers omit the default port"
	case v != strings.ToLower(v):
		why = "browsers send the scheme and host in lower case"
	default:
		why = "browsers serialise it differently"
	}
	return fmt.Sprintf("%s: it accepts %q, but a browser sends %q", why, v, s)
}
