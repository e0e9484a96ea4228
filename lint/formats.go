package lint

import (
	"github.com/corsguard/corsguard/lint/apache"
	"github.com/corsguard/corsguard/lint/hcl"
	"github.com/corsguard/corsguard/lint/nginx"
	"github.com/corsguard/corsguard/rules"
)

// Format is one configuration language corsguard understands.
type Format struct {
	Name string
	// Detect decides from the path and the first bytes of the file.
	Detect func(path string, head []byte) bool
	// Parse reads an entry file and its includes.
	Parse func(path string) rules.ParseResult
}

// Formats is the registry, in detection order: the first format whose
// Detect accepts a file parses it.
var Formats = []Format{
	{Name: "nginx", Detect: nginx.Detect, Parse: nginx.Parse},
	{Name: "apache", Detect: apache.Detect, Parse: apache.Parse},
	{Name: "hcl", Detect: hcl.Detect, Parse: hcl.Parse},
}
