package fix

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// FuzzUnifiedDiff: for any two texts, the diff's hunks applied to the old
// text give the new one exactly, and no hunk carries more than three lines
// of context at either end.
func FuzzUnifiedDiff(f *testing.F) {
	f.Add("a\nb\nc\n", "a\nB\nc\n")
	f.Add("", "x\n")
	f.Add("x", "")
	f.Add("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "1\n2\nthree\n4\n5\n6\n7\n8\nnine\n10")
	f.Add("server {\r\n  add_header A b;\r\n}\r\n", "server {\r\n  add_header A b always;\r\n}\r\n")
	f.Fuzz(func(t *testing.T, old, new string) {
		if len(old)+len(new) > 1<<14 {
			return // the property is about structure, not size
		}
		var b bytes.Buffer
		if err := UnifiedDiff(&b, "f", []byte(old), []byte(new)); err != nil {
			t.Fatal(err)
		}
		if old == new {
			if b.Len() != 0 {
				t.Fatalf("a diff of equal texts:\n%s", b.String())
			}
			return
		}
		got, err := applyUnified(old, b.String())
		if err != nil {
			t.Fatalf("%v\n%s", err, b.String())
		}
		if got != new {
			t.Fatalf("patched old = %q, want %q\n%s", got, new, b.String())
		}
	})
}

// applyUnified applies a one-file unified diff as patch(1) would, checking
// every context and removed line against old.
func applyUnified(old, diff string) (string, error) {
	lines := strings.SplitAfter(old, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	body := strings.SplitAfter(diff, "\n")
	if len(body) < 3 || body[0] != "--- a/f\n" || body[1] != "+++ b/f\n" {
		return "", fmt.Errorf("bad header")
	}
	var out []string
	at := 0 // next line of old to copy
	var prev *string
	for i := 2; i < len(body) && body[i] != ""; i++ {
		l := body[i]
		switch {
		case strings.HasPrefix(l, "@@ -"):
			start, err := hunkStart(l)
			if err != nil {
				return "", err
			}
			if start-1 < at {
				return "", fmt.Errorf("hunks out of order at %q", l)
			}
			out = append(out, lines[at:start-1]...)
			at = start - 1
			context := 0
			for j := i + 1; j < len(body) && strings.HasPrefix(body[j], " "); j++ {
				context++
			}
			if context > contextLines {
				return "", fmt.Errorf("%d lines of leading context", context)
			}
		case l == "\\ No newline at end of file\n":
			if prev == nil {
				return "", fmt.Errorf("a no-newline marker after nothing")
			}
			*prev = strings.TrimSuffix(*prev, "\n")
		case l[0] == ' ' || l[0] == '-':
			if at >= len(lines) || strings.TrimSuffix(lines[at], "\n") != strings.TrimSuffix(l[1:], "\n") {
				return "", fmt.Errorf("line %d does not match %q", at+1, l)
			}
			if l[0] == ' ' {
				out = append(out, lines[at])
				prev = &out[len(out)-1]
			} else {
				prev = new(string)
			}
			at++
		case l[0] == '+':
			out = append(out, l[1:])
			prev = &out[len(out)-1]
		default:
			return "", fmt.Errorf("bad line %q", l)
		}
	}
	out = append(out, lines[at:]...)
	return strings.Join(out, ""), nil
}

// hunkStart reads the old side's first line from `@@ -S[,N] +… @@`; an
// empty old side (N = 0) names the line before the change.
func hunkStart(header string) (int, error) {
	fields := strings.Fields(header)
	if len(fields) < 3 {
		return 0, fmt.Errorf("bad hunk header %q", header)
	}
	startText, countText, hasCount := strings.Cut(strings.TrimPrefix(fields[1], "-"), ",")
	start, err := strconv.Atoi(startText)
	if err != nil {
		return 0, fmt.Errorf("bad hunk header %q", header)
	}
	if hasCount && countText == "0" {
		start++
	}
	return start, nil
}
