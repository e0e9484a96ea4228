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
	prog     *syntax.Prog
	search   bool // unanchored search: the program may start at any position
	states   []dstate
	index    map[string]int32
	next     [][len(searchAlphabet)]int32 // -2: not computed yet
	accept   []int8                       // -1 unknown, 0 no, 1 yes
	scratchQ []uint32
	mark     []uint32 // closure's visited stamps, one per instruction
	gen      uint32
	keyBuf   []byte
	pcsBuf   []uint32
	// wordCtx: the program has \b or \B, so states must remember whether
	// a word character came last; otherwise only "at the start" matters.
	wordCtx bool
	// finite: an anchored pattern without repetition (a fixed list).
	finite bool
	group  *[len(searchAlphabet)]uint8 // see groups
	// suffix is a literal every string the pattern accepts over the
	// alphabet ends with ("" when there is none to tell).
	suffix string
}

// requiredSuffix is the literal text right before the end anchor of a
// pattern whose every match ends at the end of the text (…example\.com$),
// in lower case when it folds case (witnesses are lower case); "" when
// the end is not anchored or not preceded by literal text.
func requiredSuffix(re *syntax.Regexp) string {
	if re.Op != syntax.OpConcat || len(re.Sub) < 2 || re.Sub[len(re.Sub)-1].Op != syntax.OpEndText {
		return ""
	}
	var parts []string
	for i := len(re.Sub) - 2; i >= 0 && re.Sub[i].Op == syntax.OpLiteral; i-- {
		lit := string(re.Sub[i].Rune)
		if re.Sub[i].Flags&syntax.FoldCase != 0 {
			lit = strings.ToLower(lit)
		}
		parts = append(parts, lit)
	}
	slices.Reverse(parts)
	return strings.Join(parts, "")
}

// anchoredBothEnds reports whether every match of re starts at the
// beginning and ends at the end of the text (^...$ around the whole, or
// around every branch).
func anchoredBothEnds(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpCapture:
		return anchoredBothEnds(re.Sub[0])
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			if !anchoredBothEnds(sub) {
				return false
			}
		}
		return true
	case syntax.OpConcat:
		if len(re.Sub) < 2 {
			return false
		}
		first, last := re.Sub[0], re.Sub[len(re.Sub)-1]
		return (first.Op == syntax.OpBeginText || first.Op == syntax.OpBeginLine && re.Flags&syntax.OneLine != 0) &&
			(last.Op == syntax.OpEndText || last.Op == syntax.OpEndLine && re.Flags&syntax.OneLine != 0)
	}
	return false
}

type dstate struct {
	pcs     []uint32
	prev    uint8
	matched bool
	dead    bool
}

const deadState = int32(-1)

func newDFA(prog *syntax.Prog, search bool) *dfa {
	d := &dfa{prog: prog, search: search, index: map[string]int32{}, mark: make([]uint32, len(prog.Inst))}
	for _, in := range prog.Inst {
		if in.Op == syntax.InstEmptyWidth && syntax.EmptyOp(in.Arg)&(syntax.EmptyWordBoundary|syntax.EmptyNoWordBoundary) != 0 {
			d.wordCtx = true
		}
	}
	d.intern(dstate{pcs: []uint32{uint32(prog.Start)}, prev: prevStart})
	return d
}

func (d *dfa) intern(s dstate) int32 {
	// The key is built in a reused buffer; a lookup with string(buf) does
	// not allocate, so only new states cost an allocation.
	b := append(d.keyBuf[:0], s.prev)
	if s.matched {
		b = append(b, 'm')
	}
	for _, pc := range s.pcs {
		b = append(b, byte(pc), byte(pc>>8), byte(pc>>16))
	}
	d.keyBuf = b
	if id, ok := d.index[string(b)]; ok {
		return id
	}
	id := int32(len(d.states))
	s.pcs = slices.Clone(s.pcs)
	s.dead = !s.matched && !d.live(s)
	d.states = append(d.states, s)
	var row [len(searchAlphabet)]int32
	for i := range row {
		row[i] = -2
	}
	d.next = append(d.next, row)
	d.accept = append(d.accept, -1)
	d.index[string(b)] = id
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
	if d.wordCtx && c < unicode.MaxASCII && syntax.IsWordChar(c) {
		prev = prevWord
	}
	var out dstate
	out.prev = prev
	if cur.matched {
		out.matched = true
	} else {
		matched := false
		pcs := d.pcsBuf[:0]
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
		d.pcsBuf = pcs
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
	return dfaOf(re, search)
}

// dfaOf is compileDFA for an already parsed pattern (not changed).
func dfaOf(re *syntax.Regexp, search bool) (*dfa, error) {
	if search {
		re = escapeLoneDots(re)
	}
	re = re.Simplify()
	prog, err := syntax.Compile(re)
	if err != nil {
		return nil, err
	}
	d := newDFA(prog, search)
	d.finite = search && anchoredBothEnds(re) && isFinite(re)
	d.suffix = requiredSuffix(re)
	return d, nil
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
