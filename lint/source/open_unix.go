//go:build unix

package source

import (
	"os"
	"syscall"
)

// openNonBlocking opens read-only with O_NONBLOCK: opening a FIFO without
// a writer would otherwise wait forever. For a regular file the flag has no
// effect on reads. O_NOCTTY keeps a terminal device from becoming ours.
func openNonBlocking(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
}
