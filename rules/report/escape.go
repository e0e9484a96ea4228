package report

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// EscapeLine makes one line of untrusted text (a config comment, a
// header a server sent, an error quoting either) safe for a terminal:
// every control character is shown as a Go-style escape instead of being
// sent raw, so that no input can move the cursor, recolour, retitle or
// hide what is printed, also with --no-color. Escaped are C0 controls
// (newline and carriage return included: a field must not start a fake
// line), DEL, C1 controls (U+0080–U+009F; 8-bit terminals read U+009B as
// CSI), bidirectional overrides and isolates (they reorder what is shown,
// "Trojan Source"), and bytes that are not UTF-8. Tabs stay.
func EscapeLine(s string) string { return escape(s, false) }

// EscapeText is EscapeLine for multi-line text: newlines stay.
func EscapeText(s string) string { return escape(s, true) }

func escape(s string, keepNewline bool) string {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unsafeRune(r, size, keepNewline) {
			break
		}
		i += size
	}
	if i == len(s) {
		return s // the common case: nothing to escape, no allocation
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case !unsafeRune(r, size, keepNewline):
			b.WriteString(s[i : i+size])
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += size
	}
	return b.String()
}

func unsafeRune(r rune, size int, keepNewline bool) bool {
	switch {
	case r == utf8.RuneError && size == 1:
		return true
	case r == '\t':
		return false
	case r == '\n':
		return !keepNewline
	case r < 0x20, r == 0x7f:
		return true
	case r < 0x80:
		return false
	case r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	}
	return false
}
