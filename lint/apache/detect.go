package apache

import (
	"path/filepath"
	"strings"
)

// Detect reports whether a file is an Apache httpd configuration, from its
// path and its first bytes. Names only httpd uses (httpd.conf,
// apache2.conf, .htaccess) decide alone; .conf files under an httpd layout
// (apache2/, httpd/, sites-*/, conf-*/, mods-*/) and other files are
// claimed when their content reads as httpd directives rather than nginx
// blocks (`server {`, `add_header ...;`) or HCL. Debian's nginx also uses
// sites-enabled/, so the content check runs there too.
func Detect(path string, head []byte) bool {
	base := strings.ToLower(filepath.Base(path))
	switch base {
	case "httpd.conf", "apache2.conf", "apache.conf", ".htaccess", "htaccess", "httpd-vhosts.conf", "httpd-ssl.conf":
		return true
	}
	if strings.HasSuffix(base, ".htaccess") {
		return true
	}
	if notConfigExt[filepath.Ext(base)] || looksXML(head) {
		// A .csproj, web.config or any XML closes its elements with
		// `</Tag>` too; that is not httpd.
		return false
	}
	apacheScore, otherScore, foreign := sniff(head)
	if foreign || otherScore > apacheScore {
		return false
	}
	if strings.HasSuffix(base, ".conf") || strings.HasSuffix(base, ".load") {
		dir := filepath.ToSlash(strings.ToLower(filepath.Dir(path)))
		for _, seg := range strings.Split(dir, "/") {
			switch {
			case seg == "apache2", seg == "apache", seg == "httpd", seg == "apache24",
				strings.HasPrefix(seg, "sites-"), strings.HasPrefix(seg, "conf-"), strings.HasPrefix(seg, "mods-"),
				seg == "conf.modules.d":
				if otherScore == 0 {
					return true
				}
			}
		}
	}
	return apacheScore > 0 && apacheScore > otherScore
}

// sections are httpd's containers (lower case).
var sections = map[string]bool{
	"virtualhost": true, "directory": true, "directorymatch": true, "location": true, "locationmatch": true,
	"files": true, "filesmatch": true, "ifmodule": true, "ifdefine": true, "if": true, "elseif": true,
	"else": true, "limit": true, "limitexcept": true, "proxy": true, "proxymatch": true, "macro": true,
	"ifversion": true, "iffile": true, "ifdirective": true, "ifsection": true, "requireall": true,
	"requireany": true, "requirenone": true, "authnprovideralias": true, "authzprovideralias": true,
	"ifcondition": true, "perl": true, "mdomain": true, "mdomainset": true,
}

// notConfigExt are extensions of documentation, code and data files
// (XML project files among them): never httpd configuration.
var notConfigExt = map[string]bool{
	".xml": true, ".csproj": true, ".vbproj": true, ".fsproj": true, ".vcxproj": true, ".props": true,
	".targets": true, ".resx": true, ".xaml": true, ".plist": true, ".svg": true, ".html": true,
	".htm": true, ".xhtml": true, ".json": true, ".tf": true, ".hcl": true, ".tfvars": true, ".md": true,
	".yaml": true, ".yml": true, ".toml": true, ".go": true, ".py": true, ".js": true, ".ts": true,
	".java": true, ".cs": true, ".rb": true, ".php": true, ".sh": true, ".sql": true, ".css": true,
	".config": true, ".nuspec": true, ".wsdl": true, ".xsd": true, ".xsl": true, ".xslt": true,
}

// looksXML reports a document that starts the way XML does and httpd
// cannot: an XML declaration, a doctype or comment, or a first element that
// is not an httpd section (httpd refuses a section it does not know, so a
// .csproj's <Project> is never Apache, whatever its text says).
func looksXML(head []byte) bool {
	s := strings.TrimPrefix(string(head), "\ufeff")
	for line := range strings.Lines(s) {
		t := strings.TrimSpace(line)
		if t == "" || t[0] == '#' {
			continue
		}
		if !strings.HasPrefix(t, "<") || strings.HasPrefix(t, "</") {
			return false
		}
		name := t[1:]
		if i := strings.IndexAny(name, " \t>/"); i >= 0 {
			name = name[:i]
		}
		return strings.HasPrefix(name, "?") || strings.HasPrefix(name, "!") || !sections[strings.ToLower(name)]
	}
	return false
}

// Directives whose presence at the start of a line marks httpd syntax.
var apacheStarts = []string{
	"setenvif", "rewritecond", "rewriterule", "rewriteengine", "servername", "serveralias",
	"documentroot", "loadmodule", "allowoverride", "options ", "require ", "errordocument",
	"addtype", "addhandler", "sslengine", "proxypass", "customlog", "errorlog", "listen ",
}

var headerActions = []string{"set", "always", "onsuccess", "append", "add", "unset", "merge", "edit", "edit*", "echo", "setifempty"}

// sniff scores lines that look like httpd directives against lines that
// look like nginx or HCL (ending in `;`, `{` or `}`, or `key = value`).
// foreign is a tag httpd does not have (`<Project>`, `</Item>`): httpd
// refuses to start on one, so the file is XML or HTML, not httpd's.
func sniff(head []byte) (apache, other int, foreign bool) {
	s := string(head)
	for line := range strings.Lines(s) {
		t := strings.TrimSpace(line)
		if t == "" || t[0] == '#' {
			continue
		}
		if strings.HasSuffix(t, ";") || strings.HasSuffix(t, "{") || t == "}" {
			other++
			continue
		}
		lt := strings.ToLower(t)
		if strings.HasPrefix(lt, "<") && strings.HasSuffix(lt, ">") {
			// Sections count only when httpd has them: XML's elements
			// are not Apache's.
			name := strings.TrimPrefix(lt[1:len(lt)-1], "/")
			if i := strings.IndexAny(name, " \t"); i >= 0 {
				name = name[:i]
			}
			if !sections[name] {
				return apache, other, true
			}
			apache++
			continue
		}
		if strings.HasPrefix(lt, "header ") || strings.HasPrefix(lt, "header\t") {
			f := strings.Fields(lt)
			if len(f) > 1 {
				for _, a := range headerActions {
					if f[1] == a {
						apache++
						break
					}
				}
			}
			continue
		}
		for _, p := range apacheStarts {
			if strings.HasPrefix(lt, p) {
				apache++
				break
			}
		}
		if strings.Contains(t, " = ") && !strings.HasPrefix(lt, "<") {
			other++
		}
	}
	return apache, other, false
}
