package attack

import (
	"strings"
	"sync"

	"github.com/corsguard/corsguard/corpus/origins"
	"golang.org/x/net/publicsuffix"
)

// IsSharedHosting reports whether anyone can publish at host: it is a name
// under a suffix the Public Suffix List's private section lists (domains
// whose subdomains their owner hands to other parties: "anyone.github.io"
// → "github.io", "x.azurewebsites.net", "b.s3-website-us-east-1.amazonaws.com",
// "f.lambda-url.eu-west-1.on.aws"), or under one of the seed list's shared
// suffixes, or one of its exact hosts ("codepen.io"). The seed list
// (corpus/origins/shared-hosting.txt) is the reviewed supplement for what
// the PSL lacks: providers not in it (surge.sh, glitch.me, railway.app,
// netlify.com, wordpress.com), exact playground hosts, and wildcard PSL
// rules whose own level is a suffix (*.run.app). The bare suffix
// ("github.io") is the provider's own site and does not count. Of several
// matching suffixes the longest wins.
func IsSharedHosting(host string) (suffix string, ok bool) {
	host = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(host)), ".")
	if host == "" || isIP(host) {
		return "", false
	}
	sets := sharedSets()
	if sets.hosts[host] {
		return host, true
	}
	// The first seed suffix found walking from the left is the longest.
	for i := 0; i < len(host); i++ {
		if host[i] == '.' && sets.suffixes[host[i+1:]] {
			suffix = host[i+1:]
			break
		}
	}
	// icann is false both for the private section and for the fallback
	// rule "*" that unlisted TLDs get (evil.test → "test"); only a listed
	// private suffix has a dot in it.
	if psl, icann := publicsuffix.PublicSuffix(host); !icann && strings.Contains(psl, ".") && psl != host && len(psl) > len(suffix) {
		suffix = psl
	}
	return suffix, suffix != ""
}

// sharedSet is the seed lists as sets: IsSharedHosting runs for every
// allowlist entry of every policy and every attack candidate.
type sharedSet struct {
	hosts, suffixes map[string]bool
}

var sharedSets = sync.OnceValue(func() sharedSet {
	s := sharedSet{hosts: map[string]bool{}, suffixes: map[string]bool{}}
	for _, h := range sharedHosts() {
		s.hosts[strings.ToLower(h)] = true
	}
	for _, x := range sharedSuffixes() {
		s.suffixes[strings.ToLower(x)] = true
	}
	return s
})

// Obtainable tells whether an attacker can serve a page on host: it has a
// registrable domain under a public suffix that ICANN manages, or under
// .test, which witnesses use to stand for any domain the attacker registers
// (Attacker). `examplexcom` or `app.examplexcom` (a dot replaced in the last
// position) match sloppy patterns but are nobody's to register.
func Obtainable(host string) bool {
	h := strings.Trim(strings.ToLower(host), ".")
	if !strings.Contains(h, ".") || isIP(h) {
		return false
	}
	if strings.HasSuffix(h, "."+Attacker) || h == Attacker {
		return true
	}
	suffix, icann := publicsuffix.PublicSuffix(h)
	return (icann || strings.Contains(suffix, ".")) && h != suffix
}

// RegistrableDomain returns host's eTLD+1 by the public suffix list
// (including its private section, so "anyone.github.io" is its own
// registrable domain). IP addresses, single labels and public suffixes
// themselves come back unchanged.
func RegistrableDomain(host string) string {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "" || isIP(h) {
		return host
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(h)
	if err != nil {
		return host
	}
	return d
}

// The seed lists are parsed once: IsSharedHosting runs for every candidate.
var (
	sharedHosts    = sync.OnceValue(origins.SharedHostingHosts)
	sharedSuffixes = sync.OnceValue(origins.SharedHostingSuffixes)
)
