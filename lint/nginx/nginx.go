package nginx

import (
	"path/filepath"

	"github.com/corsguard/corsguard/rules"
)

// Parse parses one entry file with its includes and returns one policy per
// effective location, the diagnostics (file:line and what is wrong) and
// every file read.
func Parse(path string) rules.ParseResult { return ParseSource(path, nil) }

// ParseSource is Parse with the entry file's contents already read (from
// standard input, or by the caller that detected the format); nil reads
// the file. Includes are read from disk relative to path.
func ParseSource(path string, content []byte) rules.ParseResult {
	path = filepath.Clean(path)
	l := newLoader(path)
	if content != nil {
		l.given = map[string][]byte{path: content}
	}
	pf := l.load(path, rules.Range{})
	res := rules.ParseResult{}
	if pf.ok {
		top := l.expand(pf.nodes, []string{path})
		if len(pf.nodes) > 0 && !anyKnown(top) && !mapFragment(top) {
			l.diag(rules.Range{File: path, Line: int(pf.nodes[0].line)}, "no nginx directives found: not nginx configuration")
		} else {
			if !mapFragment(top) {
				l.reportUnknownDirectives(top)
			}
			a := &analyzer{file: path, res: resolver{maps: map[string]*mapDef{}, setters: map[string]setter{}, declared: map[string]bool{}}}
			a.run(top)
			res.Policies = a.policies
		}
	}
	res.Diagnostics = l.diags
	res.Warnings = l.warnings
	res.Files = l.files
	if res.Files == nil {
		res.Files = []string{}
	}
	return res
}
