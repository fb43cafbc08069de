package repo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// updaterBase is the metadata base URL that the updater is given; the
// fetcher maps the file names after it to the mirrors.
const updaterBase = "accord-mirrors:///"

// errStatus is a mirror's answer other than 200.
type errStatus struct{ code int }

func (e *errStatus) Error() string {
	if e.code == http.StatusNotFound {
		return "not found (404)"
	}
	return fmt.Sprintf("http status %d", e.code)
}

// fetchError is the failure of every mirror to serve a file. It wraps
// go-tuf's 404 error when some mirror answered 404 (the file is missing),
// else [ErrUnreachable].
type fetchError struct {
	missing  bool
	failures []string // "MIRROR: CAUSE", in mirror order
}

func (e *fetchError) Error() string {
	what := "unreachable"
	if e.missing {
		what = "not found on any mirror"
	}
	return what + " (" + strings.Join(e.failures, "; ") + ")"
}

func (e *fetchError) Unwrap() []error {
	if e.missing {
		return []error{&metadata.ErrDownloadHTTP{StatusCode: http.StatusNotFound}}
	}
	return []error{ErrUnreachable}
}

// response is one mirror's 200 answer. Close releases it and its timeout.
type response struct {
	body   io.ReadCloser
	length int64 // -1 when unknown
	cancel context.CancelFunc
}

func (r *response) Close() error {
	err := r.body.Close()
	r.cancel()
	return err
}

// get asks one mirror base for a file: at rel (URL-escaped, '/'
// separated) under an http base, at fileRel ('/' separated, as named on
// disk; "" when the file cannot be in a directory) under a file:// base. It returns an *errStatus for any HTTP
// status but 200, and for a missing file under a file:// base. The
// request, body included, is bounded by the Client's timeout.
func (c *Client) get(ctx context.Context, base, rel, fileRel string) (*response, error) {
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	return c.getWithin(rctx, cancel, base, rel, fileRel)
}

// getWithin is get bounded by the caller's rctx instead; cancel releases
// rctx, on failure or when the response is closed.
func (c *Client) getWithin(rctx context.Context, cancel context.CancelFunc, base, rel, fileRel string) (*response, error) {
	u, err := url.Parse(base)
	if err != nil {
		cancel()
		return nil, err
	}
	if u.Scheme == "file" {
		cancel()
		if fileRel == "" {
			return nil, fmt.Errorf("%s: no file name in a mirror directory", rel)
		}
		return getFile(filePath(u), fileRel)
	}
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, strings.TrimSuffix(base, "/")+"/"+rel, nil)
	if err != nil {
		cancel()
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		cancel()
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		cancel()
		return nil, &errStatus{code: resp.StatusCode}
	}
	return &response{body: resp.Body, length: resp.ContentLength, cancel: cancel}, nil
}

// getFile opens rel under a file:// mirror's directory. Only regular files
// are read, so that a device or a pipe cannot hang the reader.
func getFile(dir, rel string) (*response, error) {
	p := filepath.Join(dir, filepath.FromSlash(rel))
	fi, err := os.Stat(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, &errStatus{code: http.StatusNotFound}
	}
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", rel)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	return &response{body: f, length: fi.Size(), cancel: func() {}}, nil
}

// tooLong is the error for a body over its limit.
func tooLong(limit int64) error {
	return &metadata.ErrDownloadLengthMismatch{Msg: fmt.Sprintf("larger than the limit of %d bytes", limit)}
}

// fetchMetadata fetches a metadata file from the mirrors in order (SPEC
// section 1): the first 200 answer is returned, or refused when it exceeds
// limit; the next mirror is asked only when one fails to answer.
func (c *Client) fetchMetadata(ctx context.Context, name string, limit int64) ([]byte, error) {
	if c.offline {
		return nil, fmt.Errorf("%w: no network access", ErrOffline)
	}
	fe := &fetchError{}
	for _, m := range c.mirrors {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		data, err := c.fetchFrom(ctx, m.Metadata, name, limit)
		if err == nil {
			return data, nil
		}
		if errors.Is(err, &metadata.ErrDownloadLengthMismatch{}) {
			return nil, err
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var st *errStatus
		if errors.As(err, &st) && st.code == http.StatusNotFound {
			fe.missing = true
		}
		fe.failures = append(fe.failures, fmt.Sprintf("%s: %v", m.Metadata, c.describe(err)))
	}
	return nil, fe
}

// describe shortens the error of a request that ran out of time.
func (c *Client) describe(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no answer within %v", c.timeout)
	}
	return err
}

// roleLimit returns the configured size limit for a metadata file name
// ("timestamp.json", "3.root.json", "2.snapshot.json", "1.bins-0a.json").
func (c *Client) roleLimit(name string) int64 {
	if v, rest, ok := strings.Cut(name, "."); ok {
		if _, err := strconv.ParseUint(v, 10, 64); err == nil {
			name = rest
		}
	}
	return c.limitFor(name)
}

// fetchFrom reads one file from one mirror base, at most limit bytes.
// name is the file's name in the trust directory ([roleFile]) or as
// go-tuf's updater escapes it; a mirror knows the file by the role's own
// name, which URLs escape and file:// mirrors use as is ([mirrorFile]).
func (c *Client) fetchFrom(ctx context.Context, base, name string, limit int64) ([]byte, error) {
	remote, err := url.PathUnescape(name)
	if err != nil {
		return nil, fmt.Errorf("metadata file name %q: %w", name, err)
	}
	fileRel := remote
	if strings.ContainsAny(remote, "/\\\x00") {
		fileRel = "" // no such file in a directory
	}
	resp, err := c.get(ctx, base, url.PathEscape(remote), fileRel)
	if err != nil {
		return nil, err
	}
	defer resp.Close()
	if resp.length > limit {
		return nil, tooLong(limit)
	}
	data, err := io.ReadAll(io.LimitReader(resp.body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, tooLong(limit)
	}
	return data, nil
}

// mirrorFetcher is the updater's fetcher for one operation: it carries the
// operation's context, remembers the last file asked for (to name it in
// errors) and keeps every root version served, for root_history.
//
// When the updater asks for the first root version after the trusted one,
// the fetcher asks for timestamp.json at the same time: the updater asks
// for it next unless a new root exists, so one round trip is saved. The
// early timestamp is used only if that root was missing on every mirror
// that answered (no rotation); otherwise it is dropped and timestamp.json
// is fetched again when asked for. Verification is the updater's, as for
// any file. The caller must call close when the operation ends.
type mirrorFetcher struct {
	ctx   context.Context
	c     *Client
	last  string
	roots map[int64][]byte

	early      *earlyFetch // timestamp.json, asked for with the first root
	earlyTried bool        // the first root was asked for
}

// earlyFetch is a file fetched ahead of the updater's request.
type earlyFetch struct {
	cancel context.CancelFunc
	done   chan struct{} // closed when data and err are set
	data   []byte
	err    error
}

// DownloadFile implements go-tuf's fetcher.Fetcher.
func (f *mirrorFetcher) DownloadFile(urlPath string, maxLength int64, _ time.Duration) ([]byte, error) {
	name, ok := strings.CutPrefix(urlPath, updaterBase)
	if !ok || name == "" || strings.Contains(name, "/") {
		return nil, fmt.Errorf("unexpected file %q", urlPath)
	}
	f.last = name
	// A signed length never lifts the configured limit.
	if limit := f.c.roleLimit(name); maxLength <= 0 || maxLength > limit {
		maxLength = limit
	}
	if name == "timestamp.json" && f.early != nil {
		e := f.early
		f.early = nil
		<-e.done
		e.cancel()
		if e.err == nil && int64(len(e.data)) > maxLength {
			return nil, tooLong(maxLength)
		}
		return e.data, e.err
	}
	v, isRoot := strings.CutSuffix(name, ".root.json")
	if isRoot && !f.earlyTried && !f.c.sequential {
		f.earlyTried = true
		f.fetchEarly("timestamp.json")
	}
	data, err := f.c.fetchMetadata(f.ctx, name, maxLength)
	if isRoot {
		var fe *fetchError
		if err == nil || !errors.As(err, &fe) || !fe.missing {
			f.close() // a new root, or no answer: fetch the timestamp afresh
		}
	}
	if err != nil {
		return nil, err
	}
	if isRoot {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			f.roots[n] = data
		}
	}
	return data, nil
}

// fetchEarly starts fetching name in the background.
func (f *mirrorFetcher) fetchEarly(name string) {
	ctx, cancel := context.WithCancel(f.ctx)
	e := &earlyFetch{cancel: cancel, done: make(chan struct{})}
	f.early = e
	go func() {
		defer close(e.done)
		e.data, e.err = f.c.fetchMetadata(ctx, name, f.c.roleLimit(name))
	}()
}

// close drops a file fetched early and not used, and waits for its
// request to end.
func (f *mirrorFetcher) close() {
	if e := f.early; e != nil {
		f.early = nil
		e.cancel()
		<-e.done
	}
}
