package repo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/accord-tuf/accord/internal/atomicfile"
	"github.com/accord-tuf/accord/internal/fnmatch"
	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// maxListedRoles bounds how many roles a listing of all targets loads.
const maxListedRoles = 1 << 16

// findTarget walks the delegation tree in pre-order, depth first, as
// go-tuf's updater does, and returns the target info from the first role
// that lists path. Classic path_hash_prefixes delegations are matched on
// the hex SHA-256 of the path, as the TUF specification says.
func (c *Client) findTarget(ctx context.Context, st *state, path string) (*metadata.TargetFiles, error) {
	type visit struct{ role, parent string }
	stack := []visit{{metadata.TARGETS, metadata.ROOT}}
	visited := map[string]bool{}
	for len(stack) > 0 && len(visited) <= c.maxRoles {
		v := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if visited[v.role] {
			continue
		}
		md, err := c.loadRole(ctx, st, v.role, v.parent)
		if err != nil {
			return nil, err
		}
		if info, ok := md.Signed.Targets[path]; ok {
			return info, nil
		}
		visited[v.role] = true
		if md.Signed.Delegations == nil {
			continue
		}
		var children []visit
		for _, r := range rolesFor(md.Signed.Delegations, path) {
			children = append(children, visit{r.Name, v.role})
			if r.Terminating {
				stack = nil
				break
			}
		}
		slices.Reverse(children)
		stack = append(stack, children...)
	}
	return nil, c.errf("", fmt.Errorf("target %q: %w", path, ErrNotFound))
}

// rolesFor returns the delegated roles trusted for path, in order.
func rolesFor(d *metadata.Delegations, path string) []metadata.RoleResult {
	if d.Roles == nil {
		if d.SuccinctRoles != nil {
			return d.SuccinctRoles.GetRolesForTarget(path)
		}
		return nil
	}
	var res []metadata.RoleResult
	sum := sha256.Sum256([]byte(path))
	digest := hex.EncodeToString(sum[:])
	for _, r := range d.Roles {
		match := false
		switch {
		case len(r.Paths) > 0:
			match = slices.ContainsFunc(r.Paths, func(p string) bool { return fnmatch.MatchPath(p, path) })
		case len(r.PathHashPrefixes) > 0:
			for _, p := range r.PathHashPrefixes {
				if strings.HasPrefix(digest, strings.ToLower(p)) {
					match = true
					break
				}
			}
		}
		if match {
			res = append(res, metadata.RoleResult{Name: r.Name, Terminating: r.Terminating})
		}
	}
	return res
}

// loadRole returns targets role role verified under the delegation of it
// by parent: from memory, else from the trust directory, else (online)
// from the mirrors, committing it to the trust directory. A role in memory
// that was verified under another delegator is reused only when it also
// verifies under parent's; otherwise it is loaded again, under parent.
func (c *Client) loadRole(ctx context.Context, st *state, role, parent string) (*metadata.Metadata[metadata.TargetsType], error) {
	t := st.trusted
	if md, ok := t.Targets[role]; ok && st.boundTo(role, parent) {
		return md, nil
	}
	if err := checkDelegatedRole(role); err != nil {
		return nil, c.errf("", err)
	}
	file, _ := roleFile(role)
	meta, ok := t.Snapshot.Signed.Meta[role+".json"]
	if !ok {
		return nil, c.errf(file, fmt.Errorf("role %q is not in snapshot.json", role))
	}
	limit := c.limits.Targets
	if meta.Length > 0 && meta.Length < limit {
		limit = meta.Length
	}
	local, localErr := readBounded(filepath.Join(c.mdir, file), limit)
	if localErr == nil {
		var md *metadata.Metadata[metadata.TargetsType]
		if md, localErr = t.UpdateDelegatedTargets(local, role, parent); localErr == nil {
			st.raw[file] = local
			return md, nil
		}
	}
	if defect := c.localRoleDefect(st, local, localErr, role, parent); defect != nil {
		if c.offline {
			return nil, c.unusableCache(file, defect)
		}
		c.ignoredCache(file, defect)
	}
	if c.offline {
		if errors.Is(localErr, os.ErrNotExist) {
			return nil, c.errf(file, errNoCache)
		}
		return nil, c.errf(file, localErr)
	}
	remote := file
	if t.Root.Signed.ConsistentSnapshot {
		remote = fmt.Sprintf("%d.%s", meta.Version, file)
	}
	ahead, ok := st.fetched[remote]
	if ok {
		delete(st.fetched, remote)
	} else {
		ahead.data, ahead.err = c.fetchMetadata(ctx, remote, limit)
	}
	data := ahead.data
	if ahead.err != nil {
		return nil, c.errf(remote, ahead.err)
	}
	md, err := t.UpdateDelegatedTargets(data, role, parent)
	if err != nil {
		return nil, c.errf(remote, err)
	}
	st.raw[file] = data
	if err := c.commitRole(ctx, st, file, data); err != nil {
		return nil, err
	}
	return md, nil
}

// commitRole writes a verified delegated role to the trust directory, under
// the lock, unless the trust directory has moved on to another snapshot
// since this Client's refresh.
func (c *Client) commitRole(ctx context.Context, st *state, file string, data []byte) error {
	lock, err := lockDir(ctx, c.mdir, true)
	if err != nil {
		return c.errf(file, err)
	}
	defer lock.Unlock()
	current, err := readBounded(filepath.Join(c.mdir, "snapshot.json"), c.limits.Snapshot)
	if err != nil || !bytes.Equal(current, st.snapshotRaw) {
		return nil
	}
	p := filepath.Join(c.mdir, file)
	if sameFile(p, data, int64(len(data))) {
		return nil
	}
	if err := atomicfile.WriteFile(p, data, filePerm); err != nil {
		return c.errf(file, err)
	}
	return nil
}

// loadAll loads every role reachable from the top-level targets role,
// breadth first, and returns their names in that order. A role named by
// several delegators is loaded under the first of them whose keys for it
// verify it, in the walk's order; a role that verifies under none of them
// is an error naming the first failure.
func (c *Client) loadAll(ctx context.Context, st *state) ([]string, error) {
	type edge struct{ role, parent string }
	queue := []edge{{metadata.TARGETS, metadata.ROOT}}
	named := map[string]bool{metadata.TARGETS: true} // roles queued at least once
	failed := map[string]error{}                     // roles not (yet) verified: the first failure
	var failOrder []string
	loaded := map[string]bool{}
	var order []string
	for edges := 0; len(queue) > 0; edges++ {
		if edges >= 2*maxListedRoles {
			return nil, c.errf("", fmt.Errorf("more than %d delegations", 2*maxListedRoles))
		}
		e := queue[0]
		queue = queue[1:]
		if loaded[e.role] {
			continue
		}
		md, err := c.loadRole(ctx, st, e.role, e.parent)
		if err != nil {
			if _, ok := failed[e.role]; !ok {
				failed[e.role] = err
				failOrder = append(failOrder, e.role)
			}
			continue
		}
		delete(failed, e.role)
		loaded[e.role] = true
		order = append(order, e.role)
		d := md.Signed.Delegations
		if d == nil {
			continue
		}
		var names []string
		if d.Roles != nil {
			for _, r := range d.Roles {
				names = append(names, r.Name)
			}
		} else if d.SuccinctRoles != nil {
			if _, n := d.SuccinctRoles.GetSuffixLen(); n > maxListedRoles {
				return nil, c.errf(e.role+".json", fmt.Errorf("%d hash bins exceed the listing limit of %d roles", n, maxListedRoles))
			}
			names = d.SuccinctRoles.GetRoles()
		}
		var fresh []string
		for _, n := range names {
			if loaded[n] {
				continue
			}
			if !named[n] {
				if len(named) >= maxListedRoles {
					return nil, c.errf("", fmt.Errorf("more than %d delegated roles", maxListedRoles))
				}
				named[n] = true
				fresh = append(fresh, n)
			}
			queue = append(queue, edge{n, e.role})
		}
		c.warm(ctx, st, fresh)
	}
	st.fetched = nil
	for _, role := range failOrder {
		if err, ok := failed[role]; ok {
			return nil, err
		}
	}
	return order, nil
}

// allTargets loads every role and returns every target, each path with
// the info that a lookup of it returns.
func (c *Client) allTargets(ctx context.Context, st *state) (map[string]*metadata.TargetFiles, error) {
	roles, err := c.loadAll(ctx, st)
	if err != nil {
		return nil, err
	}
	paths := map[string]bool{}
	for _, r := range roles {
		for p := range st.trusted.Targets[r].Signed.Targets {
			paths[p] = true
		}
	}
	sorted := make([]string, 0, len(paths))
	for p := range paths {
		sorted = append(sorted, p)
	}
	sort.Strings(sorted)
	res := make(map[string]*metadata.TargetFiles, len(sorted))
	for _, p := range sorted {
		info, err := c.findTarget(ctx, st, p)
		if errors.Is(err, ErrNotFound) {
			continue // listed only by a role that a lookup never reaches
		}
		if err != nil {
			return nil, err
		}
		res[p] = info
	}
	return res, nil
}
