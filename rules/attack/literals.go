package attack

import (
	"net/netip"
	"slices"
	"strings"
)

// Literals extracts what a pattern names: full origin literals
// ("https://app.example.com", scheme and any port included) and host-like
// literals ("app.example.com", "example.com"), in order of appearance and
// lower-cased. It follows alternations ((app|admin)\.example\.com gives
// both hosts), optional groups ((.*\.)?example\.com gives example.com),
// unescaped dots (example.com reads as example.com) and single-character
// classes ([.]); a wider class or repetition separates literals. A host
// literal has at least two labels and a top-level label with a letter, or
// is "localhost" or an IPv4 address, so "https" and "app-" never count.
func Literals(expr string, d Dialect) []string {
	return literalsOf(skeletonsFor(expr, d))
}

func literalsOf(sks []skeleton) []string {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, sk := range sks {
		for _, sg := range sk {
			if sg.hole {
				continue
			}
			frag := strings.ToLower(sg.text)
			for _, o := range originLiterals(frag) {
				add(o)
			}
			for _, h := range hostRuns(frag) {
				add(h)
			}
		}
	}
	return out
}

// originLiterals finds scheme://host[:port] in a literal fragment.
func originLiterals(frag string) []string {
	var out []string
	for i := 0; i < len(frag); i++ {
		rest := frag[i:]
		var scheme string
		switch {
		case strings.HasPrefix(rest, "https://"):
			scheme = "https"
		case strings.HasPrefix(rest, "http://"):
			scheme = "http"
		default:
			continue
		}
		hp := rest[len(scheme)+3:]
		n := 0
		for n < len(hp) && isHostByte(hp[n]) {
			n++
		}
		host := strings.TrimRight(hp[:n], ".")
		if !hostLike(host) {
			continue
		}
		o := scheme + "://" + host
		if n < len(hp) && hp[n] == ':' {
			p := 0
			for n+1+p < len(hp) && hp[n+1+p] >= '0' && hp[n+1+p] <= '9' {
				p++
			}
			if p > 0 {
				o += hp[n : n+1+p]
			}
		}
		out = append(out, o)
	}
	return out
}

// hostRuns returns the host-like runs of host characters in a fragment,
// leading and trailing dots and hyphens trimmed (".example.com" from a
// fragment that followed a subdomain hole).
func hostRuns(frag string) []string {
	var out []string
	for _, run := range strings.FieldsFunc(frag, func(r rune) bool { return r > 0x7f || !isHostByte(byte(r)) }) {
		run = strings.Trim(run, ".-")
		if hostLike(run) {
			out = append(out, run)
		}
	}
	return out
}

func isHostByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
}

func hostLike(h string) bool {
	if h == "localhost" {
		return true
	}
	if a, err := netip.ParseAddr(h); err == nil {
		return a.Is4()
	}
	if !strings.Contains(h, ".") || !validHost(h) {
		return false
	}
	tld := h[strings.LastIndexByte(h, '.')+1:]
	if len(tld) < 2 {
		return false
	}
	for _, r := range tld {
		if r >= 'a' && r <= 'z' {
			return true
		}
	}
	return false
}

// Intended guesses what the pattern's author meant to trust: for each host
// the pattern names (in order), the https origin if the pattern accepts it,
// else the http origin if it accepts that (keeping a literal port). So
// ^https?://app\.example\.com$ intends https://app.example.com only (its
// http twin is the downgrade finding), and (.*\.)?example\.com intends
// https://example.com. If the pattern accepts none of them (it never
// matches, or names only a suffix like .github.io), the https forms are
// returned as the best guess. Acceptance is tested case-insensitively:
// the author's intent does not depend on the server's flag.
func Intended(expr string, d Dialect, opts ...Option) []string {
	m, err := Compile(expr, d, true, opts...)
	return intended(Literals(expr, d), m, err)
}

// intended is Intended given the pattern's literals and its
// case-insensitive matcher (or the error compiling it).
func intended(lits []string, m Matcher, err error) []string {
	var out, guess []string
	seen := map[string]bool{}
	for _, l := range lits {
		o, ok := parseSource(l)
		if !ok || seen[o.hostPort()] {
			continue
		}
		seen[o.hostPort()] = true
		https := origin{scheme: "https", host: o.host, port: o.port}
		http := origin{scheme: "http", host: o.host, port: o.port}
		if g := serialOr(https); !slices.Contains(guess, g) {
			guess = append(guess, g)
		}
		if err != nil {
			continue
		}
		for _, c := range []string{serialOr(https), serialOr(http)} {
			if ok, _ := m.Match(c); ok {
				if !slices.Contains(out, c) {
					out = append(out, c)
				}
				break
			}
		}
	}
	if len(out) == 0 {
		return guess
	}
	return out
}

// serialOr is o as a browser would serialise it (default port dropped).
func serialOr(o origin) string {
	if s, ok := serialise(o.String()); ok {
		return s
	}
	return o.String()
}
