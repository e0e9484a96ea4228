package fuzz

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/corsguard/corsguard/fuzz/driver"
	"github.com/corsguard/corsguard/rules"
	"github.com/corsguard/corsguard/rules/report"
)

// Result is one fuzz finding with its evidence. It embeds the
// rules.Finding (same IDs, severities and reports as lint; Range.File is
// the target URL) and adds what reproduces it. It is the unit of the JSONL
// stream and of the --replay file.
type Result struct {
	rules.Finding
	Target string `json:"target"`
	// Seed is the run's seed: with the same seed, budget and targets the
	// same requests are sent in the same order.
	Seed int64 `json:"seed"`
	// Exchanges are the requests (secrets redacted) and the response
	// headers that show the finding, each with its curl line.
	Exchanges []driver.Exchange `json:"exchanges"`
	// Diff is the expected-vs-observed policy diff (CG601).
	Diff string `json:"diff,omitempty"`
}

// Summary is what a run returns once every target is done.
type Summary struct {
	Seed     int64          `json:"seed"`
	Targets  int            `json:"targets"`
	Requests int64          `json:"requests"`
	Duration time.Duration  `json:"duration"`
	Results  []Result       `json:"results"`
	Observed []rules.Policy `json:"observed"`
	// Notes are facts worth telling that are not findings (redirects to
	// other hosts not followed, unreachable targets, patterns that could
	// not be evaluated).
	Notes []string `json:"notes,omitempty"`
	// Errors are the targets that could not be fuzzed (unreachable) or only
	// in part; a run with any is not clean.
	Errors []TargetError `json:"errors,omitempty"`
	// Done counts the targets fuzzed to the end (given-up ones included).
	Done int `json:"done"`
	// Interrupted is set when the run was stopped (SIGINT/SIGTERM) before
	// every target was done: Results hold what was found until then.
	Interrupted bool `json:"interrupted,omitempty"`
	// Pending are the targets an interruption left undone (started or not).
	Pending []string `json:"pending,omitempty"`
}

// Findings returns the plain findings, for rules/report.
func (s *Summary) Findings() []rules.Finding {
	out := make([]rules.Finding, len(s.Results))
	for i, r := range s.Results {
		out[i] = r.Finding
	}
	return out
}

// SortResults orders results by target, severity (worst first), rule ID
// and witness, so that reports do not depend on scheduling.
func SortResults(rs []Result) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.Target != b.Target {
			return a.Target < b.Target
		}
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		return a.Witness < b.Witness
	})
}

// JSONL streams results, one JSON object per line, safe for concurrent use.
type JSONL struct {
	mu sync.Mutex
	w  *bufio.Writer
}

// NewJSONL writes to w.
func NewJSONL(w io.Writer) *JSONL { return &JSONL{w: bufio.NewWriter(w)} }

// Write emits one result and flushes, so that a reader (tail -f, jq) sees
// it as soon as it is found.
func (j *JSONL) Write(r Result) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, err := j.w.Write(append(b, '\n')); err != nil {
		return err
	}
	return j.w.Flush()
}

// ReadResults reads a --replay file: one Result as a JSON object, a JSON
// array of them, or JSONL.
func ReadResults(r io.Reader, name string) ([]Result, error) {
	data, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	trimmed := strings.TrimSpace(string(data))
	if strings.HasPrefix(trimmed, "[") {
		var rs []Result
		if err := json.Unmarshal([]byte(trimmed), &rs); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return rs, nil
	}
	var out []Result
	dec := json.NewDecoder(strings.NewReader(trimmed))
	for {
		var res Result
		err := dec.Decode(&res)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: result %d: %w", name, len(out)+1, err)
		}
		out = append(out, res)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no results", name)
	}
	return out, nil
}

// WriteJUnit writes results as JUnit XML. Every target gets one test case
// per finding at or above failOn, an <error> case when it could not be
// fuzzed (fully), and a passing "corsguard" case when it has none of
// these, so that CI shows the target as checked. An interrupted run adds
// an <error> case to every target not done.
func WriteJUnit(w io.Writer, targets []string, sum *Summary, results []Result, failOn rules.Severity) error {
	byTarget := map[string][]Result{}
	for _, r := range results {
		byTarget[r.Target] = append(byTarget[r.Target], r)
	}
	errsOf := map[string][]TargetError{}
	for _, e := range sum.Errors {
		errsOf[e.Target] = append(errsOf[e.Target], e)
	}
	all := append([]string(nil), targets...)
	for t := range byTarget {
		all = append(all, t)
	}
	sort.Strings(all)
	doc := report.JUnitSuites{Name: "corsguard fuzz"}
	for i, t := range all {
		if i > 0 && all[i-1] == t {
			continue
		}
		s := report.JUnitSuite{Name: t}
		for _, r := range byTarget[t] {
			if r.Severity < failOn {
				continue
			}
			var ev strings.Builder
			fmt.Fprintf(&ev, "%s\n", r.Message)
			for _, ex := range r.Exchanges {
				fmt.Fprintf(&ev, "\n%s\n", ex.Curl)
			}
			if r.Diff != "" {
				ev.WriteString("\n" + r.Diff)
			}
			s.Cases = append(s.Cases, report.JUnitCase{
				Name: r.RuleID + " " + r.Slug + witnessSuffix(r.Witness), ClassName: t,
				Failure: &report.JUnitFailure{Message: r.Message, Type: r.Severity.String(), Text: ev.String()},
			})
			s.Fails++
		}
		for _, e := range errsOf[t] {
			s.Cases = append(s.Cases, report.JUnitCase{Name: "corsguard " + e.Kind, ClassName: t,
				Error: &report.JUnitFailure{Message: e.Message, Type: e.Kind, Text: fmt.Sprintf("%s\n%d request(s), %d failed\n", e.Message, e.Sent, e.Failed)}})
			s.Errors++
		}
		if slices.Contains(sum.Pending, t) && s.Errors == 0 {
			s.Cases = append(s.Cases, report.JUnitCase{Name: "corsguard interrupted", ClassName: t,
				Error: &report.JUnitFailure{Message: "interrupted: the run was stopped before it was done; the results are what was found until then", Type: "interrupted"}})
			s.Errors++
		}
		if len(s.Cases) == 0 {
			s.Cases = append(s.Cases, report.JUnitCase{Name: "corsguard", ClassName: t})
		}
		doc.Add(s)
	}
	return doc.Write(w)
}

func witnessSuffix(w string) string {
	if w == "" {
		return ""
	}
	return " (" + w + ")"
}
