// Package attack owns corsguard's attack origins: the mutation classes of
// ATTACKS.md, the generator that derives them from trusted origins and from
// the literals inside a pattern, and the matchers that run an origin pattern
// the way nginx (PCRE), Go (RE2) or a cloud API (glob) runs it.
//
// Two users share one generator. The linter compiles a pattern from a
// config (Compile), guesses what it was meant to trust (Literals, Intended)
// and asks for concrete exploit origins (Search) or for proof that nothing
// can ever match (NeverMatches). The live fuzzer sends every Candidate that
// Generate returns, including those no browser would send (upper case,
// userinfo, lists, empty), because a server can be probed with anything.
//
// Attack origins live under evil.test (a reserved TLD), so no real site is
// ever named. Seed lists (shared hosting, localhost) come from
// corpus/origins. The package is pure: no I/O, no network; it does not
// import package rules (rules imports it).
package attack
