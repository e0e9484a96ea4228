package apache

import (
	"slices"
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// ruleKey identifies an origin rule up to its evidence: rules with equal
// keys are one rule reached from several places.
type ruleKey struct {
	kind   rules.OriginKind
	echo   bool
	reason string
	values string // Values joined with NUL
	hasPat bool
	expr   string
	ci     bool
	at     rules.Range
}

func keyOf(r *rules.OriginRule) ruleKey {
	k := ruleKey{kind: r.Kind, echo: r.Echo, reason: r.Reason, values: strings.Join(r.Values, "\x00")}
	if r.Pattern != nil {
		k.hasPat, k.expr, k.ci, k.at = true, r.Pattern.Expr, r.Pattern.CaseInsensitive, r.Pattern.Evidence.Range
	}
	return k
}

// ruleSet builds a grant's origin rules, merging identical ones. The index
// is built only for long lists: a handful of rules compare faster than they
// hash, and 100k SetEnvIf Origin lines made the pairwise scan quadratic.
type ruleSet struct {
	rs    []rules.OriginRule
	index map[ruleKey]int
}

const ruleIndexFrom = 16

// add appends r unless an identical rule is present, in which case the
// evidence is merged.
func (s *ruleSet) add(r rules.OriginRule) {
	i := -1
	if s.index == nil && len(s.rs) >= ruleIndexFrom {
		s.index = make(map[ruleKey]int, 2*len(s.rs))
		for j := range s.rs {
			if _, dup := s.index[keyOf(&s.rs[j])]; !dup {
				s.index[keyOf(&s.rs[j])] = j
			}
		}
	}
	if s.index != nil {
		k := keyOf(&r)
		if j, ok := s.index[k]; ok {
			i = j
		} else {
			s.index[k] = len(s.rs)
		}
	} else {
		for j := range s.rs {
			if sameRule(&s.rs[j], &r) {
				i = j
				break
			}
		}
	}
	if i < 0 {
		s.rs = append(s.rs, r)
		return
	}
	o := &s.rs[i]
	for _, ev := range r.Evidence {
		if !hasEvidence(o.Evidence, ev) {
			// Full-slice copy: rules are shared between grants.
			o.Evidence = append(o.Evidence[:len(o.Evidence):len(o.Evidence)], ev)
		}
	}
}

// sameRule is keyOf(o) == keyOf(r) without building the keys.
func sameRule(o, r *rules.OriginRule) bool {
	if o.Kind != r.Kind || o.Echo != r.Echo || o.Reason != r.Reason || !slices.Equal(o.Values, r.Values) {
		return false
	}
	if (o.Pattern == nil) != (r.Pattern == nil) {
		return false
	}
	return o.Pattern == nil || (o.Pattern.Expr == r.Pattern.Expr && o.Pattern.CaseInsensitive == r.Pattern.CaseInsensitive && o.Pattern.Evidence.Range == r.Pattern.Evidence.Range)
}

func hasEvidence(evs []rules.Evidence, ev rules.Evidence) bool {
	for _, e := range evs {
		if e.Range == ev.Range {
			return true
		}
	}
	return false
}

// originRules derives how an ACAO entry chooses the origin. Every rule
// gets its own evidence slice, built at its final size in one step.
func originRules(e entry, cands []candidate, gt *gate) []rules.OriginRule {
	hev := e.op.n.evidence()
	// The guard that decides the Origin: an enclosing <If>, or env=/expr=.
	var og *guard
	for _, g := range e.op.guards {
		if g.origin != nil || g.originNeg || g.opaque {
			og = g
			break
		}
	}
	if g := e.condG; og == nil && g != nil && (g.origin != nil || g.originNeg || g.opaque) {
		og = g
	}
	var out []rules.OriginRule
	for _, c := range cands {
		switch c.kind {
		case 'l':
			var pats []rules.Pattern
			var list []listed
			if c.origin != nil {
				pats, list = c.origin.patterns, c.origin.list
			}
			evs := make([]rules.Evidence, 0, len(pats)+3)
			for _, p := range pats {
				evs = addEvidence(evs, p.Evidence)
			}
			for _, l := range list {
				evs = addEvidence(evs, l.ev)
			}
			if og != nil {
				evs = addEvidence(evs, og.ev)
			}
			evs = addEvidence(addEvidence(evs, c.ev), hev)
			if c.lit == "*" {
				out = append(out, rules.OriginRule{Kind: rules.OriginAny, Evidence: evs})
			} else {
				out = append(out, rules.OriginRule{Kind: rules.OriginList, Values: []string{c.lit}, Evidence: evs})
			}
		case 'e':
			out = echoRules(out, c.origin, c.ev, hev)
		case 'r':
			switch {
			case og != nil && og.opaque:
				out = append(out, rules.OriginRule{Kind: rules.OriginUnknown, Reason: "the request Origin is echoed under a condition the linter cannot analyse: " + og.text, Evidence: evidenceOf(og.ev, hev)})
			case og != nil && og.origin != nil && !og.originNeg:
				out = echoRules(out, og.origin, og.ev, hev)
			case gt != nil && og == nil:
				// Origins outside the gate were rejected before this
				// response was built.
				out = gatedRules(out, gt, hev)
			default:
				var evs []rules.Evidence
				if og != nil {
					evs = evidenceOf(og.ev, hev)
				} else {
					evs = evidenceOf(hev)
				}
				out = append(out, rules.OriginRule{Kind: rules.OriginReflect, Echo: true, Evidence: evs})
			}
		default:
			out = append(out, rules.OriginRule{Kind: rules.OriginUnknown, Reason: c.reason, Evidence: evidenceOf(c.ev, hev)})
		}
	}
	return out
}

// echoRules appends the rules of an Origin echoed after matching oc; ev and
// hev are the evidence of the echo (a zero ev stands for none).
func echoRules(out []rules.OriginRule, oc *originCond, ev, hev rules.Evidence) []rules.OriginRule {
	if oc == nil {
		return append(out, rules.OriginRule{Kind: rules.OriginReflect, Echo: true, Evidence: evidenceOf(ev, hev)})
	}
	// The rules point at the condition's own patterns: nothing writes to
	// a pattern once it is parsed.
	for i := range oc.patterns {
		p := &oc.patterns[i]
		out = append(out, rules.OriginRule{Kind: rules.OriginPattern, Pattern: p, Echo: true, Evidence: evidenceOf(p.Evidence, ev, hev)})
	}
	// Exact origins compared at one place make one rule; each place its own,
	// so that a finding about a value points at the line that lists it.
	for i := 0; i < len(oc.list); {
		j := i + 1
		for j < len(oc.list) && oc.list[j].ev.Range == oc.list[i].ev.Range {
			j++
		}
		values := make([]string, j-i)
		for k := i; k < j; k++ {
			values[k-i] = oc.list[k].value
		}
		out = append(out, rules.OriginRule{Kind: rules.OriginList, Values: values, Echo: true, Evidence: evidenceOf(oc.list[i].ev, ev, hev)})
		i = j
	}
	return out
}

// evidenceOf returns the distinct evidence among evs, in order, in a new
// slice (never nil); entries without a file stand for "none" and are left out.
func evidenceOf(evs ...rules.Evidence) []rules.Evidence {
	out := make([]rules.Evidence, 0, len(evs))
	for _, e := range evs {
		out = addEvidence(out, e)
	}
	return out
}

// addEvidence appends e unless it has no file or is already present.
func addEvidence(evs []rules.Evidence, e rules.Evidence) []rules.Evidence {
	if e.Range.File == "" || hasEvidence(evs, e) {
		return evs
	}
	return append(evs, e)
}

func uniqEvidence(evs []rules.Evidence) []rules.Evidence {
	out := evs[:0:0]
	for _, e := range evs {
		out = addEvidence(out, e)
	}
	return out
}
