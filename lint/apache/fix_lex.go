package apache

import "strings"

// The fix speller needs what the parser throws away: where each byte of a
// directive sits in the file. srcLine and srcToken are splitLines and
// tokenize (lex.go) with offsets; TestFixLexAgreesWithParser and FuzzSpell
// hold them to the same logical lines and the same decoded words, so the
// two readings cannot drift apart.

// srcLine is one logical line: physical lines joined by a trailing
// backslash. A line read from one physical line is a substring of the
// file; a joined one records where each of its pieces came from.
type srcLine struct {
	first, last int    // physical line numbers, 1-based
	start, end  int    // file offsets: start of the first physical line, end of the last one's line ending
	text        string // joined text: continuation backslashes and line endings removed, not trimmed
	segs        []lineSeg
	eol         string // the last physical line's ending: "\n", "\r\n" or "" at the end of the file
}

// lineSeg says that text[text:] comes from the file at offset src, up to
// the next segment.
type lineSeg struct{ text, src int }

// off is the file offset of text[i].
func (l *srcLine) off(i int) int {
	if l.segs == nil {
		return l.start + i
	}
	k := len(l.segs) - 1
	for k > 0 && l.segs[k].text > i {
		k--
	}
	return l.segs[k].src + i - l.segs[k].text
}

// indent is the blank prefix of the line as written.
func (l *srcLine) indent() string {
	i := 0
	for i < len(l.text) && (l.text[i] == ' ' || l.text[i] == '\t') {
		i++
	}
	return l.text[:i]
}

// body is the text without surrounding blanks, and where it starts in text.
func (l *srcLine) body() (string, int) {
	i, j := 0, len(l.text)
	for i < j && isSpace(l.text[i]) {
		i++
	}
	for j > i && isSpace(l.text[j-1]) {
		j--
	}
	return l.text[i:j], i
}

// isDirective reports a line httpd reads as a directive (not blank, not a
// comment).
func (l *srcLine) isDirective() bool {
	b, _ := l.body()
	return b != "" && b[0] != '#'
}

// span returns the file offsets of text[i:j].
func (l *srcLine) span(i, j int) (int, int) {
	if i >= len(l.text) {
		e := l.end - len(l.eol)
		return e, e
	}
	if j <= i {
		return l.off(i), l.off(i)
	}
	return l.off(i), l.off(j-1) + 1
}

// scanLines cuts src into logical lines exactly as splitLines does, blank
// and comment lines included. One pass; a line that is not continued
// costs no copy.
func scanLines(src string) []srcLine {
	out := make([]srcLine, 0, strings.Count(src, "\n")+1)
	lineNo, pos := 0, 0
	var joined strings.Builder
	var segs []lineSeg
	joining := false
	first, start := 0, 0
	for pos < len(src) {
		lineStart := pos
		end := strings.IndexByte(src[pos:], '\n')
		var phys string
		eol := ""
		if end < 0 {
			phys = src[pos:]
			pos = len(src)
		} else {
			phys = src[pos : pos+end]
			pos += end + 1
			eol = "\n"
		}
		lineNo++
		if strings.HasSuffix(phys, "\r") {
			phys = phys[:len(phys)-1]
			eol = "\r" + eol
		}
		cont := false
		if n := len(phys); n > 0 && phys[n-1] == '\\' && (n < 2 || phys[n-2] != '\\') {
			cont = true
			phys = phys[:n-1]
		}
		// (A continuation on the last line of the file ends it: httpd keeps
		// what it has, without the backslash.)
		more := cont && pos < len(src)
		if !joining {
			if !more {
				out = append(out, srcLine{first: lineNo, last: lineNo, start: lineStart, end: pos, text: phys, eol: eol})
				continue
			}
			joining, first, start = true, lineNo, lineStart
			joined.Reset()
			segs = nil
		}
		segs = append(segs, lineSeg{text: joined.Len(), src: lineStart})
		joined.WriteString(phys)
		if more {
			continue
		}
		out = append(out, srcLine{first: first, last: lineNo, start: start, end: pos, text: joined.String(), segs: segs, eol: eol})
		joining = false
	}
	return out
}

// srcToken is one argument word of a directive.
type srcToken struct {
	start, end int    // in the line's text, quotes included
	quote      byte   // '"', '\'' or 0 for a bare word
	closed     bool   // a quoted word has its closing quote
	val        string // decoded as httpd decodes it
}

// inner returns the text span of the token without its quotes.
func (t srcToken) inner() (int, int) {
	if t.quote == 0 {
		return t.start, t.end
	}
	if t.closed {
		return t.start + 1, t.end - 1
	}
	return t.start + 1, t.end
}

// scanTokens is tokenize with offsets: s is text[off:], and the offsets
// returned are into text.
func scanTokens(s string, off int) []srcToken {
	var out []srcToken
	i := 0
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			return out
		}
		c := s[i]
		if c == '"' || c == '\'' {
			j := i + 1
			for j < len(s) && s[j] != c {
				if s[j] == '\\' && j+1 < len(s) && (s[j+1] == c || s[j+1] == '\\') {
					j += 2
					continue
				}
				j++
			}
			if j >= len(s) {
				return append(out, srcToken{start: off + i, end: off + len(s), quote: c, val: unescapeConf(s[i+1:], c)})
			}
			out = append(out, srcToken{start: off + i, end: off + j + 1, quote: c, closed: true, val: unescapeConf(s[i+1:j], c)})
			i = j + 1
			continue
		}
		j := i
		for j < len(s) && !isSpace(s[j]) {
			j++
		}
		out = append(out, srcToken{start: off + i, end: off + j, val: unescapeConf(s[i:j], 0)})
		i = j
	}
}

// decodeMap is unescapeConf that also returns, for each decoded byte, the
// index in s where its raw spelling starts, plus len(s) at the end: an
// ap_expr inside a quoted argument is located in the decoded text and
// edited in the raw one (decoded s[k:m] is raw s[idx[k]:idx[m]]).
func decodeMap(s string, quote byte) (string, []int) {
	var b strings.Builder
	idx := make([]int, 0, len(s)+1)
	for i := 0; i < len(s); i++ {
		idx = append(idx, i)
		if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '\\' || (quote != 0 && s[i+1] == quote)) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String(), append(idx, len(s))
}

// encodeConf writes v so that httpd's ap_getword_conf reads it back as v
// inside a word quoted with quote (0: a bare word), followed in the file by
// the byte next (0: the closing quote or the end of the word). Only a
// backslash that would otherwise escape the next byte is doubled, so
// regexes keep their single `\.`.
func encodeConf(v string, quote, next byte) string {
	var b strings.Builder
	b.Grow(len(v) + 2)
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case quote != 0 && c == quote:
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\\':
			n := next
			if i+1 < len(v) {
				n = v[i+1]
			} else if next == 0 {
				n = quote
			}
			if n == '\\' || (quote != 0 && n == quote) {
				b.WriteByte('\\')
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// needsQuotes reports a value that cannot be written as a bare word.
func needsQuotes(v string) bool {
	if v == "" || v[0] == '"' || v[0] == '\'' {
		return true
	}
	for i := 0; i < len(v); i++ {
		if isSpace(v[i]) {
			return true
		}
	}
	return false
}

// confWord writes v as a whole argument in the style of an existing word:
// the same quotes, or double quotes when a bare word cannot hold it.
func confWord(v string, quote byte) string {
	if quote == 0 && needsQuotes(v) {
		quote = '"'
	}
	if quote == 0 {
		return encodeConf(v, 0, 0)
	}
	return string(quote) + encodeConf(v, quote, 0) + string(quote)
}
