package fix

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// contextLines is how many unchanged lines a hunk shows around a change.
const contextLines = 3

// line is one line of a line-mode diff: ' ', '-' or '+', and its text
// with its newline (the last line of a file may have none).
type line struct {
	op   byte
	text string
}

// UnifiedDiff writes the difference between old and new contents of path
// as a unified diff (`--- a/path`, `+++ b/path`, hunks with three lines
// of context), computed line by line with go-diff. Nothing is written when
// the contents are equal.
func UnifiedDiff(w io.Writer, path string, old, new []byte) error {
	if string(old) == string(new) {
		return nil
	}
	lines := diffLines(string(old), string(new))
	var b strings.Builder
	fmt.Fprintf(&b, "--- a/%s\n+++ b/%s\n", path, path)
	for _, h := range hunks(lines) {
		writeHunk(&b, lines, h)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// diffBudget bounds the line diff's search: past it go-diff returns a
// coarser diff (larger hunks), still exact. 20,000 changed lines of one
// 1 MB file take about 1.4 s on a loaded CI machine.
const diffBudget = 5 * time.Second

func diffLines(old, new string) []line {
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = diffBudget
	r1, r2, table := dmp.DiffLinesToRunes(old, new)
	diffs := dmp.DiffCharsToLines(dmp.DiffMainRunes(r1, r2, false), table)
	var out []line
	for _, d := range diffs {
		op := byte(' ')
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			op = '-'
		case diffmatchpatch.DiffInsert:
			op = '+'
		}
		for _, l := range strings.SplitAfter(d.Text, "\n") {
			if l != "" {
				out = append(out, line{op: op, text: l})
			}
		}
	}
	return out
}

// span is a hunk: lines[from:to].
type span struct{ from, to int }

// hunks groups the changed lines with their context, merging groups whose
// context touches.
func hunks(lines []line) []span {
	var out []span
	for i := 0; i < len(lines); i++ {
		if lines[i].op == ' ' {
			continue
		}
		from := max(0, i-contextLines)
		j := i
		for j < len(lines) && lines[j].op != ' ' {
			j++
		}
		to := min(len(lines), j+contextLines)
		if n := len(out); n > 0 && from <= out[n-1].to {
			out[n-1].to = to
		} else {
			out = append(out, span{from, to})
		}
		i = j - 1
	}
	return out
}

func writeHunk(b *strings.Builder, lines []line, h span) {
	oldStart, newStart := 1, 1
	for _, l := range lines[:h.from] {
		if l.op != '+' {
			oldStart++
		}
		if l.op != '-' {
			newStart++
		}
	}
	oldN, newN := 0, 0
	for _, l := range lines[h.from:h.to] {
		if l.op != '+' {
			oldN++
		}
		if l.op != '-' {
			newN++
		}
	}
	// An empty side starts at the line before, as diff(1) writes it.
	if oldN == 0 {
		oldStart--
	}
	if newN == 0 {
		newStart--
	}
	fmt.Fprintf(b, "@@ -%s +%s @@\n", hunkRange(oldStart, oldN), hunkRange(newStart, newN))
	for _, l := range lines[h.from:h.to] {
		b.WriteByte(l.op)
		b.WriteString(l.text)
		if !strings.HasSuffix(l.text, "\n") {
			b.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

func hunkRange(start, n int) string {
	if n == 1 {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}
