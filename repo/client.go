package repo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
	"github.com/theupdateframework/go-tuf/v2/metadata/trustedmetadata"
)

// Client is one TUF repository: its pinned root, its mirrors and its
// state in the trust directory. Create one with [New]. A Client is safe for
// concurrent use; its operations are serialised.
type Client struct {
	name     string
	mdir     string // metadata directory
	spool    string // directory for downloads being verified
	mirrors  []Mirror
	http     *http.Client
	timeout  time.Duration
	at       time.Time // zero: now
	offline  bool
	maxAge   time.Duration    // Config.MaxAge
	clock    func() time.Time // Config.Clock
	record   bool             // keep the refresh record: not with Config.MetadataDir
	limits   Limits
	maxRoles int // delegated roles visited per lookup

	keepVerified bool
	sequential   bool
	warnf        func(error) // Config.Warn

	mu    sync.Mutex
	state *state // trusted metadata after a successful refresh
	err   error  // the last refresh's failure
}

// state is the verified metadata of one successful refresh.
type state struct {
	trusted     *trustedmetadata.TrustedMetadata
	snapshotRaw []byte            // snapshot.json as committed to the trust directory
	raw         map[string][]byte // verified bytes of each loaded file, by file name
	// fetched holds the outcome of fetching role files ahead (warm), by
	// remote file name; the bytes are not yet verified.
	fetched map[string]fetched
	// bound remembers which role metadata verified under which
	// delegator's metadata (see boundTo).
	bound map[binding]bool
}

// New returns a Client for one repository. It fails with [ErrNotPinned]
// when the trust directory has no root for it, and on an invalid Config.
// New does no network access.
func New(cfg Config) (*Client, error) {
	if err := validName(cfg.Name); err != nil {
		return nil, err
	}
	mdir, err := metadataDir(cfg.TrustDir, cfg.MetadataDir, cfg.Name)
	if err != nil {
		return nil, err
	}
	if !cfg.Offline && len(cfg.Mirrors) == 0 {
		return nil, &Error{Repo: cfg.Name, Err: errors.New("no mirrors")}
	}
	for _, m := range cfg.Mirrors {
		if err := checkMirror(m); err != nil {
			return nil, &Error{Repo: cfg.Name, Err: err}
		}
	}
	if cfg.MaxAge < 0 {
		return nil, &Error{Repo: cfg.Name, Err: fmt.Errorf("negative maximum age %v", cfg.MaxAge)}
	}
	if cfg.Timeout < 0 {
		return nil, &Error{Repo: cfg.Name, Err: fmt.Errorf("negative timeout %v", cfg.Timeout)}
	}
	c := &Client{
		name:     cfg.Name,
		mdir:     mdir,
		spool:    mdir,
		mirrors:  append([]Mirror(nil), cfg.Mirrors...),
		http:     cfg.HTTPClient,
		timeout:  cfg.Timeout,
		at:       cfg.At,
		offline:  cfg.Offline,
		maxAge:   cfg.MaxAge,
		clock:    cfg.Clock,
		record:   cfg.MetadataDir == "",
		limits:   cfg.Limits.withDefaults(),
		maxRoles: 32,

		keepVerified: cfg.KeepVerified,
		sequential:   cfg.Sequential,
		warnf:        cfg.Warn,
	}
	if cfg.TrustDir != "" {
		c.spool = filepath.Join(cfg.TrustDir, "targets", cfg.Name)
	}
	if c.timeout == 0 {
		c.timeout = DefaultTimeout
	}
	c.http = withRedirectPolicy(c.http)
	if err := checkNoLinks(mdir); err != nil {
		return nil, &Error{Repo: c.name, Err: err}
	}
	if _, err := os.Stat(filepath.Join(mdir, "root.json")); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, &Error{Repo: c.name, Err: ErrNotPinned}
		}
		return nil, &Error{Repo: c.name, File: "root.json", Err: err}
	}
	for _, w := range c.looseDirs(cfg.TrustDir) {
		c.warn(w)
	}
	return c, nil
}

// Name returns the repository's name.
func (c *Client) Name() string { return c.name }

// refTime returns the reference time for expiry checks.
func (c *Client) refTime() time.Time {
	if c.at.IsZero() {
		return time.Now().UTC()
	}
	return c.at
}

// Refresh brings the repository up to date: a full TUF update of root,
// timestamp, snapshot and top-level targets from the mirrors, committed to
// the trust directory only when it succeeds. An offline Client verifies
// the cached metadata instead. Delegated roles are left to lookups, which
// fetch a role only when their search reaches it (see [Client.TargetInfo]).
// With [Config.MaxAge], a repository that refreshed online within that age
// verifies its cached metadata instead, as an offline Client does, and
// goes online only when that fails (expired metadata included). The
// error, if any, is also what later lookups return.
func (c *Client) Refresh(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.refreshLocked(ctx, false)
}

// RefreshAhead is [Client.Refresh] for a trust directory meant to serve
// offline lookups: after an online update it also loads the roles
// delegated by name (up to 64, fetched concurrently) and brings every
// cached hash bin up to date, committing each verified role to the trust
// directory. A role that fails to load fails only the lookups that need
// it. Lookups do not need this: they fetch what their search reaches. An
// offline Client's RefreshAhead is its Refresh.
func (c *Client) RefreshAhead(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.refreshLocked(ctx, true)
}

func (c *Client) refreshLocked(ctx context.Context, ahead bool) error {
	c.removeStaleSpools()
	var st *state
	var err error
	if c.offline {
		st, err = c.loadOffline(ctx)
	} else if st, err = c.loadFresh(ctx); st == nil {
		if st, err = c.update(ctx); err == nil && ahead {
			c.prefetch(ctx, st)
		}
	}
	if err != nil {
		c.state, c.err = nil, err
		return err
	}
	c.state, c.err = st, nil
	return nil
}

// ready returns the trusted state, refreshing first if no refresh was
// done, or the last refresh's error. The caller holds c.mu.
func (c *Client) ready(ctx context.Context) (*state, error) {
	if c.err != nil {
		return nil, c.err
	}
	if c.state == nil {
		if err := c.refreshLocked(ctx, false); err != nil {
			return nil, err
		}
	}
	return c.state, nil
}

// TargetInfo returns the verified target info for path, walking
// delegations as TUF's target search does (pre-order, depth first, in the
// order each role lists its delegations) and fetching a delegated role
// only when the search reaches it. A role's metadata is trusted for the
// search only when it verifies under the delegation that led there (that
// delegator's keys and threshold), also when it was loaded before through
// another delegator. A verified absence is an error wrapping
// [ErrNotFound]; any failure to verify is another error, with its cause.
// If no refresh was done, TargetInfo refreshes first; if the last refresh
// failed, TargetInfo returns its error.
func (c *Client) TargetInfo(ctx context.Context, path string) (*metadata.TargetFiles, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, err := c.ready(ctx)
	if err != nil {
		return nil, err
	}
	return c.findTarget(ctx, st, path)
}

// Targets returns every target the repository signs, in all roles
// (every delegated role and hash bin is loaded), keyed by path. Where
// several roles list a path, the info is the one [Client.TargetInfo]
// returns.
func (c *Client) Targets(ctx context.Context) (map[string]*metadata.TargetFiles, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, err := c.ready(ctx)
	if err != nil {
		return nil, err
	}
	return c.allTargets(ctx, st)
}

// errf returns an *Error for the repository.
func (c *Client) errf(file string, err error) error {
	return &Error{Repo: c.name, File: file, Err: err}
}

// sameFile reports whether path holds exactly data.
func sameFile(path string, data []byte, limit int64) bool {
	old, err := readBounded(path, limit)
	return err == nil && bytes.Equal(old, data)
}
