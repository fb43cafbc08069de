package repo

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// Status is what a Client trusts: the root and the cached top-level
// metadata, with versions and expiries.
type Status struct {
	Name       string
	Root       RoleStatus
	RootSHA256 string // hex SHA-256 of the trusted root.json
	// Timestamp, Snapshot and Targets are nil when not cached.
	Timestamp *RoleStatus
	Snapshot  *RoleStatus
	Targets   *RoleStatus
	// Verified is true when the figures come from a successful refresh by
	// this Client; otherwise they are read from the trust directory.
	Verified bool
	// LastRefresh is when the repository last refreshed successfully
	// online, by any Client on the trust directory; zero when it never did
	// (see [Client.LastRefresh]).
	LastRefresh time.Time
}

// RoleStatus is one role's version and expiry.
type RoleStatus struct {
	Version int64
	Expires time.Time
	Expired bool // at the Client's reference time
}

// Status reports the trusted metadata: after a successful refresh, what it
// verified; before one, what the trust directory holds (without network
// access). It fails with [ErrNotPinned] when the root is gone.
func (c *Client) Status() (Status, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.removeStaleSpools()
	ref := c.refTime()
	s := Status{Name: c.name}
	root, r, err := c.readRoot()
	if err != nil {
		return s, err
	}
	sum := sha256.Sum256(root)
	s.RootSHA256 = hex.EncodeToString(sum[:])
	if s.LastRefresh, err = c.LastRefresh(); err != nil {
		return s, err
	}
	if st := c.state; st != nil {
		t := st.trusted
		s.Verified = true
		s.Root = RoleStatus{t.Root.Signed.Version, t.Root.Signed.Expires, t.Root.Signed.IsExpired(ref)}
		s.Timestamp = &RoleStatus{t.Timestamp.Signed.Version, t.Timestamp.Signed.Expires, t.Timestamp.Signed.IsExpired(ref)}
		s.Snapshot = &RoleStatus{t.Snapshot.Signed.Version, t.Snapshot.Signed.Expires, t.Snapshot.Signed.IsExpired(ref)}
		tg := t.Targets[metadata.TARGETS]
		s.Targets = &RoleStatus{tg.Signed.Version, tg.Signed.Expires, tg.Signed.IsExpired(ref)}
		return s, nil
	}
	s.Root = RoleStatus{r.Signed.Version, r.Signed.Expires, r.Signed.IsExpired(ref)}
	if s.Timestamp, err = c.cachedStatus("timestamp.json", func(b []byte) (int64, time.Time, error) {
		m, err := metadata.Timestamp().FromBytes(b)
		if err != nil {
			return 0, time.Time{}, err
		}
		return m.Signed.Version, m.Signed.Expires, nil
	}); err != nil {
		return s, err
	}
	if s.Snapshot, err = c.cachedStatus("snapshot.json", func(b []byte) (int64, time.Time, error) {
		m, err := metadata.Snapshot().FromBytes(b)
		if err != nil {
			return 0, time.Time{}, err
		}
		return m.Signed.Version, m.Signed.Expires, nil
	}); err != nil {
		return s, err
	}
	if s.Targets, err = c.cachedStatus("targets.json", func(b []byte) (int64, time.Time, error) {
		m, err := metadata.Targets().FromBytes(b)
		if err != nil {
			return 0, time.Time{}, err
		}
		return m.Signed.Version, m.Signed.Expires, nil
	}); err != nil {
		return s, err
	}
	return s, nil
}

// cachedStatus reads one cached file's version and expiry.
func (c *Client) cachedStatus(name string, parse func([]byte) (int64, time.Time, error)) (*RoleStatus, error) {
	data, err := readBounded(filepath.Join(c.mdir, name), c.limitFor(name))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, c.errf(name, err)
	}
	v, exp, err := parse(data)
	if err != nil {
		return nil, c.unusableCache(name, fmt.Errorf("does not load: %w", emptyAsSuch(data, err)))
	}
	return &RoleStatus{Version: v, Expires: exp, Expired: c.refTime().After(exp)}, nil
}
