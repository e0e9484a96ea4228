package attack

import (
	"regexp"
	"slices"
	"strings"
)

// Attack classes are written once, as small expressions built from the
// combinators below, and serve twice: rendered as a regular expression
// (what autoClasses documents and the tests match with Go's regexp), and
// compiled straight to an NFA over the search alphabet without a parser.
// Every class of every source of one search becomes one NFA whose match
// states name their class ("target"), so that one product search decides
// them all (search.go used to run a parse, a compile and a product
// breadth-first search per source and class: 2 ms per pattern).

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
		next = p.add(cstate{kind: cByte, mask: alphabetMask(string(l[i : i+1])), out: next})
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
	loop := p.add(cstate{kind: cSplit, out2: next})
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
	// cxLabel is one DNS label: [a-z0-9](?:[a-z0-9-]*[a-z0-9])?
	cxLabel = cxSeq{setAlnum, cxAlt{cxSeq{cxStar{setLDH}, setAlnum}, cxSeq{}}}
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
	target    uint8 // the expression the state belongs to
	mask      uint64
	out, out2 int32
}

// classNFA is the union of several anchored class expressions, each
// ending in its own match state. The search runs on it directly, one
// product state per pattern state and NFA state: determinising the union
// multiplies the positions of every class (each may be inside its
// "(label.)*" while the others are inside their host), which the NFA's
// states only add up.
type classNFA struct {
	states []cstate
	cur    uint8 // target of the states being added
	// starts[t] and succ[q]: the byte and match states reached from
	// target t's first state and from byte state q's next state, through
	// the splits.
	starts [][]int32
	succ   [][]int32
	// group[i]: alphabet indexes with equal group are read alike by every
	// byte state.
	group [len(searchAlphabet)]uint8
}

func (p *classNFA) add(s cstate) int32 {
	s.target = p.cur
	p.states = append(p.states, s)
	return int32(len(p.states) - 1)
}

// newClassNFA compiles the targets' expressions (at most 64), target i
// matching expression i.
func newClassNFA(exprs []cx) *classNFA {
	p := &classNFA{}
	var first []int32
	for i, x := range exprs {
		p.cur = uint8(i)
		m := p.add(cstate{kind: cMatch})
		first = append(first, x.emit(p, m))
	}
	// mark[s] == gen: s already seen by this closure (no clearing).
	mark := make([]uint32, len(p.states))
	var gen uint32
	var stack []int32
	closure := func(from int32) []int32 {
		gen++
		var out []int32
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
			out = append(out, s)
		}
		return out
	}
	for _, f := range first {
		p.starts = append(p.starts, closure(f))
	}
	p.succ = make([][]int32, len(p.states))
	var masks []uint64
	for q := range p.states {
		if st := &p.states[q]; st.kind == cByte {
			p.succ[q] = closure(st.out)
			if !slices.Contains(masks, st.mask) {
				masks = append(masks, st.mask)
			}
		}
	}
	var ng uint8
	for i := range len(searchAlphabet) {
		p.group[i] = ng
		for j := range i {
			same := true
			for _, m := range masks {
				if (m>>i)&1 != (m>>j)&1 {
					same = false
					break
				}
			}
			if same {
				p.group[i] = p.group[j]
				break
			}
		}
		if p.group[i] == ng {
			ng++
		}
	}
	return p
}
