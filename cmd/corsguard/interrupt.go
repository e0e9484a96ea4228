package main

import (
	"context"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

// Exit codes of a run stopped by a signal: 128 + the signal's number, as
// shells report a process killed by it.
const (
	exitSIGINT  = 130
	exitSIGTERM = 143
)

// interruptContext returns a context cancelled by the first SIGINT or
// SIGTERM, so that fuzz and probe stop sending and still write what they
// found. A second signal exits at once with the same code. code returns 0
// until a signal came, then 130 or 143.
func interruptContext() (ctx context.Context, code func() int, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var got atomic.Int32
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-ch:
				c := int32(exitSIGINT)
				if s == syscall.SIGTERM {
					c = exitSIGTERM
				}
				if !got.CompareAndSwap(0, c) {
					os.Exit(int(got.Load()))
				}
				cancel()
			case <-done:
				return
			}
		}
	}()
	return ctx, func() int { return int(got.Load()) }, func() {
		signal.Stop(ch)
		close(done)
		cancel()
	}
}
