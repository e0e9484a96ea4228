package apache

import (
	"cmp"
	"path"
	"slices"
	"strings"
)

// layer is one section's contribution to a request's merged configuration.
type layer struct {
	c      *container
	items  []item
	guards []*guard // the folded <If> chain the items sit in
	server bool     // server config or VirtualHost body
}

// scopeTarget is what a request in a scope looks like: the directory it
// maps to and its URL path.
type scopeTarget struct {
	chain []*container // the scope's own sections, innermost first
	dir   string       // filesystem directory ("" if unknown)
	loc   string       // URL path
}

func (t *scopeTarget) onChain(c *container) bool {
	for _, x := range t.chain {
		if x == c {
			return true
		}
	}
	return false
}

// layersFor lists, in httpd's merge order, the layers that apply to a
// request in the scope whose innermost section is leaf.
func layersFor(top *container, leaf *container, htaccess bool, s *scratch) []layer {
	t := scopeTarget{loc: "/", chain: s.chain[:0]}
	var host *container
	for c := leaf; c != nil; c = c.parent {
		t.chain = append(t.chain, c)
		if c.isHost {
			host = c
		}
		switch {
		case c.phase == phaseDir && t.dir == "":
			t.dir = c.path
		case c.phase == phaseLocation && !c.regex && t.loc == "/":
			t.loc = c.path
		}
	}
	if t.dir == "" {
		if host != nil && host.docroot != "" {
			t.dir = host.docroot
		} else {
			t.dir = top.docroot
		}
		// A Location's URL maps onto the file system under DocumentRoot
		// (Alias aside), so <Directory docroot/fonts> applies to
		// <Location /fonts/> too.
		if t.dir != "" && t.loc != "/" {
			t.dir = path.Join(t.dir, t.loc)
		}
	} else if root := docroot(top, host); t.loc == "/" && root != "" && pathUnder(t.dir, root) && t.dir != root {
		// And the other way: a Directory under DocumentRoot is reached
		// through the URL path that mirrors it.
		t.loc = "/" + strings.TrimPrefix(strings.TrimPrefix(t.dir, root), "/") + "/"
	}
	// In an .htaccess file the top level is the directory's own section.
	out := append(s.layers[:0], layer{c: top, items: top.body, server: !htaccess})
	if host != nil {
		out = append(out, layer{c: host, items: host.body, server: true})
	}
	// Sections of the server config come before the vhost's own (httpd
	// appends the vhost's section arrays to the main server's).
	for i := range s.groups {
		s.groups[i] = s.groups[i][:0]
	}
	w := layerWalker{t: &t, groups: &s.groups}
	w.visit(top.sections())
	if host != nil {
		w.visit(host.kids)
	}
	// Directory sections apply shortest path first; ties keep file order.
	dirs := s.groups[0]
	if len(dirs) > 1 {
		slices.SortStableFunc(dirs, func(a, b *container) int { return cmp.Compare(pathDepth(a.path), pathDepth(b.path)) })
	}
	applied := s.applied[:0]
	for _, group := range s.groups {
		for _, c := range group {
			out = append(out, layer{c: c, items: c.body})
			applied = append(applied, c)
		}
	}
	s.applied = applied
	s.chain = t.chain
	// Folded <If>s (origin / method tests) run last, in the order of the
	// sections that hold them.
	out = appendIfs(out, top)
	if host != nil {
		out = appendIfs(out, host)
	}
	for _, c := range applied {
		out = appendIfs(out, c)
	}
	s.layers = out
	return out
}

// layerWalker collects the sections that apply to a target, by phase.
type layerWalker struct {
	t      *scopeTarget
	groups *[5][]*container // Directory, DirectoryMatch, Files, Location, If
}

func (w layerWalker) visit(cs []*container) {
	t := w.t
	for _, c := range cs {
		g := -1
		switch c.phase {
		case phaseDir:
			if t.onChain(c) || (t.dir != "" && pathUnder(t.dir, c.path)) {
				g = 0
			}
		case phaseDirMatch:
			if t.onChain(c) || (t.dir != "" && c.matches(t.dir)) {
				g = 1
			}
		case phaseFiles:
			if t.onChain(c) {
				g = 2
			}
		case phaseLocation:
			if t.onChain(c) || (!c.regex && urlUnder(t.loc, c.path)) || (c.regex && c.matches(t.loc)) {
				g = 3
			}
		case phaseIf:
			if t.onChain(c) {
				g = 4
			}
		}
		if g >= 0 {
			w.groups[g] = append(w.groups[g], c)
			w.visit(c.kids)
		}
	}
}

// scratch holds buffers reused from one scope's analysis to the next: the
// emitter analyses scopes one at a time and nothing in a finished Policy
// points into them.
type scratch struct {
	chain   []*container
	layers  []layer
	groups  [5][]*container
	applied []*container
	ops     []scopedHop
	env     []*setter
	live    []*setter
	tables  [2][2][]entry // per request kind, per header table
	merged  [2][]entry    // per request kind
	cands   []candidate   // one header value's candidates while it is resolved
	res     []resolved    // per op (by seq), filled by the first grant that needs it
	// resolvedBuf holds one grant's resolved entries while it is built.
	resolvedBuf []*resolved
	a           analysis // the scope being analysed
}

// appendIfs adds the folded Ifs inside c, depth first, each with the chain
// of guards it sits under.
func appendIfs(out []layer, c *container) []layer {
	for _, f := range c.ifs {
		out = append(out, layer{c: f, items: f.body, guards: f.guards})
		out = appendIfs(out, f)
	}
	return out
}

func pathDepth(p string) int {
	if p == "/" {
		return 0
	}
	return strings.Count(strings.TrimSuffix(p, "/"), "/")
}

// pathUnder reports whether directory d is dir or below it. Wildcards in
// <Directory> paths match one component each, as fnmatch does there.
func pathUnder(d, dir string) bool {
	if dir == "/" {
		return true
	}
	if strings.ContainsAny(dir, "*?[") {
		dp := strings.Split(strings.Trim(dir, "/"), "/")
		tp := strings.Split(strings.Trim(d, "/"), "/")
		if len(tp) < len(dp) {
			return false
		}
		for i := range dp {
			if ok, err := path.Match(dp[i], tp[i]); err != nil || !ok {
				return false
			}
		}
		return true
	}
	return d == dir || strings.HasPrefix(d, strings.TrimSuffix(dir, "/")+"/")
}

func urlUnder(u, loc string) bool {
	if loc == "/" || loc == u {
		return true
	}
	return strings.HasPrefix(u, strings.TrimSuffix(loc, "/")+"/")
}

// docroot is the DocumentRoot that applies: the vhost's, else the server's.
func docroot(top, host *container) string {
	if host != nil && host.docroot != "" {
		return host.docroot
	}
	return top.docroot
}
