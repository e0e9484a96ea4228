package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/corsguard/corsguard/rules"
)

// BaselineVersion is the schema version of the baseline document.
const BaselineVersion = 1

// MaxBaselineSize bounds what a baseline file may hold: about 150,000
// accepted findings at the two hundred bytes each takes.
const MaxBaselineSize = 32 << 20

// BaselineEntry is one accepted finding: its fingerprint, and what a
// person needs to recognise it when it no longer occurs.
type BaselineEntry struct {
	Fingerprint string `json:"fingerprint"`
	RuleID      string `json:"ruleId"`
	File        string `json:"file"`
	Line        int    `json:"line,omitempty"`
	Message     string `json:"message,omitempty"`
}

func (e BaselineEntry) String() string {
	at := e.File
	if e.Line > 0 {
		at = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	return fmt.Sprintf("%s %s (%s)", e.RuleID, at, e.Fingerprint)
}

// BaselineDocument is what `corsguard baseline` writes.
type BaselineDocument struct {
	SchemaVersion int             `json:"schemaVersion"`
	Tool          string          `json:"tool"`
	Version       string          `json:"version"`
	Baseline      []BaselineEntry `json:"baseline"`
}

// Baseline is a set of accepted findings, read from a baseline document,
// an earlier JSON report (lint or fuzz) or an earlier SARIF log.
type Baseline struct {
	Entries []BaselineEntry
}

// BaselineOutcome is what applying a baseline did to a run.
type BaselineOutcome struct {
	// Baselined counts the findings the baseline accepted (not reported).
	Baselined int
	// Gone are the baseline entries no run finding matched: fixed, or
	// changed beyond recognition. Worth pruning from the baseline.
	Gone []BaselineEntry
	// Findings are the accepted findings and Fingerprints theirs, for the
	// JSON report: used as the next baseline, it must accept them again.
	Findings     []rules.Finding
	Fingerprints []string
}

// NewBaselineDocument lists every finding of a run as accepted.
func NewBaselineDocument(in Input) BaselineDocument {
	fps := Fingerprints(in)
	doc := BaselineDocument{SchemaVersion: BaselineVersion, Tool: "corsguard " + in.Tool, Version: in.Version,
		Baseline: make([]BaselineEntry, len(in.Findings))}
	for i, f := range in.Findings {
		doc.Baseline[i] = BaselineEntry{Fingerprint: fps[i], RuleID: f.RuleID, File: f.Range.File, Line: f.Range.Line, Message: f.Message}
	}
	return doc
}

// WriteBaseline writes the baseline document of a run, indented.
func WriteBaseline(w io.Writer, in Input) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(NewBaselineDocument(in))
}

// reportFinding is what a baseline needs of a JSON report's finding.
type reportFinding struct {
	RuleID      string      `json:"ruleId"`
	Message     string      `json:"message"`
	Range       rules.Range `json:"range"`
	Fingerprint string      `json:"fingerprint"`
}

// ReadBaseline reads a baseline document, a JSON report or a SARIF log
// written by corsguard. name is for messages.
func ReadBaseline(r io.Reader, name string) (*Baseline, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBaselineSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > MaxBaselineSize {
		return nil, fmt.Errorf("%s: larger than %d MB: not a corsguard baseline", name, MaxBaselineSize>>20)
	}
	// One decode into the union of the three shapes; which fields are
	// present tells them apart.
	var doc struct {
		Baseline  []BaselineEntry `json:"baseline"`
		Findings  []reportFinding `json:"findings"`
		Baselined []reportFinding `json:"baselined"`
		Runs      []struct {
			Results []struct {
				RuleID  string `json:"ruleId"`
				Message struct {
					Text string `json:"text"`
				} `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				PartialFingerprints map[string]string `json:"partialFingerprints"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: not a corsguard baseline, JSON report or SARIF log: %w", name, err)
	}
	b := &Baseline{Entries: append([]BaselineEntry(nil), doc.Baseline...)}
	for _, f := range append(doc.Findings, doc.Baselined...) {
		b.Entries = append(b.Entries, BaselineEntry{Fingerprint: f.Fingerprint, RuleID: f.RuleID, File: f.Range.File, Line: f.Range.Line, Message: f.Message})
	}
	for _, run := range doc.Runs {
		for _, res := range run.Results {
			e := BaselineEntry{Fingerprint: res.PartialFingerprints["primaryLocationLineHash"], RuleID: res.RuleID, Message: res.Message.Text}
			if len(res.Locations) > 0 {
				e.File = res.Locations[0].PhysicalLocation.ArtifactLocation.URI
				e.Line = res.Locations[0].PhysicalLocation.Region.StartLine
			}
			b.Entries = append(b.Entries, e)
		}
	}
	known := doc.Baseline != nil || doc.Findings != nil || doc.Runs != nil
	if !known {
		return nil, fmt.Errorf("%s: not a corsguard baseline: want the output of `corsguard baseline`, a --format json report or a --format sarif log", name)
	}
	for i, e := range b.Entries {
		if e.Fingerprint == "" {
			return nil, fmt.Errorf("%s: entry %d (%s) has no fingerprint: was it written by corsguard?", name, i+1, e.RuleID)
		}
	}
	return b, nil
}

// Apply removes from in the findings whose fingerprint the baseline
// holds, records what it did in in.Baseline, and keeps the remaining
// findings' original fingerprints.
func (b *Baseline) Apply(in *Input) {
	keep, fps, outcome := b.Match(*in)
	kept, keptFps := in.Findings[:0:0], make([]string, 0, len(fps))
	for i, f := range in.Findings {
		if keep[i] {
			kept = append(kept, f)
			keptFps = append(keptFps, fps[i])
		} else {
			outcome.Findings = append(outcome.Findings, f)
			outcome.Fingerprints = append(outcome.Fingerprints, fps[i])
		}
	}
	in.Findings, in.FingerprintsOf, in.Baseline = kept, keptFps, outcome
}

// Match tells, finding by finding, whether to keep it (its fingerprint is
// not in the baseline), with every finding's fingerprint and the outcome.
func (b *Baseline) Match(in Input) (keep []bool, fps []string, outcome *BaselineOutcome) {
	fps = Fingerprints(in)
	accepted := make(map[string]bool, len(b.Entries))
	for _, e := range b.Entries {
		accepted[e.Fingerprint] = true
	}
	seen := map[string]bool{}
	out := &BaselineOutcome{}
	keep = make([]bool, len(fps))
	for i, fp := range fps {
		seen[fp] = true
		if accepted[fp] {
			out.Baselined++
			continue
		}
		keep[i] = true
	}
	reported := map[string]bool{}
	for _, e := range b.Entries {
		if !seen[e.Fingerprint] && !reported[e.Fingerprint] {
			reported[e.Fingerprint] = true
			out.Gone = append(out.Gone, e)
		}
	}
	sort.SliceStable(out.Gone, func(i, j int) bool { return out.Gone[i].String() < out.Gone[j].String() })
	return keep, fps, out
}
