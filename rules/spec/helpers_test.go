package spec

import "net/http"

// hdr builds a header map from name/value pairs, keeping each name exactly as
// written (so tests can use non-canonical spellings) and appending repeats.
func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h[kv[i]] = append(h[kv[i]], kv[i+1])
	}
	return h
}

// wptOrigin is the page origin the cors/ tests run on (location.protocol +
// "//" + location.host), and wptHost its location.host.
const (
	wptHost   = "web-platform.test:8000"
	wptOrigin = "http://" + wptHost
	// CROSSDOMAIN in cors/support.js: the same host under the www1
	// subdomain, with the directory path.
	wptCrossDomain = "http://www1." + wptHost + "/cors/"
	wptHref        = wptOrigin + "/cors/origin.htm"
)
