package nginx

import (
	"path/filepath"
	"strings"
)

// Detect reports whether a file is nginx configuration, from its path and
// its first bytes. It reads statements, not words: comments are stripped
// first (a comment quoting Apache's `Header set` says nothing about the
// file), and a line counts for nginx when it starts with a directive nginx
// or a common module defines. A name only nginx uses (nginx.conf, *.nginx)
// or a .conf under nginx's directories (conf.d/, sites-*/, snippets/)
// decides unless the statements are Apache's or HCL's; any other file is
// nginx when its statements are: two or more, a block such as `server {`,
// or a snippet whose every statement is nginx's (`add_header ...;`).
// Documentation, code and data formats are never claimed.
func Detect(path string, head []byte) bool {
	base := strings.ToLower(filepath.Base(path))
	switch base {
	case "httpd.conf", "apache2.conf", ".htaccess", "ports.conf":
		return false
	}
	if notConfigExt[filepath.Ext(base)] {
		return false
	}
	sc := scoreStatements(head)
	if sc.hcl > 0 && sc.hcl >= sc.nginx || sc.apache > sc.nginx {
		return false
	}
	if base == "nginx.conf" || strings.HasSuffix(base, ".nginx") {
		return true
	}
	if strings.HasSuffix(base, ".conf") && underNginxDir(path) {
		return true
	}
	if sc.nginx == 0 || sc.apache > 0 || sc.hcl > 0 {
		return false
	}
	return sc.nginx >= 2 || sc.blocks > 0 || sc.other == 0
}

// notConfigExt are extensions of documentation, code and data files: they
// may quote nginx, but they are not configuration.
var notConfigExt = map[string]bool{
	".tf": true, ".hcl": true, ".tfvars": true, ".json": true, ".yaml": true, ".yml": true, ".toml": true,
	".ini": true, ".xml": true, ".md": true, ".markdown": true, ".rst": true, ".adoc": true,
	".html": true, ".htm": true, ".go": true, ".py": true, ".js": true, ".ts": true, ".rb": true,
	".java": true, ".c": true, ".h": true, ".sh": true, ".lua": true, ".php": true, ".sql": true,
	".csproj": true, ".props": true, ".targets": true, ".svg": true, ".css": true, ".pl": true,
}

func underNginxDir(path string) bool {
	dir := filepath.ToSlash(strings.ToLower(filepath.Dir(path)))
	for _, d := range []string{"nginx", "conf.d", "sites-available", "sites-enabled", "snippets"} {
		if dir == d || strings.HasSuffix(dir, "/"+d) || strings.Contains(dir, "/"+d+"/") || strings.HasPrefix(dir, d+"/") {
			return true
		}
	}
	return false
}

// statementScore counts the non-comment lines of a file's head by whose
// syntax they are.
type statementScore struct {
	nginx  int // lines starting with an nginx directive
	blocks int // of those, block openers: `server {`, `location / {`, `if (...) {`
	apache int // Apache directives and sections (`Header set ...`, `<VirtualHost ...>`)
	hcl    int // HCL blocks and attributes (`resource "..." {`, `key = value`)
	other  int // anything else, braces alone excepted
}

func scoreStatements(head []byte) statementScore {
	var sc statementScore
	// A directive counts once its statement ends (`;` or `{`): its
	// arguments may run over several lines, and prose that happens to start
	// with a directive's name ("listen to this") never ends that way.
	pending := false
	s := string(head)
	for line := range strings.Lines(s) {
		t := strings.TrimSpace(stripComment(line))
		if t == "" || t == "}" || t == "{" {
			continue
		}
		ends := strings.HasSuffix(t, ";") || strings.HasSuffix(t, "{") || strings.HasSuffix(t, "}")
		if pending {
			if ends {
				pending = false
				sc.nginx++
				if strings.HasSuffix(t, "{") {
					sc.blocks++
				}
			}
			continue
		}
		word := t
		if i := strings.IndexAny(t, " \t{;("); i >= 0 {
			word = t[:i]
		}
		switch {
		case looksHCLLine(t, word):
			sc.hcl++
		case looksApacheLine(t, word):
			sc.apache++
		case isKnownDirective(word) && !strings.HasSuffix(t, ">"):
			if !ends {
				pending = true
				continue
			}
			sc.nginx++
			if strings.HasSuffix(t, "{") {
				sc.blocks++
			}
		default:
			sc.other++
		}
	}
	if pending {
		sc.other++ // a statement that never ends: prose, or a cut-off head
	}
	return sc
}

// stripComment cuts a line at the first `#` outside quotes.
func stripComment(line string) string {
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\\':
			i++
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#':
			return line[:i]
		}
	}
	return line
}

var hclBlockStarts = []string{"resource \"", "variable \"", "provider \"", "terraform {", "locals {", "module \"", "data \"", "output \""}

func looksHCLLine(t, word string) bool {
	for _, kw := range hclBlockStarts {
		if strings.HasPrefix(t, kw) {
			return true
		}
	}
	// `key = value` without nginx's closing `;`.
	return !strings.HasSuffix(t, ";") && strings.Contains(t, " = ") && !isKnownDirective(word)
}

// apacheNames are httpd directives (lower case) whose presence at the start
// of a line, without nginx's `;` or `{`, marks httpd syntax.
var apacheNames = map[string]bool{
	"header": true, "requestheader": true, "setenvif": true, "setenvifnocase": true, "rewriteengine": true,
	"rewritecond": true, "rewriterule": true, "servername": true, "serveralias": true, "documentroot": true,
	"loadmodule": true, "allowoverride": true, "options": true, "require": true, "errordocument": true,
	"addtype": true, "addhandler": true, "sslengine": true, "proxypass": true, "proxypassreverse": true,
	"customlog": true, "errorlog": true, "serverroot": true, "define": true, "use": true, "redirect": true,
}

// apacheSections are httpd's container directives.
var apacheSections = map[string]bool{
	"virtualhost": true, "directory": true, "directorymatch": true, "location": true, "locationmatch": true,
	"files": true, "filesmatch": true, "ifmodule": true, "ifdefine": true, "if": true, "elseif": true,
	"else": true, "limit": true, "limitexcept": true, "proxy": true, "proxymatch": true, "macro": true,
	"ifversion": true, "iffile": true, "ifdirective": true, "ifsection": true, "requireall": true,
	"requireany": true, "requirenone": true,
}

func looksApacheLine(t, word string) bool {
	if strings.HasSuffix(t, ";") || strings.HasSuffix(t, "{") {
		return false
	}
	if strings.HasPrefix(t, "<") && strings.HasSuffix(t, ">") {
		name := strings.TrimPrefix(t[1:len(t)-1], "/")
		if i := strings.IndexAny(name, " \t"); i >= 0 {
			name = name[:i]
		}
		return apacheSections[strings.ToLower(name)]
	}
	return apacheNames[strings.ToLower(word)]
}
