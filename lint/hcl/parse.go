package hcl

import (
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2/hclparse"

	"github.com/corsguard/corsguard/rules"
)

// Detect reports whether the file is one this front end reads: Terraform
// configuration (*.tf, *.tf.json), variable files (*.tfvars, read as
// inputs; they yield no policies on their own), and Nomad/Consul agent
// configurations (*.hcl mentioning http_api_response_headers or
// http_config). corsguard's own .corsguard.hcl is configuration, not input.
func Detect(path string, head []byte) bool {
	base := filepath.Base(path)
	switch {
	case base == rules.PolicyFileName:
		return false
	case isTerraform(base), isTFVars(base):
		return true
	case strings.HasSuffix(base, ".hcl"), strings.HasSuffix(base, ".json"):
		// Nomad and Consul read JSON configurations as well as HCL ones.
		return isAgentConfig(head)
	}
	return false
}

// Parse reads one file. A Terraform file is evaluated with its whole
// module as context (every .tf and .tf.json in its directory, plus
// terraform.tfvars and *.auto.tfvars next to them; the module is loaded
// once however many of its files are parsed, see cache.go), and yields the
// policies of the resources written in that file and the diagnostics
// located in it: linting a directory reports each module's resources
// once, and naming one file reports that file's. A variables file alone
// yields no policies (only its syntax errors).
func Parse(path string) rules.ParseResult { return ParseSource(path, nil) }

// ParseSource is Parse with the entry file's contents already read (from
// standard input, or by the caller that detected the format); nil reads
// the file. The rest of a Terraform module is read from the file's
// directory.
func ParseSource(path string, content []byte) rules.ParseResult {
	path = filepath.Clean(path)
	base := filepath.Base(path)
	var given map[string][]byte
	if content != nil {
		given = map[string][]byte{path: content}
	}
	switch {
	case isTFVars(base):
		p := hclparse.NewParser()
		_, diags := parseFile(p, path, given)
		return rules.ParseResult{Files: []string{path}, Diagnostics: toDiagnostics(diags)}
	case isTerraform(base):
		return parseTerraform(path, given)
	default:
		return parseAgent(path, content)
	}
}
