package rules

import (
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/corsguard/corsguard/rules/attack"
	"github.com/corsguard/corsguard/rules/spec"
)

// obtainable tells whether an attacker can actually serve a page on the
// witness origin. A host nobody can register today (a single label such
// as `examplexcom`, or a name under `.internal`, `.test`, `.corp`, `.lan`,
// `.local`: no public registry sells them) matches the pattern but is
// nobody's to buy; the search keeps looking for a witness like
// `apixexample.com` instead, and a rule left with only such witnesses is
// reported at low severity (reportWitnesses), never dropped.
//
// Some classes never depend on registration: the null origin, loopback,
// IP literals and browser-extension origins (anyone can publish one) are
// anyone's, and a subdomain or the plain-http twin of
// the trusted host is the owner's own (a dangling DNS record, an XSS on a
// sibling, a network attacker on http), whatever its suffix.
func obtainable(w attack.Witness) bool {
	switch w.Class {
	case attack.Null, attack.Localhost, attack.IPLiteral, attack.Extension,
		attack.SiblingSubdomain, attack.NestedSubdomain, attack.HTTPDowngrade:
		return true
	}
	org, err := spec.ParseOrigin(w.Origin)
	if err == nil {
		return attack.Obtainable(org.Host)
	}
	// Special characters: Safari sends hosts our strict parser rejects.
	// Still, no scheme means no origin; the suffix decides the rest.
	_, host, ok := strings.Cut(w.Origin, "://")
	if i := strings.LastIndexAny(host, ":/"); ok && i > 0 && host[i] == ':' {
		host = host[:i]
	}
	return ok && attack.Obtainable(host)
}

// unregistrableWhy says why nobody can register a witness's host, for the
// message of a finding lowered by it.
func unregistrableWhy(origin string) string {
	_, host, _ := strings.Cut(origin, "://")
	if i := strings.LastIndexByte(host, ':'); i > 0 && !strings.HasSuffix(host, "]") {
		host = host[:i]
	}
	host = strings.Trim(strings.ToLower(host), ".")
	if !strings.Contains(host, ".") {
		return "a single-label name"
	}
	suffix, _ := publicsuffix.PublicSuffix(host)
	if suffix == host {
		return suffix + " is itself a public suffix"
	}
	return "." + suffix + " is no public top-level domain"
}

// nativeOrigin says what an origin on an app or extension scheme is, for
// messages about it ("" for a web origin): such an entry is rarely a typo,
// and whose it is decides whether trusting it is safe.
func nativeOrigin(origin string) string {
	scheme, _, ok := strings.Cut(origin, "://")
	if !ok {
		return ""
	}
	switch scheme {
	case "capacitor":
		return "the origin every Capacitor app has on iOS"
	case "ionic":
		return "the origin Ionic apps have in the iOS web view"
	case "tauri":
		return "the origin of Tauri desktop apps"
	case "app":
		return "a desktop app's own scheme (Electron and similar)"
	case "chrome-extension":
		return "one Chrome or Edge extension, by its ID"
	case "moz-extension":
		return "one install of a Firefox extension (the UUID is made up per install)"
	case "safari-web-extension":
		return "one install of a Safari extension (the UUID is made up per install)"
	}
	return ""
}
