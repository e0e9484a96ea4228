package fuzz

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/corsguard/corsguard/fuzz/driver"
	"github.com/corsguard/corsguard/rules/spec"
)

// notSent is FixHeader.Got for the actual response when it was not sent.
const notSent = "not seen: the actual request was not sent (--always sends it)"

// FixHeader is one response header (or the preflight's status) that the
// request needs to pass in every browser profile, and whether the server
// already sends it.
type FixHeader struct {
	Phase string `json:"phase"` // preflight or actual
	Name  string `json:"name"`  // a header name, or "status"
	Want  string `json:"want"`
	Got   string `json:"got,omitempty"`
	OK    bool   `json:"ok"`
}

// WholeFix lists every header the preflight (when one is needed) and the
// actual response must carry for this request to pass in every profile,
// credentials and Vary: Origin included, each marked as present or not:
// the whole change in one run, not the first failing check.
func (p *ProbeResult) WholeFix() []FixHeader {
	var out []FixHeader
	add := func(phase, name, want, got string, ok bool) {
		out = append(out, FixHeader{Phase: phase, Name: name, Want: want, Got: got, OK: ok})
	}
	origin := func(phase string, h http.Header) {
		got := strings.Join(h.Values("Access-Control-Allow-Origin"), ", ")
		add(phase, "Access-Control-Allow-Origin", p.Origin, got, got == p.Origin || got == "*" && !p.Credentials)
		if p.Credentials {
			got := strings.Join(h.Values("Access-Control-Allow-Credentials"), ", ")
			add(phase, "Access-Control-Allow-Credentials", "true", got, got == "true")
		}
	}
	if p.Preflight != nil && p.Preflight.Response != nil {
		h := p.Preflight.Response.Header
		st := p.Preflight.Response.Status
		add("preflight", "status", "204 (any 2xx)", fmt.Sprint(st), st >= 200 && st <= 299)
		origin("preflight", h)
		asked := p.Preflight.Request.Header
		if m := asked.Get("Access-Control-Request-Method"); m != "" && !spec.IsSafelistedMethod(m) {
			got := strings.Join(h.Values("Access-Control-Allow-Methods"), ", ")
			add("preflight", "Access-Control-Allow-Methods", m, got, listHas(got, m, true) || got == "*" && !p.Credentials)
		}
		if names := asked.Get("Access-Control-Request-Headers"); names != "" {
			got := strings.Join(h.Values("Access-Control-Allow-Headers"), ", ")
			ok := true
			for _, n := range strings.Split(names, ",") {
				n = strings.TrimSpace(n)
				star := got == "*" && !p.Credentials && !strings.EqualFold(n, "authorization")
				ok = ok && (listHas(got, n, false) || star)
			}
			add("preflight", "Access-Control-Allow-Headers", names, got, ok)
		}
		if asked.Get("Access-Control-Request-Private-Network") == "true" {
			got := h.Get("Access-Control-Allow-Private-Network")
			add("preflight", "Access-Control-Allow-Private-Network", "true", got, got == "true")
		}
	}
	h := http.Header{}
	if p.Actual != nil && p.Actual.Response != nil {
		h = p.Actual.Response.Header
	}
	start := len(out)
	origin("actual", h)
	defer func() {
		if p.Actual == nil {
			// Not seen, not absent: the browser would stop before it.
			for i := start; i < len(out); i++ {
				out[i].Got = notSent
			}
		}
	}()
	if public := h.Get("Access-Control-Allow-Origin") == "*" && !p.Credentials; !public {
		// An origin-specific answer must tell caches it depends on Origin.
		got := strings.Join(h.Values("Vary"), ", ")
		add("actual", "Vary", "Origin", got, varyOrigin(h))
	}
	return out
}

func listHas(list, item string, caseSensitive bool) bool {
	for _, v := range strings.Split(list, ",") {
		v = strings.TrimSpace(v)
		if v == item || !caseSensitive && strings.EqualFold(v, item) {
			return true
		}
	}
	return false
}

// identifyServer names the software that answered, from Server and X-Powered-By,
// when it is one whose configuration the fix can be written for.
func (p *ProbeResult) identifyServer() string {
	for _, ex := range []*driver.Exchange{p.Actual, p.Preflight} {
		if ex == nil || ex.Response == nil {
			continue
		}
		h := ex.Response.Header
		srv, by := strings.ToLower(h.Get("Server")), strings.ToLower(h.Get("X-Powered-By"))
		switch {
		case strings.HasPrefix(srv, "nginx"):
			return "nginx"
		case strings.HasPrefix(srv, "apache"):
			return "apache"
		case strings.Contains(by, "express"):
			return "express"
		case strings.HasPrefix(srv, "werkzeug"):
			return "flask"
		}
	}
	return ""
}

// fixSnippet writes the fix in the server's own configuration language:
// an exact allowlist (never reflection), credentials, the methods and
// headers asked for, and Vary: Origin.
func (p *ProbeResult) fixSnippet(server string) string {
	methods, headers := []string{}, []string{}
	if p.Preflight != nil {
		if m := p.Preflight.Request.Header.Get("Access-Control-Request-Method"); m != "" {
			methods = append(methods, m)
		}
		for _, n := range strings.Split(p.Preflight.Request.Header.Get("Access-Control-Request-Headers"), ",") {
			if n = strings.TrimSpace(n); n != "" {
				headers = append(headers, n)
			}
		}
	}
	quoted := func(xs []string) string {
		q := make([]string, len(xs))
		for i, x := range xs {
			q[i] = fmt.Sprintf("%q", x)
		}
		return strings.Join(q, ", ")
	}
	var b strings.Builder
	switch server {
	case "nginx":
		fmt.Fprintf(&b, "map $http_origin $cors_origin {\n    default \"\";\n    %q $http_origin;\n}\n", p.Origin)
		b.WriteString("# in the server or location block:\nadd_header Access-Control-Allow-Origin $cors_origin always;\n")
		if p.Credentials {
			b.WriteString("add_header Access-Control-Allow-Credentials true always;\n")
		}
		b.WriteString("add_header Vary Origin always;\n")
		if p.Preflight != nil {
			b.WriteString("if ($request_method = OPTIONS) {\n    add_header Access-Control-Allow-Origin $cors_origin always;\n")
			if p.Credentials {
				b.WriteString("    add_header Access-Control-Allow-Credentials true always;\n")
			}
			if len(methods) > 0 {
				fmt.Fprintf(&b, "    add_header Access-Control-Allow-Methods %q always;\n", strings.Join(methods, ", "))
			}
			if len(headers) > 0 {
				fmt.Fprintf(&b, "    add_header Access-Control-Allow-Headers %q always;\n", strings.Join(headers, ", "))
			}
			b.WriteString("    add_header Vary Origin always;\n    return 204;\n}\n")
		}
	case "apache":
		fmt.Fprintf(&b, "SetEnvIf Origin \"^%s$\" CORS_ORIGIN=$0\n", regexpQuote(p.Origin))
		b.WriteString("Header always set Access-Control-Allow-Origin \"%{CORS_ORIGIN}e\" env=CORS_ORIGIN\n")
		if p.Credentials {
			b.WriteString("Header always set Access-Control-Allow-Credentials \"true\" env=CORS_ORIGIN\n")
		}
		b.WriteString("Header always merge Vary Origin\n")
		if len(methods) > 0 {
			fmt.Fprintf(&b, "Header always set Access-Control-Allow-Methods %q env=CORS_ORIGIN\n", strings.Join(methods, ", "))
		}
		if len(headers) > 0 {
			fmt.Fprintf(&b, "Header always set Access-Control-Allow-Headers %q env=CORS_ORIGIN\n", strings.Join(headers, ", "))
		}
		if p.Preflight != nil {
			b.WriteString("RewriteEngine On\nRewriteCond %{REQUEST_METHOD} OPTIONS\nRewriteRule ^ - [R=204,L]\n")
		}
	case "express":
		fmt.Fprintf(&b, "app.use(cors({\n  origin: [%q],\n", p.Origin)
		if p.Credentials {
			b.WriteString("  credentials: true,\n")
		}
		if len(methods) > 0 {
			fmt.Fprintf(&b, "  methods: [%s],\n", quoted(methods))
		}
		if len(headers) > 0 {
			fmt.Fprintf(&b, "  allowedHeaders: [%s],\n", quoted(headers))
		}
		b.WriteString("}));  // before any auth middleware: preflights carry no cookies\n")
	case "flask":
		fmt.Fprintf(&b, "CORS(app, origins=[%q]", p.Origin)
		if p.Credentials {
			b.WriteString(", supports_credentials=True")
		}
		if len(methods) > 0 {
			fmt.Fprintf(&b, ", methods=[%s]", quoted(methods))
		}
		if len(headers) > 0 {
			fmt.Fprintf(&b, ", allow_headers=[%s]", quoted(headers))
		}
		b.WriteString(")  # exact origins: no regex, no trailing slash\n")
	}
	return b.String()
}

func regexpQuote(s string) string {
	r := strings.NewReplacer(".", `\.`, "+", `\+`, "*", `\*`, "?", `\?`, "(", `\(`, ")", `\)`, "[", `\[`, "]", `\]`, "^", `\^`, "$", `\$`, "|", `\|`)
	return r.Replace(s)
}

// withCredentials answers "and with credentials?" when the server offers
// them (Access-Control-Allow-Credentials: true) but the probe was made
// without: the profiles that would allow the same request with
// credentials: "include", judged on the same answers.
func (p *ProbeResult) withCredentials(r ProbeRequest) []ProfileAnswer {
	if r.Credentials {
		return nil
	}
	offered := false
	for _, ex := range []*driver.Exchange{p.Preflight, p.Actual} {
		if ex != nil && ex.Response != nil && ex.Response.Header.Get("Access-Control-Allow-Credentials") == "true" {
			offered = true
		}
	}
	if !offered {
		return nil
	}
	sr := spec.Request{Origin: r.Origin, Method: spec.NormalizeMethod(r.Method), Header: r.Header, Credentials: true, PrivateNetwork: r.PrivateNetwork}
	if sr.Header == nil {
		sr.Header = http.Header{}
	}
	var pre *spec.Response
	if p.Preflight != nil && p.Preflight.Response != nil {
		pre = &spec.Response{Status: p.Preflight.Response.Status, Header: p.Preflight.Response.Header}
	}
	actual := spec.Response{Header: http.Header{}}
	if p.Actual != nil && p.Actual.Response != nil {
		actual = spec.Response{Status: p.Actual.Response.Status, Header: p.Actual.Response.Header}
	}
	var out []ProfileAnswer
	for _, prof := range spec.Profiles {
		d := spec.Evaluate(prof, sr, pre, actual)
		a := ProfileAnswer{Profile: prof, Allowed: d.Allowed, PreflightNeeded: d.PreflightNeeded}
		if d.Preflight != nil {
			a.Steps = append(a.Steps, steps("preflight", d.Preflight.Steps)...)
		}
		a.Steps = append(a.Steps, steps("actual", d.Actual.Steps)...)
		out = append(out, a)
	}
	return out
}

// firstFailure is the first failing step's detail, for one-line summaries.
func firstFailure(a ProfileAnswer) string {
	i := slices.IndexFunc(a.Steps, func(s StepJSON) bool { return !s.OK })
	if i < 0 {
		return ""
	}
	return a.Steps[i].Phase + "/" + a.Steps[i].Name + ": " + a.Steps[i].Detail
}
