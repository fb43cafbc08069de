package resolver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// Download fetches the bytes of a verified result's target and writes them
// to w. It asks the repositories in res.Agreed in turn, each through its
// [Downloader] with its own signed info to which the consensus hashes it
// does not list are added. A Downloader checks the bytes against that info
// (the consensus length and every consensus hash among them) before it
// writes any to w, as *repo.Client does, spooling large targets to disk;
// Download checks them again as they pass. So w receives the verified
// bytes once, or nothing, and no more than a copy buffer of them is held in
// memory. When a repository fails (unreachable, no Downloader, or bytes
// that do not match, such as a corrupted copy) the next one is asked; when
// every one fails, the error is a [*DownloadError] with each one's cause
// (errors.Is(err, ErrMismatch) holds when Download's own check refused
// bytes). A
// failure to write to w is returned as is, without trying further
// repositories; so is the failure of a Downloader that broke its contract
// and wrote bytes that then proved wrong, as w holds a part of them.
//
// res must come from this Resolver.
func (r *Resolver) Download(ctx context.Context, res *Result, w io.Writer) error {
	if _, err := newChecker(res); err != nil {
		return err
	}
	de := &DownloadError{Target: res.Target}
	for _, name := range res.Agreed {
		sink := &countingWriter{w: w}
		err := r.fetch(ctx, res, name, sink)
		if err == nil {
			return nil
		}
		if sink.err != nil {
			return fmt.Errorf("target %q: write: %w", res.Target, sink.err)
		}
		de.Attempts = append(de.Attempts, Attempt{Name: name, Err: err})
		if sink.n > 0 || ctx.Err() != nil {
			break
		}
	}
	if len(de.Attempts) == 0 {
		return fmt.Errorf("target %q: no supporting repository to download from", res.Target)
	}
	return de
}

// fetch downloads the target from one supporting repository into w,
// checking the bytes against the consensus as they pass.
func (r *Resolver) fetch(ctx context.Context, res *Result, name string, w io.Writer) error {
	a, ok := res.Answer(name)
	if !ok || a.Kind != Signed || a.Info == nil {
		return errors.New("no signed target info in the result")
	}
	rp, err := r.entry(name).ready(ctx, r.open)
	if err != nil {
		return err
	}
	d, ok := rp.(Downloader)
	if !ok {
		return errors.New("repository cannot download targets")
	}
	c, err := newChecker(res)
	if err != nil {
		return err
	}
	info := cloneInfo(a.Info)
	info.Path = res.Target
	for alg, digest := range res.Hashes {
		if _, ok := info.Hashes[alg]; !ok {
			info.Hashes[alg] = append(metadata.HexBytes(nil), digest...)
		}
	}
	if err := d.Download(ctx, info, io.MultiWriter(c, w)); err != nil {
		return err
	}
	return c.check()
}

// countingWriter passes writes to w, counting the bytes written and
// keeping w's first error.
type countingWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	if err != nil && c.err == nil {
		c.err = err
	}
	return n, err
}

// DownloadError is the failure of every supporting repository to deliver
// a verified result's bytes: each one's cause, in the order asked.
type DownloadError struct {
	Target   string
	Attempts []Attempt
}

// Attempt is one repository's failure to deliver a target's bytes.
type Attempt struct {
	Name string
	Err  error
}

// Error reads `target "T": download: repository "ci": <cause>; repository
// "qa": <cause>`.
func (e *DownloadError) Error() string {
	causes := make([]string, len(e.Attempts))
	for i, a := range e.Attempts {
		causes[i] = named(a.Name, a.Err).Error()
	}
	return fmt.Sprintf("target %q: download: %s", e.Target, strings.Join(causes, "; "))
}

// Unwrap returns each repository's error.
func (e *DownloadError) Unwrap() []error {
	errs := make([]error, len(e.Attempts))
	for i, a := range e.Attempts {
		errs[i] = a.Err
	}
	return errs
}
