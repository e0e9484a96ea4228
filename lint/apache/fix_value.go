package apache

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/corsguard/corsguard/rules"
)

// valueSpot is one place in a directive that holds a value: a whole
// argument, or a regex or string inside an ap_expr argument. Positions
// are in the line's text.
type valueSpot struct {
	start, end int
	repl       func(v string) (string, error) // how v is written there
}

// replaceValue writes New where the directive holds Old. Exactly one spot
// must hold it: none means the value is built from something else (a
// ${VAR}, a macro argument), several mean the speller would be guessing.
func (f *fixFile) replaceValue(d *srcDirective, old, new string) ([]rules.Edit, error) {
	if old == "" || new == "" {
		return nil, fmt.Errorf("the remedy has no old or new value")
	}
	if d.name == "header" && (strings.Contains(old, "%") || strings.Contains(new, "%")) {
		return nil, fmt.Errorf("a %% in a Header value is a format specifier; the value is not written literally")
	}
	spots := valueSpots(d, old)
	switch len(spots) {
	case 0:
		if strings.Contains(d.line.text, "${") {
			return nil, fmt.Errorf("%q is not written in the %s directive as such (it is built from a ${VAR}); fix the Define", old, d.name)
		}
		return nil, fmt.Errorf("%q is not written in the %s directive as such", old, d.name)
	case 1:
	default:
		return nil, fmt.Errorf("%q appears %d times in the %s directive; which one to change is a guess", old, len(spots), d.name)
	}
	s := spots[0]
	repl, err := s.repl(new)
	if err != nil {
		return nil, err
	}
	// Proof by reading it back: the directive now holds New at that spot.
	text := d.line.text[:s.start] + repl + d.line.text[s.end:]
	back := &srcDirective{}
	parseSrcDirective(&srcLine{text: text}, back)
	ok := false
	for _, b := range valueSpots(back, new) {
		ok = ok || b.start == s.start
	}
	if !ok || back.name != d.name || len(back.args()) != len(d.args()) {
		return nil, fmt.Errorf("writing %q there would not read back as that value", new)
	}
	return []rules.Edit{edit(d.line, s.start, s.end, repl)}, nil
}

// valueSpots lists the places in d whose value is v.
func valueSpots(d *srcDirective, v string) []valueSpot {
	var out []valueSpot
	for i, t := range d.args() {
		if !t.closed && t.quote != 0 {
			continue // an unterminated quote: httpd took the rest of the line
		}
		// RewriteCond's CondPattern may carry ! and = (lexical equality).
		prefix, p := "", t.val
		if d.name == "rewritecond" && i == 1 {
			if strings.HasPrefix(p, "!") {
				prefix, p = "!", p[1:]
			}
			if strings.HasPrefix(p, "=") {
				prefix, p = prefix+"=", p[1:]
			}
		}
		spot := func(literal bool) {
			out = append(out, valueSpot{start: t.start, end: t.end, repl: wordWriter(t.quote, prefix, literal)})
		}
		switch {
		case p == v:
			spot(false)
		case !strings.Contains(prefix, "=") && originRegexArg(d, i) && isRegexLiteral(p, v):
			spot(true)
		}
	}
	for _, e := range exprArgs(d) {
		out = append(out, e.spots(d.line.text, v)...)
	}
	return out
}

// originRegexArg reports the arguments the front end reads as an Origin
// regex, where an exact origin may be written `^https://app\.example\.com$`.
func originRegexArg(d *srcDirective, i int) bool {
	return i == 1 && (d.name == "setenvif" || d.name == "setenvifnocase" || d.name == "rewritecond")
}

// isRegexLiteral reports a regex that matches exactly the string v, as the
// front end reads it (regexLiteral): the "^…$" spelling of an origin.
func isRegexLiteral(re, v string) bool {
	lit, ok := regexLiteral(re)
	return ok && lit == v
}

// literalRegex spells the exact string v as an anchored regex.
func literalRegex(v string) string { return "^" + regexp.QuoteMeta(v) + "$" }

// wordWriter writes a whole argument in the quoting of the one it
// replaces, keeping a syntax prefix; literal writes the value as the
// anchored regex that matches exactly it.
func wordWriter(quote byte, prefix string, literal bool) func(string) (string, error) {
	return func(v string) (string, error) {
		if literal {
			v = literalRegex(v)
		}
		v = prefix + v
		if err := writable(v); err != nil {
			return "", err
		}
		return confWord(v, quote), nil
	}
}

// exprArg is an argument that httpd reads as an ap_expr: its decoded text,
// and for each decoded byte its index in the line's text.
type exprArg struct {
	expr  string
	at    []int // len(expr)+1 entries, see decodeMap
	quote byte  // the argument's own quote, which the expression's bytes are written inside
	bare  bool  // an unquoted argument: a blank would end it
}

// exprArgs returns the ap_expr arguments of d, as expressions() reads
// them: an <If>/<ElseIf> condition, SetEnvIfExpr's first argument, a
// Header's expr= value or condition.
func exprArgs(d *srcDirective) []exprArg {
	var out []exprArg
	switch {
	case d.section && (d.name == "if" || d.name == "elseif"):
		// expressions() unquotes the whole raw argument text.
		raw := d.line.text[d.region[0]:d.region[1]]
		start, quote := d.region[0], byte(0)
		if len(raw) >= 2 && (raw[0] == '"' || raw[0] == '\'') && raw[len(raw)-1] == raw[0] {
			quote, raw, start = raw[0], raw[1:len(raw)-1], start+1
		}
		e, idx := raw, identity(len(raw)+1)
		if quote != 0 {
			e, idx = decodeMap(raw, quote)
		}
		out = append(out, exprArg{expr: e, at: shift(idx, start), quote: quote})
	case d.name == "setenvifexpr" && len(d.args()) > 0:
		out = append(out, tokenExpr(d.line.text, d.args()[0], 0))
	case d.name == "header" || d.name == "requestheader":
		for _, t := range d.args() {
			if hasPrefixFold(t.val, "expr=") {
				out = append(out, tokenExpr(d.line.text, t, len("expr=")))
			}
		}
	}
	return out
}

// tokenExpr is the expression in argument t after skip decoded bytes.
func tokenExpr(text string, t srcToken, skip int) exprArg {
	i, j := t.inner()
	e, idx := decodeMap(text[i:j], t.quote)
	return exprArg{expr: e[skip:], at: shift(idx[skip:], i), quote: t.quote, bare: t.quote == 0}
}

func identity(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func shift(idx []int, by int) []int {
	for i := range idx {
		idx[i] += by
	}
	return idx
}

// spots lists the regexes and strings of the expression whose text is v.
// A regex spot covers the whole literal, delimiters included, so that a
// new regex holding the delimiter can be written with another one: httpd
// cannot escape a delimiter inside a regex (`/^https:\/\//` fails to
// compile), but `m#^https://#` says the same.
func (e exprArg) spots(text, v string) []valueSpot {
	if len(e.expr) >= maxExprLen || v == "" {
		return nil
	}
	toks, ok := lexExpr(e.expr)
	if !ok {
		return nil
	}
	var out []valueSpot
	for _, t := range toks {
		if (t.kind != 'r' && t.kind != 's') || t.at < 1 {
			continue
		}
		literal := false
		switch {
		case t.text == v:
		case t.kind == 'r' && isRegexLiteral(t.text, v):
			literal = true
		default:
			continue
		}
		delim := e.expr[t.at-1]
		from, to := t.at, t.at+len(t.text)
		open := ""
		if t.kind == 'r' {
			from, to = t.at-1, to+1
			open = string(delim)
			if t.at >= 2 && e.expr[t.at-2] == 'm' && (t.at < 3 || !isWordChar(e.expr[t.at-3])) {
				from, open = t.at-2, "m"+open
			}
		}
		start, stop := e.at[from], e.at[min(to, len(e.expr))]
		next := byte(0)
		if stop < len(text) {
			next = text[stop]
		}
		out = append(out, valueSpot{start: start, end: stop, repl: exprWriter(t.kind, open, delim, e.quote, e.bare, next, literal)})
	}
	return out
}

// regexDelims are the delimiters an m-regex may take, in order of choice.
const regexDelims = "#|!%,;:_"

// exprWriter writes a regex literal (opened by open, closed by delim) or
// a string (quoted by delim) of an expression inside an argument quoted
// with quote.
func exprWriter(kind byte, open string, delim, quote byte, bare bool, next byte, literal bool) func(string) (string, error) {
	return func(v string) (string, error) {
		if literal {
			v = literalRegex(v)
		}
		if err := writable(v); err != nil {
			return "", err
		}
		if n := len(v) - len(strings.TrimRight(v, `\`)); n%2 == 1 {
			return "", fmt.Errorf("the new value %q ends with a lone backslash", v)
		}
		if bare && strings.ContainsAny(v, " \t") {
			return "", fmt.Errorf("the new value %q has blanks, which the unquoted argument cannot hold", v)
		}
		if kind == 's' {
			if strings.IndexByte(v, delim) >= 0 || strings.IndexByte(v, '\\') >= 0 {
				return "", fmt.Errorf("the new string %q holds the expression's quote or a backslash (an escape in ap_expr strings)", v)
			}
			return encodeConf(v, quote, next), nil
		}
		if strings.IndexByte(v, delim) >= 0 {
			i := strings.IndexFunc(regexDelims, func(r rune) bool { return !strings.ContainsRune(v, r) && byte(r) != quote })
			if i < 0 {
				return "", fmt.Errorf("the new regex %q holds every delimiter ap_expr allows", v)
			}
			delim = regexDelims[i]
			open = "m" + string(delim)
		}
		return encodeConf(open+v+string(delim), quote, next), nil
	}
}

// writable refuses a value with a line break or another control character
// (a NUL ends the file for every reader): no quoting writes those.
func writable(v string) error {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return fmt.Errorf("the new value %q has a control character", v)
		}
	}
	return nil
}
