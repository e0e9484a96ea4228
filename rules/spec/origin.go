package spec

import (
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// Origin is a web origin. A tuple origin serialises as
// "scheme://host[:port]"; an opaque one (sandboxed iframe, data: document,
// file: page, some redirects) serialises as "null".
type Origin struct {
	Scheme string // lower-case, without "://"
	Host   string // as serialised: lower-case ASCII domain, dotted IPv4, or "[IPv6]"
	Port   int    // 0 = the scheme's default port (or none)
	Opaque bool
}

// String serialises the origin the way a browser writes it into the Origin
// request header: opaque origins are "null", a default port is omitted, and
// there is never a path or trailing slash. The zero Origin is "".
func (o Origin) String() string {
	if o.Opaque {
		return "null"
	}
	if o.Scheme == "" {
		return "" // the zero Origin, returned alongside errors
	}
	if o.Port == 0 || o.Port == DefaultPort(o.Scheme) {
		return o.Scheme + "://" + o.Host
	}
	return o.Scheme + "://" + o.Host + ":" + strconv.Itoa(o.Port)
}

// DefaultPort is the URL standard's default port for a special scheme, or 0.
func DefaultPort(scheme string) int {
	switch strings.ToLower(scheme) {
	case "http", "ws":
		return 80
	case "https", "wss":
		return 443
	case "ftp":
		return 21
	}
	return 0
}

// isSpecialTupleScheme: the URL standard's special schemes whose URLs have a
// tuple origin ("file" is special but its origin is opaque).
func isSpecialTupleScheme(s string) bool {
	switch s {
	case "http", "https", "ws", "wss", "ftp":
		return true
	}
	return false
}

// opaqueSchemes never have a tuple origin; a document loaded from them sends
// "Origin: null".
func isOpaqueScheme(s string) bool {
	switch s {
	case "file", "data", "about", "javascript":
		return true
	}
	return false
}

// IsSerialisedOrigin reports whether s is exactly what a browser could put in
// an Origin header (including "null").
func IsSerialisedOrigin(s string) bool {
	_, err := ParseOrigin(s)
	return err == nil
}

// ParseOrigin accepts s only when it is exactly a serialised origin or "null",
// byte for byte: the CORS check compares Access-Control-Allow-Origin to the
// request's Origin without any normalisation, so a configured value that is
// not already in serialised form can never match. The error says what is wrong
// so that the linter can quote it.
//
// Schemes other than the URL standard's special ones are accepted when they are
// syntactically valid (browsers give chrome-extension:, moz-extension: and
// embedded webview schemes such as capacitor: tuple origins), but their hosts
// are held to the same lower-case rule.
func ParseOrigin(s string) (Origin, error) {
	switch {
	case s == "":
		return Origin{}, errors.New("empty origin")
	case s == "null":
		return Origin{Opaque: true}, nil
	case strings.EqualFold(s, "null"):
		return Origin{}, fmt.Errorf("%q: the opaque origin is serialised as lower-case \"null\"", s)
	case s == "*":
		return Origin{}, errors.New(`"*" is the wildcard, not an origin`)
	case strings.TrimLeft(s, " \t\r\n\f\v") != s || strings.TrimRight(s, " \t\r\n\f\v") != s:
		return Origin{}, fmt.Errorf("%q: leading or trailing whitespace", s)
	}
	if q := s[0]; q == '"' || q == '\'' || s[len(s)-1] == '"' || s[len(s)-1] == '\'' {
		return Origin{}, fmt.Errorf("%q: quotes are not part of an origin", s)
	}
	if strings.ContainsAny(s, ", \t") {
		return Origin{}, fmt.Errorf("%q: looks like a list; a serialised origin is exactly one origin with no spaces or commas", s)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return Origin{}, fmt.Errorf("%q: control character 0x%02x", s, c)
		}
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || scheme == "" {
		if sch, _, found := strings.Cut(s, ":"); found && isOpaqueScheme(strings.ToLower(sch)) {
			return Origin{}, fmt.Errorf("%q: %s: documents have an opaque origin, serialised as \"null\"", s, sch)
		}
		return Origin{}, fmt.Errorf("%q: missing scheme (want scheme://host)", s)
	}
	if err := checkScheme(scheme); err != nil {
		return Origin{}, fmt.Errorf("%q: %w", s, err)
	}
	if isOpaqueScheme(scheme) {
		return Origin{}, fmt.Errorf("%q: %s: documents have an opaque origin, serialised as \"null\"", s, scheme)
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		hp := rest[:i]
		if at := strings.LastIndexByte(hp, '@'); at >= 0 {
			return Origin{}, fmt.Errorf("%q: userinfo (%q) is never part of an origin", s, hp[:at+1])
		}
		switch tail := rest[i:]; {
		case tail == "/":
			return Origin{}, fmt.Errorf("%q: trailing slash; an origin has no path (want %q)", s, s[:len(s)-1])
		case tail[0] == '/':
			return Origin{}, fmt.Errorf("%q: path %q; an origin has no path (want %q)", s, tail, scheme+"://"+hp)
		case tail[0] == '?':
			return Origin{}, fmt.Errorf("%q: query %q; an origin has no query", s, tail)
		default:
			return Origin{}, fmt.Errorf("%q: fragment %q; an origin has no fragment", s, tail)
		}
	}
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		return Origin{}, fmt.Errorf("%q: userinfo (%q) is never part of an origin", s, rest[:at+1])
	}
	host, portStr, hasPort, err := splitHostPort(rest)
	if err != nil {
		return Origin{}, fmt.Errorf("%q: %w", s, err)
	}
	o := Origin{Scheme: scheme, Host: host}
	checked := host
	if !isSpecialTupleScheme(scheme) {
		// An app or extension scheme's host is what the URL standard calls
		// an opaque host: kept as written, upper case included (Safari
		// writes its extension UUIDs in upper case).
		checked = strings.ToLower(host)
	}
	if err := checkSerialisedHost(checked); err != nil {
		return Origin{}, fmt.Errorf("%q: %w", s, err)
	}
	if hasPort {
		p, err := checkSerialisedPort(scheme, portStr)
		if err != nil {
			return Origin{}, fmt.Errorf("%q: %w", s, err)
		}
		o.Port = p
	}
	return o, nil
}

func checkScheme(scheme string) error {
	for i := 0; i < len(scheme); i++ {
		c := scheme[i]
		switch {
		case c >= 'a' && c <= 'z':
		case c >= 'A' && c <= 'Z':
			return fmt.Errorf("scheme %q must be lower-case (browsers send %q)", scheme, strings.ToLower(scheme))
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return fmt.Errorf("invalid scheme %q", scheme)
		}
	}
	return nil
}

// splitHostPort separates "host[:port]" where host may be "[IPv6]".
func splitHostPort(hp string) (host, port string, hasPort bool, err error) {
	if strings.HasPrefix(hp, "[") {
		end := strings.IndexByte(hp, ']')
		if end < 0 {
			return "", "", false, errors.New("unterminated IPv6 address")
		}
		host, after := hp[:end+1], hp[end+1:]
		if after == "" {
			return host, "", false, nil
		}
		if after[0] != ':' {
			return "", "", false, fmt.Errorf("unexpected %q after IPv6 address", after)
		}
		return host, after[1:], true, nil
	}
	if i := strings.LastIndexByte(hp, ':'); i >= 0 {
		return hp[:i], hp[i+1:], true, nil
	}
	return hp, "", false, nil
}

func checkSerialisedPort(scheme, p string) (int, error) {
	if p == "" {
		return 0, errors.New("empty port after ':'")
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return 0, fmt.Errorf("invalid port %q", p)
		}
	}
	if len(p) > 1 && p[0] == '0' {
		return 0, fmt.Errorf("port %q has leading zeros (browsers send %q)", p, strings.TrimLeft(p, "0"))
	}
	n, err := strconv.Atoi(p)
	if err != nil || n > 65535 {
		return 0, fmt.Errorf("port %q out of range", p)
	}
	if n == 0 {
		// Port 0 serialises, but Origin.Port uses 0 for "default" and no
		// browser can load a page from port 0.
		return 0, errors.New("port 0 cannot be a page's port")
	}
	if n == DefaultPort(scheme) {
		return 0, fmt.Errorf("default port :%d must be omitted (browsers send %s://host without it)", n, scheme)
	}
	return n, nil
}

// forbiddenDomainByte is the URL standard's "forbidden domain code point" for
// ASCII bytes.
func forbiddenDomainByte(c byte) bool {
	if c <= 0x20 || c == 0x7f {
		return true
	}
	return strings.IndexByte("#%/:<>?@[\\]^|", c) >= 0
}

// isHostByte is the byte set corsguard accepts in a domain: letters, digits,
// '-', '.', and '_' (common in real hostnames though not in DNS's LDH rule).
// The URL standard tolerates a few more printable characters ('{', '!',
// '$'...), but browsers percent-escape or reject them and DNS cannot resolve
// them, so an origin holding one is a configuration mistake, and refusing it
// keeps ParseOrigin and OriginOfURL in agreement.
func isHostByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_'
}

// checkSerialisedHost verifies that host is what the URL parser would have
// produced: a canonical [IPv6], a canonical dotted IPv4, or a lower-case ASCII
// domain whose "xn--" labels are genuine Punycode.
func checkSerialisedHost(host string) error {
	if host == "" {
		return errors.New("empty host")
	}
	if host[0] == '[' {
		want, err := canonicalIPv6(host[1 : len(host)-1])
		if err != nil {
			return err
		}
		if want != host {
			return fmt.Errorf("IPv6 address %s is not in serialised form (browsers send %s)", host, want)
		}
		return nil
	}
	for i := 0; i < len(host); i++ {
		c := host[i]
		switch {
		case c >= 0x80:
			return fmt.Errorf("host %q is not ASCII; browsers send the Punycode (xn--) form", host)
		case c >= 'A' && c <= 'Z':
			return fmt.Errorf("host %q must be lower-case (browsers send %q)", host, strings.ToLower(host))
		case c == '*':
			// The URL parser would accept '*', but no page is ever served
			// from such a host; in configuration it is always a mistaken
			// wildcard, which CORS does not have.
			return fmt.Errorf("host %q contains '*': Access-Control-Allow-Origin has no wildcard patterns", host)
		case forbiddenDomainByte(c):
			return fmt.Errorf("host %q contains forbidden character %q", host, c)
		case !isHostByte(c):
			return fmt.Errorf("host %q contains %q, which no browser origin's host holds", host, c)
		}
	}
	if endsInNumber(host) {
		v4, err := parseIPv4(host)
		if err != nil {
			return fmt.Errorf("host %q: %w", host, err)
		}
		if v4 != host {
			return fmt.Errorf("IPv4 address %q is not in serialised form (browsers send %q)", host, v4)
		}
		return nil
	}
	for _, label := range strings.Split(host, ".") {
		if strings.HasPrefix(label, acePrefix) {
			if err := checkACELabel(label); err != nil {
				return fmt.Errorf("host %q: label %q is not valid Punycode", host, label)
			}
		}
	}
	return nil
}

// canonicalIPv6 parses the text between the brackets and returns the URL
// standard's serialisation: lower-case hex, no leading zeros, the first longest
// run of two or more zero pieces compressed to "::", never dotted-quad form.
func canonicalIPv6(s string) (string, error) {
	if strings.ContainsRune(s, '%') {
		return "", errors.New("IPv6 zone identifiers are not allowed in URLs")
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() {
		return "", fmt.Errorf("invalid IPv6 address [%s]", s)
	}
	b := a.As16()
	var pieces [8]uint16
	for i := range pieces {
		pieces[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
	start, length := -1, 0
	for i := 0; i < 8; {
		if pieces[i] != 0 {
			i++
			continue
		}
		j := i
		for j < 8 && pieces[j] == 0 {
			j++
		}
		if j-i > length && j-i > 1 {
			start, length = i, j-i
		}
		i = j
	}
	var sb strings.Builder
	sb.WriteByte('[')
	for i := 0; i < 8; i++ {
		if i == start {
			sb.WriteString("::")
			i += length - 1
			continue
		}
		if i > 0 && i != start+length {
			sb.WriteByte(':')
		}
		sb.WriteString(strconv.FormatUint(uint64(pieces[i]), 16))
	}
	sb.WriteByte(']')
	return sb.String(), nil
}

// endsInNumber is the URL standard's "ends in a number" test: a host whose
// last label is numeric is parsed as IPv4 (and fails if it is not one).
func endsInNumber(host string) bool {
	parts := strings.Split(host, ".")
	if parts[len(parts)-1] == "" {
		if len(parts) == 1 {
			return false
		}
		parts = parts[:len(parts)-1]
	}
	last := parts[len(parts)-1]
	if last != "" && strings.Trim(last, "0123456789") == "" {
		return true
	}
	_, ok := ipv4Number(last)
	return ok
}

// ipv4Number parses one IPv4 part as the URL standard does: 0x-prefixed hex,
// 0-prefixed octal, else decimal.
func ipv4Number(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	base := 10
	switch {
	case len(s) >= 2 && (s[:2] == "0x" || s[:2] == "0X"):
		s, base = s[2:], 16
	case len(s) >= 2 && s[0] == '0':
		s, base = s[1:], 8
	}
	if s == "" {
		return 0, true
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		var ok bool
		switch base {
		case 16:
			ok = c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
		case 8:
			ok = c >= '0' && c <= '7'
		default:
			ok = c >= '0' && c <= '9'
		}
		if !ok {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(s, base, 64)
	if err != nil {
		// Syntactically a number but too large: report it as one so that
		// the range check below rejects the host.
		return 1 << 40, true
	}
	return n, true
}

// parseIPv4 is the URL standard's IPv4 parser; it returns the dotted-decimal
// serialisation.
func parseIPv4(host string) (string, error) {
	parts := strings.Split(host, ".")
	if parts[len(parts)-1] == "" && len(parts) > 1 {
		parts = parts[:len(parts)-1]
	}
	if len(parts) > 4 {
		return "", errors.New("IPv4 address has more than four parts")
	}
	nums := make([]uint64, len(parts))
	for i, p := range parts {
		n, ok := ipv4Number(p)
		if !ok {
			return "", fmt.Errorf("invalid IPv4 part %q", p)
		}
		nums[i] = n
	}
	for _, n := range nums[:len(nums)-1] {
		if n > 255 {
			return "", errors.New("IPv4 part out of range")
		}
	}
	if nums[len(nums)-1] >= 1<<(8*(5-len(nums))) {
		return "", errors.New("IPv4 address out of range")
	}
	v := nums[len(nums)-1]
	for i, n := range nums[:len(nums)-1] {
		v += n << (8 * (3 - i))
	}
	return fmt.Sprintf("%d.%d.%d.%d", v>>24, v>>16&0xff, v>>8&0xff, v&0xff), nil
}

// OriginOfURL returns the origin a browser assigns to a document at rawURL and
// hence sends in the Origin header: the host lower-cased (non-ASCII labels
// Punycode-encoded), numeric IPv4 forms such as 0x7f.1 normalised, IPv6 in
// canonical bracketed form, the default port dropped, userinfo, path, query
// and fragment discarded. file:, data:, about: and javascript: documents get
// an opaque origin ("null"); blob: URLs take the origin of the URL inside.
//
// Other schemes with an authority (chrome-extension://id, capacitor://localhost)
// get a tuple origin, as browsers give registered extension and webview
// schemes; the standard would make them opaque.
func OriginOfURL(rawURL string) (Origin, error) {
	s := strings.Trim(rawURL, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
	s = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(s)
	scheme, rest, ok := strings.Cut(s, ":")
	if !ok || checkScheme(strings.ToLower(scheme)) != nil || scheme == "" {
		return Origin{}, fmt.Errorf("%q: not an absolute URL", rawURL)
	}
	scheme = strings.ToLower(scheme)
	switch {
	case scheme == "blob":
		inner, err := OriginOfURL(rest)
		if err != nil || inner.Opaque || (inner.Scheme != "http" && inner.Scheme != "https") {
			return Origin{Opaque: true}, nil
		}
		return inner, nil
	case isOpaqueScheme(scheme):
		return Origin{Opaque: true}, nil
	}
	special := isSpecialTupleScheme(scheme)
	if special {
		// The URL standard reads '\' as '/' in special URLs, which is what
		// makes "https://evil.test\@good.test" a URL on evil.test.
		rest = strings.ReplaceAll(rest, "\\", "/")
		rest = "//" + strings.TrimLeft(rest, "/")
	}
	u, err := url.Parse(scheme + ":" + rest)
	if err != nil {
		return Origin{}, fmt.Errorf("%q: %w", rawURL, err)
	}
	if u.Host == "" {
		if special {
			return Origin{}, fmt.Errorf("%q: missing host", rawURL)
		}
		return Origin{Opaque: true}, nil
	}
	host, err := urlHost(u)
	if err != nil {
		return Origin{}, fmt.Errorf("%q: %w", rawURL, err)
	}
	if !special && strings.ToLower(u.Hostname()) == host {
		host = u.Hostname() // an opaque host keeps its case (see ParseOrigin)
	}
	o := Origin{Scheme: scheme, Host: host}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n > 65535 {
			return Origin{}, fmt.Errorf("%q: port %q out of range", rawURL, p)
		}
		if n != DefaultPort(scheme) {
			o.Port = n
		}
		if n == 0 {
			return Origin{}, fmt.Errorf("%q: port 0 cannot be a page's port", rawURL)
		}
	}
	return o, nil
}

// urlHost turns a parsed URL's host into its serialised form.
func urlHost(u *url.URL) (string, error) {
	if strings.HasPrefix(u.Host, "[") {
		return canonicalIPv6(u.Hostname())
	}
	name := u.Hostname()
	if name == "" {
		return "", errors.New("empty host")
	}
	labels := strings.Split(name, ".")
	for i, l := range labels {
		a, err := toASCIILabel(l)
		if err != nil {
			return "", fmt.Errorf("host %q: %w", name, err)
		}
		labels[i] = a
	}
	host := strings.Join(labels, ".")
	for i := 0; i < len(host); i++ {
		if !isHostByte(host[i]) {
			return "", fmt.Errorf("host %q contains %q, which no browser origin's host holds", host, host[i])
		}
	}
	if endsInNumber(host) {
		return parseIPv4(host)
	}
	if err := checkSerialisedHost(host); err != nil {
		return "", err
	}
	return host, nil
}
