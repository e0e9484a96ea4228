package fuzz

import (
	"bufio"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"

	"github.com/corsguard/corsguard/fuzz/driver"
	"github.com/corsguard/corsguard/rules"
)

// Target is one URL to fuzz and what is known about it.
type Target struct {
	URL string `json:"url"`
	// Trusted are origins trusted for this target on top of Options.Trusted.
	Trusted []string `json:"trusted,omitempty"`
	// Expect are the policies the endpoint is expected to have (a linted
	// config's policies for this host, or a policy file target). An origin
	// or header is expected when any of them grants it.
	Expect []rules.Policy `json:"-"`
	// ExpectSource names where Expect came from, for the diff header.
	ExpectSource string `json:"expectSource,omitempty"`
}

// Host returns the target's host name (lower case, no port).
func (t Target) Host() string {
	u, err := url.Parse(t.URL)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Hostname())
}

// ParseTargetURL checks that s is an absolute http(s) URL with a host.
func ParseTargetURL(s string) (*url.URL, error) {
	// Error messages quote the URL with its user information redacted:
	// they go to terminals and CI logs.
	s = strings.TrimSpace(s)
	// Without a scheme, url.Parse reads "api.example.com/v1" as a path and
	// fails on "localhost:8080/x" with a message about colons.
	if !strings.Contains(s, "://") {
		return nil, fmt.Errorf("%q has no scheme: did you mean http://%s ?", driver.RedactURL(s), driver.RedactURL(s))
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL", driver.RedactURL(s))
	}
	if u.User != nil {
		return nil, fmt.Errorf("%q: put credentials in --header or --cookie, not in the URL", driver.RedactURL(s))
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http(s) URL with a host", driver.RedactURL(s))
	}
	if _, err := driver.ParseOrigin(u.String()); err != nil {
		return nil, err
	}
	if u.Path == "" {
		u.Path = "/"
	}
	return u, nil
}

// ReadTargets reads one URL per line; blank lines and lines starting with
// # are skipped. Errors name the line.
func ReadTargets(r io.Reader, name string) ([]string, error) {
	var out []string
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		u, err := ParseTargetURL(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, n, err)
		}
		out = append(out, u.String())
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return out, nil
}

// ExpandPaths returns, for every URL, the URL itself and the URL with each
// path substituted ("paths per host"), without duplicates, in order.
func ExpandPaths(urls, paths []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, raw := range urls {
		u, err := ParseTargetURL(raw)
		if err != nil {
			return nil, err
		}
		add(u.String())
		for _, p := range paths {
			ref, err := url.Parse(p)
			if err != nil || ref.IsAbs() || ref.Host != "" {
				return nil, fmt.Errorf("--path %q: want a path such as /v1/me", p)
			}
			if !strings.HasPrefix(ref.Path, "/") {
				ref.Path = "/" + ref.Path
			}
			add(u.ResolveReference(ref).String())
		}
	}
	return out, nil
}

// Hosts returns the distinct host names of the targets (for --resolve
// lines; the scope is Origins).
func Hosts(targets []Target) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range targets {
		if h := t.Host(); h != "" && !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	sort.Strings(out)
	return out
}

// Origins returns the distinct origins (scheme://host:port) of the
// targets: the fuzzer's scope. Credentials go to these and nowhere else;
// another port or scheme of the same host is another origin.
func Origins(targets []Target) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range targets {
		o, err := driver.ParseOrigin(t.URL)
		if err != nil || seen[o.String()] {
			continue
		}
		seen[o.String()] = true
		out = append(out, o.String())
	}
	sort.Strings(out)
	return out
}

// SelectExpected picks, from a linted config's policies, those that apply
// to a URL: policies whose Hosts name the URL's host (or that name no host
// at all, e.g. a snippet), and among those, when scopes name nginx/Apache
// locations, the ones with the longest location prefix of the URL's path.
// A config rarely maps to URLs exactly; this is the heuristic a reader
// would apply, and the diff shows what it chose (scope names in evidence).
func SelectExpected(policies []rules.Policy, rawURL string) []rules.Policy {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil
	}
	host := strings.ToLower(u.Hostname())
	var byHost, anyHost []rules.Policy
	for _, p := range policies {
		if len(p.Hosts) == 0 {
			anyHost = append(anyHost, p)
			continue
		}
		for _, h := range p.Hosts {
			h = strings.ToLower(h)
			if h == host || h == "_" || strings.HasPrefix(h, "*.") && strings.HasSuffix(host, h[1:]) {
				byHost = append(byHost, p)
				break
			}
		}
	}
	cands := byHost
	if len(cands) == 0 {
		cands = anyHost
	}
	best, bestLen := []rules.Policy(nil), -1
	for _, p := range cands {
		prefix, ok := locationPrefix(p.Scope.Name)
		n := 0
		if ok {
			if !strings.HasPrefix(u.Path, prefix) {
				continue
			}
			n = len(prefix)
		}
		switch {
		case n > bestLen:
			best, bestLen = []rules.Policy{p}, n
		case n == bestLen:
			best = append(best, p)
		}
	}
	return best
}

// locationPrefix extracts the path of the innermost "location /x" or
// "<Location /x>" / "<Directory /x>" in a scope name such as
// `server api.example.com > location /v1`.
func locationPrefix(scope string) (string, bool) {
	parts := strings.Split(scope, ">")
	for i := len(parts) - 1; i >= 0; i-- {
		f := strings.Fields(strings.Trim(strings.TrimSpace(parts[i]), "<>"))
		if len(f) >= 2 && strings.EqualFold(f[0], "location") {
			p := f[len(f)-1]
			if strings.HasPrefix(p, "/") {
				return p, true
			}
		}
	}
	return "", false
}

// mergeExpected folds several expected policies into one: a grant is
// expected when any of them makes it.
func mergeExpected(ps []rules.Policy) rules.Policy {
	var m rules.Policy
	m.Format = "expected"
	for i, p := range ps {
		if i == 0 {
			m.Scope = p.Scope
			m.Preflight.Kind = p.Preflight.Kind
			m.Preflight.Status = p.Preflight.Status
		}
		if p.Preflight.Kind == rules.PreflightAnswered {
			m.Preflight.Kind = rules.PreflightAnswered
		}
		m.Actual.Origins = append(m.Actual.Origins, p.Actual.Origins...)
		m.Actual.Headers = append(m.Actual.Headers, p.Actual.Headers...)
		m.Preflight.Grant.Origins = append(m.Preflight.Grant.Origins, p.Preflight.Grant.Origins...)
		m.Preflight.Grant.Headers = append(m.Preflight.Grant.Headers, p.Preflight.Grant.Headers...)
		// A config that sets CORS headers on every response also answers
		// preflights with them unless it says otherwise.
		if p.Preflight.Kind == rules.PreflightUnknown || p.Preflight.Kind == rules.PreflightToApp {
			m.Preflight.Grant.Origins = append(m.Preflight.Grant.Origins, p.Actual.Origins...)
			m.Preflight.Grant.Headers = append(m.Preflight.Grant.Headers, p.Actual.Headers...)
		}
	}
	return m
}
