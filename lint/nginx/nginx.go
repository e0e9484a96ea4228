package nginx

import (
	"bytes"
	"path/filepath"
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// Detect reports whether a file looks like nginx configuration: by name
// (nginx.conf, *.nginx, *.conf under nginx/, conf.d/, sites-available/,
// sites-enabled/, snippets/) or by content (server {, location, add_header,
// proxy_pass, listen, http {, map $...). Apache files (httpd.conf,
// apache2.conf, .htaccess, <VirtualHost, Header set) and HCL are never
// claimed.
func Detect(path string, head []byte) bool {
	base := strings.ToLower(filepath.Base(path))
	switch base {
	case "httpd.conf", "apache2.conf", ".htaccess", "ports.conf":
		return false
	}
	switch filepath.Ext(base) {
	case ".tf", ".hcl", ".tfvars", ".json", ".yaml", ".yml", ".toml", ".ini", ".xml",
		".md", ".markdown", ".rst", ".adoc", ".html", ".htm",
		".go", ".py", ".js", ".ts", ".rb", ".java", ".c", ".h", ".sh", ".lua":
		// Documentation and code may quote nginx; they are not config.
		return false
	}
	if looksApache(head) || looksHCL(head) {
		return false
	}
	if base == "nginx.conf" || strings.HasSuffix(base, ".nginx") {
		return true
	}
	if strings.HasSuffix(base, ".conf") {
		dir := filepath.ToSlash(strings.ToLower(filepath.Dir(path)))
		for _, d := range []string{"nginx", "conf.d", "sites-available", "sites-enabled", "snippets"} {
			if dir == d || strings.HasSuffix(dir, "/"+d) || strings.Contains(dir, "/"+d+"/") || strings.HasPrefix(dir, d+"/") {
				return true
			}
		}
	}
	return looksNginx(head)
}

var apacheMarkers = [][]byte{
	[]byte("<VirtualHost"), []byte("<Directory"), []byte("<Location"), []byte("<IfModule"),
	[]byte("<Files"), []byte("Header set"), []byte("Header always"), []byte("Header add"),
	[]byte("Header append"), []byte("Header merge"), []byte("RewriteEngine"), []byte("RewriteCond"),
	[]byte("SetEnvIf"), []byte("ServerName "), []byte("DocumentRoot "), []byte("LoadModule "),
}

func looksApache(head []byte) bool {
	for _, m := range apacheMarkers {
		if bytes.Contains(head, m) {
			return true
		}
	}
	return false
}

func looksHCL(head []byte) bool {
	for _, line := range bytes.Split(head, []byte("\n")) {
		t := bytes.TrimSpace(line)
		for _, kw := range []string{"resource \"", "variable \"", "provider \"", "terraform {", "locals {", "module \"", "data \"", "output \""} {
			if bytes.HasPrefix(t, []byte(kw)) {
				return true
			}
		}
	}
	return false
}

// nginxMarkers are directives that (outside Apache and HCL) only nginx
// writes, at the start of a line.
var nginxMarkers = []string{
	"server {", "server{", "http {", "http{", "location ", "add_header ", "proxy_pass ",
	"listen ", "map $", "server_name ", "more_set_headers ", "upstream ", "fastcgi_pass ",
	"include ", "if ($", "return ", "root ", "try_files ",
}

func looksNginx(head []byte) bool {
	score := 0
	semicolons := bytes.Count(head, []byte(";")) > 0
	for _, line := range bytes.Split(head, []byte("\n")) {
		t := string(bytes.TrimSpace(line))
		for _, m := range nginxMarkers {
			if strings.HasPrefix(t, m) {
				score++
				break
			}
		}
	}
	// One strong block opener, or two directive lines ending in ';'.
	return semicolons && score >= 2 || bytes.Contains(head, []byte("server {")) && semicolons
}

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
