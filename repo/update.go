package repo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/theupdateframework/go-tuf/v2/metadata"
	"github.com/theupdateframework/go-tuf/v2/metadata/config"
	"github.com/theupdateframework/go-tuf/v2/metadata/fetcher"
	"github.com/theupdateframework/go-tuf/v2/metadata/updater"
)

// topFiles are the top-level roles' files other than root, in the order
// they are committed.
var topFiles = []string{"timestamp.json", "snapshot.json", "targets.json"}

// limitFor returns the size limit of a top-level file.
func (c *Client) limitFor(file string) int64 {
	switch file {
	case "root.json":
		return c.limits.Root
	case "timestamp.json":
		return c.limits.Timestamp
	case "snapshot.json":
		return c.limits.Snapshot
	}
	return c.limits.Targets
}

// updaterConfig returns go-tuf's configuration for one updater run.
func (c *Client) updaterConfig(root []byte, dir string, f fetcher.Fetcher) (*config.UpdaterConfig, error) {
	cfg, err := config.New(updaterBase, root)
	if err != nil {
		return nil, err
	}
	cfg.RootMaxLength = c.limits.Root
	cfg.TimestampMaxLength = c.limits.Timestamp
	cfg.SnapshotMaxLength = c.limits.Snapshot
	cfg.TargetsMaxLength = c.limits.Targets
	cfg.LocalMetadataDir = dir
	cfg.LocalTargetsDir = dir
	cfg.Fetcher = f
	cfg.PrefixTargetsWithHash = true
	return cfg, nil
}

// readRoot reads the latest trusted root.
func (c *Client) readRoot() ([]byte, error) {
	root, err := readBounded(filepath.Join(c.mdir, "root.json"), c.limits.Root)
	if errors.Is(err, os.ErrNotExist) {
		return nil, c.errf("", ErrNotPinned)
	}
	if err != nil {
		return nil, c.errf("root.json", err)
	}
	return root, nil
}

// update runs a full TUF update in a staging copy of the metadata
// directory, under the exclusive lock, and commits it on success.
func (c *Client) update(ctx context.Context) (*state, error) {
	lock, err := lockDir(ctx, c.mdir, true)
	if err != nil {
		return nil, c.errf("", err)
	}
	defer lock.Unlock()
	root, err := c.readRoot()
	if err != nil {
		return nil, err
	}
	stage, err := newWorkDir(c.mdir, "staging-")
	if err != nil {
		return nil, c.errf("", fmt.Errorf("staging directory: %w", err))
	}
	defer os.RemoveAll(workDir(c.mdir))
	for _, name := range topFiles {
		data, err := readBounded(filepath.Join(c.mdir, name), c.limitFor(name))
		if err != nil {
			continue // not cached, or unusable: the updater downloads it
		}
		if err := os.WriteFile(filepath.Join(stage, name), data, filePerm); err != nil {
			return nil, c.errf("", fmt.Errorf("staging directory: %w", err))
		}
	}
	f := &mirrorFetcher{ctx: ctx, c: c, roots: map[int64][]byte{}}
	cfg, err := c.updaterConfig(root, stage, f)
	if err != nil {
		return nil, c.errf("", err)
	}
	up, err := updater.New(cfg)
	if err != nil {
		return nil, c.errf("root.json", err)
	}
	up.UnsafeSetRefTime(c.refTime())
	oldVersion := up.GetTrustedMetadataSet().Root.Signed.Version
	if err := up.Refresh(); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
			err = fmt.Errorf("%w: %w", ctxErr, err)
		}
		err = c.errf(c.blame(f.last, err), err)
		if c.keepVerifiedRoots {
			if kerr := c.keepRoots(up, oldVersion, f.roots); kerr != nil {
				err = errors.Join(err, kerr)
			}
		}
		return nil, err
	}
	trusted := up.GetTrustedMetadataSet()
	st := &state{trusted: &trusted, raw: map[string][]byte{}}
	if err := c.commit(stage, trusted.Root.Signed.Version, f.roots, st); err != nil {
		return nil, err
	}
	return st, nil
}

// blame names the file an update failure concerns: the last file
// fetched, unless the trusted root itself expired.
func (c *Client) blame(last string, err error) string {
	var exp *metadata.ErrExpiredMetadata
	if errors.As(err, &exp) && strings.Contains(exp.Msg, "root.json") {
		return "root.json"
	}
	return last
}

// commit moves a successful update from the staging directory into the
// metadata directory: new root versions to root_history first, then
// root.json, then the other top-level roles, each file atomically and only
// when it changed.
func (c *Client) commit(stage string, rootVersion int64, roots map[int64][]byte, st *state) error {
	if err := c.commitHistory(rootVersion, roots); err != nil {
		return err
	}
	for _, name := range append([]string{"root.json"}, topFiles...) {
		data, err := readBounded(filepath.Join(stage, name), c.limitFor(name))
		if err != nil {
			return c.errf(name, fmt.Errorf("staged copy: %w", err))
		}
		if name == "snapshot.json" {
			st.snapshotRaw = data
		}
		st.raw[name] = data
		p := filepath.Join(c.mdir, name)
		if sameFile(p, data, c.limitFor(name)) {
			continue
		}
		if err := writeAtomic(p, data, filePerm); err != nil {
			return c.errf(name, err)
		}
	}
	return nil
}

// commitHistory writes the root versions up to rootVersion that an update
// fetched (and verified) to root_history, in ascending order.
func (c *Client) commitHistory(rootVersion int64, roots map[int64][]byte) error {
	hist := filepath.Join(c.mdir, historyDir)
	if err := os.MkdirAll(hist, dirPerm); err != nil {
		return c.errf("", err)
	}
	first := rootVersion + 1
	for first > 1 && roots[first-1] != nil {
		first--
	}
	for v := first; v <= rootVersion; v++ {
		p := filepath.Join(hist, fmt.Sprintf("%d.root.json", v))
		if sameFile(p, roots[v], c.limits.Root) {
			continue
		}
		if err := writeAtomic(p, roots[v], filePerm); err != nil {
			return c.errf(historyDir+"/"+filepath.Base(p), err)
		}
	}
	return nil
}

// keepRoots commits the root versions that a failed update verified
// before it failed, with [Config.KeepVerifiedRoots]: the history, then
// root.json.
func (c *Client) keepRoots(up *updater.Updater, oldVersion int64, roots map[int64][]byte) error {
	trusted := up.GetTrustedMetadataSet()
	v := trusted.Root.Signed.Version
	if v <= oldVersion || roots[v] == nil {
		return nil
	}
	if err := c.commitHistory(v, roots); err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(c.mdir, "root.json"), roots[v], filePerm); err != nil {
		return c.errf("root.json", err)
	}
	return nil
}

// errNoCache is the error of an offline Client without cached metadata.
var errNoCache = fmt.Errorf("%w: no cached metadata; run accord refresh", ErrOffline)

// loadOffline verifies the cached top-level metadata against the trusted
// root, without network access and without writing anything.
func (c *Client) loadOffline(ctx context.Context) (*state, error) {
	lock, err := lockDir(ctx, c.mdir, false)
	switch {
	case err == nil:
		defer lock.Unlock()
	case errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS):
		// A read-only trust directory has no writers to wait for.
	default:
		return nil, c.errf("", err)
	}
	root, err := c.readRoot()
	if err != nil {
		return nil, err
	}
	raw := map[string][]byte{"root.json": root}
	for _, name := range topFiles {
		data, err := readBounded(filepath.Join(c.mdir, name), c.limitFor(name))
		if errors.Is(err, os.ErrNotExist) {
			return nil, c.errf("", errNoCache)
		}
		if err != nil {
			return nil, c.errf(name, err)
		}
		raw[name] = data
	}
	cfg, err := c.updaterConfig(root, c.mdir, offlineFetcher{})
	if err != nil {
		return nil, c.errf("", err)
	}
	cfg.UnsafeLocalMode = true
	cfg.DisableLocalCache = true // never write: the files are read only
	up, err := updater.New(cfg)
	if err != nil {
		return nil, c.errf("root.json", err)
	}
	up.UnsafeSetRefTime(c.refTime())
	if err := up.Refresh(); err != nil {
		trusted := up.GetTrustedMetadataSet()
		return nil, c.errf(c.blameLocal(&trusted), err)
	}
	trusted := up.GetTrustedMetadataSet()
	return &state{trusted: &trusted, snapshotRaw: raw["snapshot.json"], raw: raw}, nil
}
