package report

import (
	"bytes"
	"io"
)

// indentJSON appends to dst the compact JSON src indented the way
// json.Indent(dst, src, "", indent) does, byte for byte, but in one pass
// that copies strings whole: json.Indent runs its validating scanner on
// every byte, which cost four times the marshalling itself on an 8000
// finding report. src must be json.Marshal's output (valid, compact).
//
// With w set, dst is written to w and emptied whenever it holds 64 KB or
// more, so that a large report is not held twice in memory; the result is
// then what remains to be written.
func indentJSON(w io.Writer, dst, src []byte, indent string) ([]byte, error) {
	const piece = 64 << 10
	depth := 0
	newline := func() {
		dst = append(dst, '\n')
		for range depth {
			dst = append(dst, indent...)
		}
	}
	for i := 0; i < len(src); i++ {
		if w != nil && len(dst) >= piece {
			if _, err := w.Write(dst); err != nil {
				return dst, err
			}
			dst = dst[:0]
		}
		c := src[i]
		switch c {
		case '"':
			// Copy the string up to its closing quote, skipping escapes.
			j := i + 1
			for {
				k := bytes.IndexAny(src[j:], `"\`)
				if k < 0 {
					j = len(src)
					break
				}
				j += k
				if src[j] == '\\' {
					j += 2
					continue
				}
				break
			}
			end := min(j+1, len(src))
			dst = append(dst, src[i:end]...)
			i = end - 1
		case '{', '[':
			dst = append(dst, c)
			// An empty object or array stays {} or [].
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				dst = append(dst, src[i+1])
				i++
				continue
			}
			depth++
			newline()
		case '}', ']':
			depth--
			newline()
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			newline()
		case ':':
			dst = append(dst, ':', ' ')
		default:
			dst = append(dst, c)
		}
	}
	return dst, nil
}
