package repo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// warmWorkers bounds the concurrent requests of [Client.warm].
const warmWorkers = 8

// warm fetches concurrently, before they are loaded one by one, the
// delegated roles among roles that are neither loaded nor cached, and
// keeps the outcome for loadRole, which verifies the (still unverified)
// bytes as it would a download, or reports the failure; nothing is asked
// twice. The caller holds c.mu.
func (c *Client) warm(ctx context.Context, st *state, roles []string) {
	if c.offline {
		return
	}
	type req struct {
		remote string
		limit  int64
	}
	var need []req
	for _, role := range roles {
		if _, ok := st.trusted.Targets[role]; ok || checkDelegatedRole(role) != nil {
			continue
		}
		meta, ok := st.trusted.Snapshot.Signed.Meta[role+".json"]
		if !ok {
			continue
		}
		file, _ := roleFile(role)
		if fi, err := os.Stat(filepath.Join(c.mdir, file)); err == nil && (meta.Length == 0 || fi.Size() == meta.Length) {
			continue // cached, most likely current
		}
		limit := c.limits.Targets
		if meta.Length > 0 && meta.Length < limit {
			limit = meta.Length
		}
		remote := file
		if st.trusted.Root.Signed.ConsistentSnapshot {
			remote = fmt.Sprintf("%d.%s", meta.Version, file)
		}
		need = append(need, req{remote, limit})
	}
	if len(need) < 2 {
		return
	}
	results := make([]fetched, len(need))
	sem := make(chan struct{}, warmWorkers)
	var wg sync.WaitGroup
	for i, r := range need {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if ctx.Err() != nil {
				return
			}
			data, err := c.fetchMetadata(ctx, r.remote, r.limit)
			results[i] = fetched{data, err}
		}()
	}
	wg.Wait()
	if st.fetched == nil {
		st.fetched = map[string]fetched{}
	}
	for i, r := range need {
		if results[i].err == nil || ctx.Err() == nil {
			st.fetched[r.remote] = results[i]
		}
	}
}

// fetched is the outcome of fetching one file ahead.
type fetched struct {
	data []byte
	err  error
}
