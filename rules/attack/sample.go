package attack

import (
	"regexp/syntax"
	"slices"
	"strings"
)

// DotWitnesses returns origins the pattern accepts because one of its
// single unescaped dots matched a letter: for `^https://pr-[0-9]+\.preview.example\.com$`
// it returns `https://pr-0.previewxexample.com`. Each is the pattern's
// simplest match (a shortest walk of its syntax tree) with exactly one
// lone `.` instantiated as `x` and every other `.` as a literal dot, so a
// witness shows the one dot that needs escaping. Only dots that stand
// alone count: `.*` and `.+` are boundary problems (CG104), not this one.
// Patterns Go's regexp/syntax cannot parse yield nothing.
func DotWitnesses(expr string, d Dialect) []string {
	if d == Glob {
		return nil
	}
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	return dotWitnesses(re)
}

// dotWitnesses is DotWitnesses given Go's parse of the pattern (not
// changed).
func dotWitnesses(re *syntax.Regexp) []string {
	re = re.Simplify()
	total := countLoneDots(re)
	var out []string
	for i := 0; i < total; i++ {
		var b strings.Builder
		n := 0
		if !dotSample(re, &b, &n, i) {
			continue
		}
		s := strings.TrimPrefix(b.String(), "\x00")
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// countLoneDots counts the any-character nodes that are not repeated.
func countLoneDots(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1
	case syntax.OpStar, syntax.OpPlus, syntax.OpRepeat:
		return 0
	}
	n := 0
	for _, sub := range re.Sub {
		n += countLoneDots(sub)
	}
	return n
}

// dotSample writes a shortest string the node matches, instantiating the
// target-th lone dot as 'x' and the others as '.'. It returns false when
// the node cannot be sampled (an empty class, an impossible assertion).
func dotSample(re *syntax.Regexp, b *strings.Builder, n *int, target int) bool {
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 {
				r = toLower(r)
			}
			b.WriteRune(r)
		}
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		if *n == target {
			b.WriteByte('x')
		} else {
			b.WriteByte('.')
		}
		*n++
	case syntax.OpCharClass:
		r, ok := pickRune(re.Rune)
		if !ok {
			return false
		}
		b.WriteRune(r)
	case syntax.OpCapture:
		return dotSample(re.Sub[0], b, n, target)
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if !dotSample(sub, b, n, target) {
				return false
			}
		}
	case syntax.OpAlternate:
		// The first branch that contains the target dot, else the first.
		for _, sub := range re.Sub {
			before := *n
			if before <= target && target < before+countLoneDots(sub) {
				return dotSample(sub, b, n, target)
			}
			*n += countLoneDots(sub)
		}
		*n -= countLoneDots(re)
		skip := *n
		ok := dotSample(re.Sub[0], b, n, target)
		*n = skip + countLoneDots(re)
		return ok
	case syntax.OpQuest:
		// Take the optional part only when it holds the target dot.
		if c := countLoneDots(re.Sub[0]); *n <= target && target < *n+c {
			return dotSample(re.Sub[0], b, n, target)
		} else {
			*n += c
		}
	case syntax.OpPlus:
		return dotSample(re.Sub[0], b, new(int), -1)
	case syntax.OpRepeat:
		for i := 0; i < re.Min; i++ {
			if !dotSample(re.Sub[0], b, new(int), -1) {
				return false
			}
		}
	case syntax.OpStar, syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine,
		syntax.OpBeginText, syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
	default:
		return false
	}
	return true
}

// pickRune chooses a readable member of a character class: a lower-case
// letter, a digit, then whatever comes first.
func pickRune(ranges []rune) (rune, bool) {
	if len(ranges) == 0 {
		return 0, false
	}
	for _, want := range []rune{'a', '0', '-'} {
		for i := 0; i+1 < len(ranges); i += 2 {
			if ranges[i] <= want && want <= ranges[i+1] {
				return want, true
			}
		}
	}
	for i := 0; i+1 < len(ranges); i += 2 {
		for r := ranges[i]; r <= ranges[i+1] && r < 0x80; r++ {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				return r, true
			}
		}
	}
	return ranges[0], true
}

func toLower(r rune) rune {
	if r >= 'A' && r <= 'Z' {
		return r + ('a' - 'A')
	}
	return r
}
