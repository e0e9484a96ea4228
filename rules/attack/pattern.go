package attack

import (
	"regexp/syntax"
	"strings"
	"unicode"
)

// Pattern is one origin pattern prepared once for every analysis of it:
// the real engine's matcher, Go's parse of the text, the skeletons and
// literals read from it and the search automaton are each built at most
// once, the first time an analysis needs them, and shared by all the
// others (Literals, Intended, NeverMatches, DotWitnesses, the candidate
// search and the automaton search). Before, each of those parsed the
// pattern itself and three compiled it for the real engine: together
// about a third of the CPU of linting a config of distinct regexes.
//
// A Pattern is not safe for concurrent use; callers that share one
// between goroutines (the rules package's per-run cache) analyse it once
// under a sync.Once.
type Pattern struct {
	expr string
	d    Dialect
	ci   bool
	opts []Option

	// Go's parse with Perl flags, case preserved (what skeletons, the
	// empty-language test, the dot samples and, for case-sensitive
	// patterns, the automaton read). Globs are not parsed.
	perl    *syntax.Regexp
	perlErr error

	m    Matcher // the server's matcher (its own case flag)
	mErr error

	fold       Matcher // case-insensitive twin for Intended
	foldErr    error
	foldDone   bool
	sks        []skeleton
	lits       []string
	litsDone   bool
	prog       searchProgram
	progErr    error
	progDone   bool
	auto       *dfa
	autoErr    error
	autoDone   bool
	neverDone  bool
	never      bool
	neverWhy   string
	intended   []string
	intendDone bool
}

// Prepare reads expr in dialect d once. ci is the server's
// case-insensitivity flag; opts (a budget) apply to every match the
// analyses make. A pattern the real engine rejects still gets a Pattern:
// Err says why, and the analyses that need the engine answer as they do
// for such a pattern (NeverMatches false, Intended the https guesses).
func Prepare(expr string, d Dialect, ci bool, opts ...Option) *Pattern {
	p := &Pattern{expr: expr, d: d, ci: ci, opts: opts}
	if d != Glob {
		p.perl, p.perlErr = syntax.Parse(expr, syntax.Perl)
	}
	p.m, p.mErr = p.compile(ci)
	return p
}

// compile builds the real engine's matcher, reusing the parse for PCRE's
// choice between Go's regexp and the backtracking engine.
func (p *Pattern) compile(ci bool) (Matcher, error) {
	if p.d != PCRE {
		return Compile(p.expr, p.d, ci, p.opts...)
	}
	flags := ""
	if ci {
		flags = "(?i)"
	}
	return compilePCREParsed(p.expr, flags, ci, optionsOf(p.opts).budget, p.perlErr)
}

// Sampled reports whether the automaton search cannot read the pattern
// (lookarounds, backreferences, atomic groups: what Go's parser refuses):
// its witnesses then come from the generated candidates alone, checked
// by the backtracking engine, which stands in for PCRE; a class no
// candidate hits is not proved absent.
func (p *Pattern) Sampled() bool { return p.d != Glob && p.perlErr != nil }

// Err is the real engine's error for the pattern (nil when it compiles).
func (p *Pattern) Err() error { return p.mErr }

// Matcher is the pattern's matcher on the real engine (nil when Err is
// not).
func (p *Pattern) Matcher() Matcher { return p.m }

// foldMatcher is the case-insensitive matcher (the server's own when the
// pattern is case-insensitive already).
func (p *Pattern) foldMatcher() (Matcher, error) {
	if p.ci {
		return p.m, p.mErr
	}
	if !p.foldDone {
		p.fold, p.foldErr = p.compile(true)
		p.foldDone = true
	}
	return p.fold, p.foldErr
}

// skeletons of the pattern (see skeletonsFor), computed once.
func (p *Pattern) skeletons() []skeleton {
	if !p.litsDone {
		p.sks = skeletonsOf(p.expr, p.d, p.perl, p.perlErr)
		p.lits = literalsOf(p.sks)
		p.litsDone = true
	}
	return p.sks
}

// Literals is the package-level Literals of the pattern (shared: do not
// change the slice).
func (p *Pattern) Literals() []string {
	p.skeletons()
	return p.lits
}

// Intended is the package-level Intended of the pattern (shared).
func (p *Pattern) Intended() []string {
	if !p.intendDone {
		m, err := p.foldMatcher()
		p.intended = intended(p.Literals(), m, err)
		p.intendDone = true
	}
	return p.intended
}

// NeverMatches is the package-level NeverMatches of the pattern.
func (p *Pattern) NeverMatches() (bool, string) {
	if !p.neverDone {
		p.never, p.neverWhy = neverMatches(p)
		p.neverDone = true
	}
	return p.never, p.neverWhy
}

// DotWitnesses is the package-level DotWitnesses of the pattern.
func (p *Pattern) DotWitnesses() []string {
	if p.d == Glob || p.perlErr != nil {
		return nil
	}
	return dotWitnesses(p.perl)
}

// SearchWitnesses is SearchPattern for this pattern with its own
// literals: the candidates on the real engine, then the automaton classes
// no candidate hit.
func (p *Pattern) SearchWitnesses(trusted []string) ([]Witness, error) {
	return searchPattern(p.m, p.automaton, trusted, p.Literals())
}

// automaton is the pattern's search automaton (see programFor), built
// once; its lazily determinised states are kept between searches.
func (p *Pattern) automaton() (*dfa, error) {
	if !p.autoDone {
		sp, err := p.program()
		if err == nil {
			p.auto = sp.dfa()
		}
		p.autoErr, p.autoDone = err, true
	}
	return p.auto, p.autoErr
}

// program is the pattern compiled for the witness search, once.
func (p *Pattern) program() (searchProgram, error) {
	if !p.progDone {
		if p.d != Glob && p.perlErr != nil {
			p.progErr = p.perlErr // Go's parser refuses it: no automaton
		} else {
			p.prog, p.progErr = programFor(p.expr, p.d, p.ci, p.perl)
		}
		p.progDone = true
	}
	return p.prog, p.progErr
}

// Release returns the search automaton's tables for the next pattern's
// (a lint run analyses thousands of patterns one after the other); call
// it when every analysis of p is done. p stays usable: an analysis that
// needs the automaton again builds it anew.
func (p *Pattern) Release() {
	if p.auto != nil {
		p.auto.release()
	}
	p.auto, p.autoErr, p.autoDone = nil, nil, false
}

// globRegexp is the parse of a glob as the regular expression
// (?s)\A<part>.*<part>...\z (literal parts, `*` for any run of
// characters), built directly: what Go's parser gives for it, without
// writing it out and parsing it back (TestGlobRegexpIsItsParse).
func globRegexp(expr string, ci bool) *syntax.Regexp {
	flags := syntax.Perl | syntax.DotNL
	if ci {
		flags |= syntax.FoldCase
	}
	subs := []*syntax.Regexp{{Op: syntax.OpBeginText, Flags: flags}}
	for i, part := range strings.Split(expr, "*") {
		if i > 0 {
			any := &syntax.Regexp{Op: syntax.OpAnyChar, Flags: flags}
			subs = append(subs, &syntax.Regexp{Op: syntax.OpStar, Flags: flags, Sub: []*syntax.Regexp{any}})
		}
		subs = appendGlobLiteral(subs, part, flags)
	}
	subs = append(subs, &syntax.Regexp{Op: syntax.OpEndText, Flags: flags})
	return &syntax.Regexp{Op: syntax.OpConcat, Sub: subs}
}

// appendGlobLiteral appends a literal part as the parser keeps it: one
// literal, each rune folded to the smallest of its case orbit under
// FoldCase.
func appendGlobLiteral(subs []*syntax.Regexp, part string, flags syntax.Flags) []*syntax.Regexp {
	if part == "" {
		return subs
	}
	runes := []rune(part)
	if flags&syntax.FoldCase != 0 {
		for i, r := range runes {
			for c := unicode.SimpleFold(r); c != r; c = unicode.SimpleFold(c) {
				runes[i] = min(runes[i], c)
			}
		}
	}
	return append(subs, &syntax.Regexp{Op: syntax.OpLiteral, Flags: flags, Rune: runes})
}

// patternDFA is the pattern's search automaton, or an error when Go's
// parser does not read it (the one-shot form of Pattern.automaton).
func patternDFA(expr string, d Dialect, ci bool) (*dfa, error) {
	sp, err := programFor(expr, d, ci, nil)
	if err != nil {
		return nil, err
	}
	return sp.dfa(), nil
}
