package attack

import "regexp/syntax"

// emptyLanguage reports whether a regular expression matches no string
// without a newline at all (an Origin header never has one): typically an
// end anchor followed by text that must still match, as in nginx's
// `~* (.*\.$base_domain)`, where nginx does not expand the variable and
// `$` is the anchor. NeverMatches' near-miss search cannot show such a
// pattern, since nothing is accepted to miss by. Patterns Go's parser
// does not read (PCRE-only syntax) and globs are never called empty.
func emptyLanguage(expr string, d Dialect) (bool, string) {
	if d == Glob {
		return false, ""
	}
	re, err := syntax.Parse(expr, syntax.Perl)
	return emptyLanguageOf(re, err)
}

// emptyLanguageOf is emptyLanguage given Go's parse of a regular
// expression with Perl flags.
func emptyLanguageOf(re *syntax.Regexp, err error) (bool, string) {
	if err != nil {
		return false, ""
	}
	r := reach(re)
	if r.free || r.ended {
		return false, ""
	}
	return true, "it matches nothing at all: an end anchor `$` is followed by text that must still match (a `$name` inside an nginx or Apache regex is not a variable but this anchor)"
}

// reachable describes the ways a sub-expression can match: leaving the
// position free for more text, at the end of the text (after an end
// anchor, only empty matches may follow), or with no text at all.
type reachable struct {
	free, ended, empty bool
}

func reach(re *syntax.Regexp) reachable {
	switch re.Op {
	case syntax.OpNoMatch:
		return reachable{}
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpBeginText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return reachable{free: true, empty: true}
	case syntax.OpEndLine, syntax.OpEndText:
		return reachable{ended: true, empty: true}
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if r == '\n' {
				return reachable{} // an Origin header has no newline
			}
		}
		return reachable{free: true, empty: len(re.Rune) == 0}
	case syntax.OpCharClass:
		return reachable{free: classHasNonNewline(re.Rune)}
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return reachable{free: true}
	case syntax.OpCapture:
		return reach(re.Sub[0])
	case syntax.OpStar, syntax.OpQuest:
		s := reach(re.Sub[0])
		return reachable{free: true, ended: s.ended, empty: true}
	case syntax.OpPlus:
		return reach(re.Sub[0])
	case syntax.OpRepeat:
		s := reach(re.Sub[0])
		if re.Min == 0 {
			return reachable{free: true, ended: s.ended, empty: true}
		}
		return s
	case syntax.OpAlternate:
		var out reachable
		for _, sub := range re.Sub {
			s := reach(sub)
			out.free = out.free || s.free
			out.ended = out.ended || s.ended
			out.empty = out.empty || s.empty
		}
		return out
	case syntax.OpConcat:
		free, ended, empty := true, false, true
		for _, sub := range re.Sub {
			s := reach(sub)
			// After the end, only a sub that can match nothing goes on.
			nextEnded := ended && s.empty || free && s.ended
			free = free && s.free
			ended = nextEnded
			empty = empty && s.empty
		}
		return reachable{free: free, ended: ended, empty: empty}
	}
	return reachable{free: true, ended: true, empty: true} // unknown: assume anything
}

// classHasNonNewline reports whether a character class (pairs of ranges)
// holds any character other than a newline.
func classHasNonNewline(ranges []rune) bool {
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		if lo != '\n' || hi != '\n' {
			return true
		}
	}
	return false
}
