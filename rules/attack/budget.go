package attack

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/dlclark/regexp2"
)

// Budgets for the backtracking engine. A pattern with catastrophic
// backtracking (`(a+)+` with a lookahead) makes every regexp2 match run to
// its timeout; without a budget for the whole pattern, the analysis tried
// each of its ~100 candidates in turn and spent about 10 s per pattern.
const (
	// PatternBudget is the time one pattern's analysis may spend in the
	// backtracking engine, over all of its matches: intent, never-matches,
	// witness search and the per-policy checks together. A normal
	// lookaround pattern needs a few microseconds per match.
	PatternBudget = 100 * time.Millisecond
	// RunBudget is what a whole lint run may spend in the backtracking
	// engine, over all patterns, so that many hostile patterns cost seconds
	// in total rather than PatternBudget each.
	RunBudget = 2 * time.Second
)

func init() {
	// regexp2 checks its timeouts against a clock that ticks every 100 ms
	// by default, so a 10 ms allowance would really be 100-200 ms. Setting
	// it here, before any goroutine matches, keeps deadlines within ~10 ms.
	regexp2.SetTimeoutCheckPeriod(10 * time.Millisecond)
}

// ErrBudget is wrapped by every error a Matcher returns because a budget
// ran out (errors.Is(err, ErrBudget)); errors.As gives the *BudgetError.
var ErrBudget = errors.New("regex search budget exhausted")

// BudgetError says which budget ran out.
type BudgetError struct {
	Limit time.Duration // the budget that ran out
	Run   bool          // the run's budget (RunBudget), not the pattern's
}

func (e *BudgetError) Error() string {
	if e.Run {
		return fmt.Sprintf("regex search budget of the run (%d ms for all backtracking patterns) exhausted", e.Limit.Milliseconds())
	}
	return fmt.Sprintf("regex search budget exhausted after %d ms", e.Limit.Milliseconds())
}

func (e *BudgetError) Is(target error) bool { return target == ErrBudget }

// Budget is time the backtracking engine may spend. A pattern's budget
// usually has the run's as parent: a match is allowed what is left of
// both, and is charged to both. A budget is exhausted when its time is
// used up or when a match it allowed timed out: after the first timeout
// the pattern has shown it backtracks catastrophically, and trying more
// candidates would only spend the same time again. Safe for concurrent use.
type Budget struct {
	parent *Budget
	run    bool // this is a run's budget (for the message)

	mu        sync.Mutex
	limit     time.Duration
	spent     time.Duration
	exhausted bool
}

// NewBudget returns a pattern's budget of limit, drawing also on parent
// (nil: none).
func NewBudget(limit time.Duration, parent *Budget) *Budget {
	return &Budget{limit: limit, parent: parent}
}

// NewRunBudget returns a run's budget of limit, to be the parent of the
// pattern budgets of one run.
func NewRunBudget(limit time.Duration) *Budget {
	return &Budget{limit: limit, run: true}
}

// Spent is the time charged so far.
func (b *Budget) Spent() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.spent
}

// minAllowance is the smallest allowance worth a match: regexp2's clock
// is only that precise.
const minAllowance = time.Millisecond

// allowance is how long the next match may run: the least of what each
// budget in the chain has left. It fails with the first exhausted budget.
func (b *Budget) allowance() (time.Duration, error) {
	allow := time.Duration(-1)
	for x := b; x != nil; x = x.parent {
		x.mu.Lock()
		left, done := x.limit-x.spent, x.exhausted
		x.mu.Unlock()
		if done || left < minAllowance {
			x.markExhausted()
			return 0, &BudgetError{Limit: x.limit, Run: x.run}
		}
		if allow < 0 || left < allow {
			allow = left
		}
	}
	return allow, nil
}

// charge records a match that ran for d under an allowance; timedOut
// exhausts this budget, and every budget in the chain that the allowance
// came from.
func (b *Budget) charge(d, allowed time.Duration, timedOut bool) error {
	var first *BudgetError
	for x := b; x != nil; x = x.parent {
		x.mu.Lock()
		x.spent += d
		binding := x.limit-x.spent+d <= allowed
		if timedOut && (x == b || binding) {
			x.exhausted = true
		}
		if x.exhausted && first == nil {
			first = &BudgetError{Limit: x.limit, Run: x.run}
		}
		x.mu.Unlock()
	}
	if first == nil {
		return nil
	}
	return first
}

func (b *Budget) markExhausted() {
	b.mu.Lock()
	b.exhausted = true
	b.mu.Unlock()
}

// Option configures Compile (and the functions that compile patterns).
type Option func(*options)

type options struct{ budget *Budget }

// WithBudget makes backtracking matches draw on b instead of a fresh
// PatternBudget per compiled pattern: the linter passes one budget per
// pattern (with the run's budget as parent) to every function that
// compiles that pattern.
func WithBudget(b *Budget) Option { return func(o *options) { o.budget = b } }

func optionsOf(opts []Option) options {
	var o options
	for _, f := range opts {
		f(&o)
	}
	if o.budget == nil {
		o.budget = NewBudget(PatternBudget, nil)
	}
	return o
}
