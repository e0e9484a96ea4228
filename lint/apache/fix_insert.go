package apache

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// This file spells the remedies that add directives: headers next to a
// directive, the SetEnvIf allowlist that replaces an echo, and the
// mod_rewrite answer to a preflight.

// maxAllowlistLine bounds one generated SetEnvIf line: httpd refuses
// configuration lines from MAX_STRING_LEN (8192) bytes on, so a long
// allowlist is split over several SetEnvIf lines that set the same variable.
const maxAllowlistLine = 4000

// headerLine spells one header as a Header directive in the always table:
// `Header always set Name "Value"`, or `Header always merge Vary Value`
// (merge keeps the values other directives put in Vary). cond, when set,
// is appended (env=VAR).
func headerLine(indent string, h rules.HeaderLine, cond string) (string, error) {
	if h.Name == "" || !isToken(h.Name) {
		return "", fmt.Errorf("%q is not a header name", h.Name)
	}
	if err := writable(h.Value); err != nil {
		return "", fmt.Errorf("%s: %w", h.Name, err)
	}
	if h.Value == "" || hasPrefixFold(h.Value, "expr=") {
		return "", fmt.Errorf("the value %q of %s cannot be written as a literal Header value", h.Value, h.Name)
	}
	// mod_headers reads % as a format specifier; %% is a literal %.
	v := strings.ReplaceAll(h.Value, "%", "%%")
	var b strings.Builder
	b.WriteString(indent)
	if strings.EqualFold(h.Name, "Vary") {
		b.WriteString("Header always merge " + h.Name + " " + confWord(v, 0))
	} else {
		b.WriteString("Header always set " + h.Name + " " + confWord(v, '"'))
	}
	if cond != "" {
		b.WriteString(" " + cond)
	}
	return b.String(), nil
}

// isToken reports an RFC 9110 token (a header name).
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}

// addHeaders declares headers right after d, in its section and with its
// indentation (inside the section when d opens one).
func (f *fixFile) addHeaders(d *srcDirective, headers []rules.HeaderLine) ([]rules.Edit, error) {
	if len(headers) == 0 {
		return nil, fmt.Errorf("the remedy names no header to add")
	}
	if err := headerContext(d); err != nil {
		return nil, err
	}
	indent := d.line.indent()
	if d.section {
		indent = bodyIndent(d)
	}
	// Vary: Origin belongs on every response of the scope, whichever
	// origin asked: inside an <If>/<ElseIf>/<Else> it would go out only
	// when the condition holds, and a cache would keep the other answers
	// without it. It goes after the whole If chain instead.
	chain := f.ifChain(d)
	var here, after []string
	for _, h := range headers {
		in, list := indent, &here
		if chain != nil && strings.EqualFold(h.Name, "Vary") {
			in, list = chain.line.indent(), &after
		}
		l, err := headerLine(in, h, "")
		if err != nil {
			return nil, err
		}
		*list = append(*list, l)
	}
	var edits []rules.Edit
	if len(here) > 0 {
		edits = append(edits, f.insertAfter(d, here))
	}
	if len(after) > 0 {
		end, err := f.chainEnd(chain)
		if err != nil {
			return nil, err
		}
		edits = append(edits, f.insertAfter(end, after))
	}
	return edits, nil
}

// ifChain returns the outermost <If>/<ElseIf>/<Else> that d is (or sits)
// in, looking through IfModule & co.; nil when there is none.
func (f *fixFile) ifChain(d *srcDirective) *srcDirective {
	var out *srcDirective
	for p := d; p != nil; p = p.parent {
		switch {
		case p.section && (p.name == "if" || p.name == "elseif" || p.name == "else"):
			out = p
		case p == d, transparent(p.name):
		default:
			return out
		}
	}
	return out
}

// chainEnd is the closing line of the last section of the If/ElseIf/Else
// chain that s belongs to.
func (f *fixFile) chainEnd(s *srcDirective) (*srcDirective, error) {
	i := slices.Index(f.dirs, s)
	end := s
	for i >= 0 && i < len(f.dirs) {
		if end.close == nil {
			return nil, fmt.Errorf("<%s> (line %d) is not closed", end.name, end.line.first)
		}
		j := slices.Index(f.dirs[i:], end.close)
		if j < 0 || i+j+1 >= len(f.dirs) {
			break
		}
		next := f.dirs[i+j+1]
		if next.parent != s.parent || next.closing || (next.name != "elseif" && next.name != "else") {
			break
		}
		i, end = i+j+1, next
	}
	return end.close, nil
}

// headerContext refuses places where httpd takes no Header directive next
// to d: inside <Limit>/<LimitExcept>, which only hold access control.
func headerContext(d *srcDirective) error {
	s := d.parent
	if d.section {
		s = d
	}
	for ; s != nil; s = s.parent {
		switch s.name {
		case "limit", "limitexcept", "requireall", "requireany", "requirenone":
			return fmt.Errorf("<%s> (line %d) holds only access control, not Header", s.name, s.line.first)
		case "macro":
			return fmt.Errorf("the directive is in a <Macro> body (line %d): the fix belongs to each Use", s.line.first)
		}
	}
	return nil
}

// replaceEcho puts before the header an allowlist that sets a variable to
// the Origin only when it is one of origins, and makes the header send
// that variable only when it is set:
//
//	SetEnvIf Origin "^(https://a\.example\.com|https://b\.example\.com)$" CORS_ALLOW_ORIGIN=$0
//	Header always set Access-Control-Allow-Origin "%{CORS_ALLOW_ORIGIN}e" env=CORS_ALLOW_ORIGIN
func (f *fixFile) replaceEcho(d *srcDirective, origins []string) ([]rules.Edit, error) {
	h, err := splitHeader(d)
	if err != nil {
		return nil, err
	}
	if err := headerContext(d); err != nil {
		return nil, err
	}
	if c, _ := rules.CanonicalCORSHeader(h.name.val); c != rules.HeaderAllowOrigin {
		return nil, fmt.Errorf("the Header directive sets %s, not Access-Control-Allow-Origin", h.name.val)
	}
	switch strings.ToLower(h.action.val) {
	case "set", "add", "append", "merge", "setifempty":
	default:
		return nil, fmt.Errorf("the Header action %s sends no value that could be replaced", h.action.val)
	}
	if len(h.rest) == 0 {
		return nil, fmt.Errorf("the Header directive has no value")
	}
	if len(h.rest) != 1 {
		// env=, expr= or early: combining the directive's own condition
		// with the allowlist changes when the header is sent.
		return nil, fmt.Errorf("the Header directive has a condition or option (%s); combining it with an allowlist is not mechanical", d.line.text[h.rest[min(1, len(h.rest)-1)].start:h.rest[len(h.rest)-1].end])
	}
	if v := h.rest[0].val; !strings.Contains(v, "%") && !hasPrefixFold(v, "expr=") {
		return nil, fmt.Errorf("the value %q is a literal, not an echo of the request", v)
	}
	if len(origins) == 0 {
		return nil, fmt.Errorf("no trusted origins are declared; the allowlist that replaces the echo needs them")
	}
	alts := make([]string, 0, len(origins))
	for _, o := range origins {
		if err := checkOrigin(o); err != nil {
			return nil, err
		}
		alts = append(alts, regexp.QuoteMeta(o))
	}
	name := f.freeName("CORS_ALLOW_ORIGIN")
	indent := d.line.indent()
	var lines []string
	for len(alts) > 0 {
		n, size := 0, 0
		for n < len(alts) && (n == 0 || size+len(alts[n])+1 <= maxAllowlistLine) {
			size += len(alts[n]) + 1
			n++
		}
		re := "^(" + strings.Join(alts[:n], "|") + ")$"
		lines = append(lines, indent+"SetEnvIf Origin "+confWord(re, '"')+" "+name+"=$0")
		alts = alts[n:]
	}
	first := h.action
	if h.table != nil {
		first = *h.table
	}
	value := "always set " + d.line.text[h.name.start:h.name.end] + ` "%{` + name + `}e" env=` + name
	return []rules.Edit{
		f.insertBefore(d, lines),
		edit(d.line, first.start, h.rest[0].end, value),
	}, nil
}

// checkOrigin accepts a serialised origin: scheme://host[:port], nothing
// else, no character a regex or a quoted argument would need to escape
// beyond what QuoteMeta does.
func checkOrigin(o string) error {
	u, err := url.Parse(o)
	if err != nil || u.Scheme == "" || u.Host == "" || u.Path != "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" ||
		strings.ContainsAny(o, " \t\"'\\%$") || strings.HasSuffix(o, "?") || strings.HasSuffix(o, "#") {
		return fmt.Errorf("%q is not a serialised origin (scheme://host[:port])", o)
	}
	return nil
}

// freeName returns base, or base_2, base_3…, the first that the file does
// not mention (in any case): the new variable must not meet an existing one.
func (f *fixFile) freeName(base string) string {
	if f.lower == "" {
		f.lower = strings.ToLower(f.src)
	}
	low := f.lower
	name := base
	for i := 2; strings.Contains(low, strings.ToLower(name)); i++ {
		name = base + "_" + strconv.Itoa(i)
	}
	return name
}

// transparent sections splice their body into the section around them.
func transparent(name string) bool {
	switch name {
	case "ifmodule", "ifdefine", "ifversion", "ifdirective", "ifsection", "iffile":
		return true
	}
	return false
}

// scopeItems lists the directives of section s (nil: the file's top
// level), looking through IfModule & co., in file order.
func (f *fixFile) scopeItems(s *srcDirective) []*srcDirective {
	var out []*srcDirective
	for _, d := range f.dirs {
		if !d.closing && d.scope == s {
			out = append(out, d)
		}
	}
	return out
}

// answerPreflight answers OPTIONS in d's section before anything else
// handles it: mod_rewrite ends the request with 204 and marks it, and the
// CORS headers the answer needs are sent on that mark only (a 204 built by
// mod_rewrite goes out on httpd's error path, which sends the always table
// alone):
//
//	RewriteEngine On
//	RewriteCond %{REQUEST_METHOD} OPTIONS
//	RewriteRule ^ - [R=204,L,E=CORS_PREFLIGHT:1]
//	Header always set Access-Control-Allow-Methods "GET, POST" env=CORS_PREFLIGHT
func (f *fixFile) answerPreflight(d *srcDirective, headers []rules.HeaderLine) ([]rules.Edit, error) {
	s := d.scope
	if d.section {
		s = d
		if transparent(d.name) {
			s = d.scope
		}
	}
	if s != nil {
		switch s.name {
		case "virtualhost", "directory", "directorymatch", "location", "locationmatch":
		default:
			return nil, fmt.Errorf("<%s> (line %d) is no place for a mod_rewrite preflight answer (a server, virtual host, directory or location is)", s.name, s.line.first)
		}
	}
	if s == nil {
		for _, o := range f.dirs {
			if o.name == "virtualhost" && o.section {
				return nil, fmt.Errorf("server-wide rewrite rules do not reach the virtual hosts (line %d) unless each says RewriteOptions Inherit", o.line.first)
			}
		}
	}
	items := f.scopeItems(s)
	var engine *srcDirective
	var firstRewrite *srcDirective
	hasRules := false
	for _, it := range items {
		switch it.name {
		case "rewriteengine":
			engine = it
		case "rewritecond", "rewriterule":
			if firstRewrite == nil {
				firstRewrite = it
			}
			hasRules = hasRules || it.name == "rewriterule"
		}
	}
	if engine != nil && len(engine.args()) > 0 && !lowerIs(engine.args()[0].val, "on") {
		return nil, fmt.Errorf("RewriteEngine is %s in this section (line %d): turning it on would also run the section's other rewrite rules", engine.args()[0].val, engine.line.first)
	}
	if s != nil && s.name != "virtualhost" && !hasRules {
		// Per-directory mod_rewrite: the most specific section with rules
		// replaces the rules of the others, so new rules here would stop
		// those of a section that applies to this one too.
		for _, r := range f.dirs {
			if o := r.scope; r.name == "rewriterule" && o != nil && o != s && perDirSection(o.name) {
				return nil, fmt.Errorf("<%s> (line %d) has rewrite rules of its own; new rules in <%s> would replace them where both apply", o.name, o.line.first, s.name)
			}
		}
	}
	if perDir := (s == nil && f.htaccess) || (s != nil && s.name != "virtualhost"); perDir {
		if a := f.accessBeforeRewrite(s); a != nil {
			if s != nil && s.name == "location" && len(s.args()) == 1 && s.scope != nil && s.scope.name == "virtualhost" {
				return f.answerInServer(s, headers)
			}
			return nil, fmt.Errorf("httpd checks access (%s, line %d) before per-directory rewrite rules run: OPTIONS would still be refused there", strings.TrimSpace(a.line.text), a.line.first)
		}
	}
	lines, err := f.preflightRules(engine != nil, "^", items, headers)
	if err != nil {
		return nil, err
	}
	// Before the section's first rewrite rule, so that nothing else takes
	// OPTIONS first; else right after d.
	at, before := d, false
	if firstRewrite != nil {
		at, before = firstRewrite, true
	}
	indent := at.line.indent()
	if !before && at.section {
		indent = bodyIndent(at)
	}
	for i := range lines {
		lines[i] = indent + lines[i]
	}
	if before {
		return []rules.Edit{f.insertBefore(at, lines)}, nil
	}
	return []rules.Edit{f.insertAfter(at, lines)}, nil
}

func perDirSection(name string) bool {
	switch name {
	case "directory", "directorymatch", "location", "locationmatch", "files", "filesmatch":
		return true
	}
	return false
}

// sentAlways reports an unconditional `Header always set|merge|add|append
// Name` among items.
// preflightRules are the lines that answer OPTIONS for the paths
// rulePattern matches: 204 under a fresh mark, and each header the answer
// needs that the section's items do not already send always, sent only
// under that mark. The 204 goes out on httpd's error path, which sends only
// the always table; the mark keeps the added headers off every other
// response.
func (f *fixFile) preflightRules(engineOn bool, rulePattern string, items []*srcDirective, headers []rules.HeaderLine) ([]string, error) {
	mark := f.freeName("CORS_PREFLIGHT")
	var lines []string
	if !engineOn {
		lines = append(lines, "RewriteEngine On")
	}
	lines = append(lines, "RewriteCond %{REQUEST_METHOD} OPTIONS", "RewriteRule "+rulePattern+" - [R=204,L,E="+mark+":1]")
	for _, h := range headers {
		if sentAlways(items, h.Name) {
			continue
		}
		l, err := headerLine("", h, "env="+mark)
		if err != nil {
			return nil, err
		}
		lines = append(lines, l)
	}
	return lines, nil
}

func sentAlways(items []*srcDirective, name string) bool {
	for _, it := range items {
		if it.name != "header" {
			continue
		}
		h, err := splitHeader(it)
		if err != nil || h.table == nil || !lowerIs(h.table.val, "always") || !strings.EqualFold(h.name.val, name) {
			continue
		}
		switch strings.ToLower(h.action.val) {
		case "set", "merge", "add", "append":
			if len(h.rest) == 1 {
				return true
			}
		}
	}
	return false
}

// accessBeforeRewrite returns a directive of section s (nil: the file,
// an .htaccess) that may refuse OPTIONS in httpd's access phase, which
// runs before per-directory mod_rewrite (fixups): mod_allowmethods
// without OPTIONS, a Require other than `all granted`, Deny, AuthType,
// unless a <Limit>/<LimitExcept> around it leaves OPTIONS out.
func (f *fixFile) accessBeforeRewrite(s *srcDirective) *srcDirective {
	for _, d := range f.dirs {
		if d.closing || !within(d, s) {
			continue
		}
		switch d.name {
		case "allowmethods":
			if !slices.ContainsFunc(d.args(), func(t srcToken) bool { return lowerIs(t.val, "options") || lowerIs(t.val, "reset") }) {
				return d
			}
		case "require", "deny", "authtype":
			if limitSkipsOptions(d, s) {
				continue
			}
			if a := d.args(); d.name == "require" && len(a) == 2 && lowerIs(a[0].val, "all") && lowerIs(a[1].val, "granted") {
				continue
			}
			return d
		}
	}
	return nil
}

// within reports whether d sits in s itself (through the sections that
// only qualify its body: IfModule & co., Limit, Require*), not in a
// nested scope of its own.
func within(d, s *srcDirective) bool {
	for p := d.parent; ; p = p.parent {
		if p == s {
			return true
		}
		if p == nil {
			return false
		}
		switch {
		case transparent(p.name), p.name == "limit", p.name == "limitexcept", strings.HasPrefix(p.name, "require"):
		default:
			return false
		}
	}
}

// limitSkipsOptions reports a <Limit> or <LimitExcept> between d and s
// that does not apply to OPTIONS.
func limitSkipsOptions(d, s *srcDirective) bool {
	for p := d.parent; p != nil && p != s; p = p.parent {
		if p.name != "limit" && p.name != "limitexcept" {
			continue
		}
		lists := slices.ContainsFunc(p.args(), func(t srcToken) bool { return strings.EqualFold(strings.TrimSuffix(t.val, ">"), "options") })
		if lists == (p.name == "limitexcept") {
			return true
		}
	}
	return false
}

// answerInServer answers OPTIONS for a <Location path> in its virtual
// host's server context, whose rewrite rules run at translate_name, before
// the access checks that refuse OPTIONS in the Location. The rule matches
// the URL-paths the Location does; the answer is built before the Location
// applies, so every header it needs is set at the virtual host, on the
// mark only.
func (f *fixFile) answerInServer(loc *srcDirective, headers []rules.HeaderLine) ([]rules.Edit, error) {
	vh := loc.scope
	items := f.scopeItems(vh)
	var engine, firstRewrite *srcDirective
	for _, it := range items {
		switch it.name {
		case "rewriteengine":
			engine = it
		case "rewritecond", "rewriterule":
			if firstRewrite == nil {
				firstRewrite = it
			}
		}
	}
	if engine != nil && len(engine.args()) > 0 && !lowerIs(engine.args()[0].val, "on") {
		return nil, fmt.Errorf("RewriteEngine is %s in the virtual host (line %d): turning it on would also run its other rewrite rules", engine.args()[0].val, engine.line.first)
	}
	// <Location /api> matches /api and /api/…, not /apix; <Location /api/>
	// matches what starts with /api/.
	path := loc.args()[0].val
	pattern := "^" + regexp.QuoteMeta(path)
	if !strings.HasSuffix(path, "/") {
		pattern += "(/|$)"
	}
	if err := writable(pattern); err != nil {
		return nil, err
	}
	lines, err := f.preflightRules(engine != nil, confWord(pattern, 0), items, headers)
	if err != nil {
		return nil, err
	}
	at := loc
	if firstRewrite != nil {
		at = firstRewrite
	}
	indent := at.line.indent()
	for i := range lines {
		lines[i] = indent + lines[i]
	}
	return []rules.Edit{f.insertBefore(at, lines)}, nil
}
