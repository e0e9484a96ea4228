// Package nginx turns nginx configuration text into corsguard policies.
//
// It owns the nginx front end of `corsguard lint`: reading an entry file and
// its includes (parsed with github.com/nginxinc/nginx-go-crossplane, one file
// at a time, includes expanded per including context by this package),
// resolving nginx's own semantics (add_header inheritance and its silent
// drops, headers-more, if/return/limit_except/auth/proxy handling of
// OPTIONS, and the data flow of map/set/if into Access-Control-Allow-Origin)
// and producing one rules.Policy per effective location. It does not judge
// anything: the rules package does. It never prints and never panics on odd
// input; problems come back as rules.Diagnostic values with file:line.
//
// Reading: each file is parsed once (cached) and expanded wherever it is
// included. A byte-level reader mirroring crossplane's tokenizer, parser and
// argument checks (fastparse.go) handles files crossplane would accept
// without complaint; anything else goes to crossplane itself, which stays
// the authority on every diagnostic. A differential test holds the two to
// identical trees.
//
// Policies are read-only: grants that do not depend on `set` variables are
// resolved once per declaring level and their slices shared between the
// policies that inherit them; a map key's *rules.Pattern and one-origin
// Values lists are shared by every rule that uses them; evidence texts are
// substrings of the file's contents where the directive is written the
// way it is rendered. One server is analysed at a time, its levels taken
// from a pool the next server reuses (nothing a policy keeps points there).
//
// Semantics worth knowing when reading the policies:
//   - map keys with the `hostnames` flag (`.example.com`, `*.example.com`,
//     `www.example.*`) become Glob patterns; `.example.com` is written as
//     `*.example.com` (nginx also matches the bare name, which no serialised
//     origin can equal).
//   - map exact keys are compared case-insensitively by nginx; the policy
//     keeps them as written.
//   - a value that is empty for some requests (map default "") is not sent
//     at all for those requests: nginx skips add_header with an empty value.
//   - more_set_headers (headers-more) accumulates from outer to inner scopes,
//     is sent on every status unless -s restricts it, and replaces an
//     add_header of the same name.
//   - an `if` in a location whose condition constrains the Origin (directly
//     or through a map/set derived from it) adds its headers to the
//     location's Actual grant with Header.Condition; an `if` that selects
//     OPTIONS shapes Preflight; any other `if` with headers gets its own
//     pseudo-location policy (`... > if ($x = y)`).
//   - an `if` or location with its own add_header loses every inherited
//     one; each lost CORS header is a rules.Dropped (for preflight-only
//     blocks, Expose-Headers and Vary are not counted).
//   - the server-level policy describes requests matching no location and
//     is only emitted when the server itself sends CORS headers (or has no
//     locations).
//   - a gate (`if ($http_origin !~ re) { return 403; }`, also `!~*`, `!=`,
//     any return, no headers of its own) makes $http_origin, further along
//     the request's path, the Origin that passed re; a return-gate on a
//     Lua-computed check that reads the Origin makes it unknown.
//   - `set` values carry the method classes (OPTIONS, simple) that never
//     get them (flags.go): an `if` on a flag that can pass only for OPTIONS
//     is the preflight branch, guarded by the origin test behind the flag.
//   - when several ifs of a level can match one request, the last one's
//     add_header list wins: CORS headers of earlier ones are Dropped
//     (ifwins.go).
//
// Budgets (issue 15): locations nested deeper than maxNesting (64) become
// one policy with an unknown origin at the first location over it; a value
// over the expansion budget (maxValueBytes, maxValueParts) or a variable
// with more than 64 possible values becomes unknown naming the directive;
// map chains stop at maxResolveDepth; duplicate origin rules are found
// through an index (dedup.go). Everything else is linear in the input.
package nginx
