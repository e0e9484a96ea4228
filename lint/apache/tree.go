package apache

import (
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// phase is the step of httpd's per-directory merge a section belongs to.
type phase uint8

const (
	phaseServer   phase = iota // server config / VirtualHost body
	phaseDir                   // <Directory> (and .htaccess), shortest path first
	phaseDirMatch              // <DirectoryMatch>, <Directory ~>
	phaseFiles                 // <Files>, <FilesMatch>
	phaseLocation              // <Location>, <LocationMatch>
	phaseIf                    // <If>, <ElseIf>, <Else>
	phaseOther                 // <Proxy> and sections we do not merge
)

// methodLimit is the method restriction of <Limit> / <LimitExcept>.
type methodLimit struct {
	except  bool
	methods []string
}

// coversOptions reports whether directives under the limit apply to OPTIONS.
func (m *methodLimit) coversOptions() bool {
	if m == nil {
		return true
	}
	has := false
	for _, x := range m.methods {
		if strings.EqualFold(x, "OPTIONS") {
			has = true
		}
	}
	return has != m.except
}

// item is a directive in a section body, with the <Limit> it sits in.
type item struct {
	n     *node
	limit *methodLimit
}

// container is the server config, a VirtualHost or a section.
type container struct {
	n      *node // nil for the server config
	phase  phase
	parent *container
	vhost  *container // the enclosing VirtualHost (itself for a vhost)
	isHost bool

	path   string         // Directory / Location path or pattern, Files name
	rx     *regexp.Regexp // compiled pattern for *Match sections (nil if PCRE-only)
	rxDone bool
	regex  bool
	guard  *guard // <If> family
	fold   bool   // an <If> about the request's origin or method
	// guards is a folded If's own guard after those of the folded Ifs
	// around it, up to the first section that is not folded (read-only:
	// every scope the If applies to shares it).
	guards  []*guard
	body    []item
	kids    []*container // nested sections in order (not folded Ifs)
	ifs     []*container // folded Ifs directly inside
	seq     int          // appearance order
	name    string       // scope name
	hosts   []string
	https   rules.State
	docroot string
	rw      *rewriteSet // parsed mod_rewrite directives of body, once
	secs    []*container
}

// matches runs a *Match section's regex against a path; patterns Go cannot
// compile (PCRE-only syntax) never match, so such sections only apply to
// their own scope.
func (c *container) matches(s string) bool {
	if !c.rxDone {
		c.rxDone = true
		if rx, err := regexp.Compile(c.path); err == nil && c.path != "" {
			c.rx = rx
		}
	}
	return c.rx != nil && c.rx.MatchString(s)
}

// sections returns the container's sections other than VirtualHosts
// (computed once: the server config is consulted for every vhost).
func (c *container) sections() []*container {
	if c.secs == nil {
		c.secs = []*container{}
		for _, k := range c.kids {
			if !k.isHost {
				c.secs = append(c.secs, k)
			}
		}
	}
	return c.secs
}

// rewrite returns the container's own mod_rewrite configuration.
func (c *container) rewrite() rewriteSet {
	return *c.rewriteRef()
}

// rewriteRef is rewrite without the copy, for callers that only read.
func (c *container) rewriteRef() *rewriteSet {
	if c.rw == nil {
		rs := readRewrite(c.body)
		if rs.engine == nil && rs.rules == nil && rs.inherit == "" && !rs.hasRules {
			// Most sections have no mod_rewrite directive: share one
			// empty set (it is only ever copied, never written).
			c.rw = &noRewrite
		} else {
			c.rw = new(rewriteSet)
			*c.rw = rs
		}
	}
	return c.rw
}

var noRewrite rewriteSet

type builder struct {
	seq int
	// Sections and their bodies are carved from chunks, as nodes are: a
	// large config has thousands of them.
	slab  []container
	items []item
	facts []nodeFacts
}

// reserveFacts gives a directive whose parsed form the analysis will want
// (Header, SetEnvIf & co., handlers) its facts from a chunk up front, so
// that parsing it later does not allocate.
func (b *builder) reserveFacts(n *node) {
	if n.facts != nil {
		return
	}
	switch {
	case n.name == "header", setsEnv(n.name):
	case n.name == "proxypass", n.name == "proxypassmatch", n.name == "scriptalias", n.name == "sethandler", n.name == "fallbackresource":
	default:
		return
	}
	if len(b.facts) == cap(b.facts) {
		b.facts = make([]nodeFacts, 0, 256)
	}
	b.facts = b.facts[:len(b.facts)+1]
	n.facts = &b.facts[len(b.facts)-1]
}

func (b *builder) newContainer() *container {
	if len(b.slab) == cap(b.slab) {
		b.slab = make([]container, 0, 256)
	}
	b.slab = b.slab[:len(b.slab)+1]
	return &b.slab[len(b.slab)-1]
}

// newBody returns an empty, non-nil body with room for n items (a <Limit>
// inside may add more; the capacity is clipped, so that copies).
func (b *builder) newBody(n int) []item {
	if len(b.items)+n > cap(b.items) {
		b.items = make([]item, 0, max(2048, n))
	}
	start := len(b.items)
	b.items = b.items[:start+n]
	return b.items[start : start : start+n]
}

// build turns the node tree into containers.
func (b *builder) build(root *node) *container {
	top := &container{phase: phaseServer, name: "server config", https: rules.Unknown}
	b.fill(top, root.kids, nil)
	return top
}

func sectionPhase(name string, args []string) (phase, bool) {
	regex := len(args) > 1 && args[0] == "~"
	switch name {
	case "directory":
		if regex {
			return phaseDirMatch, true
		}
		return phaseDir, false
	case "directorymatch":
		return phaseDirMatch, true
	case "files":
		return phaseFiles, regex
	case "filesmatch":
		return phaseFiles, true
	case "location":
		return phaseLocation, regex
	case "locationmatch":
		return phaseLocation, true
	case "if", "elseif", "else":
		return phaseIf, false
	}
	return phaseOther, false
}

func (b *builder) fill(c *container, kids []*node, limit *methodLimit) {
	if c.body == nil {
		n := 0
		for _, k := range kids {
			if !k.section {
				n++
			}
		}
		c.body = b.newBody(n)
	}
	var chain []*guard // guards of the current If/ElseIf chain
	for _, n := range kids {
		if !n.section {
			c.body = append(c.body, item{n: n, limit: limit})
			b.reserveFacts(n)
			if n.name == "documentroot" && len(n.args) > 0 {
				c.docroot = path.Clean(n.args[0])
			}
			continue
		}
		switch n.name {
		case "limit", "limitexcept":
			l := &methodLimit{except: n.name == "limitexcept", methods: n.args}
			b.fill(c, n.kids, l)
			chain = nil
			continue
		case "requireall", "requireany", "requirenone", "authnprovideralias", "authzprovideralias":
			// Authorization containers: their Require lines belong to
			// the section; keep them as body items marked by the node.
			c.body = append(c.body, item{n: n, limit: limit})
			chain = nil
			continue
		case "virtualhost":
			if c.parent != nil || c.isHost {
				// httpd rejects nested VirtualHost; ignore its content.
				continue
			}
			b.seq++
			h := b.newContainer()
			*h = container{n: n, phase: phaseServer, parent: c, isHost: true, seq: b.seq}
			h.vhost = h
			b.fill(h, n.kids, nil)
			h.name, h.hosts, h.https = hostInfo(n, h)
			c.kids = append(c.kids, h)
			chain = nil
			continue
		}
		ph, regex := sectionPhase(n.name, n.args)
		b.seq++
		s := b.newContainer()
		*s = container{n: n, phase: ph, parent: c, vhost: c.vhost, regex: regex, seq: b.seq}
		args := n.args
		if len(args) > 1 && args[0] == "~" {
			args = args[1:]
		}
		if len(args) > 0 {
			s.path = args[0]
		}
		switch ph {
		case phaseIf:
			expr := unquote(n.raw)
			ev := n.evidence()
			switch n.name {
			case "if":
				s.guard = classify(parseCond(expr), "<If "+n.raw+">", ev)
				chain = append(chain[:0], s.guard)
			case "elseif":
				s.guard = classify(parseCond(expr), "<ElseIf "+n.raw+">", ev)
				chain = append(chain, s.guard)
			case "else":
				s.guard = elseGuard(chain, "<Else> (after "+guardTexts(chain)+")", ev)
				chain = nil
			}
			s.fold = s.guard.aboutRequestKind()
			if s.fold {
				var outer []*guard
				if c.fold {
					outer = c.guards
				}
				s.guards = append(outer[:len(outer):len(outer)], s.guard)
			}
		default:
			chain = nil
			if ph == phaseDir {
				s.path = path.Clean(s.path)
			}

		}
		b.fill(s, n.kids, nil)
		if s.fold {
			c.ifs = append(c.ifs, s)
		} else {
			c.kids = append(c.kids, s)
		}
	}
}

func guardTexts(gs []*guard) string {
	var parts []string
	for _, g := range gs {
		parts = append(parts, strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(g.text, "<If "), "<ElseIf "), ">"))
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, ", ")
}

// hostInfo derives a VirtualHost's scope name, host names and TLS state.
func hostInfo(n *node, h *container) (string, []string, rules.State) {
	count := 0
	for _, it := range h.body {
		switch it.n.name {
		case "servername":
			if len(it.n.args) > 0 {
				count++
			}
		case "serveralias":
			count += len(it.n.args)
		}
	}
	var hosts []string
	if count > 0 {
		hosts = make([]string, 0, count)
	}
	sslOn := false
	for _, it := range h.body {
		switch it.n.name {
		case "servername":
			if len(it.n.args) > 0 {
				// The last ServerName is the name; it goes first.
				hosts = slices.Insert(hosts, 0, hostOnly(it.n.args[0]))
			}
		case "serveralias":
			for _, a := range it.n.args {
				hosts = append(hosts, hostOnly(a))
			}
		case "sslengine":
			sslOn = strings.EqualFold(it.n.arg(0), "on")
		}
	}
	state := rules.Unknown
	anyTLS, anyPlain := false, false
	for _, a := range n.args {
		port := ""
		if i := strings.LastIndexByte(a, ':'); i >= 0 && !strings.HasSuffix(a, "]") {
			port = a[i+1:]
		}
		switch port {
		case "443":
			anyTLS = true
		case "80":
			anyPlain = true
		}
	}
	switch {
	case sslOn || (anyTLS && !anyPlain):
		state = rules.Known
	case anyPlain:
		state = rules.Absent
	}
	if len(hosts) > 0 {
		return "VirtualHost " + strings.Join(n.args, " ") + " " + hosts[0], hosts, state
	}
	return "VirtualHost " + strings.Join(n.args, " "), hosts, state
}

// hostOnly strips a scheme and port from a ServerName.
func hostOnly(s string) string {
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if strings.HasPrefix(s, "[") {
		if j := strings.IndexByte(s, ']'); j >= 0 {
			return s[:j+1]
		}
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		s = s[:i]
	}
	return s
}
