package driver

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// ErrOutOfScope is returned for a request to an origin the user did not
// name, and by the dialer for an address no in-scope origin leads to.
var ErrOutOfScope = errors.New("not in scope")

// Origin is the unit of scope: scheme, normalised host and port. Two URLs
// may share credentials only when their Origins are equal; a host name
// alone is not enough (another port is another server, http is cleartext).
type Origin struct {
	Scheme string // "http" or "https"
	Host   string // NormHost form: lower-case ASCII, no brackets, no trailing dot
	Port   string // decimal, default port filled in
}

// String is the serialised origin, e.g. "https://api.example.com:8443".
func (o Origin) String() string { return o.Scheme + "://" + o.HostPort() }

// HostPort is the "host:port" the transport dials for this origin.
func (o Origin) HostPort() string { return net.JoinHostPort(o.Host, o.Port) }

// NormHost puts a host name or IP literal in the one form every scope and
// pin decision compares: brackets dropped, one trailing dot dropped,
// internationalised names converted to their ASCII (punycode) form the
// way net/http converts them before dialling, lower case, and IP literals
// in canonical form (IPv4-mapped IPv6 becomes the IPv4 address it is).
// Names the transport could not dial either are an error.
func NormHost(h string) (string, error) {
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		h = h[1 : len(h)-1]
	}
	if a, err := netip.ParseAddr(h); err == nil {
		return a.Unmap().String(), nil
	}
	if !isASCII(h) {
		if !utf8.ValidString(h) {
			return "", fmt.Errorf("host %q is not valid UTF-8", h)
		}
		// The same conversion net/http applies before it dials; a host
		// that maps to an IP literal (full-width dots) is one.
		a, err := idna.Lookup.ToASCII(h)
		if err != nil {
			return "", fmt.Errorf("host %q: %v", h, err)
		}
		h = a
	}
	h = strings.TrimSuffix(strings.ToLower(h), ".")
	if h == "" || strings.ContainsAny(h, " /\\?#@[]%\x00") {
		return "", fmt.Errorf("host %q is not a host name", h)
	}
	if a, err := netip.ParseAddr(h); err == nil {
		return a.Unmap().String(), nil
	}
	return h, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// ParseOrigin returns the Origin of an absolute http(s) URL. A URL with
// user information is refused: Go would send it as Basic credentials, and
// it is how a Location header disguises its real host.
func ParseOrigin(rawURL string) (Origin, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return Origin{}, fmt.Errorf("bad URL %q", RedactURL(rawURL))
	}
	return originOf(u)
}

func originOf(u *url.URL) (Origin, error) {
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return Origin{}, fmt.Errorf("bad URL %q: scheme must be http or https", RedactURL(u.String()))
	}
	if u.User != nil {
		return Origin{}, fmt.Errorf("URL %q carries user information", RedactURL(u.String()))
	}
	host, err := NormHost(u.Hostname())
	if err != nil {
		return Origin{}, fmt.Errorf("bad URL %q: %v", RedactURL(u.String()), err)
	}
	port := u.Port()
	switch {
	case port == "" && scheme == "http":
		port = "80"
	case port == "":
		port = "443"
	default:
		n, err := strconv.Atoi(port)
		if err != nil || n <= 0 || n > 65535 {
			return Origin{}, fmt.Errorf("bad URL %q: port %q", RedactURL(u.String()), port)
		}
		port = strconv.Itoa(n) // "0080" dials port 80
	}
	return Origin{Scheme: scheme, Host: host, Port: port}, nil
}

// ParseScope reads the scope entries of a Config: absolute URLs or
// serialised origins. A bare host name is refused: it does not say which
// scheme and port the user meant to trust with credentials.
func ParseScope(entries []string) (map[Origin]bool, error) {
	if len(entries) == 0 {
		return nil, errors.New("driver: empty scope: name at least one target")
	}
	out := make(map[Origin]bool, len(entries))
	for _, e := range entries {
		if !strings.Contains(e, "://") {
			return nil, fmt.Errorf("driver: scope %q: want an origin such as https://%s[:port]", e, e)
		}
		o, err := ParseOrigin(e)
		if err != nil {
			return nil, fmt.Errorf("driver: scope: %w", err)
		}
		out[o] = true
	}
	return out, nil
}

// redirectTarget decides whether a Location is followed from cur: only to
// the same origin (scheme, host and port, after normalisation), never
// with user information. It returns the absolute next URL, or why not.
func redirectTarget(cur, loc string) (next, blocked string) {
	b, err := url.Parse(cur)
	if err != nil {
		return "", "bad request URL"
	}
	// Browsers read a backslash as a slash in special URLs ("/\evil" is
	// "//evil"); net/url does not. Read it the browsers' way so that a
	// server cannot make the two disagree on where a redirect goes.
	r, err := url.Parse(browserSlashes(strings.TrimSpace(loc)))
	if err != nil {
		return loc, "bad Location"
	}
	abs := b.ResolveReference(r)
	next = abs.String()
	from, err := originOf(b)
	if err != nil {
		return next, "bad request URL"
	}
	if abs.User != nil {
		return next, "carries user information"
	}
	to, err := originOf(abs)
	switch {
	case err != nil:
		return next, "not an http(s) URL with a host"
	case to.Scheme != from.Scheme:
		return next, fmt.Sprintf("other scheme (%s to %s)", from.Scheme, to.Scheme)
	case to.Host != from.Host:
		return next, "other host"
	case to.Port != from.Port:
		return next, "other port"
	}
	return next, ""
}

// browserSlashes turns backslashes before the query into slashes.
func browserSlashes(loc string) string {
	end := strings.IndexAny(loc, "?#")
	if end < 0 {
		end = len(loc)
	}
	return strings.ReplaceAll(loc[:end], `\`, "/") + loc[end:]
}

// RedactURL replaces the user information of a URL (also one net/url
// cannot parse, or one whose scheme was forgotten: "user:pw@host/") with
// REDACTED, for error messages and curl lines.
func RedactURL(raw string) string {
	start := 0
	if i := strings.Index(raw, "://"); i >= 0 {
		start = i + 3
	} else if strings.HasPrefix(raw, "//") {
		start = 2
	}
	rest := raw[start:]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndex(rest[:end], "@")
	if at < 0 {
		return raw
	}
	return raw[:start] + Redacted + rest[at:]
}
