package repo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"time"
)

// MinTargetRate is the slowest average rate, in bytes per second, at which
// a target's body may arrive: a target of signed length L must arrive
// within the Client's timeout plus L/MinTargetRate seconds. Within that,
// the timeout limits only silence.
const MinTargetRate = 64 << 10

// targetBudget returns how long a target body of length bytes may take.
func targetBudget(timeout time.Duration, length int64) time.Duration {
	secs := float64(length) / MinTargetRate
	if secs >= float64(math.MaxInt64-int64(timeout))/float64(time.Second) {
		return math.MaxInt64
	}
	return timeout + time.Duration(secs*float64(time.Second))
}

// silenceError is a target download that received no byte for too long.
type silenceError struct{ d time.Duration }

func (e *silenceError) Error() string { return fmt.Sprintf("no byte received for %v", e.d) }

// slowError is a target download slower than [MinTargetRate].
type slowError struct {
	length int64
	budget time.Duration
}

func (e *slowError) Error() string {
	return fmt.Sprintf("%d bytes not received within %v (slower than the minimum rate of %d KiB/s)",
		e.length, e.budget.Round(time.Millisecond), MinTargetRate>>10)
}

// getTarget is get for a target body of the signed length: the request
// may be silent (no response, then no byte of the body) for at most the
// Client's timeout, and must end within [targetBudget]. A request cut off
// for either reason fails with a *silenceError or a *slowError.
func (c *Client) getTarget(ctx context.Context, base, rel, fileRel string, length int64) (*response, error) {
	if u, err := url.Parse(base); err == nil && u.Scheme == "file" {
		return getFile(filePath(u), fileRel)
	}
	budget := targetBudget(c.timeout, length)
	tctx, cancelTotal := context.WithTimeoutCause(ctx, budget, &slowError{length, budget})
	sctx, cancelSilent := context.WithCancelCause(tctx)
	timer := time.AfterFunc(c.timeout, func() { cancelSilent(&silenceError{c.timeout}) })
	cancel := func() {
		timer.Stop()
		cancelSilent(nil)
		cancelTotal()
	}
	resp, err := c.getWithin(sctx, cancel, base, rel, fileRel)
	if err != nil {
		return nil, stallCause(sctx, err)
	}
	timer.Reset(c.timeout)
	resp.body = &watchedBody{ReadCloser: resp.body, ctx: sctx, timer: timer, timeout: c.timeout}
	return resp, nil
}

// stallCause returns the cause of ctx's end when it is a stall, else err.
func stallCause(ctx context.Context, err error) error {
	if ctx.Err() == nil {
		return err
	}
	cause := context.Cause(ctx)
	var se *silenceError
	var sl *slowError
	if errors.As(cause, &se) || errors.As(cause, &sl) {
		return cause
	}
	return err
}

// watchedBody restarts the silence timer at every byte it reads, and
// names a stall as the cause of a failed read.
type watchedBody struct {
	io.ReadCloser
	ctx     context.Context
	timer   *time.Timer
	timeout time.Duration
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.timer.Reset(b.timeout)
	}
	if err != nil && err != io.EOF {
		err = stallCause(b.ctx, err)
	}
	return n, err
}
