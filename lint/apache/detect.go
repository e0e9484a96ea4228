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
	apacheScore, otherScore := sniff(head)
	if otherScore > apacheScore {
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

// Directives whose presence at the start of a line marks httpd syntax.
var apacheStarts = []string{
	"<virtualhost", "<directory", "<location", "<files", "<ifmodule", "<if ", "<limit", "<proxy",
	"setenvif", "rewritecond", "rewriterule", "rewriteengine", "servername", "serveralias",
	"documentroot", "loadmodule", "allowoverride", "options ", "require ", "errordocument",
	"addtype", "addhandler", "sslengine", "proxypass", "customlog", "errorlog", "listen ",
}

var headerActions = []string{"set", "always", "onsuccess", "append", "add", "unset", "merge", "edit", "edit*", "echo", "setifempty"}

// sniff scores lines that look like httpd directives against lines that
// look like nginx or HCL (ending in `;`, `{` or `}`, or `key = value`).
func sniff(head []byte) (apache, other int) {
	s := string(head)
	for len(s) > 0 {
		line := s
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			line, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		t := strings.TrimSpace(line)
		if t == "" || t[0] == '#' {
			continue
		}
		if strings.HasSuffix(t, ";") || strings.HasSuffix(t, "{") || t == "}" {
			other++
			continue
		}
		lt := strings.ToLower(t)
		if strings.HasPrefix(lt, "</") && strings.HasSuffix(lt, ">") {
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
	return apache, other
}
