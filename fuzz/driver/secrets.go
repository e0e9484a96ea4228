package driver

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// MinSecretLen is the shortest value scrubbed by value. Shorter values
// ("1", "true", "json") are redacted where they are sent (by header
// name) but not searched for in what servers answer: scrubbing them would
// rewrite ordinary words and numbers in every report, and a secret that
// short is guessable anyway.
const MinSecretLen = 6

// Redactor scrubs secret values from any string: what a server echoes in
// a response header, an error message that quotes a URL, a curl line.
// Header-name redaction alone misses a token that comes back under
// another name; scrubbing by value does not. The zero value scrubs nothing.
type Redactor struct {
	r *strings.Replacer
	// values are the strings r replaces: a string holding none of them
	// is returned as it is, without the copy Replace always makes.
	values []string
}

// NewRedactor builds a Redactor for values and the forms they take on
// the wire: URL-escaped, the token after an auth scheme ("Bearer x"),
// the credentials inside Basic auth, each cookie of a cookie list.
func NewRedactor(values ...string) *Redactor {
	set := map[string]bool{}
	add := func(v string) {
		v = strings.TrimSpace(v)
		if len(v) >= MinSecretLen {
			set[v] = true
		}
	}
	for _, v := range values {
		add(v)
		add(url.QueryEscape(v))
		add(url.PathEscape(v))
		if scheme, tok, ok := strings.Cut(strings.TrimSpace(v), " "); ok && isToken(scheme) {
			add(tok)
			if strings.EqualFold(scheme, "Basic") {
				if dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(tok)); err == nil {
					user, pass, _ := strings.Cut(string(dec), ":")
					add(string(dec))
					add(user)
					add(pass)
				}
			}
		}
		for _, c := range strings.Split(v, ";") {
			add(c)
			if _, val, ok := strings.Cut(c, "="); ok {
				add(val)
			}
		}
	}
	if len(set) == 0 {
		return &Redactor{}
	}
	// Longest first, so that a value containing another is replaced whole.
	list := make([]string, 0, len(set))
	for v := range set {
		list = append(list, v)
	}
	sort.Slice(list, func(i, j int) bool {
		if len(list[i]) != len(list[j]) {
			return len(list[i]) > len(list[j])
		}
		return list[i] < list[j]
	})
	pairs := make([]string, 0, 2*len(list))
	for _, v := range list {
		pairs = append(pairs, v, Redacted)
	}
	return &Redactor{r: strings.NewReplacer(pairs...), values: list}
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		word := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
		if !word {
			return false
		}
	}
	return true
}

// Active reports whether there is anything to scrub.
func (r *Redactor) Active() bool { return r != nil && r.r != nil }

// String returns s with every secret value replaced by REDACTED.
func (r *Redactor) String(s string) string {
	if !r.Active() || s == "" {
		return s
	}
	// Replace would change nothing in a string that holds no secret, but
	// it copies every string it is given; most strings it sees (header
	// values, URLs) hold none.
	for _, v := range r.values {
		if strings.Contains(s, v) {
			return r.r.Replace(s)
		}
	}
	return s
}

// Header scrubs every value of h in place.
func (r *Redactor) Header(h http.Header) {
	if !r.Active() {
		return
	}
	for _, vs := range h {
		for i, v := range vs {
			if red := r.String(v); red != v {
				vs[i] = red
			}
		}
	}
}

// Exchange scrubs every string of a recorded exchange.
func (r *Redactor) Exchange(ex *Exchange) {
	if !r.Active() {
		return
	}
	ex.Request.URL = r.String(ex.Request.URL)
	r.Header(ex.Request.Header)
	if ex.Response != nil {
		r.Header(ex.Response.Header)
	}
	for i, h := range ex.Hops {
		ex.Hops[i] = r.String(h)
	}
	ex.BlockedRedirect = r.String(ex.BlockedRedirect)
	ex.Error = r.String(ex.Error)
	ex.Curl = r.String(ex.Curl)
}

// secretValues collects every secret a Config carries: authentication
// header values, cookies (each and joined as sent), proxy credentials and
// the caller's extra SecretValues.
func secretValues(cfg Config) []string {
	var out []string
	for _, vs := range cfg.Header {
		out = append(out, vs...)
	}
	out = append(out, cfg.Cookies...)
	if len(cfg.Cookies) > 1 {
		out = append(out, strings.Join(cfg.Cookies, "; "))
	}
	out = append(out, cfg.SecretValues...)
	if u, err := url.Parse(cfg.Proxy); err == nil && u.User != nil {
		out = append(out, u.User.String(), u.User.Username())
		if p, ok := u.User.Password(); ok {
			out = append(out, p, u.User.Username()+":"+p,
				"Basic "+base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+p)))
		}
	}
	return out
}

// err scrubs an error's message, keeping errors.Is working for the
// sentinel errors callers test (ErrOutOfScope, context errors).
func (r *Redactor) err(err error) error {
	if err == nil || !r.Active() {
		return err
	}
	msg := r.String(err.Error())
	if msg == err.Error() {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }

// Is keeps errors.Is(err, ErrOutOfScope) and context.Canceled true. There
// is no Unwrap on purpose: the wrapped error's text holds the secret.
func (e *redactedError) Is(target error) bool { return errors.Is(e.err, target) }
