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
	case strings.HasSuffix(base, ".hcl"):
		return isAgentConfig(head)
	}
	return false
}

// Parse reads one file. For Terraform it loads the whole module the file
// belongs to (every .tf and .tf.json in its directory, plus
// terraform.tfvars and *.auto.tfvars next to them) and returns the
// policies of every resource in the module; Files lists all of those
// files, so the walker lints each module once. A variables file alone
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
		m := loadModule(filepath.Dir(path), given)
		policies, diags := m.policies()
		res := rules.ParseResult{Policies: policies, Diagnostics: toDiagnostics(append(m.diags, diags...))}
		seen := map[string]bool{}
		for _, f := range append(append([]string{path}, m.tfFiles...), m.varFiles...) {
			f = filepath.Clean(f)
			if !seen[f] {
				seen[f] = true
				res.Files = append(res.Files, f)
			}
		}
		return res
	default:
		return parseAgent(path, content)
	}
}
