// Package rules is corsguard's shared vocabulary: the CORS policy model that
// every front end (nginx, Apache, HCL, live observation) produces, the rule
// catalog, and the checks that turn a Policy into Findings, each with the
// mechanical Remedy that removes it when one can be derived (remedy.go,
// remedies.go; lint/fix applies them). It does no I/O.
// The browser's own CORS logic lives in rules/spec; the attack-origin
// generator and regex witness search live in rules/attack.
package rules
