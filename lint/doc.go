// Package lint is the static half of corsguard: it walks files, directories
// (following symbolic links, with loop detection), globs and standard
// input, reads each file once through lint/source, detects its format from
// the same bytes, hands them to that format's front end (lint/nginx,
// lint/apache, lint/hcl), runs the rule catalog on the policies they
// return, and applies suppressions and the user's rule settings. Files it
// does not lint are listed in Result.Skipped with the reason, never
// dropped silently. It never prints; cmd/corsguard renders the Result.
package lint
