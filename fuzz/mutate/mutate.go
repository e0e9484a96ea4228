package mutate

import (
	"fmt"
	"math/rand"
	"strings"

	gofuzz "github.com/google/gofuzz"
)

// Source is what the fuzzer needs from a random generator. The gofuzz
// implementation is the only one; the interface keeps gofuzz (archived
// upstream) replaceable by its successor without touching the engine.
type Source interface {
	// Origins returns up to n distinct mutations of the seeds, none equal
	// to a seed.
	Origins(seeds []string, n int) []string
	// Methods returns up to n distinct request methods for preflights.
	Methods(n int) []string
	// HeaderLists returns n request-header name lists for preflights.
	HeaderLists(n int) [][]string
}

// Named types let gofuzz dispatch to our fuzz functions.
type (
	origin     string
	method     string
	headerList []string
)

// Gofuzz is the gofuzz-backed Source.
type Gofuzz struct {
	seed  int64
	seeds []string // origins being mutated by the current Origins call
}

// New returns a Source seeded with seed.
func New(seed int64) *Gofuzz { return &Gofuzz{seed: seed} }

// fuzzer builds a gofuzz.Fuzzer whose stream depends on the seed and on
// what is being generated, so that asking for methods does not shift the
// origins a given seed produces.
func (g *Gofuzz) fuzzer(stream int64) *gofuzz.Fuzzer {
	return gofuzz.New().RandSource(rand.NewSource(g.seed*31+stream)).NilChance(0).Funcs(
		g.fuzzOrigin, fuzzMethod, fuzzHeaderList)
}

// Origins implements Source.
func (g *Gofuzz) Origins(seeds []string, n int) []string {
	if len(seeds) == 0 || n <= 0 {
		return nil
	}
	// The engine fuzzes targets concurrently through one Source: the
	// seeds belong to this call, not to the shared Gofuzz (a data race
	// that mixed one target's seeds into another's mutations).
	call := &Gofuzz{seed: g.seed, seeds: seeds}
	f := call.fuzzer(1)
	seen := map[string]bool{}
	for _, s := range seeds {
		seen[s] = true
	}
	var out []string
	// Mutations collide now and then; bound the attempts so a tiny seed
	// set cannot loop forever.
	for tries := 0; len(out) < n && tries < n*20; tries++ {
		var o origin
		f.Fuzz(&o)
		if s := string(o); !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// Methods implements Source.
func (g *Gofuzz) Methods(n int) []string {
	f := g.fuzzer(2)
	seen := map[string]bool{}
	var out []string
	for tries := 0; len(out) < n && tries < n*20; tries++ {
		var m method
		f.Fuzz(&m)
		if !seen[string(m)] {
			seen[string(m)] = true
			out = append(out, string(m))
		}
	}
	return out
}

// HeaderLists implements Source.
func (g *Gofuzz) HeaderLists(n int) [][]string {
	f := g.fuzzer(3)
	out := make([][]string, 0, n)
	for range n {
		var h headerList
		f.Fuzz(&h)
		out = append(out, h)
	}
	return out
}

// specials are characters some browser accepts in a host, or that sloppy
// character classes let through (ATTACKS.md "special chars").
const specials = "`_{}!~$+=|&'()*,;-"

var mutations = []func(r *rand.Rand, c gofuzz.Continue, a, b string) string{
	splice, repeatLabel, flipCase, encodeChar, insertSpecial, appendLabel, prependLabel,
	swapScheme, addPort, dropChar, randomSuffix,
}

func (g *Gofuzz) fuzzOrigin(o *origin, c gofuzz.Continue) {
	r := c.Rand
	a := g.seeds[r.Intn(len(g.seeds))]
	b := g.seeds[r.Intn(len(g.seeds))]
	s := a
	for range 1 + r.Intn(3) {
		s = mutations[r.Intn(len(mutations))](r, c, s, b)
	}
	*o = origin(s)
}

// splitOrigin cuts "scheme://host[:port]" into its prefix and host part.
func splitOrigin(s string) (prefix, host string) {
	if i := strings.Index(s, "://"); i >= 0 {
		return s[:i+3], s[i+3:]
	}
	return "", s
}

func splice(r *rand.Rand, _ gofuzz.Continue, a, b string) string {
	i, j := r.Intn(len(a)+1), r.Intn(len(b)+1)
	return a[:i] + b[j:]
}

func repeatLabel(r *rand.Rand, _ gofuzz.Continue, a, _ string) string {
	p, h := splitOrigin(a)
	labels := strings.Split(h, ".")
	i := r.Intn(len(labels))
	labels = append(labels[:i+1], labels[i:]...)
	return p + strings.Join(labels, ".")
}

func flipCase(r *rand.Rand, _ gofuzz.Continue, a, _ string) string {
	b := []byte(a)
	for range 1 + r.Intn(3) {
		i := r.Intn(len(b))
		switch c := b[i]; {
		case c >= 'a' && c <= 'z':
			b[i] = c - 'a' + 'A'
		case c >= 'A' && c <= 'Z':
			b[i] = c - 'A' + 'a'
		}
	}
	return string(b)
}

func encodeChar(r *rand.Rand, _ gofuzz.Continue, a, _ string) string {
	p, h := splitOrigin(a)
	if h == "" {
		return a
	}
	i := r.Intn(len(h))
	return p + h[:i] + fmt.Sprintf("%%%02X", h[i]) + h[i+1:]
}

func insertSpecial(r *rand.Rand, _ gofuzz.Continue, a, _ string) string {
	p, h := splitOrigin(a)
	i := r.Intn(len(h) + 1)
	return p + h[:i] + string(specials[r.Intn(len(specials))]) + h[i:]
}

func appendLabel(r *rand.Rand, c gofuzz.Continue, a, _ string) string {
	return a + "." + label(r, c) + ".test"
}

func prependLabel(r *rand.Rand, c gofuzz.Continue, a, _ string) string {
	p, h := splitOrigin(a)
	return p + label(r, c) + "." + h
}

func swapScheme(_ *rand.Rand, _ gofuzz.Continue, a, _ string) string {
	switch {
	case strings.HasPrefix(a, "https://"):
		return "http://" + a[len("https://"):]
	case strings.HasPrefix(a, "http://"):
		return "https://" + a[len("http://"):]
	}
	return a
}

func addPort(r *rand.Rand, _ gofuzz.Continue, a, _ string) string {
	return fmt.Sprintf("%s:%d", a, 1+r.Intn(65535))
}

func dropChar(r *rand.Rand, _ gofuzz.Continue, a, _ string) string {
	p, h := splitOrigin(a)
	if len(h) < 2 {
		return a
	}
	i := r.Intn(len(h))
	return p + h[:i] + h[i+1:]
}

func randomSuffix(r *rand.Rand, c gofuzz.Continue, a, _ string) string {
	return a + label(r, c)
}

// label turns gofuzz's random string into a host label: ASCII letters and
// digits only, 1 to 12 of them, so the mutation stays a plausible host.
func label(r *rand.Rand, c gofuzz.Continue) string {
	var b strings.Builder
	for _, ch := range strings.ToLower(c.RandString()) {
		if ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' {
			b.WriteRune(ch)
		}
		if b.Len() == 12 {
			break
		}
	}
	if b.Len() == 0 {
		b.WriteByte(byte('a' + r.Intn(26)))
	}
	return b.String()
}

// baseMethods are the state-changing methods browsers preflight; fetch()
// upper-cases only DELETE GET HEAD OPTIONS POST PUT, so `patch` stays lower.
var baseMethods = []string{"PUT", "DELETE", "PATCH", "patch", "put", "Delete", "PROPFIND", "MOVE", "TRACE"}

func fuzzMethod(m *method, c gofuzz.Continue) {
	if c.Intn(3) > 0 {
		*m = method(baseMethods[c.Intn(len(baseMethods))])
		return
	}
	*m = method(strings.ToUpper(label(c.Rand, c)))
}

// baseHeaders are request headers that make a request non-simple.
var baseHeaders = []string{"x-custom", "authorization", "content-type", "x-requested-with", "x-csrf-token", "x-api-key"}

func fuzzHeaderList(h *headerList, c gofuzz.Continue) {
	n := 1 + c.Intn(3)
	seen := map[string]bool{}
	var out headerList
	for range n {
		var name string
		if c.Intn(4) > 0 {
			name = baseHeaders[c.Intn(len(baseHeaders))]
		} else {
			name = "x-" + label(c.Rand, c)
		}
		if c.Intn(4) == 0 {
			name = strings.ToUpper(name[:1]) + name[1:]
		}
		if !seen[strings.ToLower(name)] {
			seen[strings.ToLower(name)] = true
			out = append(out, name)
		}
	}
	*h = out
}
