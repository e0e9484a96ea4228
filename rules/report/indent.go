package report

import (
	"bytes"
	"io"
)

// indenter indents compact JSON the way json.Indent(dst, src, "", indent)
// does, byte for byte, but in one pass that copies strings whole:
// json.Indent runs its validating scanner on every byte, which cost four
// times the marshalling itself on an 8000-finding report. Its input is
// json.Marshal's output (valid, compact), given whole or in pieces cut
// between tokens (an opening bracket that ends a piece is taken as the
// start of a non-empty container). Output goes to w in pieces of about
// 64 KB, so that a large report is not held twice in memory.
type indenter struct {
	w      io.Writer
	indent string
	depth  int
	dst    []byte
	err    error
}

const indentPiece = 64 << 10

// write indents src.
func (x *indenter) write(src []byte) {
	for i := 0; i < len(src) && x.err == nil; i++ {
		if x.w != nil && len(x.dst) >= indentPiece {
			x.flush()
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
			x.dst = append(x.dst, src[i:end]...)
			i = end - 1
		case '{', '[':
			x.dst = append(x.dst, c)
			// An empty object or array stays {} or [].
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				x.dst = append(x.dst, src[i+1])
				i++
				continue
			}
			x.depth++
			x.newline()
		case '}', ']':
			x.depth--
			x.newline()
			x.dst = append(x.dst, c)
		case ',':
			x.dst = append(x.dst, c)
			x.newline()
		case ':':
			x.dst = append(x.dst, ':', ' ')
		default:
			x.dst = append(x.dst, c)
		}
	}
}

func (x *indenter) newline() {
	x.dst = append(x.dst, '\n')
	for range x.depth {
		x.dst = append(x.dst, x.indent...)
	}
}

// flush writes what is held to w.
func (x *indenter) flush() {
	if x.err == nil && len(x.dst) > 0 {
		_, x.err = x.w.Write(x.dst)
	}
	x.dst = x.dst[:0]
}

// indentJSON returns src indented (for tests and small documents).
func indentJSON(src []byte, indent string) []byte {
	x := &indenter{indent: indent}
	x.write(src)
	return x.dst
}
