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
package nginx
