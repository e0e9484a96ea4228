package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/corsguard/corsguard/fuzz"
)

// progressEvery is how often the plain progress line is written when
// stderr is not a terminal (CI logs): often enough to show the run is
// alive, rarely enough not to flood the log.
const progressEvery = 5 * time.Second

// progress reports a fuzz run on stderr: a bar with the targets total and
// an ETA on a terminal, a plain line every few seconds otherwise.
type progress struct {
	total    int
	start    time.Time
	requests atomic.Int64
	targets  atomic.Int64
	findings atomic.Int64
	bar      *progressbar.ProgressBar
	w        io.Writer
	quit     chan struct{}
	wg       sync.WaitGroup
}

// startProgress hooks a progress display into opts (nothing with
// --no-progress).
func startProgress(off bool, total int, opts *fuzz.Options) *progress {
	p := &progress{total: total, start: time.Now(), w: os.Stderr, quit: make(chan struct{})}
	if off {
		return p
	}
	opts.Progress = func() { p.requests.Add(1) }
	opts.TargetDone = func() {
		p.targets.Add(1)
		if p.bar != nil {
			_ = p.bar.Add(1)
		}
	}
	if isTerminal(os.Stderr) {
		p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(os.Stderr), progressbar.OptionSetDescription("fuzzing targets"),
			progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true), progressbar.OptionShowElapsedTimeOnFinish(),
			progressbar.OptionClearOnFinish(), progressbar.OptionThrottle(200*time.Millisecond))
		p.wg.Add(1)
		go p.loop(200*time.Millisecond, func() {
			p.bar.Describe(fmt.Sprintf("fuzzing targets (%d req, %d findings)", p.requests.Load(), p.findings.Load()))
		})
		return p
	}
	p.wg.Add(1)
	go p.loop(progressEvery, func() { fmt.Fprintln(p.w, p.line()) })
	return p
}

func (p *progress) loop(every time.Duration, tick func()) {
	defer p.wg.Done()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			tick()
		case <-p.quit:
			return
		}
	}
}

// line is the plain progress line.
func (p *progress) line() string {
	el := time.Since(p.start)
	rate := float64(p.requests.Load()) / max(el.Seconds(), 0.001)
	return fmt.Sprintf("corsguard: %d/%d targets done, %d requests (%.0f req/s), %d findings, %s elapsed",
		p.targets.Load(), p.total, p.requests.Load(), rate, p.findings.Load(), el.Round(time.Second))
}

func (p *progress) finding() { p.findings.Add(1) }

func (p *progress) stop() {
	close(p.quit)
	p.wg.Wait()
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
