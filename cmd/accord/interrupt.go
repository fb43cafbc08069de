package main

import (
	"context"
	"errors"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
)

// Exit statuses of a run ended by a signal: 128 plus the signal's number,
// as shells report a process the signal killed.
const (
	exitInterrupt = 130 // SIGINT, Ctrl-C
	exitTerminate = 143 // SIGTERM
)

// errInterrupted is what a write to stdout returns once the run was
// interrupted.
var errInterrupted = errors.New("interrupted")

// interruption is the cause of a run's cancellation by a signal.
type interruption struct{ sig os.Signal }

func (e *interruption) Error() string { return "interrupted by " + e.sig.String() }

// report returns the status the run ends with, and what it says on
// stderr.
func (e *interruption) report() (code int, line string) {
	if e.sig == syscall.SIGTERM {
		return exitTerminate, "terminated"
	}
	return exitInterrupt, "interrupted"
}

// onSignal returns a context that SIGINT or SIGTERM cancels, with an
// *interruption as its cause, after calling quiet. Only the first signal is
// caught: once it has come, a second one ends the process at once, as if
// accord caught none. stop releases the signals.
func onSignal(quiet func()) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-sigs:
			signal.Stop(sigs)
			quiet()
			cancel(&interruption{sig: sig})
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel(nil)
	}
}

// interruptible is a writer that refuses every write once stopped is set:
// after an interruption, the cancelled work's output and errors do not
// follow the one line that says so.
type interruptible struct {
	w       io.Writer
	stopped *atomic.Bool
}

func (w interruptible) Write(p []byte) (int, error) {
	if w.stopped.Load() {
		return 0, errInterrupted
	}
	return w.w.Write(p)
}
