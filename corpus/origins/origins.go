// Package origins embeds corsguard's origin seed lists: hosts where anyone
// can publish (shared hosting) and loopback/development origins. The lists
// are plain text next to this file so that they can be reviewed and extended
// without touching code; rules/attack turns them into attack candidates.
package origins

import (
	_ "embed"
	"strings"
)

//go:embed shared-hosting.txt
var sharedHosting string

//go:embed localhost.txt
var localhost string

// entries returns the non-empty, non-comment lines of a seed file, trimmed
// and lower-cased, in file order.
func entries(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		line = strings.ToLower(strings.TrimSpace(line))
		if line != "" {
			out = append(out, line)
		}
	}
	return out
}

// SharedHostingSuffixes returns the suffixes under which anyone can obtain a
// name ("github.io" for *.github.io), in file order, without the "*.".
func SharedHostingSuffixes() []string {
	var out []string
	for _, e := range entries(sharedHosting) {
		if s, ok := strings.CutPrefix(e, "*."); ok {
			out = append(out, s)
		}
	}
	return out
}

// SharedHostingHosts returns the exact hosts on which anyone can publish
// ("codepen.io"), in file order.
func SharedHostingHosts() []string {
	var out []string
	for _, e := range entries(sharedHosting) {
		if !strings.HasPrefix(e, "*.") {
			out = append(out, e)
		}
	}
	return out
}

// Localhost returns the loopback and development origins, serialised
// ("http://localhost:3000"), in file order.
func Localhost() []string { return entries(localhost) }
