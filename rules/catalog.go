package rules

import (
	"fmt"
	"sort"
	"sync"
)

// Rule is one catalog entry. It carries its own documentation so that
// `corsguard rules`, `corsguard explain`, the README table and SARIF
// metadata all come from this one value and can never disagree.
type Rule struct {
	ID    string
	Slug  string
	Group string
	Title string
	// Severity applies without credentials; CredSeverity when the grant
	// includes credentials (usually one step up).
	Severity     Severity
	CredSeverity Severity
	Rationale    string
	Fix          string
	Bad, Good    string // short config examples
	References   []string

	check func(*checkContext)
}

// Groups in catalog order.
var Groups = []string{"Suppressions", "Origin trust", "Header values", "Preflight", "Caching and response consistency", "Cloud resources", "Live"}

var catalog = map[string]*Rule{}

func register(r *Rule) *Rule {
	if _, dup := catalog[r.ID]; dup {
		panic("duplicate rule " + r.ID) // programming error, caught by every test run
	}
	catalog[r.ID] = r
	return r
}

var (
	sortedOnce sync.Once
	sorted     []*Rule
)

// All returns every rule in ID order. The catalog is complete once package
// initialisation is over, so the order is computed once.
func All() []*Rule {
	sortedOnce.Do(func() {
		for _, r := range catalog {
			sorted = append(sorted, r)
		}
		sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	})
	return sorted
}

// Lookup finds a rule by ID (CG103) or slug (origin-regex-prefix).
func Lookup(idOrSlug string) (*Rule, error) {
	if r, ok := catalog[idOrSlug]; ok {
		return r, nil
	}
	for _, r := range catalog {
		if r.Slug == idOrSlug {
			return r, nil
		}
	}
	return nil, fmt.Errorf("no rule %q (see `corsguard rules`)", idOrSlug)
}

// SeverityFor returns the rule's severity for a grant with or without credentials.
func (r *Rule) SeverityFor(credentials bool) Severity {
	if credentials {
		return r.CredSeverity
	}
	return r.Severity
}
