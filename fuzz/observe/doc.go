// Package observe turns what the fuzzer saw on the wire into the same
// policy model the linters produce (a rules.Policy with Format "live"), and
// compares an observed policy with an expected one. Both sides are first
// projected onto the origins that were actually probed, so that a regex in
// an nginx config and the list of origins a live server echoed become
// comparable; then both are rendered in one stable textual form and
// diffed line by line (github.com/sergi/go-diff). It sends nothing.
package observe
