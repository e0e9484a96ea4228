package nginx

import crossplane "github.com/nginxinc/nginx-go-crossplane"

// anyKnown reports whether a tree holds at least one directive nginx or a
// common module knows (a file of only unknown words is not nginx).
func anyKnown(nodes []*node) bool {
	for _, n := range nodes {
		if n.isBlock && len(n.block) > 0 && anyKnown(n.block) {
			return true
		}
		if _, ok := crossplane.DefaultDirectivesMatchFunc(n.name); ok {
			return true
		}
		if _, ok := crossplane.MatchHeadersMoreLatest(n.name); ok {
			return true
		}
		if _, ok := crossplane.MatchLuaLatest(n.name); ok {
			return true
		}
	}
	return false
}

// mapFragment reports whether a file holds only `key value;` pairs: the
// body of a map kept in its own file and included from the map block.
func mapFragment(nodes []*node) bool {
	for _, n := range nodes {
		if n.isBlock || len(n.args) != 1 {
			return false
		}
	}
	return true
}
