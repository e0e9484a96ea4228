package fuzz

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/corsguard/corsguard/fuzz/driver"
	"github.com/corsguard/corsguard/rules/report"
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
	// Credentials is the request's credentials mode ("include" when true).
	Credentials bool `json:"credentials"`
	// Fix is every header the request needs in every profile (WholeFix).
	Fix []FixHeader `json:"fix,omitempty"`
	// Server is the software that answered when it identifies itself
	// (nginx, apache, express, flask), and FixSnippet the fix in its
	// configuration language.
	Server     string `json:"server,omitempty"`
	FixSnippet string `json:"fixSnippet,omitempty"`
	// WithCredentials is each profile's verdict for the same request with
	// credentials, when the server offers them and the probe had none.
	WithCredentials []ProfileAnswer `json:"withCredentials,omitempty"`
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
	res := &ProbeResult{URL: r.URL, Origin: r.Origin, Method: sr.Method, Profile: profile, Credentials: r.Credentials}
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
	res.Fix = res.WholeFix()
	res.Server = res.identifyServer()
	if res.Server != "" && slices.ContainsFunc(res.Fix, func(f FixHeader) bool { return !f.OK }) {
		res.FixSnippet = res.fixSnippet(res.Server)
	}
	res.WithCredentials = res.withCredentials(r)
	return res, nil
}

func steps(phase string, ss []spec.Step) []StepJSON {
	out := make([]StepJSON, len(ss))
	for i, s := range ss {
		out[i] = StepJSON{Phase: phase, Name: s.Name, OK: s.OK, Detail: s.Detail, Fix: s.Fix}
	}
	return out
}

// Text renders a probe result for people, without colour.
func (p *ProbeResult) Text() string { return p.Render(false) }

// ANSI colours for Render.
const (
	ansiRed   = "\x1b[31m"
	ansiGreen = "\x1b[32m"
	ansiBold  = "\x1b[1m"
	ansiReset = "\x1b[0m"
)

// Render renders a probe result for people: the requests sent, each
// profile's steps with ✓/✗, then the whole fix (every header the request
// needs, in the server's own configuration when it says what it is) and,
// when the server offers credentials the probe did not use, the verdict
// with them. Values that came from the server are escaped (no terminal
// control sequences); color adds ANSI colours.
func (p *ProbeResult) Render(color bool) string {
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return code + s + ansiReset
	}
	mark := func(ok bool) string {
		if ok {
			return paint(ansiGreen, "✓")
		}
		return paint(ansiRed, "✗")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s from Origin %s\n", report.EscapeLine(p.Method), report.EscapeLine(p.URL), report.EscapeLine(p.Origin))
	for _, ex := range []*driver.Exchange{p.Preflight, p.Actual} {
		if ex == nil {
			continue
		}
		fmt.Fprintf(&b, "\n> %s\n", report.EscapeLine(ex.Curl))
		switch {
		case ex.Response != nil:
			fmt.Fprintf(&b, "< %d\n", ex.Response.Status)
			for _, name := range corsResponseHeaders {
				for _, v := range ex.Response.Header.Values(name) {
					fmt.Fprintf(&b, "< %s: %s\n", name, report.EscapeLine(v))
				}
			}
		case ex.Error != "":
			fmt.Fprintf(&b, "< error: %s\n", report.EscapeLine(ex.Error))
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
		verdict := paint(ansiRed, "BLOCKED")
		if g[0].Allowed {
			verdict = paint(ansiGreen, "allowed")
		}
		names := make([]string, len(g))
		for i, a := range g {
			names[i] = string(a.Profile)
		}
		fmt.Fprintf(&b, "\n%s: %s\n", strings.Join(names, ", "), verdict)
		for _, s := range g[0].Steps {
			fmt.Fprintf(&b, "  %s %s/%s: %s\n", mark(s.OK), s.Phase, s.Name, report.EscapeLine(s.Detail))
			if !s.OK && s.Fix != "" {
				fmt.Fprintf(&b, "      fix: %s\n", report.EscapeLine(s.Fix))
			}
		}
	}
	p.renderFix(&b, paint, mark)
	return b.String()
}

// renderFix writes the whole fix and the credentials note.
func (p *ProbeResult) renderFix(b *strings.Builder, paint func(string, string) string, mark func(bool) string) {
	if len(p.Fix) > 0 {
		mode := "without credentials"
		if p.Credentials {
			mode = "with credentials"
		}
		fmt.Fprintf(b, "\n%s\n", paint(ansiBold, "What the request needs in every browser ("+mode+"):"))
		for _, f := range p.Fix {
			now := ""
			switch {
			case f.Got == notSent:
				now = "  (" + notSent + ")"
			case !f.OK && f.Got == "":
				now = "  (now: absent)"
			case !f.OK:
				now = "  (now: " + report.EscapeLine(clip(f.Got, 200)) + ")"
			}
			fmt.Fprintf(b, "  %s %s %s: %s%s\n", mark(f.OK), f.Phase, f.Name, report.EscapeLine(f.Want), now)
		}
	}
	switch {
	case p.FixSnippet != "":
		fmt.Fprintf(b, "\n%s\n", paint(ansiBold, "The fix for "+p.Server+" (it identified itself):"))
		for _, l := range strings.Split(strings.TrimRight(p.FixSnippet, "\n"), "\n") {
			fmt.Fprintf(b, "    %s\n", report.EscapeLine(l))
		}
	case slices.ContainsFunc(p.Fix, func(f FixHeader) bool { return !f.OK }):
		b.WriteString("\n(the server does not say what it runs: set the headers marked ✗ above in its CORS configuration)\n")
	}
	if len(p.WithCredentials) > 0 {
		var allowed, blocked []string
		why := ""
		for _, a := range p.WithCredentials {
			if a.Allowed {
				allowed = append(allowed, string(a.Profile))
			} else {
				blocked = append(blocked, string(a.Profile))
				if why == "" {
					why = firstFailure(a)
				}
			}
		}
		fmt.Fprintf(b, "\nThe server sends Access-Control-Allow-Credentials: true; with credentials: \"include\" (--credentials) the same answers are ")
		switch {
		case len(blocked) == 0:
			fmt.Fprintf(b, "%s in every profile\n", paint(ansiGreen, "allowed"))
		case len(allowed) == 0:
			fmt.Fprintf(b, "%s in every profile (%s)\n", paint(ansiRed, "BLOCKED"), report.EscapeLine(why))
		default:
			fmt.Fprintf(b, "%s in %s, %s in %s (%s)\n", paint(ansiGreen, "allowed"), strings.Join(allowed, ", "),
				paint(ansiRed, "BLOCKED"), strings.Join(blocked, ", "), report.EscapeLine(why))
		}
	}
}

var corsResponseHeaders = []string{
	"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Allow-Methods",
	"Access-Control-Allow-Headers", "Access-Control-Expose-Headers", "Access-Control-Max-Age",
	"Access-Control-Allow-Private-Network", "Vary", "Location",
}
