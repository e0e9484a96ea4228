// Package mutate produces the fuzzer's random mutations: origins spliced,
// repeated, case-flipped, encoded and decorated from the trusted origins,
// plus preflight methods and request-header lists. The randomness comes from
// github.com/google/gofuzz behind the small Source interface, always seeded,
// so that one seed reproduces one run. The deterministic attack classes of
// ATTACKS.md are not here: they live in rules/attack.
package mutate
