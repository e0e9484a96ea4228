package attack

import (
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
)

// The witness search by automata (issue 13). A pattern that Go's
// regexp/syntax parses is compiled to its program, and the program is run as
// a lazily built DFA over bytes (subset construction, one state per set of
// program counters). Attack classes are small anchored regular expressions
// compiled the same way ("post-domain of app.example.com under a public
// suffix" is `^https://app\.example\.com\.(label\.)*label\.(com|org|...)$`),
// and a breadth-first search of the product finds the shortest string, in
// alphabet-preference order, that the pattern and the class both accept.
// A class whose product has no accepting state within the bounds yields no
// witness; one that has always yields one (up to the bounds below).

// searchAlphabet is what witnesses are spelled with, most readable first:
// BFS expands bytes in this order, so of two shortest witnesses the one
// with earlier letters wins. Browsers serialise origins in ASCII lower
// case; the class expressions restrict further.
const searchAlphabet = "xabcdefghijklmnopqrstuvwyz0123456789-.:/_"

// Bounds keep the product search linear in practice: at most maxProduct
// product states and witnesses of at most maxWitnessLen bytes.
const (
	maxProduct    = 4096
	maxWitnessLen = 96
)

// prevKind is what preceded the current position, for assertions.
const (
	prevStart   = 0 // beginning of text
	prevWord    = 1
	prevNonWord = 2
)

// dfa is a lazily determinised program. States are sets of program
// counters before their empty-width closure, plus what preceded (for ^, \b)
// and whether a match has been seen (search semantics: once the pattern has
// matched, everything that follows is accepted).
type dfa struct {
	prog     *syntax.Prog
	search   bool // unanchored search: the program may start at any position
	states   []dstate
	index    map[string]int32
	next     [][len(searchAlphabet)]int32 // -2: not computed yet
	accept   []int8                       // -1 unknown, 0 no, 1 yes
	scratchQ []uint32
}

type dstate struct {
	pcs     []uint32
	prev    uint8
	matched bool
	dead    bool
}

const deadState = int32(-1)

func newDFA(prog *syntax.Prog, search bool) *dfa {
	d := &dfa{prog: prog, search: search, index: map[string]int32{}}
	d.intern(dstate{pcs: []uint32{uint32(prog.Start)}, prev: prevStart})
	return d
}

func (d *dfa) intern(s dstate) int32 {
	var b strings.Builder
	b.WriteByte(s.prev)
	if s.matched {
		b.WriteByte('m')
	}
	for _, pc := range s.pcs {
		b.WriteByte(byte(pc))
		b.WriteByte(byte(pc >> 8))
		b.WriteByte(byte(pc >> 16))
	}
	key := b.String()
	if id, ok := d.index[key]; ok {
		return id
	}
	id := int32(len(d.states))
	s.dead = !s.matched && !d.live(s)
	d.states = append(d.states, s)
	var row [len(searchAlphabet)]int32
	for i := range row {
		row[i] = -2
	}
	d.next = append(d.next, row)
	d.accept = append(d.accept, -1)
	d.index[key] = id
	return id
}

// context gives the empty-width flags between what preceded and r (-1:
// end of text).
func context(prev uint8, r rune) syntax.EmptyOp {
	p := rune(-1)
	switch prev {
	case prevWord:
		p = 'a'
	case prevNonWord:
		p = '.'
	}
	return syntax.EmptyOpContext(p, r)
}

// closure follows empty transitions from pcs under flags, calling visit
// for every instruction that consumes or matches.
func (d *dfa) closure(pcs []uint32, flags syntax.EmptyOp, visit func(pc uint32, in *syntax.Inst)) {
	seen := make(map[uint32]bool, 16)
	stack := append(d.scratchQ[:0], pcs...)
	for len(stack) > 0 {
		pc := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[pc] {
			continue
		}
		seen[pc] = true
		in := &d.prog.Inst[pc]
		switch in.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			stack = append(stack, in.Arg, in.Out)
		case syntax.InstCapture, syntax.InstNop:
			stack = append(stack, in.Out)
		case syntax.InstEmptyWidth:
			if syntax.EmptyOp(in.Arg)&^flags == 0 {
				stack = append(stack, in.Out)
			}
		case syntax.InstFail:
		default:
			visit(pc, in)
		}
	}
	d.scratchQ = stack
}

// live over-approximates whether s can still reach a match: some
// consuming instruction or the match is reachable under permissive flags.
func (d *dfa) live(s dstate) bool {
	// In search mode the program's start is among the pcs (it may start
	// again at any later position), so a pattern open at the start stays
	// live and one anchored with ^ dies once past the beginning.
	found := false
	for _, flags := range []syntax.EmptyOp{context(s.prev, 'a'), context(s.prev, '.'), context(s.prev, -1)} {
		d.closure(s.pcs, flags, func(uint32, *syntax.Inst) { found = true })
		if found {
			return true
		}
	}
	return false
}

func consumes(in *syntax.Inst, r rune) bool {
	switch in.Op {
	case syntax.InstRune, syntax.InstRune1:
		return in.MatchRune(r)
	case syntax.InstRuneAny:
		return true
	case syntax.InstRuneAnyNotNL:
		return r != '\n'
	}
	return false
}

// step is the state after reading the alphabet byte at index i.
func (d *dfa) step(s int32, i int) int32 {
	if s == deadState {
		return deadState
	}
	if n := d.next[s][i]; n != -2 {
		return n
	}
	cur := d.states[s]
	c := rune(searchAlphabet[i])
	prev := uint8(prevNonWord)
	if c < unicode.MaxASCII && syntax.IsWordChar(c) {
		prev = prevWord
	}
	var out dstate
	out.prev = prev
	if cur.matched {
		out.matched = true
	} else {
		matched := false
		var pcs []uint32
		d.closure(cur.pcs, context(cur.prev, c), func(pc uint32, in *syntax.Inst) {
			if in.Op == syntax.InstMatch {
				matched = true
			} else if consumes(in, c) {
				pcs = append(pcs, in.Out)
			}
		})
		if matched && d.search {
			out.matched = true
		} else {
			if d.search {
				pcs = append(pcs, uint32(d.prog.Start))
			}
			slices.Sort(pcs)
			out.pcs = slices.Compact(pcs)
		}
	}
	id := d.intern(out)
	if d.states[id].dead {
		id = deadState
	}
	d.next[s][i] = id
	return id
}

// accepting reports whether the text read so far, ending here, is accepted.
func (d *dfa) accepting(s int32) bool {
	if s == deadState {
		return false
	}
	if a := d.accept[s]; a >= 0 {
		return a == 1
	}
	st := d.states[s]
	ok := st.matched
	if !ok {
		d.closure(st.pcs, context(st.prev, -1), func(_ uint32, in *syntax.Inst) {
			ok = ok || in.Op == syntax.InstMatch
		})
	}
	d.accept[s] = 0
	if ok {
		d.accept[s] = 1
	}
	return ok
}

// compileDFA parses expr with Perl syntax (plus case folding) and returns
// its DFA; search selects unanchored search semantics. It fails for what
// Go's parser rejects: lookarounds, backreferences, atomic groups.
func compileDFA(expr string, foldCase, search bool) (*dfa, error) {
	flags := syntax.Perl
	if foldCase {
		flags |= syntax.FoldCase
	}
	re, err := syntax.Parse(expr, flags)
	if err != nil {
		return nil, err
	}
	if search {
		re = escapeLoneDots(re)
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil {
		return nil, err
	}
	return newDFA(prog, search), nil
}

// shortestCommon returns the shortest string, least in alphabet-preference
// order among the shortest, that every DFA accepts; ok is false when there
// is none within maxProduct states and maxWitnessLen bytes (exhausted
// reports whether the search space was fully explored: then there is
// provably none over the alphabet).
//
// want filters candidates: a string every DFA accepts but want rejects is
// passed over and the search goes on (nil accepts all).
func shortestCommon(ds []*dfa, want func(string) bool) (w string, ok, exhausted bool) {
	type node struct {
		states []int32
		parent int32
		by     byte
		depth  int
	}
	key := func(ss []int32) string {
		b := make([]byte, 0, 4*len(ss))
		for _, s := range ss {
			b = append(b, byte(s), byte(s>>8), byte(s>>16), byte(s>>24))
		}
		return string(b)
	}
	start := make([]int32, len(ds))
	nodes := []node{{states: start, parent: -1}}
	seen := map[string]bool{key(start): true}
	for head := 0; head < len(nodes); head++ {
		n := nodes[head]
		all := true
		for k, d := range ds {
			if !d.accepting(n.states[k]) {
				all = false
				break
			}
		}
		if all {
			var b []byte
			for x := int32(head); nodes[x].parent >= 0; x = nodes[x].parent {
				b = append(b, nodes[x].by)
			}
			slices.Reverse(b)
			if want == nil || want(string(b)) {
				return string(b), true, false
			}
		}
		if n.depth == maxWitnessLen {
			continue
		}
	next:
		for i := range len(searchAlphabet) {
			ss := make([]int32, len(ds))
			for k, d := range ds {
				s := d.step(n.states[k], i)
				if s == deadState {
					continue next
				}
				ss[k] = s
			}
			kk := key(ss)
			if seen[kk] {
				continue
			}
			if len(nodes) == maxProduct {
				return "", false, false
			}
			seen[kk] = true
			nodes = append(nodes, node{states: ss, parent: int32(head), by: searchAlphabet[i], depth: n.depth + 1})
		}
	}
	return "", false, true
}

// escapeLoneDots turns every unrepeated `.` of a pattern into a literal
// dot. Escaping only narrows what a pattern accepts, so a witness of the
// escaped pattern is one of the real pattern too; and what the lone dots
// add (appxexample.com) is the unescaped-dot class, which Search's
// candidates decide, not a missing boundary.
func escapeLoneDots(re *syntax.Regexp) *syntax.Regexp {
	switch re.Op {
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return &syntax.Regexp{Op: syntax.OpLiteral, Rune: []rune{'.'}, Flags: re.Flags &^ syntax.FoldCase}
	case syntax.OpStar, syntax.OpPlus, syntax.OpRepeat:
		return re
	}
	if len(re.Sub) == 0 {
		return re
	}
	c := *re
	c.Sub = make([]*syntax.Regexp, len(re.Sub))
	for i, sub := range re.Sub {
		c.Sub[i] = escapeLoneDots(sub)
	}
	return &c
}
