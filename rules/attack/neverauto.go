package attack

import "sync"

// The automaton's answer to "can this pattern match anything a browser
// sends?": the product of the pattern's automaton with one of serialised
// origins (issue 13: "never matches" as emptiness). NeverMatches asks it
// before generating any candidate; when it finds an origin, verified as a
// browser's serialisation and accepted by the real engine, the pattern can
// match and no candidate is generated. When it finds none (the pattern is
// not one Go's parser reads, only accepts upper case, an IP host, a port a
// browser drops, ...) NeverMatches goes on with its candidates and
// near-misses as before, so it only ever answers "can match" sooner, and
// only with an origin that proves it.

// serialisedOriginCx is a subset of the serialised origins over the search
// alphabet: null, and scheme://host[:port] with a DNS name whose last label
// begins with a letter (a numeric one would have to be an IPv4 address).
// The scheme is any letter-led name (http, https and the app and
// extension schemes that have tuple origins); what serialise turns down
// (file://, ports 0, 443 on https...) the search passes over.
var serialisedOriginCx = func() cx {
	scheme := cxSeq{setLetters, cxStar{setLDH}}
	last := cxSeq{setLetters, cxAlt{cxSeq{cxStar{setLDH}, setAlnum}, cxSeq{}}}
	host := cxSeq{cxStar{cxSeq{cxLabel, cxLit(".")}}, last}
	digits := cxSet{"0123456789", "[0-9]"}
	port := cxAlt{cxSeq{}, cxSeq{cxLit(":"), digits, cxStar{digits}}}
	return cxAlt{cxLit("null"), cxSeq{scheme, cxLit("://"), host, port}}
}()

// serialisedOriginNFA is serialisedOriginCx compiled once (the search only
// reads it).
var serialisedOriginNFA = sync.OnceValue(func() *classNFA { return newClassNFA([]cx{serialisedOriginCx}) })

// acceptsSerialisedOrigin returns an origin a browser sends that the
// pattern accepts, found by the product search; "" when the search finds
// none (which proves nothing: see above).
func (p *Pattern) acceptsSerialisedOrigin(accepts func(string) bool) string {
	a, err := p.automaton()
	if err != nil {
		return ""
	}
	found, _ := productSearch(a, serialisedOriginNFA(), 1, func(_ int, w string) bool {
		return isSerialised(w) && accepts(w)
	})
	return found[0]
}
