package attack

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Witness is an origin an attacker can make a browser send that the
// pattern accepts although it is not trusted.
type Witness struct {
	Origin string
	Class  Class
	From   string // the trusted origin or literal it was derived from
}

// MaxPerClass bounds how many witnesses Search reports per class.
const MaxPerClass = 3

// Search runs Generate(trusted, literals) against m (the candidates a
// browser sends: generateSendable) and returns the
// accepted candidates that a hostile page can make a browser send and that
// are not themselves trusted (exact comparison of serialised origins).
// Witnesses are in class order, at most MaxPerClass per class.
//
// Only classes whose BrowserSendable is true are tried, and IDN and IP
// candidates only in the form a browser serialises (xn-- labels, canonical
// addresses): the linter asks what a hostile page can make a browser send,
// not what curl can.
//
// Witnesses that add nothing to a broader one are left out, so that one
// mistake produces one finding:
//   - if an arbitrary origin is accepted, only Arbitrary and Null remain
//     (everything else follows from it);
//   - special-chars and special-label witnesses from a source are dropped
//     when a post-domain witness from the same source exists (a missing end
//     anchor lets them all through);
//   - the fallback sibling forgotten.example.com is dropped when
//     evil.example.com is accepted too;
//   - pre-domain and substring witnesses are dropped when a sibling
//     witness with the same parent domain exists: with
//     ^https://([a-z0-9-]+\.)?example\.com$, evilapp.example.com is just
//     another subdomain of example.com, not a missing boundary.
//
// A budget that runs out (an error wrapping ErrBudget: the pattern's
// backtracking time is spent, or a match timed out) stops the search at
// once: the witnesses found so far are returned with that error, and the
// caller must say that the search is incomplete. Other matching errors do
// not stop it: the other candidates are still tried and the first error
// is returned with the witnesses found.
func Search(m Matcher, trusted []string, literals []string) ([]Witness, error) {
	if m == nil {
		return nil, errors.New("attack.Search: nil matcher")
	}
	isTrusted := map[string]bool{}
	for _, t := range trusted {
		isTrusted[t] = true
	}
	var found []Witness
	var firstErr error
	for _, c := range generateSendable(trusted, literals) {
		if !c.Class.BrowserSendable() || isTrusted[c.Origin] {
			continue
		}
		if (c.Class == IDN || c.Class == IPLiteral) && !isSerialised(c.Origin) {
			continue
		}
		ok, err := m.Match(c.Origin)
		if errors.Is(err, ErrBudget) {
			return limit(subsume(found)), fmt.Errorf("testing %s candidate %q: %w", c.Class, c.Origin, err)
		}
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("testing %s candidate %q: %w", c.Class, c.Origin, err)
			}
			continue
		}
		if ok {
			found = append(found, Witness(c))
		}
	}
	return limit(subsume(found)), firstErr
}

func isSerialised(o string) bool {
	s, ok := serialise(o)
	return ok && s == o
}

// subsume drops witnesses a broader witness already explains (see Search).
func subsume(ws []Witness) []Witness {
	has := func(pred func(Witness) bool) bool { return slices.ContainsFunc(ws, pred) }
	if has(func(w Witness) bool { return w.Class == Arbitrary }) {
		return slices.DeleteFunc(slices.Clone(ws), func(w Witness) bool { return w.Class != Arbitrary && w.Class != Null })
	}
	postFrom := map[string]bool{}
	siblingParents := map[string]bool{} // example.com when evil.example.com is accepted
	for _, w := range ws {
		switch w.Class {
		case PostDomain:
			postFrom[w.From] = true
		case SiblingSubdomain:
			if o, ok := parseSource(w.Origin); ok {
				siblingParents[parent(o.host)] = true
			}
		}
	}
	accepted := map[string]bool{}
	for _, w := range ws {
		accepted[w.Origin] = true
	}
	return slices.DeleteFunc(slices.Clone(ws), func(w Witness) bool {
		switch w.Class {
		case SiblingSubdomain:
			// forgotten.example.com is only a fallback for patterns that
			// happen to exclude "evil".
			rest, ok := strings.CutPrefix(w.Origin, "https://forgotten.")
			if !ok {
				rest, ok = strings.CutPrefix(w.Origin, "http://forgotten.")
			}
			return ok && accepted[strings.Replace(w.Origin, "forgotten."+rest, "evil."+rest, 1)]
		case SpecialChars, SpecialLabel:
			return postFrom[w.From]
		case PreDomain, Substring:
			// https://app.example.comexample.com ends in an attacker's
			// comexample.com, but it begins with a whole source whose
			// post-domain variant is accepted: the pattern accepts it
			// because nothing follows that source, the mistake already
			// found, not because something may precede it (one mistake,
			// one finding). Its own source may be another trusted origin
			// of the same registrable domain.
			for from := range postFrom {
				if strings.HasPrefix(w.Origin, from) {
					return true
				}
			}
			o, ok := parseSource(w.Origin)
			return ok && siblingParents[parent(o.host)]
		}
		return false
	})
}

// limit keeps the first MaxPerClass witnesses of each class.
func limit(ws []Witness) []Witness {
	count := map[Class]int{}
	var out []Witness
	for _, w := range ws {
		if count[w.Class] < MaxPerClass {
			count[w.Class]++
			out = append(out, w)
		}
	}
	return out
}

// parent is host without its first label.
func parent(host string) string {
	_, p, _ := strings.Cut(host, ".")
	return p
}

// SearchPattern is Search for a pattern whose text is known (the linter's
// case): Search's candidates, then, for the automaton classes (post-domain,
// no-dot post-domain, pre-domain, sibling and nested subdomain) that no
// candidate hit, the shortest origin of the class the pattern accepts,
// found by automata (automaton.go) and verified with m. Patterns Go's
// parser cannot read (lookarounds, backreferences) get Search's candidates
// alone. Errors are Search's; a budget error stops before the automata.
func SearchPattern(m Matcher, expr string, d Dialect, ci bool, trusted, literals []string) ([]Witness, error) {
	return searchPattern(m, func() (*dfa, error) { return patternDFA(expr, d, ci) }, trusted, literals)
}

// searchPattern is SearchPattern with the pattern's automaton built by
// auto, only when some automaton class is left to search.
func searchPattern(m Matcher, auto func() (*dfa, error), trusted, literals []string) ([]Witness, error) {
	ws, err := Search(m, trusted, literals)
	if errors.Is(err, ErrBudget) {
		return ws, err
	}
	skip := map[Class]bool{}
	have := map[string]bool{}
	for _, w := range ws {
		skip[w.Class] = true
		have[w.Origin] = true
	}
	if skip[Arbitrary] {
		return ws, err
	}
	// One witness per mistake is enough: both post-domain classes are the
	// missing end anchor, and a missing anchor at either end already
	// admits every subdomain (the rules report it once).
	if skip[PostDomain] || skip[NoDotPostDomain] {
		skip[PostDomain], skip[NoDotPostDomain] = true, true
	}
	if skip[PostDomain] || skip[PreDomain] || skip[Substring] {
		skip[SiblingSubdomain], skip[NestedSubdomain] = true, true
	}
	isTrusted := func(o string) bool { return slices.Contains(trusted, o) }
	extra, aerr := automatonWitnessesOf(auto, m, slices.Concat(trusted, literals), isTrusted, have, skip)
	if len(extra) == 0 {
		return ws, errors.Join(err, aerr)
	}
	all := append(slices.Clone(ws), extra...)
	slices.SortStableFunc(all, func(a, b Witness) int { return a.Class.order() - b.Class.order() })
	return limit(subsume(all)), errors.Join(err, aerr)
}
