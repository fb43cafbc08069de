package repo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/accord-tuf/accord/internal/atomicfile"
	"github.com/theupdateframework/go-tuf/v2/metadata"
	"github.com/theupdateframework/go-tuf/v2/metadata/config"
	"github.com/theupdateframework/go-tuf/v2/metadata/fetcher"
	"github.com/theupdateframework/go-tuf/v2/metadata/trustedmetadata"
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

// readRoot reads the latest trusted root and checks that it loads.
func (c *Client) readRoot() ([]byte, *metadata.Metadata[metadata.RootType], error) {
	root, err := readBounded(filepath.Join(c.mdir, "root.json"), c.limits.Root)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, c.errf("", ErrNotPinned)
	}
	if err != nil {
		return nil, nil, c.rootError(err)
	}
	md, err := c.parseRoot(root)
	if err != nil {
		return nil, nil, err
	}
	return root, md, nil
}

// update runs a full TUF update in a staging copy of the metadata
// directory, under the exclusive lock, and commits it on success.
func (c *Client) update(ctx context.Context) (*state, error) {
	lock, err := lockDirNotify(ctx, c.mdir, true, c.waitingForLock)
	if err != nil {
		return nil, c.errf("", err)
	}
	defer lock.Unlock()
	if err := checkNoLinks(c.mdir); err != nil {
		return nil, c.errf("", err)
	}
	root, rootMD, err := c.readRoot()
	if err != nil {
		return nil, err
	}
	stage, err := newWorkDir(c.mdir, "staging-")
	if err != nil {
		return nil, c.errf("", fmt.Errorf("staging directory: %w", err))
	}
	defer os.RemoveAll(workDir(c.mdir))
	if err := c.stageCache(stage, rootMD); err != nil {
		return nil, err
	}
	f := &mirrorFetcher{ctx: ctx, c: c, roots: map[int64][]byte{}}
	defer f.close()
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
		if c.keepVerified {
			if kerr := c.keepVerifiedFiles(up, stage, oldVersion, f.roots); kerr != nil {
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

// waitingForLock warns that an update waits for another writer of the
// repository, naming the lock and its holder: a refresh stuck on a mirror,
// or a stopped process, would otherwise make it wait in silence.
func (c *Client) waitingForLock(path, holder string) {
	c.warn(c.errf("", fmt.Errorf("waiting for the lock %s, held by %s", path, holder)))
}

// stageCache copies the cached top-level files that may be used into the
// staging directory. A file that does not load or verify is left out, so
// that the updater fetches it again, with a warning naming it.
func (c *Client) stageCache(stage string, root *metadata.Metadata[metadata.RootType]) error {
	for _, name := range topFiles {
		data, err := readBounded(filepath.Join(c.mdir, name), c.limitFor(name))
		if errors.Is(err, os.ErrNotExist) {
			continue // not cached: the updater downloads it
		}
		if err == nil {
			err = cacheDefect(name, data, root)
		}
		if err != nil {
			c.ignoredCache(name, err)
			continue
		}
		if err := os.WriteFile(filepath.Join(stage, name), data, filePerm); err != nil {
			return c.errf("", fmt.Errorf("staging directory: %w", err))
		}
	}
	return nil
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
// metadata directory in one step. When something changed, a complete new
// directory is built beside it (hard links to the unchanged files, the new
// root versions in root_history, the new top-level files, each synced) and
// put in its place atomically, so that a crash at any moment leaves either
// the old trusted state or the new one. The refresh record (see
// [Client.LastRefresh]) goes with it; when nothing else changed, only the
// record is written, in place.
func (c *Client) commit(stage string, rootVersion int64, roots map[int64][]byte, st *state) error {
	changed := map[string][]byte{} // path relative to the metadata directory
	first := rootVersion + 1
	for first > 1 && roots[first-1] != nil {
		first--
	}
	for v := first; v <= rootVersion; v++ {
		rel := filepath.Join(historyDir, fmt.Sprintf("%d.root.json", v))
		if !sameFile(filepath.Join(c.mdir, rel), roots[v], c.limits.Root) {
			changed[rel] = roots[v]
		}
	}
	for _, name := range append([]string{"root.json"}, topFiles...) {
		data, err := readBounded(filepath.Join(stage, name), c.limitFor(name))
		if err != nil {
			return c.errf(name, fmt.Errorf("staged copy: %w", err))
		}
		st.raw[name] = data
		if !sameFile(filepath.Join(c.mdir, name), data, c.limitFor(name)) {
			changed[name] = data
		}
	}
	st.snapshotRaw = st.raw["snapshot.json"]
	if len(changed) == 0 {
		return c.writeRecordInPlace()
	}
	if c.record {
		changed[RefreshRecord] = recordBytes(c.now())
	}
	return c.replaceWith(changed)
}

// replaceWith builds the metadata directory with the changed files (by
// path relative to it) beside it and puts it in place atomically. The
// caller holds the exclusive lock and a fresh work directory.
func (c *Client) replaceWith(changed map[string][]byte) error {
	next, err := os.MkdirTemp(workDir(c.mdir), "next-")
	if err != nil {
		return c.errf("", fmt.Errorf("commit: %w", err))
	}
	if err := c.buildNext(next, changed); err != nil {
		return c.errf("", fmt.Errorf("commit: %w", err))
	}
	if err := replaceDir(next, c.mdir); err != nil {
		return c.errf("", fmt.Errorf("commit: %w", err))
	}
	return nil
}

// buildNext fills next with the metadata directory as it is to become.
func (c *Client) buildNext(next string, changed map[string][]byte) error {
	if err := linkTree(c.mdir, next); err != nil {
		return err
	}
	hist := filepath.Join(next, historyDir)
	if err := os.MkdirAll(hist, dirPerm); err != nil {
		return err
	}
	names := make([]string, 0, len(changed))
	for rel := range changed {
		names = append(names, rel)
	}
	sort.Strings(names)
	for _, rel := range names {
		if err := atomicfile.WriteFile(filepath.Join(next, rel), changed[rel], filePerm); err != nil {
			return err
		}
	}
	if err := atomicfile.SyncDir(hist); err != nil {
		return err
	}
	return atomicfile.SyncDir(next)
}

// keepVerifiedFiles commits, with [Config.KeepVerified], what a failed
// update verified before it failed, in one step: the new root versions
// (the history and root.json) and the top-level files that go-tuf's
// updater wrote to the staging directory, which it does only after
// verifying each one.
func (c *Client) keepVerifiedFiles(up *updater.Updater, stage string, oldVersion int64, roots map[int64][]byte) error {
	changed := map[string][]byte{}
	trusted := up.GetTrustedMetadataSet()
	if v := trusted.Root.Signed.Version; v > oldVersion && roots[v] != nil {
		changed["root.json"] = roots[v]
		for n := v; n > oldVersion && roots[n] != nil; n-- {
			changed[filepath.Join(historyDir, fmt.Sprintf("%d.root.json", n))] = roots[n]
		}
	}
	for _, name := range topFiles {
		data, err := readBounded(filepath.Join(stage, name), c.limitFor(name))
		if err != nil {
			continue // never staged: nothing verified
		}
		if !sameFile(filepath.Join(c.mdir, name), data, c.limitFor(name)) {
			changed[name] = data
		}
	}
	if len(changed) == 0 {
		return nil
	}
	return c.replaceWith(changed)
}

// errNoCache is the error of an offline Client without cached metadata.
var errNoCache error = noCacheError{}

// noCacheError reads "no cached metadata; run accord refresh" and is
// [ErrOffline].
type noCacheError struct{}

func (noCacheError) Error() string { return "no cached metadata; run accord refresh" }
func (noCacheError) Unwrap() error { return ErrOffline }

// loadOffline verifies the cached top-level metadata against the trusted
// root, without network access, without writing anything and without
// waiting for the lock: it reads the last committed state (see
// [readCommitted]), so that an update stuck on the network never holds
// it up.
func (c *Client) loadOffline(ctx context.Context) (*state, error) {
	if err := ctx.Err(); err != nil {
		return nil, c.errf("", err)
	}
	names := append([]string{"root.json"}, topFiles...)
	raw, err := readCommitted(c.mdir, names, c.limitFor)
	if errors.Is(err, os.ErrNotExist) {
		return nil, c.errf("", ErrNotPinned)
	}
	if err != nil {
		return nil, c.errf("", err)
	}
	if raw["root.json"] == nil {
		return nil, c.errf("", ErrNotPinned)
	}
	rootMD, err := c.parseRoot(raw["root.json"])
	if err != nil {
		return nil, err
	}
	for _, name := range topFiles {
		data, ok := raw[name]
		if !ok {
			return nil, c.errf("", errNoCache)
		}
		if defect := cacheDefect(name, data, rootMD); defect != nil {
			return nil, c.unusableCache(name, defect)
		}
	}
	trusted, err := trustedmetadata.New(raw["root.json"])
	if err != nil {
		return nil, c.rootError(err)
	}
	trusted.RefTime = c.refTime()
	steps := []struct {
		name   string
		verify func([]byte) error
	}{
		{"timestamp.json", func(b []byte) error { _, err := trusted.UpdateTimestamp(b); return err }},
		{"snapshot.json", func(b []byte) error { _, err := trusted.UpdateSnapshot(b, false); return err }},
		{"targets.json", func(b []byte) error {
			_, err := trusted.UpdateDelegatedTargets(b, metadata.TARGETS, metadata.ROOT)
			return err
		}},
	}
	for _, s := range steps {
		if err := s.verify(raw[s.name]); err != nil {
			var exp *metadata.ErrExpiredMetadata
			if errors.As(err, &exp) {
				return nil, c.errf(c.blameLocal(trusted), err)
			}
			return nil, c.errf(s.name, err)
		}
	}
	return &state{trusted: trusted, snapshotRaw: raw["snapshot.json"], raw: raw}, nil
}
