package repo

import (
	"context"
	"os"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// maxPrefetchRoles bounds how many delegated roles [Client.RefreshAhead]
// loads ahead of lookups.
const maxPrefetchRoles = 64

// prefetch loads, after an online update, the delegated roles that
// offline lookups will need: the roles delegated by name (up to
// maxPrefetchRoles), and every hash bin already cached, so that the trust
// directory's copies are those of the current snapshot (a cached bin that
// is current is verified from the trust directory, not fetched). Hash bins
// never looked up are left to lookups. Failures are left to the lookups
// that need the role: a role that fails to verify must not make targets
// outside it unavailable. A role is loaded under the first delegation that
// names it whose keys verify it, in the walk's order; a lookup that
// reaches it through another delegation verifies it again under that one
// (see loadRole).
func (c *Client) prefetch(ctx context.Context, st *state) {
	cached := map[string]bool{}
	if entries, err := os.ReadDir(c.mdir); err == nil {
		for _, e := range entries {
			cached[e.Name()] = true
		}
	}
	type edge struct{ role, parent string }
	queue := []edge{{metadata.TARGETS, metadata.ROOT}}
	seen := map[string]bool{metadata.TARGETS: true}
	loaded := map[string]bool{}
	named, retries := 0, 0
	for len(queue) > 0 && ctx.Err() == nil {
		e := queue[0]
		queue = queue[1:]
		if loaded[e.role] {
			continue
		}
		md, err := c.loadRole(ctx, st, e.role, e.parent)
		if err != nil {
			continue
		}
		loaded[e.role] = true
		if md.Signed.Delegations == nil {
			continue
		}
		d := md.Signed.Delegations
		var next []string
		if d.Roles != nil {
			for _, r := range d.Roles {
				switch {
				case loaded[r.Name]:
				case seen[r.Name]:
					// Named by another delegator too: its keys may be
					// the ones that verify it.
					if retries < maxPrefetchRoles {
						retries++
						queue = append(queue, edge{r.Name, e.role})
					}
				case named < maxPrefetchRoles:
					named++
					next = append(next, r.Name)
				}
			}
		} else if d.SuccinctRoles != nil {
			if _, n := d.SuccinctRoles.GetSuffixLen(); n <= maxListedRoles {
				for _, bin := range d.SuccinctRoles.GetRoles() {
					file, err := roleFile(bin)
					if err != nil || !cached[file] {
						continue
					}
					if _, ok := st.trusted.Snapshot.Signed.Meta[bin+".json"]; ok {
						next = append(next, bin)
					}
				}
			}
		}
		var fresh []string
		for _, name := range next {
			if seen[name] || len(seen) > maxListedRoles {
				continue
			}
			seen[name] = true
			fresh = append(fresh, name)
			queue = append(queue, edge{name, e.role})
		}
		c.warm(ctx, st, fresh)
	}
	st.fetched = nil
}
