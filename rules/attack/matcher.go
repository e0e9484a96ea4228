package attack

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
)

// Matcher tests an Origin header value the way the server does.
type Matcher interface {
	// Match reports whether the server's pattern accepts origin. For regular
	// expressions this is a search (unanchored unless the pattern anchors
	// itself), as nginx's `~`, Apache's SetEnvIf and Go's MatchString apply
	// them; for globs it is a full match.
	Match(origin string) (bool, error)
}

// MatchTimeout bounds one backtracking (regexp2) match; the pattern's
// Budget bounds all of them together.
const MatchTimeout = 100 * time.Millisecond

// Compile builds the Matcher for expr in dialect d.
//
// PCRE patterns (nginx, Apache) run on Go's regexp when regexp/syntax
// accepts them with Perl flags: linear time, same results for everything
// the two share. Otherwise lookarounds, atomic groups, possessive
// quantifiers (rewritten as atomic groups), backreferences and \Z run on
// regexp2 with its RE2 option off and a MatchTimeout. PCRE features neither
// engine has (recursion, backtracking verbs, \K, branch reset, callouts...)
// are an error naming the feature.
//
// RE2 patterns (Go) run on Go's regexp and nothing else.
//
// Glob patterns (S3, API Gateway, rs/cors) match the whole origin; `*`
// matches any run of characters, dots included (a bucket's
// `https://*.example.com` accepts https://a.b.example.com, and rs/cors's
// `https://*example.com` accepts https://evilexample.com); every other
// character is literal.
//
// caseInsensitive is the server's flag (nginx `~*`, Apache NC, Go `(?i)`
// already in the expression works too).
//
// Backtracking matches draw on a Budget (WithBudget; by default a fresh
// PatternBudget): once it is spent, or after the first match that times
// out, Match fails at once with an error wrapping ErrBudget.
func Compile(expr string, d Dialect, caseInsensitive bool, opts ...Option) (Matcher, error) {
	flags := ""
	if caseInsensitive {
		flags = "(?i)"
	}
	switch d {
	case RE2:
		re, err := regexp.Compile(flags + expr)
		if err != nil {
			if what := perlOnly(expr); what != "" {
				return nil, fmt.Errorf("RE2 pattern %q: %s is not supported by Go's regexp: %w", expr, what, err)
			}
			return nil, fmt.Errorf("RE2 pattern %q: %w", expr, err)
		}
		return goMatcher{re}, nil
	case Glob:
		parts := strings.Split(expr, "*")
		for i, p := range parts {
			parts[i] = regexp.QuoteMeta(p)
		}
		re, err := regexp.Compile(flags + `(?s)\A` + strings.Join(parts, ".*") + `\z`)
		if err != nil {
			return nil, fmt.Errorf("glob %q: %w", expr, err)
		}
		return goMatcher{re}, nil
	case PCRE:
		return compilePCRE(expr, flags, caseInsensitive, optionsOf(opts).budget)
	}
	return nil, fmt.Errorf("pattern %q: unknown dialect %d", expr, d)
}

type goMatcher struct{ re *regexp.Regexp }

func (m goMatcher) Match(origin string) (bool, error) { return m.re.MatchString(origin), nil }

func compilePCRE(expr, flags string, caseInsensitive bool, budget *Budget) (Matcher, error) {
	_, goErr := syntax.Parse(expr, syntax.Perl)
	return compilePCREParsed(expr, flags, caseInsensitive, budget, goErr)
}

// compilePCREParsed is compilePCRE given the error of Go's parser on expr
// with Perl flags (a Pattern has parsed it already).
func compilePCREParsed(expr, flags string, caseInsensitive bool, budget *Budget, goErr error) (Matcher, error) {
	if goErr == nil {
		if re, err := regexp.Compile(flags + expr); err == nil {
			return goMatcher{re}, nil
		}
	}
	translated, err := translatePCRE(expr)
	if err != nil {
		return nil, fmt.Errorf("PCRE pattern %q: %w", expr, err)
	}
	opts := regexp2.None
	if caseInsensitive {
		opts |= regexp2.IgnoreCase
	}
	re, err := compileRegexp2(translated, opts)
	if err != nil {
		return nil, fmt.Errorf("PCRE pattern %q: not RE2 (%v) and not accepted by the backtracking engine either: %w", expr, goErr, err)
	}
	// Go's regexp rejected the pattern; regexp2 runs it. Either the pattern
	// uses a backtracking-only feature (the common case) or Go's error was
	// about something regexp2 is more lenient with; both run here.
	return &backtrackMatcher{re: re, budget: budget}, nil
}

// compileRegexp2 turns a panic in the third-party parser into an error:
// corsguard reads untrusted configs and must never crash on one.
func compileRegexp2(expr string, opts regexp2.RegexOptions) (re *regexp2.Regexp, err error) {
	defer func() {
		if r := recover(); r != nil {
			re, err = nil, fmt.Errorf("backtracking engine failed: %v", r)
		}
	}()
	return regexp2.Compile(expr, opts)
}

// backtrackMatcher runs regexp2 within a Budget. The mutex serialises
// matches because each one sets the regexp's timeout to what the budget
// has left.
type backtrackMatcher struct {
	mu     sync.Mutex
	re     *regexp2.Regexp
	budget *Budget
}

func (m *backtrackMatcher) Match(origin string) (ok bool, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	allow, err := m.budget.allowance()
	if err != nil {
		return false, err
	}
	m.re.MatchTimeout = min(allow, MatchTimeout)
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			ok, err = false, fmt.Errorf("backtracking engine failed on %q: %v", origin, r)
		}
	}()
	ok, err = m.re.MatchString(origin)
	// regexp2 reports a timeout only as text; any error from a match with
	// a deadline is one.
	if berr := m.budget.charge(time.Since(start), m.re.MatchTimeout, err != nil); err != nil {
		if berr != nil {
			return false, fmt.Errorf("matching %q: %w", origin, berr)
		}
		return false, fmt.Errorf("matching %q: %w", origin, err)
	}
	return ok, nil
}

// errUnsupported names a PCRE feature that no engine here implements.
func errUnsupported(what string) error {
	return fmt.Errorf("unsupported PCRE syntax: %s", what)
}

// unsupportedGroups are group openers PCRE has and .NET/regexp2 lacks.
var unsupportedGroups = []struct{ prefix, what string }{
	{"(?R", "recursion (?R)"},
	{"(?&", "named subroutine call (?&name)"},
	{"(?P>", "named subroutine call (?P>name)"},
	{"(?P=", "named backreference (?P=name)"},
	{"(?|", "branch reset group (?|...)"},
	{"(?C", "callout (?C...)"},
	{"(*", "backtracking control verb (*...)"},
}

// translatePCRE rewrites the PCRE constructs regexp2 spells differently
// (possessive quantifiers as atomic groups, \Q...\E as escapes, (?P<name>
// as (?<name>) and rejects, by name, those it lacks. It tracks where the
// last atom starts so that a possessive quantifier can wrap exactly it.
func translatePCRE(expr string) (string, error) {
	var out []byte
	var groups []int // out offsets of open groups
	atom := -1       // out offset where the last quantifiable atom starts
	for i := 0; i < len(expr); {
		c := expr[i]
		switch c {
		case '\\':
			if i+1 >= len(expr) {
				return "", errors.New("trailing backslash")
			}
			n := expr[i+1]
			switch n {
			case 'Q':
				end := strings.Index(expr[i+2:], `\E`)
				lit := expr[i+2:]
				next := len(expr)
				if end >= 0 {
					lit, next = expr[i+2:i+2+end], i+2+end+2
				}
				for _, r := range lit {
					atom = len(out)
					out = append(out, regexp2.Escape(string(r))...)
				}
				i = next
				continue
			case 'E':
				i += 2 // a stray \E is ignored by PCRE
				continue
			case 'K':
				return "", errUnsupported(`\K (match start reset)`)
			case 'R', 'X', 'h', 'H', 'V', 'N', 'C':
				return "", errUnsupported(`\` + string(n) + ` escape`)
			case 'g':
				return "", errUnsupported(`\g reference`)
			}
			j := i + 2
			if strings.IndexByte("xpPk", n) >= 0 && j < len(expr) && strings.IndexByte("{<'", expr[j]) >= 0 {
				closer := map[byte]byte{'{': '}', '<': '>', '\'': '\''}[expr[j]]
				k := strings.IndexByte(expr[j+1:], closer)
				if k < 0 {
					return "", fmt.Errorf(`unterminated \%c%c`, n, expr[j])
				}
				j += k + 2
			} else if n == 'x' {
				for j < i+4 && j < len(expr) && strings.IndexByte("0123456789abcdefABCDEF", expr[j]) >= 0 {
					j++ // \xHH
				}
			} else if n == 'c' && j < len(expr) {
				j++ // \cX
			} else if n >= utf8.RuneSelf {
				_, size := utf8.DecodeRuneInString(expr[i+1:])
				j = i + 1 + size
			}
			atom = len(out)
			out = append(out, expr[i:j]...)
			i = j
		case '[':
			j := i + 1
			if j < len(expr) && expr[j] == '^' {
				j++
			}
			if j < len(expr) && expr[j] == ']' {
				j++
			}
			for j < len(expr) && expr[j] != ']' {
				switch {
				case expr[j] == '\\':
					j += 2
				case expr[j] == '[' && j+1 < len(expr) && expr[j+1] == ':':
					k := strings.Index(expr[j:], ":]")
					if k < 0 {
						return "", errors.New("unterminated POSIX class [:...:]")
					}
					j += k + 2
				default:
					j++
				}
			}
			if j >= len(expr) {
				return "", errors.New("missing closing ] in character class")
			}
			atom = len(out)
			out = append(out, expr[i:j+1]...)
			i = j + 1
		case '(':
			rest := expr[i:]
			for _, u := range unsupportedGroups {
				if strings.HasPrefix(rest, u.prefix) {
					return "", errUnsupported(u.what)
				}
			}
			if len(rest) > 2 && rest[1] == '?' && (rest[2] >= '0' && rest[2] <= '9' || rest[2] == '+' || rest[2] == '-' && len(rest) > 3 && rest[3] >= '0' && rest[3] <= '9') {
				return "", errUnsupported("numbered subroutine call (?N)")
			}
			if strings.HasPrefix(rest, "(?#") {
				k := strings.IndexByte(rest, ')')
				if k < 0 {
					return "", errors.New("unterminated comment (?#")
				}
				i += k + 1
				continue
			}
			opener, isGroup := groupOpener(rest)
			if isGroup {
				groups = append(groups, len(out))
				atom = -1
			} else {
				atom = -1 // an inline flag setting such as (?i) is not an atom
			}
			out = append(out, strings.Replace(opener, "(?P<", "(?<", 1)...)
			i += len(opener)
		case ')':
			if len(groups) == 0 {
				return "", errors.New("unmatched )")
			}
			atom = groups[len(groups)-1]
			groups = groups[:len(groups)-1]
			out = append(out, c)
			i++
		case '*', '+', '?', '{':
			q := quantifier(expr[i:])
			if q == "" { // a `{` that is not a quantifier is literal
				atom = len(out)
				out = append(out, c)
				i++
				continue
			}
			i += len(q)
			switch {
			case i < len(expr) && expr[i] == '+' && atom >= 0:
				wrapped := append([]byte("(?>"), out[atom:]...)
				wrapped = append(append(wrapped, q...), ')')
				out = append(out[:atom], wrapped...)
				i++
			case i < len(expr) && expr[i] == '?':
				out = append(out, q+"?"...)
				i++
			default:
				out = append(out, q...)
			}
		case '|':
			atom = -1
			out = append(out, c)
			i++
		default:
			_, size := utf8.DecodeRuneInString(expr[i:])
			atom = len(out)
			out = append(out, expr[i:i+size]...)
			i += size
		}
	}
	return string(out), nil
}

// groupOpener returns the text that opens the group at the start of s
// ("(", "(?:", "(?<=", "(?<name>", "(?i:"...), and whether it opens a group
// at all (an inline "(?i)" does not).
func groupOpener(s string) (string, bool) {
	if len(s) < 2 || s[1] != '?' {
		return "(", true
	}
	for _, p := range []string{"(?:", "(?=", "(?!", "(?<=", "(?<!", "(?>"} {
		if strings.HasPrefix(s, p) {
			return p, true
		}
	}
	for _, p := range []struct{ open, close string }{{"(?P<", ">"}, {"(?<", ">"}, {"(?'", "'"}} {
		if strings.HasPrefix(s, p.open) {
			if k := strings.Index(s[len(p.open):], p.close); k >= 0 {
				return s[:len(p.open)+k+1], true
			}
		}
	}
	j := 2
	for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] == '-' || s[j] == '^') {
		j++
	}
	if j < len(s) && s[j] == ')' {
		return s[:j+1], false
	}
	if j < len(s) && s[j] == ':' {
		return s[:j+1], true
	}
	return s[:2], true
}

// quantifier returns the quantifier at the start of s (`*`, `+`, `?`,
// `{n}`, `{n,}`, `{n,m}`, `{,m}`) without its lazy/possessive suffix, or ""
// if s does not start with one.
func quantifier(s string) string {
	if s[0] != '{' {
		return s[:1]
	}
	k := strings.IndexByte(s, '}')
	if k < 0 {
		return ""
	}
	body := s[1:k]
	lo, hi, comma := strings.Cut(body, ",")
	digits := func(x string) bool {
		for _, r := range x {
			if r < '0' || r > '9' {
				return false
			}
		}
		return true
	}
	if !digits(lo) || !digits(hi) || (lo == "" && (!comma || hi == "")) {
		return ""
	}
	return s[:k+1]
}

// perlOnly names the first backtracking-only construct in expr (the
// features Go's RE2 regexp leaves out on purpose), or "".
func perlOnly(expr string) string {
	features := []struct{ token, what string }{
		{"(?<=", "lookbehind (?<=...)"},
		{"(?<!", "negative lookbehind (?<!...)"},
		{"(?=", "lookahead (?=...)"},
		{"(?!", "negative lookahead (?!...)"},
		{"(?>", "atomic group (?>...)"},
		{"*+", "possessive quantifier *+"},
		{"++", "possessive quantifier ++"},
		{"?+", "possessive quantifier ?+"},
		{`\k<`, `named backreference \k<name>`},
		{`\Z`, `\Z`},
	}
	for _, f := range features {
		if strings.Contains(expr, f.token) {
			return f.what
		}
	}
	for i := 0; i+1 < len(expr); i++ {
		if expr[i] == '\\' {
			if expr[i+1] >= '1' && expr[i+1] <= '9' {
				return "backreference \\" + string(expr[i+1])
			}
			i++
		}
	}
	return ""
}
