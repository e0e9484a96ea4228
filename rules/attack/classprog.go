package attack

import (
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Attack classes are written once, as small expressions built from the
// combinators below, and serve twice: rendered as a regular expression
// (what autoClasses documents and the tests match with Go's regexp), and
// compiled straight to an NFA over the search alphabet without a parser.
// Every class of every source of one search becomes one NFA whose match
// states name their class ("target"), so that one product search decides
// them all (the first version parsed and compiled a regular expression
// and ran a product search per source and class: 1-2 ms per pattern).

// cx is a class expression.
type cx interface {
	regex() string
	// emit adds the expression's states to p so that a match of it
	// continues at next, and returns its first state.
	emit(p *classNFA, next int32) int32
}

type (
	cxLit  string // the bytes themselves
	cxSet  struct{ chars, re string }
	cxSeq  []cx
	cxAlt  []cx
	cxStar struct{ x cx }
)

func (l cxLit) regex() string { return regexp.QuoteMeta(string(l)) }
func (s cxSet) regex() string { return s.re }
func (q cxSeq) regex() string {
	var b strings.Builder
	for _, x := range q {
		b.WriteString(x.regex())
	}
	return b.String()
}

func (a cxAlt) regex() string {
	parts := make([]string, len(a))
	for i, x := range a {
		parts[i] = x.regex()
	}
	return "(?:" + strings.Join(parts, "|") + ")"
}

func (s cxStar) regex() string {
	if set, ok := s.x.(cxSet); ok {
		return set.re + "*"
	}
	return "(?:" + s.x.regex() + ")*"
}

func (l cxLit) emit(p *classNFA, next int32) int32 {
	for i := len(l) - 1; i >= 0; i-- {
		next = p.add(cstate{kind: cByte, mask: alphabetBit(rune(l[i])), out: next})
	}
	return next
}

func (s cxSet) emit(p *classNFA, next int32) int32 {
	return p.add(cstate{kind: cByte, mask: alphabetMask(s.chars), out: next})
}

func (q cxSeq) emit(p *classNFA, next int32) int32 {
	for i := len(q) - 1; i >= 0; i-- {
		next = q[i].emit(p, next)
	}
	return next
}

func (a cxAlt) emit(p *classNFA, next int32) int32 {
	start := a[len(a)-1].emit(p, next)
	for i := len(a) - 2; i >= 0; i-- {
		start = p.add(cstate{kind: cSplit, out: a[i].emit(p, next), out2: start})
	}
	return start
}

func (s cxStar) emit(p *classNFA, next int32) int32 {
	// The loop reaches what next reaches (its body only comes back to
	// it): added pointing at next on both sides, then its body.
	loop := p.add(cstate{kind: cSplit, out: next, out2: next})
	p.states[loop].out = s.x.emit(p, loop)
	return loop
}

// cxPlus is one or more x.
func cxPlus(x cx) cx { return cxSeq{x, cxStar{x}} }

// alphabetIndex maps a byte to its search-alphabet index, -1 outside.
var alphabetIndex = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := range len(searchAlphabet) {
		t[searchAlphabet[i]] = int8(i)
	}
	return t
}()

// alphabetMask is the set of search-alphabet indexes of chars (bytes
// outside the alphabet are never read, so they match nothing).
func alphabetMask(chars string) uint64 {
	var m uint64
	for i := range len(chars) {
		if x := alphabetIndex[chars[i]]; x >= 0 {
			m |= 1 << x
		}
	}
	return m
}

const (
	alnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	ldh   = alnum + "-"
)

var (
	setLetters = cxSet{"abcdefghijklmnopqrstuvwxyz", "[a-z]"}
	setAlnum   = cxSet{alnum, "[a-z0-9]"}
	setLDH     = cxSet{ldh, "[a-z0-9-]"}
	setDash    = cxSet{"-", "-"}
	// cxLabel is one DNS label, [a-z0-9](?:[a-z0-9-]*[a-z0-9])?, spelled
	// [a-z0-9](?:-*[a-z0-9])* (the same names): every prefix of a label
	// then leaves the automaton in one state, not two or three, which the
	// product search would each enter.
	cxLabel = cxSeq{setAlnum, cxStar{cxSeq{cxStar{setDash}, setAlnum}}}
)

// The NFA's states: a byte of a set, an empty split, or the match of one
// target.
const (
	cByte = iota
	cSplit
	cMatch
)

type cstate struct {
	kind      uint8
	target    uint8 // cMatch: the expression matched
	mask      uint64
	out, out2 int32
}

// classNFA is the union of several anchored class expressions, each
// ending in its own match state. The search runs on it directly, one
// product state per pattern state and NFA state: determinising the union
// multiplies the positions of every class (each may be inside its
// "(label.)*" while the others are inside their host), which the NFA's
// states only add up. Expressions that begin alike share the states of
// their common beginning (the classes of one source all start with its
// scheme, three with its host after any subdomain), so the search walks
// that part once for all of them.
type classNFA struct {
	targets int // how many expressions
	states  []cstate
	// reach[q]: the targets whose match state q can still get to.
	reach []uint64
	// start and succ[q]: the byte and match states reached from the
	// first state and from byte state q's next state, through the splits.
	start []int32
	succ  [][]int32
	// group[i]: alphabet indexes with equal group are read alike by every
	// byte state.
	group [len(searchAlphabet)]uint8
	// Construction tables, kept for the next automaton (see release).
	all  []int32
	mark []uint32
	ends []int
}

// add appends s and its reach: states are added after the states they
// lead to (expressions are emitted back to front), so the reach of its
// successors is known.
func (p *classNFA) add(s cstate) int32 {
	var r uint64
	switch s.kind {
	case cMatch:
		r = 1 << s.target
	case cSplit:
		r = p.reach[s.out] | p.reach[s.out2]
	default:
		r = p.reach[s.out]
	}
	p.states = append(p.states, s)
	p.reach = append(p.reach, r)
	return int32(len(p.states) - 1)
}

// prefixTrie holds the expressions' sequences of parts, common beginnings
// merged.
type prefixTrie struct {
	part     cx
	children []*prefixTrie
	targets  []int // expressions that end here
}

func (n *prefixTrie) insert(parts []cx, target int) {
	if len(parts) == 0 {
		n.targets = append(n.targets, target)
		return
	}
	for _, c := range n.children {
		if sameCx(c.part, parts[0]) {
			c.insert(parts[1:], target)
			return
		}
	}
	c := &prefixTrie{part: parts[0]}
	n.children = append(n.children, c)
	c.insert(parts[1:], target)
}

// emit adds what follows n (its children and the matches of the targets
// ending at n) and returns its first state.
func (n *prefixTrie) emit(p *classNFA) int32 {
	var starts []int32
	for _, t := range n.targets {
		starts = append(starts, p.add(cstate{kind: cMatch, target: uint8(t)}))
	}
	for _, c := range n.children {
		starts = append(starts, c.part.emit(p, c.emit(p)))
	}
	first := starts[len(starts)-1]
	for i := len(starts) - 2; i >= 0; i-- {
		first = p.add(cstate{kind: cSplit, out: starts[i], out2: first})
	}
	return first
}

// sameCx reports whether two class expressions are the same.
func sameCx(a, b cx) bool {
	switch a := a.(type) {
	case cxLit:
		b, ok := b.(cxLit)
		return ok && a == b
	case cxSet:
		b, ok := b.(cxSet)
		return ok && a == b
	case cxStar:
		b, ok := b.(cxStar)
		return ok && sameCx(a.x, b.x)
	case cxSeq:
		b, ok := b.(cxSeq)
		return ok && slices.EqualFunc(a, b, sameCx)
	case cxAlt:
		b, ok := b.(cxAlt)
		return ok && slices.EqualFunc(a, b, sameCx)
	}
	return false
}

// classNFAPool keeps the tables of class automata whose search is over:
// a lint run builds one per pattern, each about the same size, and
// allocating them anew was a third of a search's garbage.
var classNFAPool = sync.Pool{New: func() any { return new(classNFA) }}

// release returns p's tables to the pool; p must not be used after.
func (p *classNFA) release() {
	*p = classNFA{states: p.states[:0], reach: p.reach[:0], succ: p.succ[:0], all: p.all[:0], mark: p.mark[:0], ends: p.ends[:0]}
	classNFAPool.Put(p)
}

// newClassNFA compiles the targets' expressions (at most 64), target i
// matching expression i. Release it when its search is over.
func newClassNFA(exprs []cx) *classNFA {
	p := classNFAPool.Get().(*classNFA)
	p.targets = len(exprs)
	root := &prefixTrie{}
	for i, x := range exprs {
		parts := []cx{x}
		if seq, ok := x.(cxSeq); ok {
			parts = seq
		}
		root.insert(parts, i)
	}
	first := root.emit(p)
	n := len(p.states)
	// The closures share one backing array: ends[k] is where the k-th
	// closure ends (sliced apart once all are computed, the array having
	// stopped growing).
	mark := slices.Grow(p.mark[:0], n)[:n]
	clear(mark)
	var gen uint32
	var stack []int32
	all := p.all[:0]
	closure := func(from int32) int {
		gen++
		stack = append(stack[:0], from)
		for len(stack) > 0 {
			s := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if mark[s] == gen {
				continue
			}
			mark[s] = gen
			if st := &p.states[s]; st.kind == cSplit {
				// out first: the order successors are entered in.
				stack = append(stack, st.out2, st.out)
				continue
			}
			all = append(all, s)
		}
		return len(all)
	}
	startEnd := closure(first)
	ends := slices.Grow(p.ends[:0], n)[:n]
	var masks []uint64
	for q := range p.states {
		if st := &p.states[q]; st.kind == cByte {
			ends[q] = closure(st.out)
			if !slices.Contains(masks, st.mask) {
				masks = append(masks, st.mask)
			}
		}
	}
	p.start = all[:startEnd:startEnd]
	succ := slices.Grow(p.succ[:0], n)[:n]
	from := startEnd
	for q := range p.states {
		succ[q] = nil
		if p.states[q].kind == cByte {
			succ[q] = all[from:ends[q]:ends[q]]
			from = ends[q]
		}
	}
	p.succ, p.all, p.mark, p.ends = succ, all, mark, ends
	p.group = groupsOf(masks)
	return p
}
