package nginx

import (
	"path/filepath"
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// levelKind is the nginx configuration level a block opens.
type levelKind uint8

const (
	lvHTTP levelKind = iota
	lvServer
	lvLocation
	lvIf
)

// level is one configuration level (http, server, location, if) with the
// facts nginx inherits down the tree pre-sorted out of its body.
type level struct {
	kind   levelKind
	n      *node // the block directive; nil for an implicit level
	parent *level
	name   string
	rng    rules.Range
	body   []*node

	addHeaders  []*node // own add_header, in order
	moreHeaders []*node // own more_set_headers / more_clear_headers
	inheritMode string  // own add_header_inherit (nginx ≥ 1.29.3): on, off, merge
	// effMode is the add_header_inherit in effect (own or the nearest
	// outer one), set by init from the parent: O(1) per level, where
	// walking to the root per question made deep nesting cubic.
	effMode string
	// depth counts the location levels from the server down (0 outside
	// any location).
	depth int
	// effAdd memoises effectiveAddHeaders.
	effAdd     []*node
	effAddDone bool
	locations  []*node
	ifs        []*node
	hasRewrite bool // set/if/return/rewrite present: the body needs simulating

	// Pre-sorted so that walking up to an http level holding thousands of
	// servers costs nothing.
	last        [len(trackedNames)]*node // tracked single-value directives, last one wins
	firstAccess *node                    // first allow/deny
	handler     *node                    // content handler (proxy_pass, ...)
	hide, pass  []*node                  // *_hide_header, *_pass_header

	hdrs     []hdr // headersAt, computed once
	hdrsDone bool
	hdrBuf   []hdr // memory for hdrs when the level declares its own
	// pooled levels belong to one server's analysis (levelPool).
	pooled bool
	// lazyName: name is computed by scopeName when first needed (ifs).
	lazyName bool
	// envFree: the headers read no `set` variable (grants can be shared).
	envFree, envFreeDone bool
	// server facts, computed once
	hosts     []string
	https     rules.State
	factsDone bool
}

// trackedNames are the single-value directives looked up through
// inheritance.
var trackedNames = [...]string{"auth_basic", "auth_request", "auth_jwt", "auth_oidc", "limit_except", "try_files"}

// trackedIndex is the index of name in trackedNames, or -1. A switch: it
// runs for every directive of every level (TestTrackedIndex holds it to
// the list).
func trackedIndex(name string) int {
	switch name {
	case "auth_basic":
		return 0
	case "auth_request":
		return 1
	case "auth_jwt":
		return 2
	case "auth_oidc":
		return 3
	case "limit_except":
		return 4
	case "try_files":
		return 5
	}
	return -1
}

// mayHandle is a cheap test every key of handlers passes (TestMayHandle),
// so that most directives skip the map lookup.
func mayHandle(name string) bool {
	return strings.HasSuffix(name, "_pass") || strings.HasPrefix(name, "content_by_lua") || name == "js_content" || name == "perl"
}

func newLevel(kind levelKind, n *node, parent *level, name string, body []*node, rng rules.Range) *level {
	lv := &level{}
	lv.init(kind, n, parent, name, body, rng)
	return lv
}

// levelPool hands out the levels of one server block. Nothing outside the
// analysis of that server points to them (policies copy what they keep), so
// the next server reuses their memory, internal lists included.
type levelPool struct {
	levels []*level
	used   int
}

// get returns a fresh level from the pool.
func (p *levelPool) get(kind levelKind, n *node, parent *level, name string, body []*node, rng rules.Range) *level {
	if p.used == len(p.levels) {
		p.levels = append(p.levels, &level{})
	}
	lv := p.levels[p.used]
	p.used++
	// Keep the internal lists' memory; every other field starts over.
	*lv = level{
		addHeaders:  lv.addHeaders[:0],
		moreHeaders: lv.moreHeaders[:0],
		locations:   lv.locations[:0],
		ifs:         lv.ifs[:0],
		hide:        lv.hide[:0],
		pass:        lv.pass[:0],
		hdrBuf:      lv.hdrBuf[:0],
		pooled:      true,
	}
	lv.init(kind, n, parent, name, body, rng)
	return lv
}

// reset returns every level to the pool: the previous server is done.
func (p *levelPool) reset() { p.used = 0 }

func (lv *level) init(kind levelKind, n *node, parent *level, name string, body []*node, rng rules.Range) {
	lv.kind, lv.n, lv.parent, lv.name, lv.body, lv.rng = kind, n, parent, name, body, rng
	defer lv.inherit()
	for _, c := range body {
		switch c.name {
		case "add_header":
			lv.addHeaders = append(lv.addHeaders, c)
		case "more_set_headers", "more_clear_headers":
			lv.moreHeaders = append(lv.moreHeaders, c)
		case "add_header_inherit":
			lv.inheritMode = c.arg(0)
		case "location":
			if c.isBlock {
				lv.locations = append(lv.locations, c)
			}
		case "if":
			if c.isBlock {
				lv.ifs = append(lv.ifs, c)
				lv.hasRewrite = true
			}
		case "set", "return", "rewrite":
			lv.hasRewrite = true
		case "allow", "deny":
			if lv.firstAccess == nil {
				lv.firstAccess = c
			}
		default:
			if i := trackedIndex(c.name); i >= 0 {
				lv.last[i] = c
				continue
			}
			switch {
			case mayHandle(c.name) && handlers[c.name] != "":
				if lv.handler == nil {
					lv.handler = c
				}
			case strings.HasSuffix(c.name, "_hide_header"):
				lv.hide = append(lv.hide, c)
			case strings.HasSuffix(c.name, "_pass_header"):
				lv.pass = append(lv.pass, c)
			}
		}
	}
}

// inherit takes what nginx merges from the parent level once, when the
// level is built.
func (lv *level) inherit() {
	lv.effMode = "on"
	if lv.parent != nil {
		lv.effMode = lv.parent.effMode
		lv.depth = lv.parent.depth
	}
	if lv.inheritMode != "" {
		lv.effMode = lv.inheritMode
	}
	if lv.kind == lvLocation {
		lv.depth++
	}
}

// scopeName is the level's name as a policy scope: `server x > location
// /a > if ($y)`.
func (lv *level) scopeName() string {
	if lv.lazyName {
		lv.lazyName = false
		text := parseCondition(lv.n).text
		if pn := lv.parent.scopeName(); pn != "" {
			lv.name = pn + " > if " + text
		} else {
			lv.name = "if " + text
		}
	}
	return lv.name
}

// own returns the level's own tracked directive with that name (the last
// one, as nginx keeps the last for single-value directives).
func (lv *level) own(name string) *node {
	if i := trackedIndex(name); i >= 0 {
		return lv.last[i]
	}
	return nil
}

// inherited returns the nearest directive with one of the names, from this
// level outwards (nginx's merge of single-value directives).
func (lv *level) inherited(names ...string) *node {
	for l := lv; l != nil; l = l.parent {
		for _, name := range names {
			if d := l.own(name); d != nil {
				return d
			}
		}
	}
	return nil
}

// scopeName is `parent > label` for a block (`location ~* \.php$`; just the
// label without a parent), built in one allocation.
func scopeName(parent string, n *node) string {
	var b strings.Builder
	size := len(parent) + 3 + len(n.name)
	for _, a := range n.args {
		size += len(a) + 1
	}
	b.Grow(size)
	if parent != "" {
		b.WriteString(parent)
		b.WriteString(" > ")
	}
	b.WriteString(n.name)
	b.WriteByte(' ')
	writeArgs(&b, n.args)
	return b.String()
}

// writeArgs writes the arguments quoted as nginx reads them back,
// space-separated.
func writeArgs(b *strings.Builder, args []string) {
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(quoteArg(a))
	}
}

// effectiveAddHeaders is the add_header list a level sends (memoised: a
// nested location asks its parent, which has answered already).
func (lv *level) effectiveAddHeaders() []*node {
	if lv == nil {
		return nil
	}
	if !lv.effAddDone {
		lv.effAdd, lv.effAddDone = lv.computeAddHeaders(), true
	}
	return lv.effAdd
}

func (lv *level) computeAddHeaders() []*node {
	if len(lv.addHeaders) > 0 {
		if lv.effMode == "merge" {
			inherited := lv.parent.effectiveAddHeaders()
			return append(append(make([]*node, 0, len(inherited)+len(lv.addHeaders)), inherited...), lv.addHeaders...)
		}
		return lv.addHeaders
	}
	if lv.effMode == "off" {
		return nil
	}
	return lv.parent.effectiveAddHeaders()
}

// inheritModeEffective is the add_header_inherit mode in effect at lv.
func (lv *level) inheritModeEffective() string { return lv.effMode }

// moreChain returns the headers-more directives in effect: they
// accumulate from the outermost level inwards.
func (lv *level) moreChain() []*node {
	var chain []*level
	for l := lv; l != nil; l = l.parent {
		chain = append(chain, l)
	}
	var out []*node
	for i := len(chain) - 1; i >= 0; i-- {
		out = append(out, chain[i].moreHeaders...)
	}
	return out
}

// dropped lists the CORS headers the level's own add_header makes it lose
// from its parent. skip names headers that do not matter in this context.
func (lv *level) dropped(skip map[string]bool) []rules.Dropped {
	if len(lv.addHeaders) == 0 || lv.parent == nil || lv.inheritModeEffective() == "merge" {
		return nil
	}
	var out []rules.Dropped
	inherited := lv.parent.effectiveAddHeaders()
	for i, h := range inherited {
		name, ok := rules.CanonicalCORSHeader(h.arg(0))
		if !ok || skip[name] || declares(lv.addHeaders, name) || moreSets(lv, name) {
			continue
		}
		dup := false
		for _, d := range out {
			if d.Header == name {
				dup = true
				break
			}
		}
		if !dup {
			if out == nil {
				out = make([]rules.Dropped, 0, len(inherited)-i) // at most one per header left
			}
			out = append(out, rules.Dropped{Header: name, Inherited: h.evidence(), DroppedBy: lv.addHeaders[0].evidence(), Written: writtenValue(h)})
		}
	}
	return out
}

// moreSets reports whether headers-more still sets the header at lv (then
// losing the add_header loses nothing).
func moreSets(lv *level, name string) bool {
	found := false
	for l := lv; l != nil && !found; l = l.parent {
		found = len(l.moreHeaders) > 0
	}
	if !found {
		return false
	}
	for _, h := range headersAt(lv) {
		if h.name == name && h.n.name == "more_set_headers" {
			return true
		}
	}
	return false
}

// declares reports whether one of the add_header directives sets name.
func declares(hs []*node, name string) bool {
	for _, h := range hs {
		if strings.EqualFold(h.arg(0), name) {
			return true
		}
	}
	return false
}

// hdr is one header directive in effect, before its value is resolved.
type hdr struct {
	n      *node
	name   string // canonical when tracked
	raw    string // value expression
	always bool
	// statuses restricts a more_set_headers -s list ("" = all).
	statuses string
	written  string // rules.Header.Written: see writtenValue
	cond     string
	guard    []guardSet
	guardEv  *rules.Evidence
}

// headersAt returns the tracked headers a response from the level carries.
func headersAt(lv *level) []hdr {
	if !lv.hdrsDone {
		lv.hdrs, lv.hdrsDone = computeHeaders(lv), true
	}
	// Full slice expression: callers that append get their own copy.
	return lv.hdrs[:len(lv.hdrs):len(lv.hdrs)]
}

// writtenValue is an add_header directive's value as written when the
// directive is `add_header Name Value [always]` (what a fix can copy
// into another scope, rules.Header.Written); "" for any other shape.
func writtenValue(n *node) string {
	if n.name != "add_header" || len(n.args) < 2 || len(n.args) > 3 || (len(n.args) == 3 && n.args[2] != "always") {
		return ""
	}
	return n.args[1]
}

func computeHeaders(lv *level) []hdr {
	if lv.parent != nil && len(lv.addHeaders) == 0 && len(lv.moreHeaders) == 0 && lv.inheritMode == "" && lv.inheritModeEffective() != "off" {
		return headersAt(lv.parent) // nothing declared here: the parent's, shared
	}
	out := lv.hdrBuf[:0]
	for _, n := range lv.effectiveAddHeaders() {
		name, ok := rules.CanonicalCORSHeader(n.arg(0))
		if !ok || len(n.args) < 2 {
			continue
		}
		out = append(out, hdr{n: n, name: name, raw: n.args[1], always: len(n.args) > 2 && n.args[2] == "always", written: writtenValue(n)})
	}
	for _, n := range lv.moreChain() {
		out = applyMore(out, n)
	}
	lv.hdrBuf = out
	return out
}

// applyMore applies one headers-more directive to the header list:
// more_set_headers replaces headers of the same name (empty value clears),
// more_clear_headers removes them (`*` wildcards allowed).
func applyMore(hs []hdr, n *node) []hdr {
	var statuses string
	var specs []string
	for i := 0; i < len(n.args); i++ {
		a := n.args[i]
		switch {
		case a == "-s" && i+1 < len(n.args):
			statuses = n.args[i+1]
			i++
		case a == "-t" && i+1 < len(n.args):
			i++ // content types: the header is conditional, kept as a fact
		case strings.HasPrefix(a, "-s") && len(a) > 2:
			statuses = a[2:]
		case strings.HasPrefix(a, "-t") && len(a) > 2:
		default:
			specs = append(specs, a)
		}
	}
	for _, spec := range specs {
		name, value := spec, ""
		if i := strings.IndexByte(spec, ':'); i >= 0 {
			name, value = spec[:i], strings.TrimSpace(spec[i+1:])
		}
		name = strings.TrimSpace(name)
		hs = removeHeaders(hs, name)
		if n.name == "more_clear_headers" || value == "" {
			continue
		}
		canon, ok := rules.CanonicalCORSHeader(name)
		if !ok {
			continue
		}
		hs = append(hs, hdr{n: n, name: canon, raw: value, always: statuses == "", statuses: statuses})
	}
	return hs
}

func removeHeaders(hs []hdr, pattern string) []hdr {
	out := hs[:0:0]
	for _, h := range hs {
		if ok, _ := filepath.Match(strings.ToLower(pattern), strings.ToLower(h.name)); ok {
			continue
		}
		out = append(out, h)
	}
	return out
}

// sentWith filters headers to those nginx sends with a status: add_header
// without `always` only on 200, 201, 204, 206, 301, 302, 303, 304, 307, 308.
func sentWith(hs []hdr, status int) []hdr {
	all := true
	for _, h := range hs {
		if h.statuses != "" || !h.always && !addHeaderStatus(status) {
			all = false
			break
		}
	}
	if all {
		return hs
	}
	var out []hdr
	for _, h := range hs {
		if h.statuses != "" {
			if !strings.Contains(" "+strings.ReplaceAll(h.statuses, ",", " ")+" ", " "+itoa(status)+" ") {
				continue
			}
		} else if !h.always && !addHeaderStatus(status) {
			continue
		}
		out = append(out, h)
	}
	return out
}

func addHeaderStatus(s int) bool {
	switch s {
	case 200, 201, 204, 206, 301, 302, 303, 304, 307, 308:
		return true
	}
	return false
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	p := len(b)
	neg := i < 0
	if neg {
		i = -i
	}
	for i > 0 {
		p--
		b[p] = byte('0' + i%10)
		i /= 10
	}
	if neg {
		p--
		b[p] = '-'
	}
	return string(b[p:])
}

// serverFacts are Policy.Hosts and Policy.HTTPS for a server block,
// computed once per server.
func serverFacts(srv *level) ([]string, rules.State) {
	if !srv.factsDone {
		srv.hosts, srv.https = computeServerFacts(srv)
		srv.factsDone = true
	}
	return srv.hosts[:len(srv.hosts):len(srv.hosts)], srv.https
}

func computeServerFacts(srv *level) ([]string, rules.State) {
	var hosts []string
	listens := 0
	tls := true
	for _, c := range srv.body {
		switch c.name {
		case "server_name":
			for _, a := range c.args {
				if a == "_" || a == "" {
					continue
				}
				hosts = append(hosts, a)
			}
		case "listen":
			listens++
			if !listenTLS(c.args) {
				tls = false
			}
		}
	}
	switch {
	case listens == 0:
		return hosts, rules.Unknown
	case tls:
		return hosts, rules.Known
	default:
		return hosts, rules.Absent
	}
}

func listenTLS(args []string) bool {
	if len(args) == 0 {
		return false
	}
	for _, a := range args[1:] {
		if a == "ssl" || a == "quic" {
			return true
		}
	}
	addr := args[0]
	if strings.HasPrefix(addr, "unix:") {
		return false
	}
	port := addr
	if i := strings.LastIndexByte(addr, ':'); i >= 0 && !strings.HasSuffix(addr, "]") {
		port = addr[i+1:]
	}
	return port == "443"
}

// implicitName names the scope of a snippet file linted on its own.
func implicitName(file string) string { return "snippet " + filepath.Base(file) }
