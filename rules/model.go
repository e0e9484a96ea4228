package rules

import (
	"fmt"
	"strings"

	"github.com/corsguard/corsguard/rules/attack"
)

// Range is a span of source text. Lines and columns are 1-based; a zero
// column means the front end only knows the line (nginx-go-crossplane gives
// lines only).
type Range struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Col     int    `json:"col,omitempty"`
	EndLine int    `json:"endLine,omitempty"`
	EndCol  int    `json:"endCol,omitempty"`
}

// String renders the range the way compilers do: file:line:col.
func (r Range) String() string {
	if r.Line <= 0 {
		return r.File // a live target: a URL has no lines
	}
	if r.Col > 0 {
		return fmt.Sprintf("%s:%d:%d", r.File, r.Line, r.Col)
	}
	return fmt.Sprintf("%s:%d", r.File, r.Line)
}

// Evidence ties a fact to the directive or attribute it came from.
type Evidence struct {
	Range Range  `json:"range"`
	Text  string `json:"text,omitempty"` // the directive as written, on one line
}

// State is the tri-state every configured fact has: a config may set a
// value, leave it out, or set it from something the linter cannot resolve.
type State uint8

const (
	Absent  State = iota // the config does not set it
	Known                // the value is known exactly
	Unknown              // set, but from something the linter cannot resolve (Reason says what)
)

func (s State) String() string {
	switch s {
	case Known:
		return "known"
	case Unknown:
		return "unknown"
	default:
		return "absent"
	}
}

// Value is one configured header value.
type Value struct {
	State State `json:"state"`
	// Literal is the exact value sent, when State is Known and Reflects is empty.
	Literal string `json:"literal,omitempty"`
	// Reflects names the request header whose value is echoed unchanged
	// ("Origin", "Access-Control-Request-Headers", "Access-Control-Request-Method").
	Reflects string `json:"reflects,omitempty"`
	// Reason says why the value is unknown (e.g. `variable $cors set by a Lua block`).
	Reason string `json:"reason,omitempty"`
}

// LiteralValue is a known, fixed header value.
func LiteralValue(s string) Value { return Value{State: Known, Literal: s} }

// ReflectedValue echoes a request header.
func ReflectedValue(requestHeader string) Value {
	return Value{State: Known, Reflects: requestHeader}
}

// UnknownValue is a value the linter cannot resolve, with the reason.
func UnknownValue(reason string) Value { return Value{State: Unknown, Reason: reason} }

func (v Value) String() string {
	switch {
	case v.State == Unknown:
		return "unknown (" + v.Reason + ")"
	case v.State == Absent:
		return "absent"
	case v.Reflects != "":
		return "reflects request " + v.Reflects
	default:
		return fmt.Sprintf("%q", v.Literal)
	}
}

// Header is one response header the scope sends (add_header, Header set,
// a Terraform attribute...). ACAO headers appear here too, as configured;
// how the origin is chosen is described separately by OriginRule.
type Header struct {
	Name  string `json:"name"` // canonical form, e.g. Access-Control-Allow-Origin
	Value Value  `json:"value"`
	// Always is true when the header is also sent on 4xx/5xx responses
	// (nginx `always`, Apache `Header always`, cloud services).
	Always bool `json:"always"`
	// Condition is a human-readable guard ("$request_method = OPTIONS");
	// empty means unconditional.
	Condition string   `json:"condition,omitempty"`
	Evidence  Evidence `json:"evidence"`
	// Written is the value as the directive writes it (`$http_origin`,
	// `%{Origin}i`, a quoted list unquoted; Apache's Define variables
	// substituted, as httpd reads it), set by the front end when the
	// directive is a plain, unconditional setting of this one header at
	// Evidence (nginx `add_header Name Value [always]`, Apache `Header
	// [always|onsuccess] set|add|append|merge Name Value`, not expanded
	// from a macro): what a fix may copy into another scope or remove.
	// Empty otherwise.
	Written string `json:"written,omitempty"`
}

// OriginKind says how a response's Access-Control-Allow-Origin is chosen.
type OriginKind uint8

const (
	// OriginAny: a literal `*`.
	OriginAny OriginKind = iota
	// OriginReflect: the request Origin is echoed without any validation.
	OriginReflect
	// OriginList: exact origins. Echo tells whether the value sent is the
	// request's Origin (after an exact comparison) or the literal itself.
	OriginList
	// OriginPattern: the request Origin is echoed when it matches Pattern.
	OriginPattern
	// OriginUnknown: the value comes from something the linter cannot resolve.
	OriginUnknown
)

func (k OriginKind) String() string {
	return [...]string{"any", "reflect", "list", "pattern", "unknown"}[k]
}

// Dialect is the regular-expression or glob language of a Pattern; it is
// defined next to the matcher that runs it.
type Dialect = attack.Dialect

// The dialects, re-exported so front ends only import rules.
const (
	PCRE = attack.PCRE
	RE2  = attack.RE2
	Glob = attack.Glob
)

// Pattern is an origin pattern as the server evaluates it against the raw
// request Origin header (a regex search, not a full match, unless anchored).
type Pattern struct {
	Expr            string  `json:"expr"`
	Dialect         Dialect `json:"dialect"`
	CaseInsensitive bool    `json:"caseInsensitive,omitempty"`
	// DeployTime is true when the wildcards stand for a value fixed when
	// the configuration is deployed (a Terraform variable without a value),
	// not for the request's Origin: the server accepts one origin of this
	// shape, unknown to the linter, and no attacker chooses it.
	DeployTime bool     `json:"deployTime,omitempty"`
	Evidence   Evidence `json:"evidence"`
}

// OriginRule is one way an origin can be granted.
type OriginRule struct {
	Kind OriginKind `json:"kind"`
	// Values are the exact origins for OriginList, as written (they may be
	// invalid: a trailing slash, upper case...). `null` appears here too.
	Values  []string `json:"values,omitempty"`
	Pattern *Pattern `json:"pattern,omitempty"`
	// Echo is true when the response carries the request's Origin rather
	// than a literal (OriginList via a map, OriginPattern always).
	Echo     bool       `json:"echo,omitempty"`
	Reason   string     `json:"reason,omitempty"` // OriginUnknown: why
	Evidence []Evidence `json:"evidence"`
	// Entry is true when Evidence[0] is a line of its own that grants
	// exactly Values[0] (an nginx map entry keyed by that origin):
	// deleting the line stops granting it, and nothing else.
	Entry bool `json:"entry,omitempty"`
}

// Grant is what one kind of response (actual, or preflight) carries.
type Grant struct {
	Origins []OriginRule `json:"origins,omitempty"`
	Headers []Header     `json:"headers,omitempty"`
}

// Find returns the headers with the given (case-insensitive) name. The
// result may share the grant's memory: treat it as read-only. A header
// usually appears once, and then Find allocates nothing (it runs for every
// rule on every policy).
func (g Grant) Find(name string) []Header {
	first, last, n := -1, -1, 0
	for i := range g.Headers {
		if strings.EqualFold(g.Headers[i].Name, name) {
			if first < 0 {
				first = i
			}
			last = i
			n++
		}
	}
	switch {
	case n == 0:
		return nil
	case last-first+1 == n:
		return g.Headers[first : last+1 : last+1]
	}
	out := make([]Header, 0, n)
	for _, h := range g.Headers[first : last+1] {
		if strings.EqualFold(h.Name, name) {
			out = append(out, h)
		}
	}
	return out
}

// HasCORS reports whether the grant sends any Access-Control-Allow-* header.
func (g Grant) HasCORS() bool {
	if len(g.Origins) > 0 {
		return true
	}
	for _, h := range g.Headers {
		if strings.HasPrefix(strings.ToLower(h.Name), "access-control-allow-") {
			return true
		}
	}
	return false
}

// PreflightKind says how OPTIONS requests are answered.
type PreflightKind uint8

const (
	PreflightUnknown  PreflightKind = iota // cannot tell from the config
	PreflightAnswered                      // 2xx from the server itself, Grant carries the headers
	PreflightToApp                         // passed on (proxy_pass, app): the app decides
	PreflightRejected                      // non-2xx status (405, 404, 403...)
	PreflightRedirect                      // 3xx
	PreflightAuth                          // requires credentials (auth_basic, Require valid-user)
)

func (k PreflightKind) String() string {
	return [...]string{"unknown", "answered", "to-app", "rejected", "redirect", "auth"}[k]
}

// Preflight describes the answer to a CORS preflight (OPTIONS with
// Access-Control-Request-Method).
type Preflight struct {
	Kind     PreflightKind `json:"kind"`
	Status   int           `json:"status,omitempty"`
	Grant    Grant         `json:"grant"`
	Reason   string        `json:"reason,omitempty"`
	Evidence []Evidence    `json:"evidence,omitempty"`
}

// Dropped records a CORS header that an outer scope sets and a nested scope
// silently discards (nginx add_header inheritance, Apache merge order).
type Dropped struct {
	Header    string   `json:"header"`
	Inherited Evidence `json:"inherited"` // where the outer scope sets it
	DroppedBy Evidence `json:"droppedBy"` // the directive in the nested scope that causes the drop
	// Explicit is true when the nested scope removes the header on purpose
	// (Apache `Header unset`), rather than losing it to inheritance rules.
	Explicit bool `json:"explicit,omitempty"`
	// Written is the inherited directive's value as Header.Written says
	// it: empty when that directive cannot be copied as it is.
	Written string `json:"written,omitempty"`
}

// Scope says where a policy applies.
type Scope struct {
	// Name is a human path: `server api.example.com > location /v1`.
	Name  string `json:"name"`
	Range Range  `json:"range"`
}

// Policy is the CORS behaviour of one scope: an nginx location, an Apache
// directory, a Terraform resource, or one live endpoint.
type Policy struct {
	Format string `json:"format"` // nginx, apache, terraform, live
	Scope  Scope  `json:"scope"`
	// Hosts are the names the site answers to (server_name, ServerName),
	// used to derive trusted origins when the user declares none.
	Hosts []string `json:"hosts,omitempty"`
	// HTTPS is Known(true) when the site is served over TLS only.
	HTTPS State `json:"https"`
	// Service is the kind of managed service a cloud resource configures:
	// "storage" (S3, Azure Storage, Cloud Storage), "api", "cdn", "app";
	// empty for servers.
	Service string `json:"service,omitempty"`
	// ServiceVary is set when the managed service adds `Vary: Origin` to
	// its CORS responses itself, whatever the configuration says; the
	// value cites where the service documents it. Empty for servers and
	// for services that do not document it.
	ServiceVary string `json:"serviceVary,omitempty"`

	// Agent is set for a cluster agent's HTTP API (Nomad, Consul): what
	// the API asks of a caller, which decides what a page reading it
	// through CORS gets.
	Agent *AgentAccess `json:"agent,omitempty"`

	Actual    Grant     `json:"actual"`
	Preflight Preflight `json:"preflight"`
	Dropped   []Dropped `json:"dropped,omitempty"`

	// Notes carry front-end facts that do not fit elsewhere (e.g. the
	// service rejects this combination at deploy time).
	Notes []string `json:"notes,omitempty"`
}

// AgentACL says whether a cluster agent's API needs a token.
type AgentACL uint8

const (
	// ACLUnset: the file does not configure ACLs. Agents read several
	// files, so another may; ACLs are off by default.
	ACLUnset AgentACL = iota
	// ACLOff: ACLs disabled, or enabled with default policy "allow": the
	// API answers anonymous requests in full.
	ACLOff
	// ACLOn: ACLs enforced with default deny: an anonymous request gets
	// what the anonymous token may.
	ACLOn
)

func (a AgentACL) String() string { return [...]string{"unset", "off", "on"}[a] }

// AgentAccess is what a Nomad or Consul agent's HTTP API asks of callers.
type AgentAccess struct {
	Product string   `json:"product"` // "Nomad", "Consul"
	ACL     AgentACL `json:"acl"`
	// Evidence is the ACL setting (absent for ACLUnset).
	Evidence Evidence `json:"evidence,omitempty"`
	// TokenHeader is the request header that carries an ACL token
	// (X-Nomad-Token, X-Consul-Token): not CORS-safelisted, so a page
	// sending it needs a preflight the agent must approve.
	TokenHeader string `json:"tokenHeader"`
}

// Diagnostic is an error in the input: file:line and what is wrong.
type Diagnostic struct {
	Range   Range  `json:"range"`
	Message string `json:"message"`
}

func (d Diagnostic) Error() string { return d.Range.String() + ": " + d.Message }

// Errorf builds a Diagnostic.
func Errorf(r Range, format string, args ...any) Diagnostic {
	return Diagnostic{Range: r, Message: fmt.Sprintf(format, args...)}
}

// ParseResult is what a format front end (lint/nginx, lint/apache,
// lint/hcl) returns for one entry file.
type ParseResult struct {
	Policies    []Policy     `json:"policies"`
	Diagnostics []Diagnostic `json:"diagnostics,omitempty"`
	// Files lists every file read, the entry file and its includes, as
	// cleaned paths, so that the walker does not lint an included snippet a
	// second time on its own.
	Files []string `json:"files"`
	// Warnings are things a file names that were not found, such as an
	// include whose target is outside the linted tree: the file was linted
	// without them. They do not change the exit status unless the user
	// asks (--strict-includes).
	Warnings []Diagnostic `json:"warnings,omitempty"`
}
