package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/corsguard/corsguard/lint"
	"github.com/corsguard/corsguard/rules"
)

// lint --pre-commit: the paths are the staged files pre-commit passes.
// Explicitly named files of unknown format are skipped here until lint
// itself skips them (a change the walk owner is making in lint/lint.go).

// skipUnknownFiles drops from args the named regular files that no format
// recognises, with a notice on stderr each. pre-commit passes every staged
// file whose name matches the hook's pattern, and a pattern wide enough
// for nginx and Apache (*.conf) also matches supervisord.conf or
// fail2ban's jail.conf: those must not block a commit. Directories, globs
// and unreadable files are left for lint to walk or report.
//
// Detection is lint's own (the same Detect functions on the same head
// size), so a file kept here is one lint parses.
func skipUnknownFiles(cmd *cobra.Command, args []string) []string {
	kept := args[:0:0]
	for _, arg := range args {
		if known, ok := recognised(arg); ok && !known {
			fmt.Fprintf(cmd.ErrOrStderr(), "corsguard: skipped %s: not a recognised nginx, Apache httpd or HCL configuration\n", arg)
			continue
		}
		kept = append(kept, arg)
	}
	return kept
}

// detectHead is how much of a file format detection looks at (lint's
// headSize).
const detectHead = 8 << 10

// recognised tells whether a regular file is of a known format; ok is
// false when the question does not apply (not a regular file, unreadable,
// or binary: lint decides and reports those).
func recognised(path string) (known, ok bool) {
	st, err := os.Stat(path)
	if err != nil || !st.Mode().IsRegular() || st.Size() > lint.MaxFileSize {
		return false, false
	}
	fh, err := os.Open(path)
	if err != nil {
		return false, false
	}
	defer func() { _ = fh.Close() }()
	head := make([]byte, detectHead)
	n, err := io.ReadFull(fh, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return false, false
	}
	head = head[:n]
	if bytes.IndexByte(head, 0) >= 0 {
		return false, false
	}
	for _, f := range lint.Formats {
		if f.Detect(path, head) {
			return true, true
		}
	}
	return false, true
}

// onlyNamedFiles keeps the findings located in the named files. A staged
// Terraform file is evaluated with its whole module, and an nginx file
// with its includes, so that values flow as they do in production; but a
// commit is judged by the files it touches, not by an untouched sibling's
// old finding. The dropped findings are counted in a notice.
func onlyNamedFiles(cmd *cobra.Command, args []string, fs []rules.Finding) []rules.Finding {
	named := make(map[string]bool, len(args))
	for _, a := range args {
		named[filepath.Clean(a)] = true
	}
	kept := fs[:0:0]
	for _, f := range fs {
		if named[filepath.Clean(f.Range.File)] {
			kept = append(kept, f)
		}
	}
	if n := len(fs) - len(kept); n > 0 {
		fmt.Fprintf(cmd.ErrOrStderr(), "corsguard: %d finding(s) in files not passed (module siblings, includes) not reported: run corsguard lint on the directory to see them\n", n)
	}
	return kept
}
