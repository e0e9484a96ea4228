package attack

import (
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
)

// A skeleton is one way through a pattern, as a sequence of literal text and
// holes: `^https://(app|admin)\.example\.com$` has the skeletons
// "https://app.example.com" and "https://admin.example.com";
// `(.*\.)?example\.com` has [hole, ".example.com"] and ["example.com"].
// Literals reads the text; NeverMatches fills the holes with sample strings
// to build concrete near-misses.
type skeleton []seg

type seg struct {
	text    string   // literal text as written (case preserved)
	hole    bool     // true: text is empty and samples stand for the hole
	samples []string // strings the hole matches, host-like ones first
}

// Bounds keep pathological patterns (many nested alternations) cheap:
// enumeration stops at maxSkeletons ways through a pattern, maxSamples
// sample strings per hole and maxFills filled strings per skeleton.
const (
	maxSkeletons = 64
	maxSamples   = 4
	maxFills     = 16
)

// skeletonsFor returns the skeletons of expr, best effort: PCRE-only
// constructs are relaxed first (lookarounds dropped, atomic groups made
// plain) and, if the pattern still does not parse, its literal runs are
// scanned textually.
func skeletonsFor(expr string, d Dialect) []skeleton {
	if d == Glob {
		var sk skeleton
		for i, part := range strings.Split(expr, "*") {
			if i > 0 {
				sk = append(sk, seg{hole: true, samples: []string{"evil", "evil.", ""}})
			}
			sk = append(sk, seg{text: part})
		}
		return []skeleton{normalise(sk)}
	}
	re, err := syntax.Parse(expr, syntax.Perl)
	return skeletonsOf(expr, d, re, err)
}

// skeletonsOf is skeletonsFor given Go's parse of expr with Perl flags
// (unused for globs).
func skeletonsOf(expr string, d Dialect, re *syntax.Regexp, err error) []skeleton {
	if d == Glob {
		return skeletonsFor(expr, d)
	}
	if err != nil && d == PCRE {
		re, err = syntax.Parse(relaxPCRE(expr), syntax.Perl)
	}
	if err != nil {
		return []skeleton{scanLiterals(expr)}
	}
	return walk(re)
}

func walk(re *syntax.Regexp) []skeleton {
	switch re.Op {
	case syntax.OpNoMatch:
		return nil
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return []skeleton{{}}
	case syntax.OpLiteral:
		return []skeleton{{{text: string(re.Rune)}}}
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		// A lone unescaped `.` between labels almost always means a dot.
		return []skeleton{{{text: "."}}}
	case syntax.OpCharClass:
		if r, ok := singleRune(re); ok {
			return []skeleton{{{text: string(r)}}}
		}
	case syntax.OpCapture:
		return walk(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min == 1 && re.Max == 1 {
			return walk(re.Sub[0])
		}
	case syntax.OpQuest:
		return append(walk(re.Sub[0]), skeleton{})
	case syntax.OpConcat:
		out := []skeleton{{}}
		for _, sub := range re.Sub {
			out = product(out, walk(sub))
		}
		return out
	case syntax.OpAlternate:
		var out []skeleton
		for _, sub := range re.Sub {
			out = append(out, walk(sub)...)
		}
		return out[:min(len(out), maxSkeletons)]
	}
	return []skeleton{{{hole: true, samples: sample(re)}}}
}

func product(a, b []skeleton) []skeleton {
	var out []skeleton
	for _, x := range a {
		for _, y := range b {
			if len(out) == maxSkeletons {
				return out
			}
			out = append(out, normalise(slices.Concat(x, y)))
		}
	}
	return out
}

// normalise merges adjacent literal segments and drops empty ones.
func normalise(sk skeleton) skeleton {
	var out skeleton
	for _, s := range sk {
		switch {
		case !s.hole && s.text == "":
		case !s.hole && len(out) > 0 && !out[len(out)-1].hole:
			out[len(out)-1].text += s.text
		default:
			out = append(out, s)
		}
	}
	return out
}

// singleRune reports a class that matches one character only, or one
// letter in both cases ([.], [a], [Aa]).
func singleRune(re *syntax.Regexp) (rune, bool) {
	r := re.Rune
	switch {
	case len(r) == 2 && r[0] == r[1]:
		return r[0], true
	case len(r) == 4 && r[0] == r[1] && r[2] == r[3] && unicode.SimpleFold(r[0]) == r[2]:
		return unicode.ToLower(r[2]), true
	}
	return 0, false
}

// preferred are the characters samples are built from, in order: host
// characters first, so that a filled-in hole looks like a real name.
const preferred = "evilxabcdfghjkmnopqrstuwyz0123456789-."

// sample returns up to maxSamples strings that re matches.
func sample(re *syntax.Regexp) []string {
	var out []string
	switch re.Op {
	case syntax.OpNoMatch:
		return nil
	case syntax.OpLiteral:
		out = []string{string(re.Rune)}
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		out = []string{"x"}
	case syntax.OpCharClass:
		if w := word(re, 1); w != "" {
			out = []string{w}
		}
	case syntax.OpCapture:
		return sample(re.Sub[0])
	case syntax.OpQuest:
		out = append([]string{""}, sample(re.Sub[0])...)
	case syntax.OpStar:
		out = append([]string{""}, repeated(re.Sub[0])...)
	case syntax.OpPlus:
		out = repeated(re.Sub[0])
	case syntax.OpRepeat:
		n := max(re.Min, 1)
		if re.Max >= 0 && re.Max < n {
			return nil
		}
		for _, s := range sample(re.Sub[0]) {
			out = append(out, strings.Repeat(s, min(n, 64)))
		}
		if re.Min == 0 {
			out = append([]string{""}, out...)
		}
	case syntax.OpConcat:
		out = []string{""}
		for _, sub := range re.Sub {
			var next []string
			for _, a := range out {
				for _, b := range sample(sub) {
					next = append(next, a+b)
				}
			}
			out = next[:min(len(next), maxSamples)]
		}
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			out = append(out, sample(sub)...)
		}
	default: // zero-width assertions and the empty match
		out = []string{""}
	}
	return out[:min(len(out), maxSamples)]
}

// repeated samples one or more repetitions of re: a name-like run ("evil")
// and, where dots are allowed, a subdomain-like run ("evil.").
func repeated(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return []string{"evil.", "evil"}
	case syntax.OpCharClass:
		var out []string
		if w := word(re, 4); w != "" {
			out = append(out, w)
			if matchesRune(re, '.') {
				out = append(out, w+".")
			}
		}
		return out
	}
	return sample(re)
}

// word builds an n-character string from re's class, spelling "evil" when
// the class allows it, else repeating the first preferred character in it.
func word(re *syntax.Regexp, n int) string {
	if n == 4 && matchesRune(re, 'e') && matchesRune(re, 'v') && matchesRune(re, 'i') && matchesRune(re, 'l') {
		return "evil"
	}
	for _, r := range preferred {
		if matchesRune(re, r) {
			return strings.Repeat(string(r), n)
		}
	}
	if len(re.Rune) > 0 {
		return strings.Repeat(string(re.Rune[0]), n)
	}
	return ""
}

func matchesRune(re *syntax.Regexp, r rune) bool {
	for i := 0; i+1 < len(re.Rune); i += 2 {
		if r >= re.Rune[i] && r <= re.Rune[i+1] {
			return true
		}
	}
	return false
}

// relaxPCRE rewrites a PCRE pattern into something regexp/syntax parses,
// for literal extraction only: lookarounds are dropped (they only narrow a
// match), atomic groups become plain groups, possessive quantifiers greedy,
// backreferences a hole, \Z and \A their RE2 spellings.
func relaxPCRE(expr string) string {
	var b strings.Builder
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		switch {
		case c == '\\' && i+1 < len(expr):
			n := expr[i+1]
			switch {
			case n >= '1' && n <= '9', n == 'k', n == 'g':
				b.WriteString(".*")
				i++
				if n == 'k' || n == 'g' {
					if i+1 < len(expr) && strings.IndexByte("<{'", expr[i+1]) >= 0 {
						if k := strings.IndexAny(expr[i+1:], ">}'"); k > 0 {
							i += k + 1
						}
					}
				}
				for i+1 < len(expr) && expr[i+1] >= '0' && expr[i+1] <= '9' {
					i++
				}
			case n == 'Z':
				b.WriteString(`\z`)
				i++
			default:
				b.WriteByte(c)
				b.WriteByte(n)
				i++
			}
		case c == '(' && hasAnyPrefix(expr[i:], "(?=", "(?!", "(?<=", "(?<!"):
			i = closingParen(expr, i)
		case c == '(' && strings.HasPrefix(expr[i:], "(?>"):
			b.WriteString("(?:")
			i += 2
		case c == '+' && i > 0 && strings.IndexByte("*+?}", expr[i-1]) >= 0 && (i < 2 || expr[i-2] != '\\'):
			// possessive suffix: drop it
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// closingParen returns the index of the `)` closing the group opened at i,
// skipping escapes and character classes (len(s)-1 if unbalanced).
func closingParen(s string, i int) int {
	depth, inClass := 0, false
	for j := i; j < len(s); j++ {
		switch {
		case s[j] == '\\':
			j++
		case inClass:
			inClass = s[j] != ']'
		case s[j] == '[':
			inClass = true
		case s[j] == '(':
			depth++
		case s[j] == ')':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(s) - 1
}

// scanLiterals is the last resort for patterns nothing parses: runs of
// plain characters and escaped punctuation are literal text, everything
// else a hole.
func scanLiterals(expr string) skeleton {
	var sk skeleton
	var lit strings.Builder
	flush := func() {
		sk = append(sk, seg{text: lit.String()}, seg{hole: true, samples: []string{"evil"}})
		lit.Reset()
	}
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		switch {
		case c == '\\' && i+1 < len(expr) && strings.IndexByte(`.-/:`, expr[i+1]) >= 0:
			lit.WriteByte(expr[i+1])
			i++
		case c == '.' || c == '-' || c == '/' || c == ':' || c == '_' ||
			c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
			lit.WriteByte(c)
		default:
			flush()
		}
	}
	flush()
	return normalise(sk)
}
