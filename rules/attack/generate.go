package attack

import (
	"slices"
	"strings"
	"sync"

	"github.com/corsguard/corsguard/corpus/origins"
	"golang.org/x/net/idna"
)

// Candidate is one attack origin and where it came from.
type Candidate struct {
	// Origin is the header value to send. The Empty class's "" means an
	// empty Origin header; sending no Origin at all is the fuzzer's own
	// baseline request, not a candidate.
	Origin string
	Class  Class
	From   string // the trusted origin or literal it was derived from; "" for seeds
}

// Attacker is the attacker's domain. .test is reserved (RFC 2606), so no
// real site is ever probed or named by accident.
const Attacker = "evil.test"

// MaxSources bounds Generate: at most this many trusted origins and
// literals (trusted first) are expanded. A source yields about 60
// candidates plus one unescaped-dot candidate per dot in its host (at most
// about 180 for a 253-byte host), and the seeds (arbitrary, null, shared
// hosting, localhost, IP literals, empty) add about 85 once, so Generate
// never returns more than about 6,000 candidates (32 maximal hosts), and
// about 60 per source in practice.
const MaxSources = 32

// specialChars follow the trusted name in special-chars candidates. All
// browsers send `_` in hosts; Safari also sends the others (PortSwigger's
// "Exploiting CORS misconfigurations" and Corsy's list); %60 is the
// percent-encoded backtick some parsers decode.
var specialChars = []string{"`", "_", "{", "}", "!", "~", "$", "+", "=", "|", "%60", "&", "'", "(", ")", "*", ",", ";", "^"}

// specialLabels are whole labels made of characters sloppy label classes
// such as [^.]+ or \S+ accept.
var specialLabels = []string{"$", "_", "!", "~"}

// homoglyphs maps Latin letters to Cyrillic look-alikes.
var homoglyphMap = map[rune]rune{'a': 'а', 'e': 'е', 'o': 'о', 'p': 'р', 'c': 'с', 'x': 'х', 'y': 'у', 'i': 'і'}

// ipLiterals are loopback addresses in the spellings URL parsers disagree
// on; only http://[::1] and http://[::ffff:7f00:1] are what a browser sends.
var ipLiterals = []string{
	"http://[::1]", "http://[::ffff:7f00:1]", "http://[0:0:0:0:0:0:0:1]", "http://[::ffff:127.0.0.1]",
	"http://2130706433", "http://0x7f000001", "http://0177.0.0.1", "http://127.1", "http://0",
}

// Generate derives every class from each trusted origin (serialised, like
// https://app.example.com) and from each host-like literal ("example.com",
// found inside a pattern), and adds the seed candidates (arbitrary, null,
// shared hosting, localhost, IP literals) once. The result is sorted by
// class order, then by source order, then by generation order; it holds
// each origin once (under its first class, except that a seed origin keeps
// its seed class and a name anyone can obtain on shared hosting is always
// SharedHosting) and never one of the trusted origins themselves. At most MaxSources sources are expanded.
func Generate(trusted []string, literals []string) []Candidate {
	return generate(trusted, literals, false)
}

// generateSendable is Generate without the derived candidates a browser
// never sends (classes that are not BrowserSendable, IDN hosts in
// Unicode): what Search and NeverMatches try. Leaving them out changes
// nothing else: every such candidate comes after the sendable ones in
// class order except the IDN and IP-literal classes, whose origins none
// of them spells (a Unicode or xn-- label; IP literals are seeds, which
// win their repeats), so no sendable candidate loses its place to one.
//
// The lists are shared (callers only read them): a pattern's remedy proof
// searches its corrected pattern, whose trusted origins and literals are
// nearly always the pattern's own, right after the pattern itself, so the
// last few lists are kept (sendableMemo) and generated once.
func generateSendable(trusted []string, literals []string) []Candidate {
	key := strings.Join(trusted, "\n") + "\x00" + strings.Join(literals, "\n")
	if cs, ok := sendableMemo.get(key); ok {
		return cs
	}
	cs := generate(trusted, literals, true)
	sendableMemo.put(key, cs)
	return cs
}

// sendableMemo holds the candidate lists of the last memoSize distinct
// sources (a ring: the oldest goes first), safe for concurrent use.
var sendableMemo = &candidateMemo{index: map[string]int{}}

const memoSize = 64

type candidateMemo struct {
	mu    sync.Mutex
	index map[string]int // key → slot
	keys  [memoSize]string
	lists [memoSize][]Candidate
	next  int
}

func (m *candidateMemo) get(key string) ([]Candidate, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	i, ok := m.index[key]
	if !ok {
		return nil, false
	}
	return m.lists[i], true
}

func (m *candidateMemo) put(key string, cs []Candidate) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.index[key]; ok {
		return
	}
	if old := m.keys[m.next]; m.lists[m.next] != nil {
		delete(m.index, old)
	}
	m.keys[m.next], m.lists[m.next] = key, cs
	m.index[key] = m.next
	m.next = (m.next + 1) % memoSize
}

func generate(trusted []string, literals []string, sendableOnly bool) []Candidate {
	var sources []string
	seen := map[string]bool{}
	for _, s := range slices.Concat(trusted, literals) {
		key := strings.TrimSpace(s)
		if key == "" || seen[key] || len(sources) == MaxSources {
			continue
		}
		seen[key] = true
		sources = append(sources, key)
	}
	seeds := seedSet()
	// result reclasses in place: the shared seeds are copied.
	g := &generator{seedClass: seeds.class, sendableOnly: sendableOnly}
	if !sendableOnly {
		g.out = slices.Clone(seeds.list)
	} else {
		g.out = make([]Candidate, 0, 48*len(sources)) // about what one source derives
	}
	// Two sources that read as one origin ("https://app.example.com" and
	// the literal "app.example.com") derive the same candidates, and the
	// first source's are the ones kept: the second is not derived.
	derived := make([]origin, 0, len(sources))
	for _, s := range sources {
		if o, ok := parseSource(s); ok && !slices.Contains(derived, o) {
			derived = append(derived, o)
			g.derive(s, o)
		}
	}
	if sendableOnly {
		return g.merge(trusted) // the seeds, sorted once, are merged in
	}
	return g.result(trusted)
}

// sortedSeeds are the seeds as result leaves them (sorted by class,
// repeats dropped), with their class orders: every search merges the same
// 85 seeds, so they are sorted once.
var sortedSeeds = sync.OnceValue(func() (s struct {
	list  []Candidate
	order []int
}) {
	seeds := seedSet()
	g := &generator{out: slices.Clone(seeds.list), seedClass: seeds.class}
	s.list = g.result(nil)
	for _, c := range s.list {
		s.order = append(s.order, c.Class.order())
	}
	return s
})

// merge is result for a generator that holds only derived candidates:
// the same list as result would give with the seeds in front of them. In
// result's stable sort the seeds come first within their class, and a
// derived candidate that spells a seed takes the seed's class and comes
// after it, so it is dropped as a repeat; trusted seeds are dropped too.
func (g *generator) merge(trusted []string) []Candidate {
	// The repeat set and the sorted list only live through this call:
	// pooled (every pattern of a run merges about as many).
	scratch := mergePool.Get().(*mergeScratch)
	defer mergePool.Put(scratch)
	skip := scratch.skip
	clear(skip)
	for _, t := range trusted {
		skip[t] = true
	}
	derived := g.out[:0]
	for i := range g.out {
		if _, seed := g.seedClass[g.out[i].Origin]; seed {
			continue
		}
		g.reclass(i)
		derived = append(derived, g.out[i])
	}
	seeds := sortedSeeds()
	out := make([]Candidate, 0, len(seeds.list)+len(derived))
	next := 0
	emitSeeds := func(upTo int) {
		for ; next < len(seeds.list) && seeds.order[next] <= upTo; next++ {
			if c := seeds.list[next]; !skip[c.Origin] {
				out = append(out, c)
			}
		}
	}
	scratch.sorted = sortByClassInto(scratch.sorted[:0], derived)
	for _, c := range scratch.sorted {
		emitSeeds(c.Class.order())
		if skip[c.Origin] {
			continue
		}
		skip[c.Origin] = true
		out = append(out, c)
	}
	emitSeeds(len(Classes))
	return out
}

// mergeScratch is merge's temporary state, reused through mergePool.
type mergeScratch struct {
	skip   map[string]bool
	sorted []Candidate
}

var mergePool = sync.Pool{New: func() any { return &mergeScratch{skip: make(map[string]bool, 128)} }}

type generator struct {
	out       []Candidate
	seedClass map[string]Class // the seeds' own classes, which take priority
	// sendableOnly: derive only what a browser sends (generateSendable).
	sendableOnly bool
}

func (g *generator) add(c Class, from string, origins ...string) {
	if g.sendableOnly && !c.BrowserSendable() {
		return
	}
	for _, o := range origins {
		g.out = append(g.out, Candidate{Origin: o, Class: c, From: from})
	}
}

// seedSet is built once: the seeds depend on nothing, and a lint run
// generates candidates for every pattern twice (NeverMatches, Search).
var seedSet = sync.OnceValue(func() (s struct {
	list  []Candidate
	class map[string]Class
}) {
	g := &generator{}
	g.seeds()
	s.list = g.out
	s.class = map[string]Class{}
	for _, c := range g.out {
		s.class[c.Origin] = c.Class
	}
	return s
})

// seeds are the candidates that do not depend on any trusted origin.
func (g *generator) seeds() {
	g.add(Arbitrary, "", "https://"+Attacker, "http://"+Attacker)
	g.add(Null, "", "null")
	for _, s := range sharedSuffixes() {
		g.add(SharedHosting, "", "https://evil."+s)
	}
	for _, h := range sharedHosts() {
		g.add(SharedHosting, "", "https://"+h)
	}
	g.add(Extension, "", extensionOrigins...)
	g.add(Localhost, "", origins.Localhost()...)
	g.add(IPLiteral, "", ipLiterals...)
	g.add(Empty, "", "")
}

// derive adds every class derived from one source.
func (g *generator) derive(from string, o origin) {
	s, h, hp := o.scheme+"://", o.host, o.hostPort()
	port := ""
	if o.port != "" {
		port = ":" + o.port
	}
	bracketed := strings.HasPrefix(h, "[")
	// A domain with at least two labels: the subdomain, dot and homoglyph
	// classes only make sense for names, not for IPs or "localhost".
	named := !isIP(h) && strings.Contains(h, ".")
	reg := RegistrableDomain(h)

	if !bracketed {
		g.add(PostDomain, from, s+h+"."+Attacker+port)
		g.add(NoDotPostDomain, from, s+h+Attacker+port, s+h+"-"+Attacker+port)
	}
	if named {
		// Registrable-domain forms first: evilexample.com is a name an
		// attacker can register; evilapp.example.com needs example.com.
		if reg != h {
			g.add(PreDomain, from, s+"evil"+reg+port, s+"evil-"+reg+port)
		}
		g.add(PreDomain, from, s+"evil"+hp, s+"evil-"+hp)
		// A second name, in case a pattern's negative lookahead happens to
		// exclude "evil".
		g.add(SiblingSubdomain, from, s+"evil."+reg+port, s+"forgotten."+reg+port)
		if parent := h[strings.IndexByte(h, '.')+1:]; parent != reg && strings.HasSuffix(parent, "."+reg) {
			g.add(SiblingSubdomain, from, s+"evil."+parent+port)
		}
		g.add(NestedSubdomain, from, s+"evil."+hp)
		for i := 0; i < len(h); i++ {
			if h[i] == '.' {
				g.add(UnescapedDot, from, s+h[:i]+"x"+h[i+1:]+port)
			}
		}
		g.add(Substring, from, s+reg[1:]+port, s+h[:len(h)-1]+port)
		if reg != h {
			g.add(Substring, from, s+h[1:]+port)
		}
	}
	if o.scheme == "https" {
		g.add(HTTPDowngrade, from, "http://"+hp)
	}
	if !bracketed {
		for _, c := range specialChars {
			g.add(SpecialChars, from, s+h+c+"."+Attacker+port)
		}
		for _, l := range specialLabels {
			g.add(SpecialLabel, from, s+h+"."+l+"."+Attacker+port)
		}
	}
	if suffix, ok := IsSharedHosting(h); ok && suffix != h {
		g.add(SharedHosting, from, s+"evil."+suffix+port)
	}
	defPort := "443"
	if o.scheme == "http" {
		defPort = "80"
	}
	g.add(Port, from, s+h+":1337")
	if o.port == "" {
		g.add(Port, from, s+h+":"+defPort)
	}
	g.add(Case, from, s+strings.ToUpper(hp), strings.ToUpper(s)+hp, s+titleLabels(h)+port)
	if !bracketed {
		g.add(TrailingDot, from, s+h+"."+port)
	}
	if named {
		for _, u := range homoglyphs(h, reg) {
			if !g.sendableOnly {
				g.add(IDN, from, s+u+port)
			}
			if a, err := idna.Punycode.ToASCII(u); err == nil {
				g.add(IDN, from, s+a+port)
			}
		}
	}
	g.add(Userinfo, from, s+hp+"@"+Attacker, s+Attacker+"@"+hp, s+hp+"%40"+Attacker)
	g.add(Whitespace, from,
		s+hp+" https://"+Attacker, s+hp+",https://"+Attacker, "https://"+Attacker+" "+s+hp,
		"https://"+Attacker+", "+s+hp, " "+s+hp, s+hp+"\t")
}

// titleLabels upper-cases the first letter of every label: App.Example.Com.
func titleLabels(h string) string {
	b := []byte(h)
	for i := range b {
		if (i == 0 || b[i-1] == '.') && b[i] >= 'a' && b[i] <= 'z' {
			b[i] -= 'a' - 'A'
		}
	}
	return string(b)
}

// homoglyphOrder is the order letters are swapped in: the most convincing
// look-alikes first.
const homoglyphOrder = "aoeicpxy"

// homoglyphs returns up to two spoofs of h: one letter of the registrable
// domain's first label swapped for its Cyrillic look-alike
// (ex[a]mple.com → exаmple.com, then [e]xample.com → еxample.com), any
// subdomain labels kept as they are.
func homoglyphs(h, reg string) []string {
	start := len(h) - len(reg)
	label, _, _ := strings.Cut(reg, ".")
	var out []string
	for _, r := range homoglyphOrder {
		if i := strings.IndexRune(label, r); i >= 0 && len(out) < 2 {
			out = append(out, h[:start+i]+string(homoglyphMap[r])+h[start+i+1:])
		}
	}
	return out
}

// result sorts by class, drops trusted origins and repeats, and reclasses
// what an origin is over how it was derived: a seed keeps its seed class
// (http://localhost derived as the downgrade of "localhost" is Localhost),
// and evil.github.io derived as a "sibling" of github.io is SharedHosting.
func (g *generator) result(trusted []string) []Candidate {
	skip := make(map[string]bool, len(g.out)+len(trusted))
	for _, t := range trusted {
		skip[t] = true
	}
	for i := range g.out {
		g.reclass(i)
	}
	out := make([]Candidate, 0, len(g.out))
	for _, c := range sortByClass(g.out) {
		if skip[c.Origin] {
			continue
		}
		skip[c.Origin] = true
		out = append(out, c)
	}
	return out
}

// reclass gives candidate i the class of what it is (see result).
func (g *generator) reclass(i int) {
	c := g.out[i]
	if k, ok := g.seedClass[c.Origin]; ok {
		g.out[i].Class = k
		return
	}
	if c.Class == SharedHosting || !c.Class.BrowserSendable() {
		return
	}
	if o, ok := parseSource(c.Origin); ok && o.is(c.Origin) && sharedName(o.host) {
		g.out[i].Class = SharedHosting
	}
}

// sortByClass returns cs in class order, stable: a counting sort on
// each candidate's class order, computed once per candidate (a comparison
// sort computes it O(n log n) times, by a linear search of Classes).
func sortByClass(cs []Candidate) []Candidate { return sortByClassInto(nil, cs) }

// sortByClassInto is sortByClass writing into dst's array when it is
// large enough.
func sortByClassInto(dst, cs []Candidate) []Candidate {
	var keyBuf [128]uint8
	keys := keyBuf[:0]
	if len(cs) > len(keyBuf) {
		keys = make([]uint8, len(cs))
	}
	keys = keys[:len(cs)]
	var count [64]int
	for i, c := range cs {
		keys[i] = uint8(c.Class.order())
		count[keys[i]+1]++
	}
	for k := 1; k < len(count); k++ {
		count[k] += count[k-1]
	}
	out := slices.Grow(dst[:0], len(cs))[:len(cs)]
	for i, c := range cs {
		out[count[keys[i]]] = c
		count[keys[i]]++
	}
	return out
}

// sharedName reports whether anyone can obtain host itself: an exact
// shared host, or one label directly under a shared suffix (evil.github.io,
// but not evil.myapp.github.io, which belongs to myapp's owner).
func sharedName(host string) bool {
	suffix, ok := IsSharedHosting(host)
	if !ok {
		return false
	}
	return host == suffix || !strings.Contains(strings.TrimSuffix(host, "."+suffix), ".")
}

// SeedList returns the attack origins that do not depend on any trusted
// origin (arbitrary, null, shared hosting, localhost, IP literals, empty),
// in class order: what the fuzzer sends to a target it knows nothing about.
func SeedList() []Candidate { return Generate(nil, nil) }

// extensionOrigins are origins of a browser extension anyone can publish:
// a store extension's ID is its owner's, but a pattern that accepts any ID
// (`^chrome-extension://`, `moz-extension://*`) accepts the attacker's
// extension too. Firefox and Safari make up a random UUID per install
// (Safari in upper case), so allowlists there tend to accept them all.
var extensionOrigins = []string{
	"chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba",
	"moz-extension://6f1c2b3a-9d8e-4f7a-b6c5-d4e3f2a1b0c9",
	"safari-web-extension://6F1C2B3A-9D8E-4F7A-B6C5-D4E3F2A1B0C9",
	"safari-web-extension://6f1c2b3a-9d8e-4f7a-b6c5-d4e3f2a1b0c9",
}
