package resolver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
)

// Download fetches the bytes of a verified result's target and writes them
// to w. It asks the repositories in res.Agreed in turn, each through its
// [Downloader] with its own signed info, and checks the bytes against the
// consensus length and every consensus hash before anything reaches w: w
// receives the verified bytes once, or nothing. When a repository fails
// (unreachable, no Downloader, or bytes that do not match, such as a
// corrupted copy) the next one is asked; when every one fails, the error
// aggregates their causes (errors.Is(err, ErrMismatch) holds when one served
// wrong bytes). A failure to write to w is returned as is, without trying
// further repositories.
//
// The bytes are held in memory, at most the consensus length of them, until
// they are verified. res must come from this Resolver.
func (r *Resolver) Download(ctx context.Context, res *Result, w io.Writer) error {
	if _, err := newChecker(res); err != nil {
		return err
	}
	var errs []error
	for _, name := range res.Agreed {
		data, err := r.fetch(ctx, res, name)
		if err != nil {
			errs = append(errs, named(name, err))
			if ctx.Err() != nil {
				break
			}
			continue
		}
		if _, err := w.Write(data); err != nil {
			return fmt.Errorf("target %q: write: %w", res.Target, err)
		}
		return nil
	}
	if len(errs) == 0 {
		return fmt.Errorf("target %q: no supporting repository to download from", res.Target)
	}
	return fmt.Errorf("target %q: download: %w", res.Target, aggregate(errs))
}

// fetch downloads the target from one supporting repository and returns the
// bytes once they match the consensus.
func (r *Resolver) fetch(ctx context.Context, res *Result, name string) ([]byte, error) {
	a, ok := res.Answer(name)
	if !ok || a.Kind != Signed || a.Info == nil {
		return nil, errors.New("no signed target info in the result")
	}
	rp, err := r.entry(name).ready(ctx, r.open)
	if err != nil {
		return nil, err
	}
	d, ok := rp.(Downloader)
	if !ok {
		return nil, errors.New("repository cannot download targets")
	}
	c, err := newChecker(res)
	if err != nil {
		return nil, err
	}
	info := cloneInfo(a.Info)
	info.Path = res.Target
	var buf bytes.Buffer
	if err := d.Download(ctx, info, io.MultiWriter(c, &buf)); err != nil {
		return nil, err
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
