package lint

import (
	"bytes"
	"path/filepath"
	"strings"

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
	// Parse parses an entry file whose contents have been read once
	// (content), reading its includes or module siblings from disk.
	Parse func(path string, content []byte) rules.ParseResult
	// Spell turns a remedy into edits of src, the bytes of the file the
	// remedy's evidence names, in this format's syntax. An error says why
	// the edit is unsure; the file is then left alone for that finding.
	Spell func(path string, src []byte, r rules.Remedy) ([]rules.Edit, error)
}

// Formats is the registry, in detection order: the first format whose
// Detect accepts a file parses it.
var Formats = []Format{
	{Name: "nginx", Detect: nginx.Detect, Parse: nginx.ParseSource, Spell: nginx.Spell},
	{Name: "apache", Detect: apache.Detect, Parse: apache.ParseSource, Spell: apache.Spell},
	{Name: "hcl", Detect: hcl.Detect, Parse: hcl.ParseSource, Spell: hcl.Spell},
}

// headSize is how much of a file format detection looks at.
const headSize = 8 << 10

// detect picks the format of a file from its name and first bytes; nil
// when no front end claims it. A file with a NUL byte is binary and never
// claimed.
func detect(path string, data []byte) *Format {
	head := data[:min(len(data), headSize)]
	if bytes.IndexByte(head, 0) >= 0 {
		return nil
	}
	for i := range Formats {
		if Formats[i].Detect(path, head) {
			return &Formats[i]
		}
	}
	return nil
}

// looksLikeConfigName tells whether a file's name promises a configuration,
// so that a binary or oversized file there is an error rather than
// something to skip.
func looksLikeConfigName(path string) bool {
	base := strings.ToLower(filepath.Base(path))
	switch filepath.Ext(base) {
	case ".conf", ".tf", ".hcl", ".tfvars", ".nginx", ".htaccess":
		return true
	}
	return base == ".htaccess" || base == "nginx.conf" || strings.HasSuffix(base, ".tf.json")
}

// skipReasonByName says why a file found in a walk is not even read: its
// name says it is documentation, code, an image or an archive. "" when
// the name says nothing.
func skipReasonByName(path string) string {
	name := filepath.Base(path)
	lower := strings.ToLower(name)
	if lower == ".htaccess" || strings.HasSuffix(lower, ".tf.json") || strings.HasSuffix(lower, ".tfvars.json") {
		return ""
	}
	// Nomad and Consul agents read JSON configuration too (nomad.json,
	// /etc/consul.d/server.json): those are read and detected by content.
	if filepath.Ext(lower) == ".json" && agentJSONName(path) {
		return ""
	}
	if name == rules.PolicyFileName {
		return "corsguard's own policy file"
	}
	if ext := filepath.Ext(lower); notConfigByName[ext] {
		return "not a configuration file (" + ext + ")"
	}
	return ""
}

// agentJSONName says whether a JSON file's name or directory names a Nomad
// or Consul agent (nomad.json, consul.d/acl.json).
func agentJSONName(path string) bool {
	lower := strings.ToLower(filepath.ToSlash(path))
	dir, base := filepath.Base(filepath.Dir(lower)), filepath.Base(lower)
	for _, agent := range []string{"nomad", "consul"} {
		if strings.Contains(base, agent) || strings.Contains(dir, agent) {
			return true
		}
	}
	return false
}

// notConfigByName are extensions that are never nginx, Apache or HCL
// configuration; files with them are skipped by name, before any read.
var notConfigByName = map[string]bool{
	".md": true, ".markdown": true, ".rst": true, ".adoc": true, ".txt": true, ".golden": true, ".json": true,
	".go": true, ".py": true, ".js": true, ".ts": true, ".rb": true, ".java": true, ".c": true, ".h": true,
	".cs": true, ".php": true, ".sh": true, ".sql": true, ".css": true, ".html": true, ".htm": true,
	".sarif": true, ".yml": true, ".yaml": true, ".xml": true, ".csproj": true, ".svg": true,
	".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".ico": true, ".pdf": true, ".woff": true, ".woff2": true,
	".zip": true, ".gz": true, ".tgz": true, ".bz2": true, ".xz": true, ".zst": true, ".tar": true, ".jar": true,
	".so": true, ".a": true, ".o": true, ".exe": true, ".dll": true, ".bin": true, ".pyc": true, ".class": true,
	".lock": true, ".sum": true, ".mod": true, ".tfstate": true, ".backup": true,
}
