package attack

import (
	"math/bits"
	"slices"
	"sync"
)

// productSearch finds, for every target of the class automaton c still
// pending, the shortest string, least in alphabet-preference order among
// the shortest, that the pattern a and the target's class both accept and
// want approves: one breadth-first search of the product of a with the
// union of all class expressions of a search (classprog.go), which stops
// as soon as every target has its witness. Product states of targets
// already found are not expanded.
//
// found[t] is "" when target t has no witness within maxProduct product
// states per target and maxWitnessLen bytes; exhausted reports whether the
// search space was fully explored (then there is provably none over the
// alphabet).
//
// want filters candidates: a string both accept but want rejects is
// passed over and the search goes on. The first pass enters each product
// state once; targets that had a string turned down there and nothing
// else are searched again entering states up to revisits times, so
// absence is proved only up to revisits-1 rejected strings through one
// state.
func productSearch(a *dfa, c *classNFA, pending uint64, want func(t int, w string) bool) (found []string, exhausted bool) {
	found = make([]string, c.targets)
	s := runPool.Get().(*productRun)
	defer func() {
		s.a, s.c, s.want, s.found, s.hit = nil, nil, nil, nil, 0
		runPool.Put(s)
	}()
	s.a, s.c, s.want, s.found = a, c, want, found
	s.repMask = 0
	for _, i := range representatives(a, c) {
		s.repMask |= 1 << i
	}
	s.seen, s.stride = s.seen[:0], 0
	rejected, exhausted := s.run(pending, 1)
	if again := rejected &^ s.hit; again != 0 && exhausted {
		// want turned down a string through a state that other strings
		// also pass through: search again, entering states several times.
		_, exhausted = s.run(again, revisits)
	}
	return found, exhausted
}

// representatives are the alphabet indexes worth expanding: bytes that no
// instruction of the pattern and no state of the class automaton tell
// apart lead to the same states, so only the first (most readable) of each
// group is tried.
func representatives(a *dfa, c *classNFA) []uint8 {
	ga := &a.group
	out := make([]uint8, 0, len(searchAlphabet))
	// Group numbers are alphabet indexes at most: a pair of them is an
	// index into a table of pairs seen (no search of out per byte).
	var seen [len(searchAlphabet) * len(searchAlphabet)]bool
	for i := range len(searchAlphabet) {
		k := int(ga[i])*len(searchAlphabet) + int(c.group[i])
		if !seen[k] {
			seen[k] = true
			out = append(out, uint8(i))
		}
	}
	return out
}

// wordChars are the alphabet's word characters (\w).
const wordChars = "abcdefghijklmnopqrstuvwxyz0123456789_"

// groupsOf numbers the alphabet indexes so that two get the same number
// exactly when every mask holds both or neither, numbered in alphabet
// order of first appearance: the partition is refined mask by mask (a
// group splits into those in the mask and those not).
func groupsOf(masks []uint64) [len(searchAlphabet)]uint8 {
	const n = len(searchAlphabet)
	const all = uint64(1)<<n - 1
	// The groups as sets of bytes: a mask splits each group it cuts in
	// two; a mask that cuts none (a repeat, most of them) costs one test
	// per group.
	var parts [n]uint64
	parts[0] = all
	np := 1
	for _, m := range masks {
		if m &= all; m == 0 || m == all {
			continue
		}
		for k := range np {
			if in := parts[k] & m; in != 0 && in != parts[k] {
				parts[k] &^= m
				parts[np] = in
				np++
			}
		}
		if np == n {
			break // every byte is its own group
		}
	}
	// Numbered in alphabet order of first appearance.
	var owner [n]uint8
	for k := range np {
		for m := parts[k]; m != 0; m &= m - 1 {
			owner[bits.TrailingZeros64(m)] = uint8(k)
		}
	}
	var g [n]uint8
	var num [n]int8
	for k := range num {
		num[k] = -1
	}
	next := int8(0)
	for i := range n {
		k := owner[i]
		if num[k] < 0 {
			num[k] = next
			next++
		}
		g[i] = uint8(num[k])
	}
	return g
}

// runPool keeps the search tables of finished searches: a lint run
// searches thousands of patterns, each product about the same size.
var runPool = sync.Pool{New: func() any { return new(productRun) }}

// productRun is one product search's state across its passes.
type productRun struct {
	a *dfa
	c *classNFA
	// repMask has the bits of the representatives (see representatives).
	repMask uint64
	want    func(t int, w string) bool
	found   []string
	hit     uint64 // targets with a witness
	nodes   []productNode
	// seen[q*stride+sa] counts entries into a product state: one flat
	// table indexed by state ids (no map per step), widened when the
	// lazy pattern automaton outgrows stride.
	seen   []int8
	spare  []int8
	stride int
	buf    []byte
}

type productNode struct {
	sa, q  int32
	parent int32
	by     byte
	depth  uint8
}

// enter counts an entry into (sa, q) and reports whether it is allowed.
func (s *productRun) enter(sa, q int32, limit int8) bool {
	if int(sa) >= s.stride {
		s.widen(int(sa) + 1)
	}
	v := &s.seen[int(q)*s.stride+int(sa)]
	if *v >= limit {
		return false
	}
	*v++
	return true
}

func (s *productRun) widen(min int) {
	stride := max(2*s.stride, min, 32)
	n := len(s.c.states) * stride
	if s.stride == 0 {
		// The first table of a search: the pooled one, cleared by run.
		s.seen = slices.Grow(s.seen[:0], n)[:n]
		s.stride = stride
		return
	}
	// Widening mid-search copies into the spare table (the one the last
	// widening left), so a pooled run allocates only when it outgrows
	// both.
	seen := slices.Grow(s.spare[:0], n)[:n]
	clear(seen)
	for q := range len(s.c.states) {
		copy(seen[q*stride:], s.seen[q*s.stride:(q+1)*s.stride])
	}
	s.spare, s.seen, s.stride = s.seen, seen, stride
}

// run searches for the pending targets, entering each product state up to
// limit times; it returns the targets that had a string turned down.
func (s *productRun) run(pending uint64, limit int8) (rejected uint64, exhausted bool) {
	a, c := s.a, s.c
	if s.stride == 0 {
		s.widen(len(a.states))
	}
	clear(s.seen)
	// The product may hold maxProduct states per target it looks for.
	budget := maxProduct * bits.OnesCount64(pending)
	nodes := s.nodes[:0]
	defer func() { s.nodes = nodes }()
	for _, q := range c.start {
		if c.reach[q]&pending != 0 && s.enter(0, q, limit) {
			nodes = append(nodes, productNode{q: q, parent: -1})
		}
	}
	for head := 0; head < len(nodes); head++ {
		n := nodes[head]
		st := &c.states[n.q]
		if c.reach[n.q]&pending == 0 {
			continue
		}
		if st.kind == cMatch {
			if !a.accepting(n.sa) {
				continue
			}
			buf := s.buf[:0]
			for x := int32(head); nodes[x].depth > 0; x = nodes[x].parent {
				buf = append(buf, nodes[x].by)
			}
			slices.Reverse(buf)
			s.buf = buf
			w := string(buf)
			t := int(st.target)
			if s.want == nil || s.want(t, w) {
				s.found[t] = w
				s.hit |= 1 << t
				pending &^= 1 << t
				if pending == 0 {
					return rejected, false
				}
			} else {
				rejected |= 1 << t
			}
			continue
		}
		if int(n.depth) == maxWitnessLen {
			continue
		}
		// The representatives this state reads, in alphabet order (bit
		// order is preference order): one for a literal byte.
		var tried [len(searchAlphabet)]int32
		ntried := 0
	bytes:
		for m := st.mask & s.repMask; m != 0; m &= m - 1 {
			i := bits.TrailingZeros64(m)
			sa := a.step(n.sa, i)
			if sa == deadState {
				continue
			}
			// Entering each state once, a later byte that leads the
			// pattern to the same state as an earlier one leads to the
			// product states the earlier one entered: skip it.
			if limit == 1 {
				for _, t := range tried[:ntried] {
					if t == sa {
						continue bytes
					}
				}
				tried[ntried] = sa
				ntried++
			}
			for _, q := range c.succ[n.q] {
				if c.reach[q]&pending == 0 || !s.enter(sa, q, limit) {
					continue
				}
				if len(nodes) >= budget {
					return rejected, false
				}
				nodes = append(nodes, productNode{sa: sa, q: q, parent: int32(head), by: searchAlphabet[i], depth: n.depth + 1})
			}
		}
	}
	return rejected, true
}
