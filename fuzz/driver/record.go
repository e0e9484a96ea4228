package driver

import (
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// record is the request as it will appear in evidence: a copy (the
// caller's map is not kept), secret headers as REDACTED. The values are
// copied into one array, sized first: one allocation for the lot.
func (c *Client) record(r Request) Sent {
	keys, values := len(r.Header), 0
	for _, vs := range r.Header {
		values += len(vs)
	}
	if r.Credentials {
		keys += len(c.cfg.Header) + 1
		values += len(c.cfg.Header) + 1
	}
	s := Sent{Method: r.Method, URL: r.URL, Credentials: r.Credentials, Header: make(http.Header, keys)}
	b := backing{vs: make([]string, 0, values)}
	for k, vs := range r.Header {
		ck := http.CanonicalHeaderKey(k)
		if c.secret[ck] {
			s.Header[ck] = b.add(Redacted)
			continue
		}
		s.Header[ck] = b.add(vs...)
	}
	if r.Credentials {
		for k := range c.cfg.Header {
			s.Header[http.CanonicalHeaderKey(k)] = b.add(Redacted)
		}
		if len(c.cfg.Cookies) > 0 {
			s.Header["Cookie"] = b.add(Redacted)
		}
	}
	return s
}

// backing hands out header value slices from one array.
type backing struct{ vs []string }

// add appends vs and returns them as a slice of their own (capped, so
// that appending to one never writes into the next).
func (b *backing) add(vs ...string) []string {
	from := len(b.vs)
	b.vs = append(b.vs, vs...)
	return b.vs[from:len(b.vs):len(b.vs)]
}

// Unredact fills REDACTED placeholders of a recorded request from the
// client's current secrets, so that --replay can resend a finding's request
// with the credentials given on its own command line.
func (c *Client) Unredact(s Sent) Request {
	r := Request{Method: s.Method, URL: s.URL, Credentials: s.Credentials, Header: http.Header{}}
	for k, vs := range s.Header {
		ck := http.CanonicalHeaderKey(k)
		if s.Credentials && (ck == "Cookie" || c.cfg.Header[ck] != nil) {
			continue // added back by Send from the current configuration
		}
		if len(vs) == 1 && vs[0] == Redacted {
			continue // a secret we no longer have: do not send a placeholder
		}
		r.Header[ck] = vs
	}
	return r
}

// Curl renders a recorded request as a curl command line. Redacted values
// stay redacted: the user substitutes their own.
func (c *Client) Curl(s Sent) string {
	var b strings.Builder
	b.WriteString("curl -sS -o /dev/null -D -")
	switch s.Method {
	case http.MethodGet:
	case http.MethodHead:
		b.WriteString(" --head")
	default:
		b.WriteString(" -X " + shellQuote(s.Method))
	}
	if u, err := url.Parse(s.URL); err == nil {
		if o, err := originOf(u); err == nil {
			if to, ok := c.resolve[o.HostPort()]; ok {
				h, p, _ := net.SplitHostPort(to)
				if strings.Contains(h, ":") {
					h = "[" + h + "]"
				}
				b.WriteString(" --connect-to " + shellQuote(u.Hostname()+":"+o.Port+":"+h+":"+p))
			}
		}
	}
	if c.cfg.Proxy != "" {
		b.WriteString(" --proxy " + shellQuote(RedactURL(c.cfg.Proxy)))
	}
	if c.cfg.Insecure {
		b.WriteString(" -k")
	}
	keys := make([]string, 0, len(s.Header))
	for k := range s.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range s.Header[k] {
			if v == "" {
				// curl drops "Name:" (it removes the header); "Name;" sends it empty.
				b.WriteString(" -H " + shellQuote(k+";"))
				continue
			}
			b.WriteString(" -H " + shellQuote(k+": "+v))
		}
	}
	b.WriteString(" " + shellQuote(s.URL))
	return c.redact.String(b.String())
}

// shellQuote quotes for POSIX shells: single quotes, each embedded quote
// closed, backslash-escaped and reopened.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') && !strings.ContainsRune("-_./:=@,+", r)
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
