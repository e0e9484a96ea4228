package fuzz

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/corsguard/corsguard/fuzz/driver"
	"github.com/corsguard/corsguard/rules/spec"
)

// ProbeRequest is what a page on Origin asks fetch() to do.
type ProbeRequest struct {
	URL         string
	Origin      string
	Method      string
	Header      http.Header // author request headers (-H)
	Credentials bool        // credentials: "include"
	// PrivateNetwork marks the target as more private than the page (PNA).
	PrivateNetwork bool
	// Always sends the actual request even when every profile fails the
	// preflight (a browser would not; useful to see the actual answer).
	Always bool
}

// ProfileAnswer is one browser profile's verdict.
type ProfileAnswer struct {
	Profile         spec.Profile `json:"profile"`
	Allowed         bool         `json:"allowed"`
	PreflightNeeded bool         `json:"preflightNeeded"`
	Steps           []StepJSON   `json:"steps"`
	MaxAgeSeconds   float64      `json:"maxAgeSeconds,omitempty"`
	Exposed         []string     `json:"exposed,omitempty"`
}

// StepJSON is spec.Step with JSON names.
type StepJSON struct {
	Phase  string `json:"phase"` // preflight or actual
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail,omitempty"`
	Fix    string `json:"fix,omitempty"`
}

// ProbeResult answers "what is stopping me?" for one request.
type ProbeResult struct {
	URL     string       `json:"url"`
	Origin  string       `json:"origin"`
	Method  string       `json:"method"`
	Allowed bool         `json:"allowed"` // under Profile
	Profile spec.Profile `json:"profile"`
	// Preflight is the OPTIONS exchange, when one was needed.
	Preflight *driver.Exchange `json:"preflight,omitempty"`
	// Actual is the actual request's exchange, nil when it was not sent.
	Actual   *driver.Exchange `json:"actual,omitempty"`
	Steps    []StepJSON       `json:"steps"` // under Profile
	Profiles []ProfileAnswer  `json:"profiles"`
	// MostPermissive names the first profile that allows the request (the
	// security view: an attacker picks the browser), or "" if none does.
	MostPermissive spec.Profile `json:"mostPermissive,omitempty"`
	// NetworkError is set when a request got no answer (refused, DNS, TLS,
	// timeout): there is then no CORS verdict at all, and Profiles is empty.
	NetworkError string `json:"networkError,omitempty"`
}

// Probe sends exactly what a browser would for r (the preflight when some
// profile needs one, then the actual request unless every profile's
// preflight failed) and evaluates each profile. profile picks the verdict
// reported at the top level.
func Probe(ctx context.Context, c *driver.Client, r ProbeRequest, profile spec.Profile) (*ProbeResult, error) {
	if r.Method == "" {
		r.Method = http.MethodGet
	}
	sr := spec.Request{Origin: r.Origin, Method: spec.NormalizeMethod(r.Method), Header: r.Header,
		Credentials: r.Credentials, PrivateNetwork: r.PrivateNetwork}
	if sr.Header == nil {
		sr.Header = http.Header{}
	}
	res := &ProbeResult{URL: r.URL, Origin: r.Origin, Method: sr.Method, Profile: profile}
	needed := false
	for _, p := range spec.Profiles {
		needed = needed || spec.NeedsPreflightFor(p, sr)
	}
	var pre *spec.Response
	if needed {
		h := spec.PreflightHeaders(sr)
		if r.PrivateNetwork {
			h.Set("Access-Control-Request-Private-Network", "true")
		}
		ex, err := c.Send(ctx, driver.Request{Method: http.MethodOptions, URL: r.URL, Header: h})
		if err != nil {
			return nil, err
		}
		ex.Curl = c.Curl(ex.Request)
		res.Preflight = &ex
		if ex.Response == nil {
			// Browsers report a network error too, but the cause is not CORS:
			// diagnosing headers that never came would send the user astray.
			res.NetworkError = "preflight: " + ex.Error
			return res, nil
		}
		pre = &spec.Response{Status: ex.Response.Status, Header: ex.Response.Header}
	}
	sendActual := !needed || r.Always
	if needed && pre != nil && !sendActual {
		for _, p := range spec.Profiles {
			if v := spec.PreflightCheck(p, sr, pre.Status, pre.Header); v.OK {
				sendActual = true
				break
			}
		}
	}
	actual := spec.Response{Header: http.Header{}}
	if sendActual {
		h := http.Header{}
		for k, vs := range r.Header {
			h[http.CanonicalHeaderKey(k)] = vs
		}
		h.Set("Origin", r.Origin)
		ex, err := c.Send(ctx, driver.Request{Method: sr.Method, URL: r.URL, Header: h, Credentials: r.Credentials})
		if err != nil {
			return nil, err
		}
		ex.Curl = c.Curl(ex.Request)
		res.Actual = &ex
		if ex.Response == nil {
			res.NetworkError = "actual request: " + ex.Error
			return res, nil
		}
		actual = spec.Response{Status: ex.Response.Status, Header: ex.Response.Header}
	}
	for _, p := range spec.Profiles {
		d := spec.Evaluate(p, sr, pre, actual)
		a := ProfileAnswer{Profile: p, Allowed: d.Allowed, PreflightNeeded: d.PreflightNeeded,
			MaxAgeSeconds: d.MaxAge.Seconds(), Exposed: d.Exposed}
		if d.Preflight != nil {
			a.Steps = append(a.Steps, steps("preflight", d.Preflight.Steps)...)
		}
		a.Steps = append(a.Steps, steps("actual", d.Actual.Steps)...)
		res.Profiles = append(res.Profiles, a)
		if p == profile {
			res.Allowed, res.Steps = a.Allowed, a.Steps
		}
		if a.Allowed && res.MostPermissive == "" {
			res.MostPermissive = p
		}
	}
	return res, nil
}

func steps(phase string, ss []spec.Step) []StepJSON {
	out := make([]StepJSON, len(ss))
	for i, s := range ss {
		out[i] = StepJSON{Phase: phase, Name: s.Name, OK: s.OK, Detail: s.Detail, Fix: s.Fix}
	}
	return out
}

// Text renders a probe result for people: the requests sent, then each
// profile's steps with ✓/✗ and the header change that would fix a failure.
func (p *ProbeResult) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s from Origin %s\n", p.Method, p.URL, p.Origin)
	for _, ex := range []*driver.Exchange{p.Preflight, p.Actual} {
		if ex == nil {
			continue
		}
		fmt.Fprintf(&b, "\n> %s\n", ex.Curl)
		switch {
		case ex.Response != nil:
			fmt.Fprintf(&b, "< %d\n", ex.Response.Status)
			for _, name := range corsResponseHeaders {
				for _, v := range ex.Response.Header.Values(name) {
					fmt.Fprintf(&b, "< %s: %s\n", name, v)
				}
			}
		case ex.Error != "":
			fmt.Fprintf(&b, "< error: %s\n", ex.Error)
		}
	}
	if p.NetworkError != "" {
		fmt.Fprintf(&b, "\nnetwork error (%s): the server gave no answer, so there is no CORS verdict; a browser shows this as a CORS error too, but no header change fixes it: check the URL, that the server is up and reachable from here, and its TLS certificate\n", p.NetworkError)
		return b.String()
	}
	if p.Preflight != nil && p.Actual == nil {
		b.WriteString("\n(the actual request was not sent: every browser would stop at the preflight)\n")
	}
	// Profiles that reach the same verdict by the same steps print once.
	var groups [][]ProfileAnswer
	for _, a := range p.Profiles {
		i := slices.IndexFunc(groups, func(g []ProfileAnswer) bool {
			return g[0].Allowed == a.Allowed && slices.Equal(g[0].Steps, a.Steps)
		})
		if i < 0 {
			groups = append(groups, []ProfileAnswer{a})
		} else {
			groups[i] = append(groups[i], a)
		}
	}
	for _, g := range groups {
		verdict := "BLOCKED"
		if g[0].Allowed {
			verdict = "allowed"
		}
		names := make([]string, len(g))
		for i, a := range g {
			names[i] = string(a.Profile)
		}
		fmt.Fprintf(&b, "\n%s: %s\n", strings.Join(names, ", "), verdict)
		for _, s := range g[0].Steps {
			mark := "✗"
			if s.OK {
				mark = "✓"
			}
			fmt.Fprintf(&b, "  %s %s/%s: %s\n", mark, s.Phase, s.Name, s.Detail)
			if !s.OK && s.Fix != "" {
				fmt.Fprintf(&b, "      fix: %s\n", s.Fix)
			}
		}
	}
	return b.String()
}

var corsResponseHeaders = []string{
	"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Allow-Methods",
	"Access-Control-Allow-Headers", "Access-Control-Expose-Headers", "Access-Control-Max-Age",
	"Access-Control-Allow-Private-Network", "Vary", "Location",
}
