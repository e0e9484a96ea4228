package driver

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ParseResolve reads "host:port:addr" or "host:port:addr:port2" (IPv6 addr
// in brackets) and returns the dial key "host:port" and the address to dial.
func ParseResolve(s string) (from, to string, err error) {
	parts := strings.SplitN(s, ":", 3)
	if len(parts) != 3 || parts[0] == "" || parts[2] == "" {
		return "", "", fmt.Errorf("--resolve %q: want host:port:addr[:port]", s)
	}
	port, err := strconv.Atoi(parts[1])
	if err != nil || port <= 0 || port > 65535 {
		return "", "", fmt.Errorf("--resolve %q: bad port %q", s, parts[1])
	}
	host, err := NormHost(parts[0])
	if err != nil {
		return "", "", fmt.Errorf("--resolve %q: %v", s, err)
	}
	from = net.JoinHostPort(host, strconv.Itoa(port))
	addr, port2 := parts[2], parts[1]
	switch {
	case strings.HasPrefix(addr, "["):
		end := strings.Index(addr, "]")
		if end < 0 {
			return "", "", fmt.Errorf("--resolve %q: unclosed [ in address", s)
		}
		if rest := addr[end+1:]; rest != "" {
			if !strings.HasPrefix(rest, ":") {
				return "", "", fmt.Errorf("--resolve %q: junk after address", s)
			}
			port2 = rest[1:]
		}
		addr = addr[1:end]
	case strings.Count(addr, ":") == 1:
		addr, port2, _ = strings.Cut(addr, ":")
	}
	if p, err := strconv.Atoi(port2); err != nil || p <= 0 || p > 65535 || addr == "" {
		return "", "", fmt.Errorf("--resolve %q: want host:port:addr[:port]", s)
	}
	return from, net.JoinHostPort(addr, port2), nil
}

func (c *Client) transport() (*http.Transport, error) {
	dialer := &net.Dialer{Timeout: c.cfg.Timeout, KeepAlive: 30 * time.Second}
	t := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			to, err := c.dialAddr(addr)
			if err != nil {
				return nil, err
			}
			conn, err := dialer.DialContext(ctx, network, to)
			if err != nil {
				return nil, err
			}
			return &deadlineConn{Conn: conn, timeout: c.cfg.Timeout}, nil
		},
		MaxIdleConns:           c.cfg.Conns * 4,
		MaxIdleConnsPerHost:    c.cfg.Conns,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: c.cfg.HeaderCap,
		TLSHandshakeTimeout:    c.cfg.Timeout,
		// No ResponseHeaderTimeout: it costs a timer per request, and the
		// attempt's own deadline (deadlineConn, or the context in once)
		// already bounds the wait for headers.
		// CORS headers must be seen exactly as sent; no transparent gzip.
		DisableCompression: true,
		ForceAttemptHTTP2:  true,
		Proxy:              nil,
	}
	if c.cfg.Insecure {
		t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // the user asked for it (--insecure)
	}
	if c.cfg.Proxy != "" {
		u, err := url.Parse(c.cfg.Proxy)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("--proxy %q: not a proxy URL", RedactURL(c.cfg.Proxy))
		}
		host, err := NormHost(u.Hostname())
		if err != nil {
			return nil, fmt.Errorf("--proxy %q: %v", RedactURL(c.cfg.Proxy), err)
		}
		port := u.Port()
		if port == "" {
			port = map[string]string{"http": "80", "https": "443", "socks5": "1080", "socks5h": "1080"}[strings.ToLower(u.Scheme)]
		}
		c.dialable[net.JoinHostPort(host, port)] = true
		t.Proxy = http.ProxyURL(u)
	}
	return t, nil
}

// dialAddr is the only way to the network: it maps a "host:port" the
// transport wants to the address to connect to, and refuses any that no
// in-scope origin (or the proxy) leads to, and any pinned host on a port
// that is not pinned, so that a name the user pinned never reaches DNS.
func (c *Client) dialAddr(addr string) (string, error) {
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("%w: dial %q", ErrOutOfScope, addr)
	}
	host, err := NormHost(h)
	if err != nil {
		return "", fmt.Errorf("%w: dial %q: %v", ErrOutOfScope, addr, err)
	}
	key := net.JoinHostPort(host, p)
	if !c.dialable[key] {
		return "", fmt.Errorf("%w: refusing to connect to %s", ErrOutOfScope, key)
	}
	if to, ok := c.resolve[key]; ok {
		return to, nil
	}
	if c.pinned[host] {
		return "", fmt.Errorf("%w: %s is pinned by --resolve on another port; not looking it up in DNS", ErrOutOfScope, key)
	}
	return key, nil
}
