// Package lint is the static half of corsguard: it walks files, directories
// and globs, detects each file's format, hands it to that format's front end
// (lint/nginx, lint/apache, lint/hcl), runs the rule catalog on the policies
// they return, and applies suppressions and the user's rule settings. It
// never prints; cmd/corsguard renders the Result.
package lint
