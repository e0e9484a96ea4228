package hcl

import (
	"bytes"
	"os"
	"path/filepath"

	hclv2 "github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/corsguard/corsguard/lint/source"
	"github.com/corsguard/corsguard/rules"
)

// PolicyFileError is a policy file that does not parse, decode or validate.
// Text is HCL's own rendering of the diagnostics (with the source line and
// the offending range underlined); Diags carry the same facts as values.
type PolicyFileError struct {
	Diags []rules.Diagnostic
	Text  string
}

func (e *PolicyFileError) Error() string { return e.Text }

// LoadPolicyFile reads and validates a .corsguard.hcl file. Schema errors
// (unknown blocks, wrong types, a suppression without a reason) come from
// gohcl; semantic errors (an origin with a path, a date that does not
// parse, an unknown severity) from rules.PolicyFile.Validate, placed at the
// offending value. Either way the error is a *PolicyFileError.
func LoadPolicyFile(path string) (*rules.PolicyFile, error) {
	parser := hclparse.NewParser()
	// Read through lint/source: `--config /dev/stdin` or a FIFO is refused
	// by type instead of blocking, and the size is capped.
	src, err := source.Read(path)
	if err != nil {
		return nil, err
	}
	file, diags := parser.ParseHCL(src, path)
	pf := &rules.PolicyFile{Path: path}
	if !diags.HasErrors() {
		diags = append(diags, gohcl.DecodeBody(file.Body, nil, pf)...)
	}
	if !diags.HasErrors() {
		for _, p := range pf.Validate() {
			d := &hclv2.Diagnostic{Severity: hclv2.DiagError, Summary: p.Summary, Detail: p.Detail}
			if body, ok := file.Body.(*hclsyntax.Body); ok {
				if r, ok := locate(body, p.Ref); ok {
					d.Subject = r.Ptr()
				}
			}
			if d.Subject == nil {
				d.Subject = &hclv2.Range{Filename: path, Start: hclv2.InitialPos, End: hclv2.InitialPos}
			}
			diags = append(diags, d)
		}
	}
	if !diags.HasErrors() {
		return pf, nil
	}
	return nil, newPolicyFileError(parser.Files(), diags)
}

func newPolicyFileError(files map[string]*hclv2.File, diags hclv2.Diagnostics) *PolicyFileError {
	var buf bytes.Buffer
	w := hclv2.NewDiagnosticTextWriter(&buf, files, 0, false)
	_ = w.WriteDiagnostics(diags) // writes to a bytes.Buffer cannot fail
	return &PolicyFileError{Diags: toDiagnostics(diags), Text: string(bytes.TrimRight(buf.Bytes(), "\n"))}
}

// toDiagnostics converts HCL error diagnostics (warnings are dropped).
func toDiagnostics(diags hclv2.Diagnostics) []rules.Diagnostic {
	var out []rules.Diagnostic
	for _, d := range diags {
		if d.Severity != hclv2.DiagError {
			continue
		}
		msg := d.Summary
		if d.Detail != "" {
			msg += ": " + d.Detail
		}
		var r rules.Range
		if d.Subject != nil {
			r = toRange(*d.Subject)
		}
		out = append(out, rules.Diagnostic{Range: r, Message: msg})
	}
	return out
}

func toRange(r hclv2.Range) rules.Range {
	return rules.Range{File: r.Filename, Line: r.Start.Line, Col: r.Start.Column, EndLine: r.End.Line, EndCol: r.End.Column}
}

// locate finds the source range a FieldRef points at.
func locate(body *hclsyntax.Body, ref rules.FieldRef) (hclv2.Range, bool) {
	if ref.Block != "" {
		n := 0
		var found *hclsyntax.Block
		for _, b := range body.Blocks {
			if b.Type != ref.Block {
				continue
			}
			if n == ref.Index {
				found = b
				break
			}
			n++
		}
		if found == nil {
			return hclv2.Range{}, false
		}
		if ref.Attr == "" {
			return found.DefRange(), true
		}
		body = found.Body
	}
	attr, ok := body.Attributes[ref.Attr]
	if !ok {
		return hclv2.Range{}, false
	}
	if tup, ok := attr.Expr.(*hclsyntax.TupleConsExpr); ok && ref.Elem >= 0 && ref.Elem < len(tup.Exprs) {
		return tup.Exprs[ref.Elem].Range(), true
	}
	return attr.Expr.Range(), true
}

// FindPolicyFile looks for .corsguard.hcl in startDir and each parent up to
// the filesystem root, and returns the first one found.
func FindPolicyFile(startDir string) (string, bool) {
	dir, err := filepath.Abs(startDir)
	if err != nil {
		return "", false
	}
	for {
		p := filepath.Join(dir, rules.PolicyFileName)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// StarterPolicyFile is what `corsguard init` writes: every section of the
// schema, commented, with values that decode and validate as they stand.
func StarterPolicyFile() []byte { return []byte(starter) }

const starter = `# corsguard policy file. corsguard looks for .corsguard.hcl in the working
# directory and its parents; --config points at another one.

# Origins you trust. Findings compare what a config or a live endpoint allows
# with this set. Without it, each site's own origin and registrable domain
# are assumed. Origins are scheme://host[:port]: lower case, no path, no
# trailing slash, no default port.
trusted {
  origins = [
    "https://app.example.com",
    "https://admin.example.com",
  ]
  # Glob patterns: * matches any run of characters except "/".
  patterns = [
    "https://*.preview.example.com",
  ]
}

# Rule settings: turn a rule off, change its severity, or skip paths
# (doublestar globs relative to this file).
rule "CG402" {
  severity = "info"
  exclude  = ["legacy/**"]
}

# rule "CG111" {
#   enabled = false
# }

# Suppressions silence one rule for one file (optionally one line) or one
# live target. A reason is required; after the expiry date (inclusive) the
# finding comes back.
suppress "CG112" {
  path    = "deploy/nginx/partner.conf"
  line    = 12
  reason  = "partner.example.net reads the public price list by contract"
  expires = "2027-01-31"
}

# Expected policies for live endpoints: corsguard fuzz compares what the
# endpoint does with this and reports differences (CG601).
target "https://api.example.com/v1/" {
  origins     = ["https://app.example.com", "https://admin.example.com"]
  credentials = true
  methods     = ["GET", "POST", "PUT"]
  headers     = ["Content-Type", "Authorization"]
  # Optional:
  # patterns = ["https://*.preview.example.com"]
  # expose   = ["ETag"]
  # max_age  = 600
}
`
