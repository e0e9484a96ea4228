package attack

import (
	"regexp/syntax"
	"slices"
	"strings"
)

// What the witness search reads from a pattern's parse before it runs:
// the program its automaton runs (programFor, with lone dots escaped), the
// literal ending every match has (requiredSuffix: classes that cannot end
// so need no search) and whether a pattern is a fixed list (anchored at
// both ends, no repetition: nothing open-ended to search).

// programFor compiles a pattern in dialect d for the search. A glob is
// a full match of its built parse tree; a regex is searched for, parsed
// with Perl syntax (perl: the case-preserving parse when the caller has
// one; case folding changes the parse — literals become their smallest
// fold, classes gain their other case before any negation — so a
// case-insensitive pattern is parsed anew). It fails for what Go's
// parser rejects: lookarounds, backreferences, atomic groups.
func programFor(expr string, d Dialect, ci bool, perl *syntax.Regexp) (searchProgram, error) {
	if d == Glob {
		return programOf(globRegexp(expr, ci), false)
	}
	if ci || perl == nil {
		flags := syntax.Perl
		if ci {
			flags |= syntax.FoldCase
		}
		re, err := syntax.Parse(expr, flags)
		if err != nil {
			return searchProgram{}, err
		}
		perl = re
	}
	return programOf(perl, true)
}

// searchProgram is a pattern compiled for the witness search: the program
// its automaton determinises, and what the search reads from its parse.
// Compiled once per pattern; each search builds its automaton from it.
type searchProgram struct {
	prog   *syntax.Prog
	search bool // unanchored search: the program may start at any position
	// finite: an anchored pattern without repetition (a fixed list).
	finite bool
	// suffix is a literal every string the pattern accepts over the
	// alphabet ends with ("" when there is none to tell).
	suffix string
}

// programOf compiles a parsed pattern (not changed) for the search: lone
// dots escaped in search mode, simplified, compiled.
func programOf(re *syntax.Regexp, search bool) (searchProgram, error) {
	if search {
		re = escapeLoneDots(re)
	}
	re = re.Simplify()
	prog, err := syntax.Compile(re)
	if err != nil {
		return searchProgram{}, err
	}
	return searchProgram{prog: prog, search: search, finite: search && anchoredBothEnds(re) && isFinite(re), suffix: requiredSuffix(re)}, nil
}

// dfa is a fresh automaton of the program (release it when done).
func (sp searchProgram) dfa() *dfa { return newDFA(sp) }

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
	// Copied only where something changes: the parse is shared with the
	// pattern's other analyses, and most patterns have no lone dot.
	var subs []*syntax.Regexp
	for i, sub := range re.Sub {
		e := escapeLoneDots(sub)
		if e != sub && subs == nil {
			subs = make([]*syntax.Regexp, len(re.Sub))
			copy(subs, re.Sub[:i])
		}
		if subs != nil {
			subs[i] = e
		}
	}
	if subs == nil {
		return re
	}
	c := *re
	c.Sub = subs
	return &c
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

// isFinite reports whether a pattern anchored at both ends accepts only
// the strings it spells: no repetition anywhere. Such an allowlist has no
// open-ended class to search (its members are the literals Search tests).
func isFinite(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpStar, syntax.OpPlus, syntax.OpRepeat:
		return false
	}
	for _, sub := range re.Sub {
		if !isFinite(sub) {
			return false
		}
	}
	return true
}
