package apache

import (
	"net/textproto"
	"slices"
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// hop is one mod_headers `Header` directive, parsed once per node.
type hop struct {
	n      *node
	always bool
	cors   bool   // one of the tracked CORS headers
	action string // set, append, add, merge, setifempty, unset, edit, edit*, echo, note
	name   string // canonical CORS name, or as written
	value  string
	cond   string // env=... / expr=... as written
	// plain: `Header [always|onsuccess] set|add|append|merge Name Value`
	// and nothing more (no condition, no `early`), written where its
	// evidence points (not expanded from a macro): a fix may copy value.
	plain bool
}

// written is the value a fix may copy (rules.Header.Written): the value
// of a plain directive, else "".
func (h *hop) written() string {
	if !h.plain {
		return ""
	}
	return h.value
}

// scopedHop is a Header directive as one scope sees it: where it sits in
// the merge and what guards it. Each scope makes its own (small) copies;
// the parsed directive is shared.
type scopedHop struct {
	*hop
	guards []*guard
	layer  int
	seq    int
	cg     *guard // the classified env=/expr= condition
}

// parseHeader reads `Header [always|onsuccess] action name [value] [cond]`
// into h; ok is false for a malformed directive.
func parseHeader(n *node, h *hop) (ok bool) {
	args := n.args
	*h = hop{n: n}
	if len(args) > 0 {
		switch {
		case lowerIs(args[0], "always"):
			h.always = true
			args = args[1:]
		case lowerIs(args[0], "onsuccess"):
			args = args[1:]
		}
	}
	if len(args) < 2 {
		return false
	}
	h.action = strings.ToLower(args[0])
	h.name = args[1]
	if c, ok := rules.CanonicalCORSHeader(h.name); ok {
		h.name, h.cors = c, true
	}
	rest := args[2:]
	early := false
	// A trailing env=/expr= is the condition; "early" is a processing mode.
	if k := len(rest); k > 0 {
		last := rest[k-1]
		if lowerIs(last, "early") {
			rest, early = rest[:k-1], true
		} else if (hasPrefixFold(last, "env=") || hasPrefixFold(last, "expr=")) && (k > 1 || h.action == "unset" || h.action == "echo") {
			h.cond = last
			rest = rest[:k-1]
		}
	}
	switch h.action {
	case "set", "append", "add", "merge", "setifempty", "note":
		if len(rest) == 0 {
			return false
		}
		h.value = rest[0]
		h.plain = h.action != "setifempty" && h.action != "note" && len(rest) == 1 && h.cond == "" && !early && !n.fromMacro
	case "edit", "edit*":
		if len(rest) < 2 {
			return false
		}
		h.value = rest[0] + " -> " + rest[1]
	case "unset", "echo":
	default:
		return false
	}
	return true
}

// condition renders the guards of a header for the model.
func (h *scopedHop) condition() string {
	switch {
	case len(h.guards) == 0:
		return h.cond
	case len(h.guards) == 1 && h.cond == "":
		return h.guards[0].text
	}
	var parts []string
	for _, g := range h.guards {
		parts = append(parts, g.text)
	}
	if h.cond != "" {
		parts = append(parts, h.cond)
	}
	return strings.Join(parts, " && ")
}

// conditional reports whether the directive may not apply to a request of
// the kind being evaluated (method guards are resolved by the caller).
func (h *scopedHop) conditional(condG *guard) bool {
	for _, g := range h.guards {
		if g.origin != nil || g.originNeg || g.opaque || g.other {
			return true
		}
	}
	return condG != nil && (condG.origin != nil || condG.originNeg || condG.opaque || condG.other)
}

// candidate is one possible value of a header.
type candidate struct {
	kind   byte // 'l' literal, 'e' echo under origin guard, 'r' reflect, 'u' unknown
	lit    string
	origin *originCond
	reason string
	ev     rules.Evidence // the setter behind the value (zero: none)
	notes  []string
}

// resolveValue classifies a header value: literal, reflection of a request
// header, an environment variable followed back to its setters, or unknown.
// The candidates are appended to cands (an empty buffer the caller reuses).
func resolveValue(value string, env *envFlow, cands []candidate) (rules.Value, []candidate) {
	v := strings.TrimSpace(value)
	if hasPrefixFold(v, "expr=") {
		e := v[5:]
		if isOriginRef(e) {
			return rules.ReflectedValue("Origin"), append(cands, candidate{kind: 'r'})
		}
		if h, ok := reqHeaderRef(e); ok {
			return rules.ReflectedValue(h), cands
		}
		r := "value is an ap_expr expression (" + v + ")"
		return rules.UnknownValue(r), append(cands, candidate{kind: 'u', reason: r})
	}
	if !strings.Contains(v, "%") {
		return rules.LiteralValue(v), append(cands, candidate{kind: 'l', lit: v})
	}
	if strings.HasPrefix(v, "%{") {
		if end := strings.IndexByte(v, '}'); end > 0 && end+2 == len(v) {
			name, kind := v[2:end], v[end+1]
			switch kind {
			case 'i':
				h := canonicalRequestHeader(name)
				if h == "Origin" {
					return rules.ReflectedValue(h), append(cands, candidate{kind: 'r'})
				}
				return rules.ReflectedValue(h), append(cands, candidate{kind: 'u', reason: "value echoes the request header " + h})
			case 'e':
				return envValue(name, env, cands)
			}
		}
	}
	lit := strings.ReplaceAll(v, "%%", "%")
	if !strings.Contains(lit, "%") {
		return rules.LiteralValue(lit), append(cands, candidate{kind: 'l', lit: lit})
	}
	r := "value mixes text with format specifiers (" + v + ")"
	return rules.UnknownValue(r), append(cands, candidate{kind: 'u', reason: r})
}

// reqHeaderRef recognises %{HTTP:Name} / %{req:Name} / req('Name').
func reqHeaderRef(e string) (string, bool) {
	e = strings.TrimSpace(e)
	le := strings.ToLower(e)
	for _, p := range []string{"%{http:", "%{req:", "%{req_novary:"} {
		if strings.HasPrefix(le, p) && strings.HasSuffix(e, "}") {
			return canonicalRequestHeader(e[len(p) : len(e)-1]), true
		}
	}
	return "", false
}

func canonicalRequestHeader(name string) string {
	return textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(name))
}

// envValue follows %{VAR}e to everything that sets VAR.
func envValue(name string, env *envFlow, cands []candidate) (rules.Value, []candidate) {
	setters := env.live(name)
	if len(setters) == 0 {
		if strings.EqualFold(name, "HTTP_ORIGIN") {
			// The CGI-style variable holds the request Origin.
			return rules.ReflectedValue("Origin"), append(cands, candidate{kind: 'r'})
		}
		r := "%{" + name + "}e: " + name + " is not set anywhere in the configuration (an application or module outside it may set it)"
		return rules.UnknownValue(r), append(cands, candidate{kind: 'u', reason: r})
	}
	echoes, lits := 0, map[string]bool{}
	cands = slices.Grow(cands, len(setters))
	for _, s := range setters {
		ev := s.ev
		switch {
		case s.other != "":
			cands = append(cands, candidate{kind: 'u', reason: "%{" + name + "}e: " + s.other, ev: ev})
		case s.echo:
			echoes++
			cands = append(cands, candidate{kind: 'e', origin: s.origin, ev: ev, notes: s.notes})
		case s.reflect:
			echoes++
			cands = append(cands, candidate{kind: 'r', ev: ev})
		case s.hasLit:
			lits[s.lit] = true
			cands = append(cands, candidate{kind: 'l', lit: s.lit, origin: s.origin, ev: ev})
		}
	}
	switch {
	case len(cands) == 0:
		return rules.UnknownValue("%{" + name + "}e has no value"), cands
	case echoes == len(cands):
		return rules.ReflectedValue("Origin"), cands
	case len(lits) == 1 && echoes == 0 && cands[0].kind == 'l' && allKind(cands, 'l'):
		return rules.LiteralValue(cands[0].lit), cands
	case len(cands) == 1:
		return rules.UnknownValue(cands[0].reason), cands
	}
	var parts []string
	for _, c := range cands {
		switch c.kind {
		case 'l':
			parts = append(parts, "\""+c.lit+"\"")
		case 'e', 'r':
			parts = append(parts, "the request Origin")
		default:
			parts = append(parts, c.reason)
		}
	}
	return rules.UnknownValue("%{" + name + "}e takes one of several values: " + strings.Join(parts, "; ")), cands
}

func allKind(cs []candidate, k byte) bool {
	for _, c := range cs {
		if c.kind != k {
			return false
		}
	}
	return true
}
