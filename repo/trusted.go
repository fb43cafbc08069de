package repo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// Trusted is everything a Client trusts about its repository, for an
// audit of who can sign what: the trusted root, the top-level metadata
// and the delegated roles that verify under their delegators. Nothing in
// it comes from a file that did not verify. The metadata is shared with
// the Client: read it, never change it.
type Trusted struct {
	// Root is the trusted root (root.json: pinned, then advanced by
	// verified rotations). It is always set.
	Root *metadata.Metadata[metadata.RootType]
	// RootSHA256 is the hex SHA-256 of the trusted root.json.
	RootSHA256 string
	// Timestamp, Snapshot and Targets are the verified top-level
	// metadata; all three are nil when TopErr is set.
	Timestamp *metadata.Metadata[metadata.TimestampType]
	Snapshot  *metadata.Metadata[metadata.SnapshotType]
	Targets   *metadata.Metadata[metadata.TargetsType]
	// TopErr says why the top-level metadata did not verify (not
	// cached, expired, …); nil when it did.
	TopErr error
	// Roles are the delegated roles that verified under the delegator
	// that names them, breadth first from the top-level targets role.
	Roles []TrustedRole
	// RoleErrs are the delegated roles that did not, by name, with the
	// reason; an offline Client's roles that are not cached wrap
	// [ErrOffline].
	RoleErrs map[string]error
}

// TrustedRole is one delegated targets role and the role that delegates
// to it.
type TrustedRole struct {
	Name      string
	Delegator string
	Metadata  *metadata.Metadata[metadata.TargetsType]
}

// Trusted returns what the Client trusts (see [Trusted]): after a refresh
// (or, if none was done, a refresh first: offline, a verification of the
// trust directory alone), the top-level metadata and every delegated role
// reachable from the top-level targets role that verifies, up to 65536
// roles; hash bins are included only when cached. A role that fails is
// recorded in RoleErrs and its own delegations are not followed. When the
// top-level metadata fails, only the root is returned, with TopErr. The
// error is non-nil only when the root itself cannot be read ([ErrNotPinned]
// when there is none).
func (c *Client) Trusted(ctx context.Context) (*Trusted, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	raw, rootMD, err := c.readRoot()
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(raw)
	tr := &Trusted{Root: rootMD, RootSHA256: hex.EncodeToString(sum[:]), RoleErrs: map[string]error{}}
	st, err := c.ready(ctx)
	if err != nil {
		tr.TopErr = err
		return tr, nil
	}
	t := st.trusted
	tr.Root, tr.Timestamp, tr.Snapshot = t.Root, t.Timestamp, t.Snapshot
	tr.Targets = t.Targets[metadata.TARGETS]
	c.trustedRoles(ctx, st, tr)
	return tr, nil
}

// trustedRoles loads the delegated roles for [Client.Trusted], breadth
// first, each once, under the first delegator that names it.
func (c *Client) trustedRoles(ctx context.Context, st *state, tr *Trusted) {
	type edge struct{ role, parent string }
	var queue []edge
	seen := map[string]bool{metadata.TARGETS: true}
	add := func(parent string, md *metadata.Metadata[metadata.TargetsType]) {
		d := md.Signed.Delegations
		if d == nil {
			return
		}
		var names []string
		if d.Roles != nil {
			for _, r := range d.Roles {
				names = append(names, r.Name)
			}
		} else if d.SuccinctRoles != nil {
			if _, n := d.SuccinctRoles.GetSuffixLen(); n <= maxListedRoles {
				for _, n := range d.SuccinctRoles.GetRoles() {
					if c.cached(n) {
						names = append(names, n)
					}
				}
			}
		}
		for _, n := range names {
			if seen[n] || len(seen) >= maxListedRoles {
				continue
			}
			seen[n] = true
			queue = append(queue, edge{n, parent})
		}
	}
	add(metadata.TARGETS, tr.Targets)
	for len(queue) > 0 {
		e := queue[0]
		queue = queue[1:]
		md, err := c.loadRole(ctx, st, e.role, e.parent)
		if err != nil {
			tr.RoleErrs[e.role] = err
			continue
		}
		tr.Roles = append(tr.Roles, TrustedRole{Name: e.role, Delegator: e.parent, Metadata: md})
		add(e.role, md)
	}
	st.fetched = nil
}

// cached reports whether the trust directory holds a file for role.
func (c *Client) cached(role string) bool {
	file, err := roleFile(role)
	if err != nil {
		return false
	}
	_, err = os.Lstat(filepath.Join(c.mdir, file))
	return err == nil
}
