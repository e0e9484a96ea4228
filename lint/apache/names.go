package apache

import (
	"strings"
	"unicode/utf8"
)

// lowerName is lowerName through a small direct-mapped cache: a config
// spells the same few directive names over and over, and comparing with
// the last spelling seen in a slot is cheaper than hashing for the map.
func (l *loader) lowerName(s string) string {
	if s == "" {
		return s
	}
	slot := &l.names[(len(s)*7+int(s[0])+int(s[len(s)-1]))%len(l.names)]
	if slot.written == s {
		return slot.lower
	}
	low := lowerName(s)
	slot.written, slot.lower = s, low
	return low
}

// lowerName lower-cases a directive name without allocating when it is
// already lower case.
func lowerName(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			if l, ok := commonNames[s]; ok {
				return l
			}
			return strings.ToLower(s)
		}
	}
	return s
}

// hasPrefixFold reports strings.HasPrefix(strings.ToLower(s), prefix) for a
// lower-case prefix without lower-casing a copy of s (every line, every
// header value would otherwise be copied).
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			// Non-ASCII text lower-cases by Unicode rules.
			return strings.HasPrefix(strings.ToLower(s), prefix)
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[i] {
			return false
		}
	}
	return true
}

// lowerIs reports strings.ToLower(s) == lower without the copy.
func lowerIs(s, lower string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.ToLower(s) == lower
		}
	}
	return len(s) == len(lower) && hasPrefixFold(s, lower)
}

// commonNames maps the usual spelling of frequent directives to their
// lower-case form, so that reading a large config does not allocate a
// lower-cased copy of every directive name.
var commonNames = func() map[string]string {
	m := map[string]string{}
	for _, n := range []string{
		"Header", "RequestHeader", "SetEnvIf", "SetEnvIfNoCase", "SetEnvIfExpr", "SetEnv", "UnsetEnv",
		"RewriteEngine", "RewriteCond", "RewriteRule", "RewriteBase", "RewriteOptions",
		"ServerName", "ServerAlias", "ServerAdmin", "DocumentRoot", "ErrorLog", "CustomLog", "LogLevel",
		"SSLEngine", "SSLCertificateFile", "SSLCertificateKeyFile", "SSLCertificateChainFile", "SSLProtocol", "SSLCipherSuite",
		"Options", "AllowOverride", "Require", "AuthType", "AuthName", "AuthUserFile", "Order", "Allow", "Deny",
		"ProxyPass", "ProxyPassReverse", "ProxyPassMatch", "ProxyPreserveHost", "ProxyRequests",
		"SetHandler", "AddHandler", "AddType", "FallbackResource", "DirectoryIndex", "ErrorDocument",
		"Redirect", "RedirectMatch", "RedirectPermanent", "Alias", "ScriptAlias", "Include", "IncludeOptional",
		"Define", "LoadModule", "Listen", "ServerRoot", "ExpiresActive", "ExpiresByType", "AddOutputFilterByType",
		"BrowserMatch", "VirtualHost", "Directory", "DirectoryMatch", "Location", "LocationMatch",
		"Files", "FilesMatch", "If", "ElseIf", "Else", "Limit", "LimitExcept", "RequireAll", "RequireAny", "RequireNone",
	} {
		m[n] = strings.ToLower(n)
	}
	return m
}()
