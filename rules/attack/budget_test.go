package attack

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// catastrophic backtracks exponentially on any origin with a long first
// label that fails the rest of the pattern; the lookahead puts it on regexp2.
const catastrophic = `^https://(?=[a-z])([a-z0-9.-]+)+\.internal-services-platform\.example\.com$`

const slowOrigin = "https://internal-services-platform.example.com.evil.test"

func TestBudgetStopsAtTheFirstTimeout(t *testing.T) {
	b := NewBudget(PatternBudget, nil)
	m, err := Compile(catastrophic, PCRE, false, WithBudget(b))
	if err != nil {
		t.Fatal(err)
	}
	_, err = m.Match(slowOrigin)
	if !errors.Is(err, ErrBudget) {
		t.Fatalf("first catastrophic match: err = %v, want one wrapping ErrBudget", err)
	}
	if !strings.Contains(err.Error(), "regex search budget exhausted after 100 ms") {
		t.Errorf("message %q does not name the budget", err)
	}
	spent := b.Spent()
	// Every later match fails without running, even one that would be fast.
	for _, o := range []string{slowOrigin, "https://a.internal-services-platform.example.com"} {
		ok, err := m.Match(o)
		var be *BudgetError
		if ok || !errors.As(err, &be) || be.Run || be.Limit != PatternBudget {
			t.Errorf("Match(%q) after the timeout = %v, %v; want a pattern BudgetError", o, ok, err)
		}
	}
	if b.Spent() != spent {
		t.Errorf("matches after exhaustion were charged: spent %v, then %v", spent, b.Spent())
	}
}

func TestSearchStopsWhenTheBudgetRunsOut(t *testing.T) {
	b := NewBudget(PatternBudget, nil)
	m, err := Compile(catastrophic, PCRE, false, WithBudget(b))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Search(m, []string{"https://internal-services-platform.example.com"}, Literals(catastrophic, PCRE))
	if !errors.Is(err, ErrBudget) {
		t.Fatalf("Search err = %v, want one wrapping ErrBudget", err)
	}
}

// Two compilations of one pattern (the server's flag and the
// case-insensitive intent check) share the budget they are given.
func TestBudgetIsSharedByMatchersOfOnePattern(t *testing.T) {
	b := NewBudget(PatternBudget, nil)
	ci, _ := Compile(catastrophic, PCRE, true, WithBudget(b))
	cs, _ := Compile(catastrophic, PCRE, false, WithBudget(b))
	if _, err := ci.Match(slowOrigin); !errors.Is(err, ErrBudget) {
		t.Fatalf("err = %v", err)
	}
	if _, err := cs.Match("https://a.internal-services-platform.example.com"); !errors.Is(err, ErrBudget) {
		t.Errorf("second matcher of the pattern still runs: err = %v", err)
	}
}

// Once the run's budget is spent, a new pattern is refused at once and
// the error names the run's budget.
func TestRunBudgetBoundsAllPatterns(t *testing.T) {
	run := NewRunBudget(20 * time.Millisecond)
	first, _ := Compile(catastrophic, PCRE, false, WithBudget(NewBudget(PatternBudget, run)))
	if _, err := first.Match(slowOrigin); !errors.Is(err, ErrBudget) {
		t.Fatalf("err = %v", err)
	}
	second, _ := Compile(`^https://(?!admin)[a-z]+\.example\.com$`, PCRE, false, WithBudget(NewBudget(PatternBudget, run)))
	_, err := second.Match("https://app.example.com")
	var be *BudgetError
	if !errors.As(err, &be) || !be.Run {
		t.Fatalf("after the run's budget: err = %v, want the run's BudgetError", err)
	}
	if !strings.Contains(err.Error(), "of the run") {
		t.Errorf("message %q does not say it is the run's budget", err)
	}
}

// A cheap lookaround pattern spends microseconds per match and is never
// stopped by its budget over a whole search.
func TestBudgetLeavesNormalPatternsAlone(t *testing.T) {
	expr := `^https://(?!admin\.)[a-z0-9-]+\.example\.com$`
	b := NewBudget(PatternBudget, nil)
	m, _ := Compile(expr, PCRE, false, WithBudget(b))
	ws, err := Search(m, []string{"https://app.example.com"}, Literals(expr, PCRE))
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	if len(ws) == 0 {
		t.Errorf("no witness for a pattern that accepts every subdomain")
	}
}
