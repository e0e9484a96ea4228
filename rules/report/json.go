package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

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
	// Baselined are the findings --baseline accepted: not reported, not
	// counted, but kept so that this document, used as the next run's
	// baseline, still accepts them.
	Baselined []JSONFinding `json:"baselined,omitempty"`
	// BaselineGone are the --baseline entries that no longer occur.
	BaselineGone []BaselineEntry `json:"baselineGone,omitempty"`
	// AutomationID is the SARIF runAutomationDetails.id of this analysis,
	// kept so that `corsguard report -f sarif` gives the same one.
	AutomationID string `json:"automationId,omitempty"`
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
		for i, f := range in.Baseline.Findings {
			doc.Baselined = append(doc.Baselined, JSONFinding{Finding: f, Fingerprint: in.Baseline.Fingerprints[i]})
		}
	}
	doc.AutomationID = in.AutomationID
	if doc.Errors == nil {
		doc.Errors = []rules.Diagnostic{}
	}
	for i, f := range in.Findings {
		doc.Findings[i] = JSONFinding{Finding: f, Fingerprint: fps[i]}
	}
	return doc
}

// JSON writes the document, indented, as json.Encoder with SetIndent("",
// "  ") does, byte for byte, but without holding the whole document
// twice: the findings are marshalled one at a time into one reused buffer
// and spliced into the rest of the document where its empty findings
// array is, and the indenting is indenter's (a single pass, not
// json.Indent's scanner). On 8000 findings the encoder's growing buffer
// and the indent pass cost more than the lint that found them.
func JSON(w io.Writer, in Input) error {
	doc := BuildDocument(in)
	findings := doc.Findings
	doc.Findings = []JSONFinding{}
	rest, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	x := &indenter{w: w, indent: "  ", dst: make([]byte, 0, indentPiece+4<<10)}
	// The top level's "findings":[] (the summary's "findings" is a number,
	// and a string's quotes are escaped): the findings go between its
	// brackets.
	at := bytes.Index(rest, []byte(`"findings":[]`))
	if at < 0 || len(findings) == 0 {
		x.write(rest)
	} else {
		open := at + len(`"findings":[`)
		x.write(rest[:open])
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		for i := range findings {
			if i > 0 {
				x.write([]byte{','})
			}
			buf.Reset()
			if err := enc.Encode(&findings[i]); err != nil {
				return err
			}
			x.write(bytes.TrimSuffix(buf.Bytes(), []byte{'\n'}))
		}
		x.write(rest[open:])
	}
	x.dst = append(x.dst, '\n')
	x.flush()
	return x.err
}

// ReadDocument reads a JSON report back, for `corsguard report`, as the
// Input that produced it (without source lines: snippets are not kept).
func ReadDocument(r io.Reader, name string) (Input, error) {
	var doc Document
	dec := json.NewDecoder(io.LimitReader(r, MaxBaselineSize))
	if err := dec.Decode(&doc); err != nil {
		return Input{}, fmt.Errorf("%s: not a corsguard JSON report: %w", name, err)
	}
	tool, ok := strings.CutPrefix(doc.Tool, "corsguard ")
	if doc.SchemaVersion != JSONVersion || !ok || doc.Findings == nil {
		return Input{}, fmt.Errorf("%s: not a corsguard JSON report (schemaVersion %d, tool %q): want the output of --format json", name, doc.SchemaVersion, doc.Tool)
	}
	in := Input{Tool: tool, Version: doc.Version, Errors: doc.Errors, Suppressed: doc.Summary.Suppressed,
		Warnings: doc.Warnings, Skipped: doc.Skipped, Interrupted: doc.Interrupted,
		Files: doc.Summary.Files, AutomationID: doc.AutomationID,
		Findings: make([]rules.Finding, len(doc.Findings)), FingerprintsOf: make([]string, len(doc.Findings))}
	for i, f := range doc.Findings {
		in.Findings[i], in.FingerprintsOf[i] = f.Finding, f.Fingerprint
	}
	if doc.Summary.Baselined > 0 || doc.BaselineGone != nil {
		in.Baseline = &BaselineOutcome{Baselined: doc.Summary.Baselined, Gone: doc.BaselineGone}
		for _, f := range doc.Baselined {
			in.Baseline.Findings = append(in.Baseline.Findings, f.Finding)
			in.Baseline.Fingerprints = append(in.Baseline.Fingerprints, f.Fingerprint)
		}
	}
	return in, nil
}
