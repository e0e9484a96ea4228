package nginx

import (
	"strconv"
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// dedupIndexAt is the number of rules from which duplicates are found
// through an index rather than by comparing pairs: a map of 100,000
// origins made the pairwise search quadratic (58 s), while the few rules
// of an ordinary header are cheaper compared directly.
const dedupIndexAt = 16

// ruleDedup skips exact duplicate origin rules (the same map entry reached
// twice) while rules are appended to one grant.
type ruleDedup struct {
	seen map[string]struct{} // nil: compare pairwise
	key  strings.Builder
}

// newDedup prepares to append up to more rules to out.
func (a *analyzer) newDedup(out []rules.OriginRule, more int) *ruleDedup {
	d := &a.dedup
	d.seen = nil
	if len(out)+more < dedupIndexAt {
		return d
	}
	if a.dedupSeen == nil {
		a.dedupSeen = map[string]struct{}{}
	}
	clear(a.dedupSeen)
	d.seen = a.dedupSeen
	for i := range out {
		d.seen[d.keyOf(&out[i])] = struct{}{}
	}
	return d
}

// add appends r unless out already holds the same rule.
func (d *ruleDedup) add(out []rules.OriginRule, r rules.OriginRule) []rules.OriginRule {
	if d.seen == nil {
		for i := range out {
			if sameRule(out[i], r) {
				return out
			}
		}
		return append(out, r)
	}
	k := d.keyOf(&r)
	if _, dup := d.seen[k]; dup {
		return out
	}
	d.seen[k] = struct{}{}
	return append(out, r)
}

// keyOf encodes every field sameRule compares, so that two rules have the
// same key exactly when sameRule holds.
func (d *ruleDedup) keyOf(r *rules.OriginRule) string {
	b := &d.key
	b.Reset()
	b.WriteByte(byte(r.Kind))
	if r.Echo {
		b.WriteByte('e')
	}
	field := func(s string) {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
	}
	field(r.Reason)
	b.WriteString(strconv.Itoa(len(r.Values)))
	for _, v := range r.Values {
		field(v)
	}
	if p := r.Pattern; p != nil {
		b.WriteByte('p')
		field(p.Expr)
		if p.CaseInsensitive {
			b.WriteByte('i')
		}
		rangeKey(b, p.Evidence.Range, field)
	}
	b.WriteString(strconv.Itoa(len(r.Evidence)))
	for _, e := range r.Evidence {
		rangeKey(b, e.Range, field)
	}
	return b.String()
}

func rangeKey(b *strings.Builder, r rules.Range, field func(string)) {
	field(r.File)
	for _, n := range [...]int{r.Line, r.Col, r.EndLine, r.EndCol} {
		b.WriteString(strconv.Itoa(n))
		b.WriteByte(',')
	}
}

// sameRule reports whether two rules are the same grant from the same
// directives.
func sameRule(a, b rules.OriginRule) bool {
	if a.Kind != b.Kind || a.Echo != b.Echo || a.Reason != b.Reason || len(a.Values) != len(b.Values) {
		return false
	}
	for i := range a.Values {
		if a.Values[i] != b.Values[i] {
			return false
		}
	}
	if (a.Pattern == nil) != (b.Pattern == nil) {
		return false
	}
	if a.Pattern != nil && (a.Pattern.Expr != b.Pattern.Expr || a.Pattern.CaseInsensitive != b.Pattern.CaseInsensitive || a.Pattern.Evidence.Range != b.Pattern.Evidence.Range) {
		return false
	}
	if len(a.Evidence) != len(b.Evidence) {
		return false
	}
	for i := range a.Evidence {
		if a.Evidence[i].Range != b.Evidence[i].Range {
			return false
		}
	}
	return true
}
