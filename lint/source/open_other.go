//go:build !unix

package source

import "os"

// openNonBlocking opens read-only; systems without FIFOs in the file
// system have nothing to block on.
func openNonBlocking(path string) (*os.File, error) { return os.Open(path) }
