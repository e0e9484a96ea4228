package apache

import (
	"strings"
)

// logicalLine is one directive as httpd's ap_cfg_getline sees it: physical
// lines joined by a trailing backslash, surrounding blanks removed.
type logicalLine struct {
	text      string // the joined text, trimmed
	line      int    // first physical line (1-based)
	endLine   int    // last physical line
	multiline bool   // joined from several physical lines
}

// splitLines cuts a file into logical lines. Comments are recognised only
// when `#` is the first non-blank character of the logical line, exactly as
// httpd does (a `#` later on a line is an argument). Continuation is a
// backslash immediately before the line end that is not itself escaped; a
// comment ending with a backslash therefore swallows the next line too,
// which is also what httpd does.
func splitLines(src string, emit func(logicalLine)) {
	lineNo := 0
	pos := 0
	var joined strings.Builder
	joining := false
	start := 0
	for pos < len(src) {
		end := strings.IndexByte(src[pos:], '\n')
		var phys string
		if end < 0 {
			phys = src[pos:]
			pos = len(src)
		} else {
			phys = src[pos : pos+end]
			pos += end + 1
		}
		lineNo++
		phys = strings.TrimSuffix(phys, "\r")
		cont := false
		if n := len(phys); n > 0 && phys[n-1] == '\\' && (n < 2 || phys[n-2] != '\\') {
			cont = true
			phys = phys[:n-1]
		}
		if cont {
			if !joining {
				joining = true
				start = lineNo
				joined.Reset()
			}
			joined.WriteString(phys)
			continue
		}
		if joining {
			joined.WriteString(phys)
			emitLine(joined.String(), start, lineNo, true, emit)
			joining = false
			continue
		}
		emitLine(phys, lineNo, lineNo, false, emit)
	}
	if joining {
		// A continuation on the last line of the file: httpd keeps what it has.
		emitLine(joined.String(), start, lineNo, true, emit)
	}
}

func emitLine(s string, first, last int, multi bool, emit func(logicalLine)) {
	s = strings.TrimSpace(s)
	if s == "" || s[0] == '#' {
		return
	}
	emit(logicalLine{text: s, line: first, endLine: last, multiline: multi})
}

// isSpace matches httpd's apr_isspace for the characters that occur in
// configuration files.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'
}

// splitName returns the first word of a directive line and the rest.
func splitName(s string) (name, rest string) {
	i := 0
	for i < len(s) && !isSpace(s[i]) {
		i++
	}
	return s[:i], strings.TrimSpace(s[i:])
}

// tokenize splits directive arguments the way ap_getword_conf does: blanks
// separate words; a word starting with `"` or `'` runs to the matching quote
// (a backslash escapes that quote); `\\` collapses to `\` everywhere. It
// reports whether a quoted word was left unterminated (httpd then takes the
// rest of the line, so do we).
func tokenize(s string, out []string) ([]string, bool) {
	unterminated := false
	i := 0
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			return out, unterminated
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
				unterminated = true
				out = append(out, unescapeConf(s[i+1:], c))
				return out, unterminated
			}
			out = append(out, unescapeConf(s[i+1:j], c))
			i = j + 1
			continue
		}
		j := i
		for j < len(s) && !isSpace(s[j]) {
			j++
		}
		out = append(out, unescapeConf(s[i:j], 0))
		i = j
	}
}

// unescapeConf is httpd's substring_conf: `\\` becomes `\`, and inside a
// quoted word `\<quote>` becomes the quote. Every other backslash stays, so
// regexes keep their escapes.
func unescapeConf(s string, quote byte) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '\\' || (quote != 0 && s[i+1] == quote)) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// unquote removes one level of matching quotes around a whole string.
func unquote(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return unescapeConf(s[1:len(s)-1], s[0])
	}
	return s
}
