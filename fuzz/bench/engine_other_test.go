//go:build !unix

package bench

import (
	"errors"
	"io"
	"time"
)

// The nginx server and the engine mode's CPU accounting are unix-only
// (fuzz/livetest, getrusage).
var errUnixOnly = errors.New("-nginx and -engine need a unix system")

func serveNginx(string) error                     { return errUnixOnly }
func runEngine(io.Writer, string, int, int) error { return errUnixOnly }

// cpuTime is unknown here: CPU per request reads 0.
func cpuTime() time.Duration { return 0 }
