package report

import (
	"strings"
	"testing"

	"github.com/corsguard/corsguard/rules"
)

func TestEscapeLineShowsControlCharactersInsteadOfSendingThem(t *testing.T) {
	tests := map[string]string{
		"plain text, tabs\tstay": "plain text, tabs\tstay",
		"ümlaut and 日本":          "ümlaut and 日本",
		"\x1b]0;pwned\x07title":  `\x1b]0;pwned\x07title`,
		"\x1b[2J\x1b[31mred":     `\x1b[2J\x1b[31mred`,
		"fake\nline":             `fake\nline`,
		"over\rwrite":            `over\rwrite`,
		"del\x7f":                `del\x7f`,
		"c1 \u009b31m csi":       `c1 \u009b31m csi`,
		"bidi \u202eevil\u2066":  `bidi \u202eevil\u2066`,
		"bad utf8 \xff\x9b":      `bad utf8 \xff\x9b`,
		"nul \x00 and bell \x07": `nul \x00 and bell \x07`,
	}
	for in, want := range tests {
		if got := EscapeLine(in); got != want {
			t.Errorf("EscapeLine(%q) = %q, want %q", in, got, want)
		}
	}
	if got := EscapeText("two\nlines\x1b[0m"); got != "two\nlines\\x1b[0m" {
		t.Errorf("EscapeText keeps newlines only: %q", got)
	}
}

// A config comment or a server header with escape sequences must reach the
// terminal escaped in the text report, with and without colour; the
// report's own colour codes are the only ESC bytes.
func TestTextReportEscapesInput(t *testing.T) {
	hostile := "# \x1b]0;owned\x07\x1b[2J comment \u009b1m"
	in := Input{Tool: "lint", Findings: []rules.Finding{{
		RuleID: "CG101", Slug: "origin-reflected", Severity: rules.High, Message: "msg " + hostile,
		Range: rules.Range{File: "a\x1b.conf", Line: 1, Col: 3}, Scope: "server " + hostile, Witness: "https://x\x1b", Fix: "fix\r",
	}}, Errors: []rules.Diagnostic{{Range: rules.Range{File: "b.conf", Line: 2}, Message: "bad " + hostile}},
		Source: func(string, int) (string, bool) { return "ab\x1b[31mcd " + hostile, true }}
	for _, color := range []bool{false, true} {
		var b strings.Builder
		if err := Text(&b, in, TextOptions{Color: color}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		stripped := out
		for _, code := range []string{ansiReset, ansiBold, ansiDim, ansiRed, ansiMag, ansiYel, ansiCyan} {
			stripped = strings.ReplaceAll(stripped, code, "")
		}
		for _, c := range []string{"\x1b", "\x07", "\r", "\u009b"} {
			if strings.Contains(stripped, c) {
				t.Errorf("color=%v: raw %q reached the output:\n%q", color, c, out)
			}
		}
		if !strings.Contains(out, `\x1b]0;owned\x07`) {
			t.Errorf("color=%v: the escaped form is not shown:\n%s", color, out)
		}
	}
}
