package observe

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/corsguard/corsguard/rules"
	"github.com/corsguard/corsguard/rules/attack"
)

// Kind says which CORS request an observation answers.
type Kind uint8

const (
	Actual    Kind = iota // the request a page makes (GET, PUT...)
	Preflight             // OPTIONS with Access-Control-Request-Method
)

// Observation is one response as the observer needs it.
type Observation struct {
	Kind Kind
	URL  string
	// Origin is the Origin header sent; HasOrigin false means none was sent.
	Origin    string
	HasOrigin bool
	// Hostile marks an origin no allowlist would hold (ATTACKS.md
	// "arbitrary", e.g. https://evil.test): echoing it means reflection.
	Hostile bool
	// Method is the actual request's method, or the preflight's
	// Access-Control-Request-Method; RequestHeaders the preflight's
	// Access-Control-Request-Headers as sent.
	Method         string
	RequestHeaders string
	Status         int
	Header         http.Header
}

func (o Observation) ok() bool {
	if o.Kind == Preflight {
		return o.Status >= 200 && o.Status <= 299
	}
	return o.Status > 0 && o.Status < 400
}

// Build returns the policy the observations show for one target URL.
// Origins that were echoed become an echoed list (and a Reflect rule when a
// hostile origin was among them), a fixed ACAO a literal list, `*` OriginAny.
// A header value that always equals what the request asked for
// (Allow-Methods = ACRM, Allow-Headers = ACRH, over at least two different
// asks) is recorded as reflecting that request header.
func Build(target string, obs []Observation) rules.Policy {
	var actual, pre []Observation
	for _, o := range obs {
		if o.Kind == Preflight {
			pre = append(pre, o)
		} else {
			actual = append(actual, o)
		}
	}
	p := rules.Policy{
		Format: "live",
		Scope:  rules.Scope{Name: target, Range: rules.Range{File: target}},
		Actual: grant(target, actual),
	}
	if u := strings.ToLower(target); strings.HasPrefix(u, "https://") {
		p.HTTPS = rules.Known
	}
	p.Preflight = preflight(target, pre)
	return p
}

func preflight(target string, pre []Observation) rules.Preflight {
	if len(pre) == 0 {
		return rules.Preflight{Kind: rules.PreflightUnknown, Reason: "no preflight was sent"}
	}
	var kind rules.PreflightKind
	status := 0
	for _, o := range pre {
		k := rules.PreflightRejected
		switch {
		case o.Status >= 200 && o.Status <= 299:
			k = rules.PreflightAnswered
		case o.Status >= 300 && o.Status <= 399:
			k = rules.PreflightRedirect
		case o.Status == http.StatusUnauthorized || o.Status == http.StatusProxyAuthRequired:
			k = rules.PreflightAuth
		}
		// Answered wins over everything: one 2xx shows the server handles
		// OPTIONS; the others are then per-origin or per-method refusals.
		if status == 0 || k == rules.PreflightAnswered && kind != rules.PreflightAnswered {
			kind, status = k, o.Status
		}
	}
	return rules.Preflight{Kind: kind, Status: status, Grant: grant(target, pre),
		Evidence: []rules.Evidence{{Range: rules.Range{File: target}, Text: fmt.Sprintf("OPTIONS → %d", status)}}}
}

func ev(target, text string) rules.Evidence {
	return rules.Evidence{Range: rules.Range{File: target}, Text: text}
}

func grant(target string, obs []Observation) rules.Grant {
	var g rules.Grant
	var anyEv, reflectEv *rules.Evidence
	echoed, literal := map[string]bool{}, map[string]bool{}
	var firstEcho, firstLiteral rules.Evidence
	for _, o := range obs {
		vals := o.Header.Values(rules.HeaderAllowOrigin)
		if !o.ok() || !o.HasOrigin || len(vals) == 0 {
			continue
		}
		v := strings.Join(vals, ", ")
		e := ev(target, fmt.Sprintf("%s with Origin: %s → %s: %s", methodOf(o), o.Origin, rules.HeaderAllowOrigin, v))
		switch {
		case v == "*":
			if anyEv == nil {
				anyEv = &e
			}
		case v == strings.TrimSpace(o.Origin):
			// Servers see header values without surrounding whitespace, so an
			// echo of a padded Origin is still an echo.
			if len(echoed) == 0 {
				firstEcho = e
			}
			echoed[v] = true
			if o.Hostile && reflectEv == nil {
				reflectEv = &e
			}
		default:
			if len(literal) == 0 {
				firstLiteral = e
			}
			literal[v] = true
		}
	}
	if anyEv != nil {
		g.Origins = append(g.Origins, rules.OriginRule{Kind: rules.OriginAny, Evidence: []rules.Evidence{*anyEv}})
	}
	if reflectEv != nil {
		g.Origins = append(g.Origins, rules.OriginRule{Kind: rules.OriginReflect, Echo: true, Evidence: []rules.Evidence{*reflectEv}})
	}
	if len(echoed) > 0 {
		g.Origins = append(g.Origins, rules.OriginRule{Kind: rules.OriginList, Values: sortedKeys(echoed), Echo: true, Evidence: []rules.Evidence{firstEcho}})
	}
	for v := range literal {
		if echoed[v] {
			delete(literal, v) // an echo of this origin seen elsewhere, not a fixed value
		}
	}
	if len(literal) > 0 {
		g.Origins = append(g.Origins, rules.OriginRule{Kind: rules.OriginList, Values: sortedKeys(literal), Evidence: []rules.Evidence{firstLiteral}})
	}
	for _, name := range rules.CORSHeaders {
		if name == rules.HeaderAllowOrigin {
			continue
		}
		g.Headers = append(g.Headers, headerFacts(target, name, obs)...)
	}
	return g
}

func methodOf(o Observation) string {
	if o.Kind == Preflight {
		return "OPTIONS (" + o.Method + ")"
	}
	return o.Method
}

// headerFacts returns one rules.Header per distinct value of name seen on
// successful responses, or a single reflected value.
func headerFacts(target, name string, obs []Observation) []rules.Header {
	reflects := ""
	switch name {
	case rules.HeaderAllowMethods:
		reflects = "Access-Control-Request-Method"
	case rules.HeaderAllowHeaders:
		reflects = "Access-Control-Request-Headers"
	}
	values := map[string]rules.Evidence{}
	echoAsks, mismatch := map[string]bool{}, false
	onError := false
	for _, o := range obs {
		vals := o.Header.Values(name)
		if len(vals) == 0 {
			continue
		}
		v := strings.Join(vals, ", ")
		if !o.ok() {
			onError = true
			continue
		}
		if _, seen := values[v]; !seen {
			values[v] = ev(target, fmt.Sprintf("%s with Origin: %s → %s: %s", methodOf(o), o.Origin, name, v))
		}
		if reflects != "" && o.Kind == Preflight {
			ask := o.Method
			if name == rules.HeaderAllowHeaders {
				ask = o.RequestHeaders
			}
			if ask != "" && strings.EqualFold(strings.TrimSpace(v), strings.TrimSpace(ask)) {
				echoAsks[strings.ToLower(ask)] = true
			} else {
				mismatch = true
			}
		}
	}
	if len(values) == 0 {
		return nil
	}
	if reflects != "" && !mismatch && len(echoAsks) >= 2 {
		var first rules.Evidence
		for _, k := range sortedKeys(toSet(values)) {
			first = values[k]
			break
		}
		return []rules.Header{{Name: name, Value: rules.ReflectedValue(reflects), Always: onError, Evidence: first}}
	}
	var out []rules.Header
	for _, v := range sortedKeys(toSet(values)) {
		out = append(out, rules.Header{Name: name, Value: rules.LiteralValue(v), Always: onError, Evidence: values[v]})
	}
	return out
}

func toSet[V any](m map[string]V) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Grants returns which of the probed origins an origin rule set grants,
// evaluating patterns with the server's own dialect. Errors name patterns
// that could not be evaluated (their origins count as not granted).
func Grants(g rules.Grant, probed []string) (granted map[string]bool, reflect, anyOrigin bool, errs []error) {
	granted = map[string]bool{}
	for _, o := range g.Origins {
		switch o.Kind {
		case rules.OriginAny:
			anyOrigin = true
		case rules.OriginReflect:
			reflect = true
			for _, p := range probed {
				// An empty Origin is echoed as an empty header, which
				// servers drop: no grant.
				if strings.TrimSpace(p) != "" {
					granted[p] = true
				}
			}
		case rules.OriginList:
			if !o.Echo {
				continue
			}
			for _, v := range o.Values {
				granted[v] = true
			}
		case rules.OriginPattern:
			if o.Pattern == nil {
				continue
			}
			m, err := attack.Compile(o.Pattern.Expr, o.Pattern.Dialect, o.Pattern.CaseInsensitive)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			for _, p := range probed {
				if ok, err := m.Match(p); err == nil && ok {
					granted[p] = true
				}
			}
		}
	}
	return granted, reflect, anyOrigin, errs
}

// Project rewrites an expected policy (which may hold patterns) as the
// grants it makes on the probed origins: patterns become the echoed list of
// probed origins they match, so that it can be rendered and diffed against
// an observed policy. Actual and preflight grants are projected on their
// own probe sets (only some origins are preflighted).
func Project(p rules.Policy, actualProbed, preflightProbed []string) (rules.Policy, []error) {
	out := p
	var errs []error
	out.Actual, errs = projectGrant(p.Actual, actualProbed)
	var e2 []error
	out.Preflight.Grant, e2 = projectGrant(p.Preflight.Grant, preflightProbed)
	return out, append(errs, e2...)
}

func projectGrant(g rules.Grant, probed []string) (rules.Grant, []error) {
	granted, reflect, anyOrigin, errs := Grants(g, probed)
	out := rules.Grant{Headers: g.Headers}
	if anyOrigin {
		out.Origins = append(out.Origins, rules.OriginRule{Kind: rules.OriginAny})
	}
	if reflect {
		out.Origins = append(out.Origins, rules.OriginRule{Kind: rules.OriginReflect, Echo: true})
	}
	probedSet := map[string]bool{}
	for _, p := range probed {
		probedSet[p] = true
	}
	var echoed []string
	for o := range granted {
		if probedSet[o] {
			echoed = append(echoed, o)
		}
	}
	sort.Strings(echoed)
	if len(echoed) > 0 {
		out.Origins = append(out.Origins, rules.OriginRule{Kind: rules.OriginList, Values: echoed, Echo: true})
	}
	for _, o := range g.Origins {
		if o.Kind == rules.OriginList && !o.Echo || o.Kind == rules.OriginUnknown {
			out.Origins = append(out.Origins, o)
		}
	}
	return out, errs
}
