package report

import (
	"encoding/json"
	"io"

	"github.com/corsguard/corsguard/rules"
)

// JSONVersion is the schema version of the JSON document; it changes only
// when a field is removed or changes meaning.
const JSONVersion = 1

// Document is the JSON output (see README, "JSON output").
type Document struct {
	SchemaVersion int                `json:"schemaVersion"`
	Tool          string             `json:"tool"`
	Version       string             `json:"version"`
	Findings      []JSONFinding      `json:"findings"`
	Errors        []rules.Diagnostic `json:"errors"`
	Warnings      []rules.Diagnostic `json:"warnings,omitempty"`
	Skipped       []Skipped          `json:"skipped,omitempty"`
	Summary       JSONSummary        `json:"summary"`
	// Interrupted: the run was stopped before it was done.
	Interrupted bool `json:"interrupted,omitempty"`
	// BaselineGone are the --baseline entries that no longer occur.
	BaselineGone []BaselineEntry `json:"baselineGone,omitempty"`
}

// JSONFinding is a finding plus its fingerprint.
type JSONFinding struct {
	rules.Finding
	Fingerprint string `json:"fingerprint"`
}

// JSONSummary counts what the run saw.
type JSONSummary struct {
	Files      int `json:"files"`
	Findings   int `json:"findings"`
	Suppressed int `json:"suppressed"`
	Errors     int `json:"errors"`
	// Warnings and Skipped count lint's warnings and skipped files.
	Warnings int `json:"warnings,omitempty"`
	Skipped  int `json:"skipped,omitempty"`
	// Baselined counts findings --baseline accepted (not listed).
	Baselined  int            `json:"baselined,omitempty"`
	BySeverity map[string]int `json:"bySeverity"`
}

// BuildDocument assembles the JSON document.
func BuildDocument(in Input) Document {
	fps := Fingerprints(in)
	doc := Document{
		SchemaVersion: JSONVersion, Tool: "corsguard " + in.Tool, Version: in.Version,
		Findings: make([]JSONFinding, len(in.Findings)),
		Errors:   in.Errors, Interrupted: in.Interrupted,
		Warnings: in.Warnings,
		Skipped:  in.Skipped,
		Summary: JSONSummary{
			Files: in.Files, Findings: len(in.Findings), Suppressed: in.Suppressed,
			Errors: len(in.Errors), Warnings: len(in.Warnings), Skipped: len(in.Skipped),
			BySeverity: Summary(in.Findings),
		},
	}
	if in.Baseline != nil {
		doc.Summary.Baselined = in.Baseline.Baselined
		doc.BaselineGone = in.Baseline.Gone
	}
	if doc.Errors == nil {
		doc.Errors = []rules.Diagnostic{}
	}
	for i, f := range in.Findings {
		doc.Findings[i] = JSONFinding{Finding: f, Fingerprint: fps[i]}
	}
	return doc
}

// JSON writes the document, indented.
func JSON(w io.Writer, in Input) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(BuildDocument(in))
}
