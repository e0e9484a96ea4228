package main

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/corsguard/corsguard/lint"
)

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
