package apache

import (
	"path/filepath"
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// Parse reads an Apache configuration entry file (httpd.conf, a vhost
// snippet, an .htaccess) with everything it includes, and returns one
// policy per effective scope. It never panics: problems in the input come
// back as diagnostics with file:line.
func Parse(path string) rules.ParseResult { return ParseSource(path, nil) }

// ParseSource is Parse with the entry file's contents already read (from
// standard input, or by the caller that detected the format); nil reads
// the file. Includes are read from disk.
func ParseSource(path string, content []byte) (res rules.ParseResult) {
	defer func() {
		// Last line of defence: a bug here must not take the linter down.
		if r := recover(); r != nil {
			res.Diagnostics = append(res.Diagnostics, rules.Errorf(rules.Range{File: filepath.Clean(path), Line: 1}, "internal error in the Apache parser: %v", r))
		}
	}()
	return parseSource(path, content)
}

func isHtaccess(path string) bool {
	b := strings.ToLower(filepath.Base(path))
	return b == ".htaccess" || strings.HasSuffix(b, ".htaccess")
}

func parseSource(path string, content []byte) rules.ParseResult {
	res, _ := parseTree(path, content, defaultBudgets)
	return res
}

// parseTree is parseSource with other expansion budgets (tests and the
// fuzz target use small ones, so that a bomb is caught in milliseconds); it
// also tells what the expansions spent.
func parseTree(path string, content []byte, limit budgets) (rules.ParseResult, expansion) {
	path = filepath.Clean(path)
	l := newLoader(path)
	l.exp.limit = limit
	if content != nil {
		l.given = map[string][]byte{path: content}
	}
	root := &node{}
	l.load(path, root, rules.Range{})
	l.finishExpansion()
	res := rules.ParseResult{Files: l.files, Diagnostics: l.diags, Warnings: l.warnings}
	if len(l.files) == 0 {
		return res, l.exp
	}
	var b builder
	top := b.build(root)
	e := &emitter{top: top, file: path}
	if isHtaccess(path) {
		dir := filepath.Dir(path)
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs
		}
		top.name = "Directory " + dir + " (.htaccess)"
		e.htaccess = true
	} else {
		top.hosts, top.https = mainHostInfo(top)
	}
	e.emitAll()
	res.Policies = e.out
	return res, l.exp
}

// mainHostInfo reads the server config's own ServerName and TLS state.
func mainHostInfo(top *container) ([]string, rules.State) {
	var hosts []string
	state := rules.Unknown
	for _, it := range top.body {
		switch it.n.name {
		case "servername":
			if len(it.n.args) > 0 {
				hosts = append(hosts, hostOnly(it.n.args[0]))
			}
		case "sslengine":
			if strings.EqualFold(it.n.arg(0), "on") {
				state = rules.Known
			}
		}
	}
	return hosts, state
}

type emitter struct {
	top      *container
	file     string
	htaccess bool
	out      []rules.Policy
	s        scratch
}

func (e *emitter) emitAll() {
	var hosts []*container
	for _, k := range e.top.kids {
		if k.isHost {
			hosts = append(hosts, k)
		}
	}
	e.out = make([]rules.Policy, 0, 2*len(hosts)+1)
	if len(hosts) == 0 || e.htaccess {
		e.out = append(e.out, e.policy(e.top, e.top, rules.Range{File: e.file, Line: 1}))
	}
	for _, h := range hosts {
		e.out = append(e.out, e.policy(h, h, h.n.rng.r()))
		e.sections(h, h)
	}
	for _, k := range e.top.kids {
		if k.isHost {
			continue
		}
		if len(hosts) > 0 && covered(k, hosts) {
			continue
		}
		e.section(e.top, k)
	}
}

// covered reports a server-config section whose effect already shows in
// every VirtualHost policy it applies to (so it is not reported twice).
func covered(c *container, hosts []*container) bool {
	switch c.phase {
	case phaseLocation:
		return !c.regex && c.path == "/"
	case phaseDir:
		for _, h := range hosts {
			if h.docroot != "" && pathUnder(h.docroot, c.path) {
				return true
			}
		}
	}
	return false
}

func (e *emitter) sections(scopeOwner, c *container) {
	for _, k := range c.kids {
		e.section(scopeOwner, k)
	}
}

// section emits a policy for a section that carries CORS facts, or that
// changes how a CORS-enabled scope answers preflights, then its children.
func (e *emitter) section(owner, c *container) {
	if c.phase == phaseOther || c.isHost {
		return
	}
	cors, pf := facts(c)
	if cors || pf {
		p := e.policy(owner, c, c.n.rng.r())
		if cors || p.Actual.HasCORS() || p.Preflight.Grant.HasCORS() {
			e.out = append(e.out, p)
		}
	}
	e.sections(owner, c)
}

// facts reports whether a section's own directives (folded Ifs included)
// touch CORS, and whether they change preflight handling.
func facts(c *container) (cors, preflight bool) {
	for _, it := range c.body {
		n := it.n
		switch n.name {
		case "header":
			if h := n.header(); h != nil && h.cors {
				cors = true
			}
		case "setenvif", "setenvifnocase":
			if strings.EqualFold(n.arg(0), "origin") {
				cors = true
			}
		case "setenvifexpr":
			if strings.Contains(strings.ToLower(n.arg(0)), "origin") {
				cors = true
			}
		case "rewritecond":
			if isOriginTest(n.arg(0)) || isMethodTest(n.arg(0)) {
				cors = true
			}
		case "rewriterule":
			if strings.Contains(strings.ToLower(n.arg(2)), "e=") {
				cors = true
			}
			preflight = true
		case "require", "requireall", "requireany", "requirenone", "authtype", "deny",
			"proxypass", "proxypassmatch", "sethandler", "fallbackresource", "scriptalias",
			"redirect", "redirectmatch", "redirectpermanent", "redirecttemp":
			preflight = true
		}
	}
	for _, f := range c.ifs {
		fc, fp := facts(f)
		cors = cors || fc
		preflight = preflight || fp
	}
	return cors, preflight
}

// policy computes the effective CORS policy of a request in leaf.
func (e *emitter) policy(owner, leaf *container, rng rules.Range) rules.Policy {
	a := analyse(e.top, leaf, e.htaccess, &e.s)
	actual, dropped := a.fold(actualReq)
	actualGrant := a.grant(actual, false)
	loc := "/"
	for c := leaf; c != nil; c = c.parent {
		if c.phase == phaseLocation && !c.regex {
			loc = c.path
			break
		}
	}
	p := rules.Policy{
		Format:    "apache",
		Scope:     rules.Scope{Name: scopeName(owner, leaf, e.top), Range: rng},
		Hosts:     owner.hosts,
		HTTPS:     owner.https,
		Actual:    actualGrant,
		Preflight: a.preflight(loc, actual, actualGrant),
		Dropped:   dropped,
	}
	if owner == e.top && !owner.isHost {
		p.Hosts, p.HTTPS = e.top.hosts, e.top.https
	}
	if e.htaccess {
		p.HTTPS = rules.Unknown
	}
	seen := map[string]bool{}
	for _, n := range a.notes {
		if !seen[n] {
			seen[n] = true
			p.Notes = append(p.Notes, n)
		}
	}
	return p
}

// scopeName renders `VirtualHost *:443 api.example.com > Location /v1`.
func scopeName(owner, leaf, top *container) string {
	var buf [8]*container
	chain := buf[:0] // innermost first
	for c := leaf; c != nil && c != owner && c != top; c = c.parent {
		chain = append(chain, c)
	}
	base := owner.name
	if owner == top && top.name == "" {
		base = "server config"
	}
	if len(chain) == 0 {
		return base
	}
	size := len(base)
	for _, c := range chain {
		size += len(" > ") + describeLen(c.n)
	}
	var b strings.Builder
	b.Grow(size)
	b.WriteString(base)
	for i := len(chain) - 1; i >= 0; i-- {
		b.WriteString(" > ")
		describeTo(&b, chain[i].n)
	}
	return b.String()
}
