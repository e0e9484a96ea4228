package nginx

import (
	"strings"

	crossplane "github.com/nginxinc/nginx-go-crossplane"
)

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

// isKnownDirective tells whether nginx or a widely deployed module
// (NGINX Plus, njs, OpenTelemetry, headers-more, Lua, GeoIP2, App Protect)
// defines the directive, by crossplane's tables.
func isKnownDirective(name string) bool {
	for _, match := range []crossplane.MatchFunc{
		crossplane.DefaultDirectivesMatchFunc, crossplane.MatchOssLatest,
		crossplane.MatchHeadersMoreLatest, crossplane.MatchLuaLatest, crossplane.MatchGeoip2Latest,
		crossplane.MatchAppProtectWAFv5, crossplane.MatchAppProtectWAFv4,
	} {
		if _, ok := match(name); ok {
			return true
		}
	}
	return false
}

// mapLikeBlocks hold `key value` pairs, not directives.
var mapLikeBlocks = map[string]bool{
	"charset_map": true, "geo": true, "map": true, "match": true, "types": true,
	"split_clients": true, "geoip2": true, "otel_exporter": true,
}

// reportUnknownDirectives does what `nginx -t` does with a typo such as
// `add_heder`: it names the directive and its file:line. A misspelt
// directive silently drops what it was meant to set, CORS headers included.
func (l *loader) reportUnknownDirectives(nodes []*node) {
	for _, n := range nodes {
		if !isKnownDirective(n.name) {
			l.diag(n.rng(), "unknown directive %q", n.name)
			continue
		}
		if n.isBlock && !mapLikeBlocks[n.name] && !strings.HasSuffix(n.name, "_by_lua_block") {
			l.reportUnknownDirectives(n.block)
		}
	}
}
