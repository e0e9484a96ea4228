// Command corsguard finds unsafe CORS: `lint` analyses nginx, Apache and
// HCL configurations statically, `fuzz` and `probe` drive live endpoints.
// This package is thin on purpose: flags → library calls → exit code.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/corsguard/corsguard/rules/report"
)

// Exit codes shared by every subcommand.
const (
	exitClean    = 0 // nothing at or above --fail-on
	exitFindings = 1 // findings at or above --fail-on
	exitError    = 2 // bad input or usage
)

// exitError carries the process exit code out of a cobra RunE.
type exitCodeError struct {
	code int
	err  error // nil when the output already said everything
}

func (e *exitCodeError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func main() {
	root := newRootCmd()
	err := root.Execute()
	if err == nil {
		os.Exit(exitClean)
	}
	var ec *exitCodeError
	if errors.As(err, &ec) {
		if ec.err != nil {
			printError(ec.err)
		}
		os.Exit(ec.code)
	}
	printError(err)
	os.Exit(exitError)
}

// printError prints a fatal error. Errors quote user input (a config
// line, a URL, a server's answer): control characters are escaped so that
// none reaches the terminal raw. Secrets are kept out of error messages
// where they are made (driver, flag parsing).
func printError(err error) {
	fmt.Fprintln(os.Stderr, "corsguard:", report.EscapeLine(err.Error()))
}
