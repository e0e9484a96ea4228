package attack

import (
	"math/bits"
	"regexp/syntax"
	"slices"
	"sync"
	"unicode"
)

// The witness search by automata (issue 13). A pattern that Go's
// regexp/syntax parses is compiled to its program, and the program is run as
// a lazily built DFA over bytes (subset construction, one state per set of
// program counters). Attack classes are small anchored expressions
// ("post-domain of app.example.com under a public suffix" is
// `^https://app\.example\.com\.(label\.)*label\.(com|org|...)$`), all
// those of one search compiled into one NFA (classprog.go), and a single
// breadth-first search of the product finds, for each class, the shortest
// string, in alphabet-preference order, that the pattern and the class both
// accept. A class whose product has no accepting state within the bounds
// yields no witness; one that has always yields one (up to the bounds
// below).

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
	revisits      = 4
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
	searchProgram // the program, its search mode, finite and suffix
	states        []dstate
	// index finds the last state of a hash (stateKey), sameKey[id] the
	// state of the same hash before id (-1: none); states of equal hash
	// are told apart by comparing them.
	index   map[uint64]int32
	sameKey []int32
	// pcStore backs the states' and closures' pc lists: slices of one
	// growing array (earlier slices keep the array they were cut from,
	// whose contents never change), not an allocation each.
	pcStore []uint32
	// next[s*ngroups+group[i]] is the state after reading alphabet byte i
	// in state s (-2: not computed yet): bytes of one group (see groups)
	// are read alike by every instruction, so a row has one entry per
	// group, and one flat table holds every row.
	next     []int32
	ngroups  int
	accept   []int8   // -1 unknown, 0 no, 1 yes
	closed   []closed // kinds per state: see consumers
	kinds    int      // 2 when the program tells word bytes apart (\b), else 1
	scratchQ []uint32
	mark     []uint32 // closure's visited stamps, one per instruction
	gen      uint32
	pcsBuf   []uint32
	// reads[pc] is the set of alphabet indexes instruction pc consumes
	// (bit i: searchAlphabet[i]), computed once from its runes: stepping
	// then tests a bit instead of calling MatchRune per byte and state.
	reads []uint64
	// liveAtStart[pc], liveLater[pc]: from pc, following empty transitions
	// under the most permissive flags (at the beginning of the text, or
	// past it), some consuming instruction or the match is reachable.
	liveAtStart, liveLater []bool
	// wordCtx: the program has \b or \B, so states must remember whether
	// a word character came last; otherwise only "at the start" matters.
	wordCtx bool
	// group numbers the alphabet indexes so that two with the same number
	// are read alike by every instruction of the program and are alike
	// for \b; first[g] is the first byte of group g.
	group [len(searchAlphabet)]uint8
	first [len(searchAlphabet)]uint8
}

type dstate struct {
	pcs     []uint32
	prev    uint8
	matched bool
	dead    bool
}

const deadState = int32(-1)

func newDFA(sp searchProgram) *dfa {
	prog := sp.prog
	n := len(prog.Inst)
	// The tables of a released automaton are reused (a lint run builds one
	// per pattern, each about the same size); a new one starts with room
	// for the few states most searches visit.
	const capStates = 16
	d := dfaPool.Get().(*dfa)
	d.searchProgram = sp
	d.mark = resized(d.mark, n)
	d.reads = resized(d.reads, n)
	for pc := range prog.Inst {
		in := &prog.Inst[pc]
		d.reads[pc] = readsOf(in)
		if in.Op == syntax.InstEmptyWidth && syntax.EmptyOp(in.Arg)&(syntax.EmptyWordBoundary|syntax.EmptyNoWordBoundary) != 0 {
			d.wordCtx = true
		}
	}
	d.kinds = 1
	if d.wordCtx {
		d.kinds = 2
	}
	// Word characters differ from others for \b even when no instruction
	// consumes them.
	d.group = groupsOf(append([]uint64{alphabetMask(wordChars)}, d.reads...))
	d.ngroups = int(slices.Max(d.group[:])) + 1
	for i := len(searchAlphabet) - 1; i >= 0; i-- {
		d.first[d.group[i]] = uint8(i)
	}
	d.states = slices.Grow(d.states, capStates)
	d.next = slices.Grow(d.next, capStates*d.ngroups)
	d.closed = slices.Grow(d.closed, d.kinds*capStates)
	// Past the beginning of the text only ^ (and (?m)^, which needs a
	// newline the alphabet lacks) can no longer hold.
	all := ^syntax.EmptyOp(0)
	d.liveAtStart = d.liveUnder(d.liveAtStart, all)
	d.liveLater = d.liveUnder(d.liveLater, all&^(syntax.EmptyBeginText|syntax.EmptyBeginLine))
	d.intern(dstate{pcs: []uint32{uint32(prog.Start)}, prev: prevStart})
	return d
}

// dfaPool keeps the tables of released automata (see release).
var dfaPool = sync.Pool{New: func() any { return &dfa{index: make(map[uint64]int32, 16)} }}

// release returns d's tables to the pool; d must not be used after.
func (d *dfa) release() {
	clear(d.index)
	*d = dfa{
		index: d.index, states: d.states[:0], sameKey: d.sameKey[:0], next: d.next[:0],
		accept: d.accept[:0], closed: d.closed[:0], pcStore: d.pcStore[:0], reads: d.reads[:0],
		mark: d.mark[:0], liveAtStart: d.liveAtStart[:0], liveLater: d.liveLater[:0],
		pcsBuf: d.pcsBuf[:0], scratchQ: d.scratchQ[:0],
	}
	dfaPool.Put(d)
}

// resized is s with length n, cleared, reusing its array when it can.
func resized[T any](s []T, n int) []T {
	s = slices.Grow(s[:0], n)[:n]
	clear(s)
	return s
}

// readsOf is the set of alphabet indexes instruction in consumes, as MatchRune reads
// them: a one-rune slice is a literal (its simple case folds too when the
// instruction folds case), longer ones are ranges, already folded by the
// parser.
func readsOf(in *syntax.Inst) uint64 {
	var m uint64
	switch in.Op {
	case syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
		// No newline in the alphabet: both read every byte of it.
		return 1<<len(searchAlphabet) - 1
	case syntax.InstRune1, syntax.InstRune:
	default:
		return 0
	}
	if len(in.Rune) == 1 {
		r0 := in.Rune[0]
		m |= alphabetBit(r0)
		if syntax.Flags(in.Arg)&syntax.FoldCase != 0 {
			for r := unicode.SimpleFold(r0); r != r0; r = unicode.SimpleFold(r) {
				m |= alphabetBit(r)
			}
		}
		return m
	}
	for i := range len(searchAlphabet) {
		c := rune(searchAlphabet[i])
		for j := 0; j+1 < len(in.Rune); j += 2 {
			if in.Rune[j] <= c && c <= in.Rune[j+1] {
				m |= 1 << i
				break
			}
		}
	}
	return m
}

// alphabetBit is r's bit in an alphabet set (0 outside the alphabet).
func alphabetBit(r rune) uint64 {
	if r < 0 || r > 255 || alphabetIndex[r] < 0 {
		return 0
	}
	return 1 << alphabetIndex[r]
}

// liveUnder marks the instructions from which, following empty
// transitions that flags allow, a consuming instruction or the match is
// reachable (to a fixpoint: empty loops feed back).
func (d *dfa) liveUnder(live []bool, flags syntax.EmptyOp) []bool {
	insts := d.prog.Inst
	live = resized(live, len(insts))
	for changed := true; changed; {
		changed = false
		for pc := len(insts) - 1; pc >= 0; pc-- {
			if live[pc] {
				continue
			}
			in := &insts[pc]
			var ok bool
			switch in.Op {
			case syntax.InstAlt, syntax.InstAltMatch:
				ok = live[in.Out] || live[in.Arg]
			case syntax.InstCapture, syntax.InstNop:
				ok = live[in.Out]
			case syntax.InstEmptyWidth:
				ok = syntax.EmptyOp(in.Arg)&^flags == 0 && live[in.Out]
			case syntax.InstFail:
			default: // consuming or the match
				ok = true
			}
			if ok {
				live[pc], changed = true, true
			}
		}
	}
	return live
}

func (d *dfa) intern(s dstate) int32 {
	key := stateKey(s)
	last, ok := d.index[key]
	if !ok {
		last = -1
	}
	for id := last; id >= 0; id = d.sameKey[id] {
		if o := &d.states[id]; o.prev == s.prev && o.matched == s.matched && slices.Equal(o.pcs, s.pcs) {
			return id
		}
	}
	id := int32(len(d.states))
	s.pcs = d.storePCs(s.pcs)
	s.dead = !s.matched && !d.live(s)
	d.states = append(d.states, s)
	d.next = append(d.next, unknownRow[:d.ngroups]...)
	d.accept = append(d.accept, -1)
	for range d.kinds {
		d.closed = append(d.closed, closed{})
	}
	d.sameKey = append(d.sameKey, last)
	d.index[key] = id
	return id
}

// unknownRow is a row of transitions not computed yet.
var unknownRow = func() (r [len(searchAlphabet)]int32) {
	for i := range r {
		r[i] = -2
	}
	return r
}()

// stateKey hashes what tells two states apart (FNV-1a over the pcs).
func stateKey(s dstate) uint64 {
	h := uint64(14695981039346656037)
	mix := func(v uint64) { h = (h ^ v) * 1099511628211 }
	mix(uint64(s.prev))
	if s.matched {
		mix(1 << 8)
	}
	for _, pc := range s.pcs {
		mix(uint64(pc) + 1<<9)
	}
	return h
}

// storePCs copies pcs into pcStore and returns the copy.
func (d *dfa) storePCs(pcs []uint32) []uint32 {
	start := len(d.pcStore)
	d.pcStore = append(d.pcStore, pcs...)
	return d.pcStore[start:len(d.pcStore):len(d.pcStore)]
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
	// mark[pc] == gen: pc already visited in this closure (no map, no
	// clearing between closures).
	d.gen++
	if d.gen == 0 {
		clear(d.mark)
		d.gen = 1
	}
	stack := append(d.scratchQ[:0], pcs...)
	for len(stack) > 0 {
		pc := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if d.mark[pc] == d.gen {
			continue
		}
		d.mark[pc] = d.gen
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
// consuming instruction or the match is reachable from its instructions
// under permissive flags. In search mode the program's start is among
// the pcs (it may start again at any later position), so a pattern open
// at the start stays live and one anchored with ^ dies once past the
// beginning.
func (d *dfa) live(s dstate) bool {
	live := d.liveLater
	if s.prev == prevStart {
		live = d.liveAtStart
	}
	for _, pc := range s.pcs {
		if live[pc] {
			return true
		}
	}
	return false
}

// step is the state after reading the alphabet byte at index i.
func (d *dfa) step(s int32, i int) int32 {
	if s == deadState {
		return deadState
	}
	row := int(s) * d.ngroups
	if d.next[row] == -2 {
		d.fillRow(s)
	}
	return d.next[row+int(d.group[i])]
}

// fillRow computes every transition of state s at once, one per group of
// bytes. Groups that the instructions of s's own closure read alike lead
// to the same state, so the next state is built and interned once per
// such set of groups: a state whose closure reads [a-z0-9-] and one
// literal interns three states whatever the pattern's other groups.
func (d *dfa) fillRow(s int32) {
	// Indexes, not a slice of the row: interning appends to d.next.
	row := int(s) * d.ngroups
	for kind := range d.kinds {
		word := kind == 1
		// sig[i], bit k: the closure's k-th consumer reads byte i.
		var sig [len(searchAlphabet)]uint64
		exact := true
		if !d.states[s].matched {
			cl := d.consumers(s, word)
			if len(cl.pcs) > 64 {
				exact = false // too many to tell apart by a mask
			} else {
				for k, pc := range cl.pcs {
					for m := d.reads[pc]; m != 0; m &= m - 1 {
						sig[bits.TrailingZeros64(m)] |= 1 << k
					}
				}
			}
		}
		var seen [len(searchAlphabet)]uint64
		var ids [len(searchAlphabet)]int32
		n := 0
	groups:
		for g := range d.ngroups {
			i := int(d.first[g])
			// Word bytes and others are never in one group.
			if d.wordCtx && syntax.IsWordChar(rune(searchAlphabet[i])) != word {
				continue
			}
			if exact {
				for k := range n {
					if seen[k] == sig[i] {
						d.next[row+g] = ids[k]
						continue groups
					}
				}
			}
			id := d.stepByte(s, word, i)
			d.next[row+g] = id
			seen[n], ids[n] = sig[i], id
			n++
		}
	}
}

// stepByte builds and interns the state after s reads alphabet byte i.
func (d *dfa) stepByte(s int32, word bool, i int) int32 {
	cur := &d.states[s]
	var out dstate
	out.prev = prevNonWord
	if word {
		out.prev = prevWord
	}
	if cur.matched {
		out.matched = true
	} else {
		cl := d.consumers(s, word)
		if cl.match && d.search {
			out.matched = true
		} else {
			pcs := d.pcsBuf[:0]
			for _, pc := range cl.pcs {
				if d.reads[pc]>>i&1 != 0 {
					pcs = append(pcs, d.prog.Inst[pc].Out)
				}
			}
			if d.search {
				pcs = append(pcs, uint32(d.prog.Start))
			}
			slices.Sort(pcs)
			out.pcs = slices.Compact(pcs)
			d.pcsBuf = pcs
		}
	}
	id := d.intern(out)
	if d.states[id].dead {
		id = deadState
	}
	return id
}

// closed is the closure of a state before it reads a byte: the consuming
// instructions it holds, and whether it holds the match.
type closed struct {
	pcs   []uint32
	match bool
	done  bool
}

// consumers is the closure of state s before a byte that is a word
// character or not, computed once per state and kind of byte: what the
// closure passes through depends on the byte only through \b and \B
// (programs without them compute one), so every byte a state reads shares
// it, and stepping only filters its instructions by what they read.
func (d *dfa) consumers(s int32, word bool) *closed {
	k := 0
	if word {
		k = 1
	}
	cl := &d.closed[int(s)*d.kinds+k]
	if cl.done {
		return cl
	}
	cur := &d.states[s]
	c := '.'
	if word {
		c = 'a'
	}
	pcs := d.pcsBuf[:0]
	d.closure(cur.pcs, context(cur.prev, c), func(pc uint32, in *syntax.Inst) {
		if in.Op == syntax.InstMatch {
			cl.match = true
		} else if d.reads[pc] != 0 {
			pcs = append(pcs, pc)
		}
	})
	d.pcsBuf = pcs
	cl.pcs, cl.done = d.storePCs(pcs), true
	return cl
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
