package attack

import (
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/net/idna"
)

// origin is a parsed http(s) origin as corsguard derives candidates from it.
type origin struct {
	scheme string // "http" or "https", lower case
	host   string // lower case; IPv6 in brackets
	port   string // "" when absent
}

func (o origin) String() string {
	if o.port == "" {
		return o.scheme + "://" + o.host
	}
	return o.scheme + "://" + o.host + ":" + o.port
}

// is reports whether s is o serialised (o.String() == s, without building
// the string: Generate asks it of every candidate).
func (o origin) is(s string) bool {
	rest, ok := strings.CutPrefix(s, o.scheme)
	if !ok {
		return false
	}
	if rest, ok = strings.CutPrefix(rest, "://"); !ok {
		return false
	}
	if rest, ok = strings.CutPrefix(rest, o.host); !ok {
		return false
	}
	if o.port == "" {
		return rest == ""
	}
	return len(rest) == len(o.port)+1 && rest[0] == ':' && rest[1:] == o.port
}

// hostPort is host[:port], the part after "scheme://".
func (o origin) hostPort() string {
	if o.port == "" {
		return o.host
	}
	return o.host + ":" + o.port
}

// parseSource turns a trusted origin ("https://app.example.com", with or
// without a path) or a host-like literal ("example.com", ".example.com",
// "*.example.com") into an origin; literals default to https. It rejects
// anything it cannot read as a host rather than guessing.
func parseSource(s string) (origin, bool) {
	s = strings.TrimSpace(s)
	o := origin{scheme: "https"}
	if i := strings.Index(s, "://"); i >= 0 {
		o.scheme = strings.ToLower(s[:i])
		if o.scheme != "http" && o.scheme != "https" {
			return origin{}, false
		}
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	s = strings.ToLower(s)
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return origin{}, false
		}
		o.host, s = s[:end+1], s[end+1:]
		if p, ok := strings.CutPrefix(s, ":"); ok {
			o.port = p
		} else if s != "" {
			return origin{}, false
		}
	} else {
		o.host, o.port, _ = strings.Cut(s, ":")
		o.host = strings.TrimPrefix(strings.TrimPrefix(o.host, "*"), ".")
		o.host = strings.TrimSuffix(o.host, ".")
	}
	if o.port != "" {
		if n, err := strconv.Atoi(o.port); err != nil || n <= 0 || n > 65535 {
			return origin{}, false
		}
	}
	if o.host == "" || len(o.host) > 253 || !validHost(o.host) {
		return origin{}, false
	}
	return o, true
}

// validHost accepts the host names and IP literals corsguard derives from.
func validHost(h string) bool {
	if strings.HasPrefix(h, "[") {
		_, err := netip.ParseAddr(strings.Trim(h, "[]"))
		return err == nil
	}
	// Label by label, without splitting into a new slice: every
	// candidate is parsed.
	for rest, more := h, true; more; {
		var label string
		label, rest, more = strings.Cut(rest, ".")
		if label == "" || len(label) > 63 {
			return false
		}
		for _, r := range label {
			if !isHostRune(r) {
				return false
			}
		}
	}
	return true
}

func isHostRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_'
}

// isIP reports whether h is an IPv4 address or a bracketed IPv6 address.
func isIP(h string) bool {
	h = strings.Trim(h, "[]")
	// Without a colon only dotted decimal can parse: answer host names
	// here (ParseAddr allocates its error, and every candidate asks).
	if !strings.Contains(h, ":") && strings.IndexFunc(h, func(r rune) bool { return r != '.' && (r < '0' || r > '9') }) >= 0 {
		return false
	}
	_, err := netip.ParseAddr(h)
	return err == nil
}

// serialise returns the Origin header a browser sends for a page at URL u
// (the WHATWG URL parser's host handling, approximately): lower-case scheme
// and host, userinfo/path/query/fragment dropped, default port dropped,
// IPv4 number forms canonicalised, IPv6 compressed, Unicode hosts to
// punycode. ok is false when no browser loads such a URL, for example a
// host containing `*`, spaces or backticks, or a scheme whose documents
// have an opaque origin ("null": file, data...). App and extension schemes
// (capacitor://localhost, chrome-extension://<id>) have tuple origins in
// the browsers and webviews that use them: see appOrigin.
func serialise(u string) (string, bool) {
	if u == "null" {
		return u, true
	}
	i := strings.Index(u, "://")
	if i < 0 {
		return "", false
	}
	scheme := strings.ToLower(u[:i])
	if scheme != "http" && scheme != "https" {
		return appOrigin(scheme, u[i+3:])
	}
	rest := u[i+3:]
	if j := strings.IndexAny(rest, "/?#\\"); j >= 0 {
		rest = rest[:j]
	}
	if j := strings.LastIndexByte(rest, '@'); j >= 0 {
		rest = rest[j+1:]
	}
	var host, port string
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return "", false
		}
		addr, err := netip.ParseAddr(rest[1:end])
		if err != nil || !addr.Is6() || addr.Zone() != "" {
			return "", false
		}
		host = "[" + addr.String() + "]"
		after := rest[end+1:]
		if after != "" {
			p, ok := strings.CutPrefix(after, ":")
			if !ok {
				return "", false
			}
			port = p
		}
	} else {
		host, port, _ = strings.Cut(rest, ":")
		a, err := idna.Punycode.ToASCII(host)
		if err != nil {
			return "", false
		}
		host = strings.ToLower(a)
		if host == "" || !validHost(strings.TrimSuffix(host, ".")) {
			return "", false
		}
		if v4, ok := parseIPv4(host); ok {
			host = v4
		} else if last := lastLabel(host); last != "" && last[0] >= '0' && last[0] <= '9' {
			// WHATWG: a host whose last label is numeric must be an IPv4
			// address; anything else is a parse failure.
			return "", false
		}
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 0 || n > 65535 {
			return "", false
		}
		port = strconv.Itoa(n)
		if scheme == "https" && n == 443 || scheme == "http" && n == 80 {
			port = ""
		}
	}
	out := scheme + "://" + host
	if port != "" {
		out += ":" + port
	}
	return out, true
}

func lastLabel(h string) string {
	h = strings.TrimSuffix(h, ".")
	return h[strings.LastIndexByte(h, '.')+1:]
}

// parseIPv4 implements the WHATWG IPv4 parser: one to four parts, each
// decimal, octal (leading 0) or hex (0x), the last filling the remaining
// bytes. It returns the dotted-decimal form.
func parseIPv4(h string) (string, bool) {
	parts := strings.Split(strings.TrimSuffix(h, "."), ".")
	if len(parts) > 4 {
		return "", false
	}
	var nums []uint64
	for _, p := range parts {
		base := 10
		switch {
		case strings.HasPrefix(p, "0x") || strings.HasPrefix(p, "0X"):
			p, base = p[2:], 16
			if p == "" {
				p = "0"
			}
		case len(p) > 1 && p[0] == '0':
			p, base = p[1:], 8
		}
		n, err := strconv.ParseUint(p, base, 64)
		if err != nil {
			return "", false
		}
		nums = append(nums, n)
	}
	var v uint64
	for i, n := range nums[:len(nums)-1] {
		if n > 255 {
			return "", false
		}
		v |= n << (8 * (3 - i))
	}
	last := nums[len(nums)-1]
	if last >= 1<<(8*(5-len(nums))) {
		return "", false
	}
	v |= last
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}).String(), true
}

// appOrigin serialises the origin of a page on a non-http scheme that
// browsers and webviews give a tuple origin: extension schemes
// (chrome-extension, moz-extension, safari-web-extension) and the custom
// schemes of native shells (capacitor, ionic, tauri, app). The host is an
// opaque host, kept as written (Safari's extension UUIDs are upper case);
// there is no default port to drop. Schemes whose documents are opaque,
// and the special schemes no page is served from, have no such origin.
func appOrigin(scheme, rest string) (string, bool) {
	switch scheme {
	case "file", "data", "about", "javascript", "blob", "ws", "wss", "ftp":
		return "", false
	}
	for j := 0; j < len(scheme); j++ {
		if !schemeByte(scheme[j], j == 0) {
			return "", false
		}
	}
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		rest = rest[:j]
	}
	host, port, hasPort := strings.Cut(rest, ":")
	if host == "" || !validHost(strings.ToLower(host)) {
		return "", false
	}
	if hasPort {
		n, err := strconv.Atoi(port)
		if err != nil || n <= 0 || n > 65535 {
			return "", false
		}
		host += ":" + strconv.Itoa(n)
	}
	return scheme + "://" + host, true
}

// schemeByte: a URL scheme is a letter, then letters, digits, +, - and .
func schemeByte(c byte, first bool) bool {
	switch {
	case c >= 'a' && c <= 'z':
		return true
	case first:
		return false
	}
	return c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'
}
