package repo

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/url"
	"path"
	"sort"
	"strings"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// Download fetches the target that info describes (info.Path names it, as
// [Client.TargetInfo] sets it) from the mirrors' targets bases in order,
// checks its length and every listed hash, and only then writes it to w.
// Under consistent snapshots the hash-prefixed names are tried for each
// listed algorithm in sorted order. Bytes that fail verification are
// refused, never passed to w, and no other mirror is tried for them. A
// target over 1 MiB is verified in a spool file in the trust directory
// (targets/<repo>/.tmp-download-*), so that memory does not grow with it;
// the Client's timeout is the longest silence of its body, and the whole
// body must arrive within the timeout plus its length at [MinTargetRate].
func (c *Client) Download(ctx context.Context, info *metadata.TargetFiles, w io.Writer) error {
	if info == nil {
		return c.errf("", errors.New("download: no target info"))
	}
	if err := checkTargetPath(info.Path); err != nil {
		return c.errf("", err)
	}
	if info.Length < 0 {
		return c.errf("", fmt.Errorf("target %q: negative length", info.Path))
	}
	if len(info.Hashes) == 0 {
		return c.errf("", fmt.Errorf("target %q: no hashes", info.Path))
	}
	for alg := range info.Hashes {
		if newHash(alg) == nil {
			return c.errf("", fmt.Errorf("target %q: unsupported hash algorithm %q", info.Path, alg))
		}
	}
	if c.offline {
		return c.errf("", fmt.Errorf("target %q: %w: no network access", info.Path, ErrOffline))
	}
	c.mu.Lock()
	st, err := c.ready(ctx)
	c.mu.Unlock()
	if err != nil {
		return err
	}
	names := remoteNames(info, st.trusted.Root.Signed.ConsistentSnapshot)
	sp, err := c.fetchTarget(ctx, info, names)
	if err != nil {
		return c.errf("", fmt.Errorf("target %q: %w", info.Path, err))
	}
	defer sp.Close()
	if _, err := io.Copy(w, sp.reader()); err != nil {
		return c.errf("", fmt.Errorf("target %q: write: %w", info.Path, err))
	}
	return nil
}

// checkTargetPath refuses target paths that are not relative,
// '/'-separated and free of empty, "." and ".." segments, backslashes and
// NUL: they could not be named safely on disk.
func checkTargetPath(p string) error {
	if p == "" || strings.ContainsAny(p, "\\\x00") {
		return fmt.Errorf("invalid target path %q", p)
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("invalid target path %q", p)
		}
	}
	return nil
}

// remoteNames returns the names under which a target may be served,
// '/'-separated: under consistent snapshots "<dir>/<hex>.<base>" for each
// listed algorithm in sorted order, else the path itself.
func remoteNames(info *metadata.TargetFiles, consistent bool) []string {
	if !consistent {
		return []string{info.Path}
	}
	algs := make([]string, 0, len(info.Hashes))
	for alg := range info.Hashes {
		algs = append(algs, alg)
	}
	sort.Strings(algs)
	dir, base := path.Split(info.Path)
	var names []string
	for _, alg := range algs {
		names = append(names, dir+hex.EncodeToString(info.Hashes[alg])+"."+base)
	}
	return names
}

// escapePath URL-escapes each segment of a '/'-separated path.
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// newHash returns a hash for a TUF hash algorithm name, nil if unknown.
func newHash(alg string) hash.Hash {
	switch alg {
	case "sha224":
		return sha256.New224()
	case "sha256":
		return sha256.New()
	case "sha384":
		return sha512.New384()
	case "sha512":
		return sha512.New()
	case "sha512_256":
		return sha512.New512_256()
	}
	return nil
}

// errVerify marks a served target that failed verification.
type errVerify struct{ err error }

func (e *errVerify) Error() string { return e.err.Error() }
func (e *errVerify) Unwrap() error { return e.err }

// fetchTarget tries each mirror and, on each, each name, until one serves
// bytes; they are verified before fetchTarget returns them.
func (c *Client) fetchTarget(ctx context.Context, info *metadata.TargetFiles, names []string) (*spool, error) {
	fe := &fetchError{}
	for _, m := range c.mirrors {
		for _, name := range names {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			sp, err := c.fetchTargetFrom(ctx, m.Targets, name, info)
			if err == nil {
				return sp, nil
			}
			var ve *errVerify
			if errors.As(err, &ve) {
				return nil, ve.err
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			var st *errStatus
			isStatus := errors.As(err, &st)
			if isStatus && st.code == 404 {
				fe.missing = true
			}
			fe.failures = append(fe.failures, fmt.Sprintf("%s/%s: %v", strings.TrimSuffix(m.Targets, "/"), escapePath(name), c.describe(err)))
			if !isStatus {
				break // the mirror did not answer: go to the next one
			}
		}
	}
	return nil, fe
}

// fetchTargetFrom reads one candidate into a spool, bounded by the
// target's length, and verifies it.
func (c *Client) fetchTargetFrom(ctx context.Context, base, name string, info *metadata.TargetFiles) (*spool, error) {
	resp, err := c.getTarget(ctx, base, escapePath(name), name, info.Length)
	if err != nil {
		return nil, err
	}
	defer resp.Close()
	if resp.length > info.Length {
		return nil, &errVerify{fmt.Errorf("length %d exceeds the signed %d", resp.length, info.Length)}
	}
	sp, err := c.newSpool(info.Length)
	if err != nil {
		return nil, &errVerify{err}
	}
	hashes := map[string]hash.Hash{}
	writers := []io.Writer{sp.writer()}
	for alg := range info.Hashes {
		h := newHash(alg)
		hashes[alg] = h
		writers = append(writers, h)
	}
	n, err := io.Copy(io.MultiWriter(writers...), io.LimitReader(resp.body, info.Length+1))
	if err != nil {
		sp.Close()
		if errors.Is(err, errSpoolWrite) {
			return nil, &errVerify{err}
		}
		return nil, err
	}
	if n != info.Length {
		sp.Close()
		return nil, &errVerify{&metadata.ErrLengthOrHashMismatch{Msg: fmt.Sprintf("length verification failed - expected %d, got %d or more", info.Length, n)}}
	}
	for alg, h := range hashes {
		if subtle.ConstantTimeCompare(h.Sum(nil), info.Hashes[alg]) != 1 {
			sp.Close()
			return nil, &errVerify{&metadata.ErrLengthOrHashMismatch{Msg: fmt.Sprintf("hash verification failed - mismatch for algorithm %s", alg)}}
		}
	}
	if err := sp.done(); err != nil {
		sp.Close()
		return nil, &errVerify{err}
	}
	return sp, nil
}
