// Package fuzz drives live endpoints the way hostile pages would and judges
// every answer with the browser oracle (rules/spec). For each target it
// plans a deterministic set of probes (every origin class of ATTACKS.md from
// rules/attack, derived from the target, the trusted origins and the
// expected policy's patterns; seeded random mutations from fuzz/mutate;
// preflights with method/header/credentials/PNA combinations; repeats and
// error paths), sends them through fuzz/driver, builds the observed policy
// with fuzz/observe, and turns what it saw into rules.Finding values with the
// catalog's IDs, each wrapped in a Result that carries the exact requests,
// response headers and curl lines as evidence. It also answers one question
// for one request (Probe: "what is stopping me?"), replays a saved Result,
// keeps a corpus of origins that produced new behaviour, and writes the JSONL
// stream and JUnit report. It never imports lint: expected policies arrive
// as plain []rules.Policy.
//
// A run is bounded and never silently clean: a target with no usable answer
// (network errors, 429/503 after retries) is a TargetError, given up after
// its first probes; one that keeps failing or outlasts Options.TargetTimeout
// is partial. Failed answers are counted, never judged. A cancelled context
// (SIGINT/SIGTERM) stops sending and keeps what was judged (Summary.
// Interrupted). Responses keep only the headers judging reads, and a
// target's answers are dropped once it is judged.
package fuzz
