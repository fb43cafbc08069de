package repo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/accord-tuf/accord/internal/atomicfile"
	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// mirrorDirPerm and mirrorFilePerm are the modes of a written mirror,
// which is meant to be published.
const (
	mirrorDirPerm  = 0o755
	mirrorFilePerm = 0o644
)

// WriteMirror writes the repository's verified metadata to out/<name>/ in
// the layout a string mirror expects: every root version since the pin as
// N.root.json, timestamp.json, and N.snapshot.json, N.targets.json and
// N.<role>.json for every delegated role (each also under its plain
// name), <role> being the role's own name, which a static web server
// serves at the escaped URL a client asks for; a role whose name holds
// '/', '\' or NUL cannot be a file there and is an error. With
// withTargets, every target is downloaded, verified and written under
// targets/, by its path and under each hash prefix. A fresh trust
// directory pinned to the same root verifies from the result with a
// file:// mirror. Every file is written atomically.
func (c *Client) WriteMirror(ctx context.Context, out string, withTargets bool) error {
	c.mu.Lock()
	st, err := c.ready(ctx)
	if err != nil {
		c.mu.Unlock()
		return err
	}
	files, err := c.mirrorFiles(ctx, st)
	var targets map[string]*metadata.TargetFiles
	if err == nil && withTargets {
		targets, err = c.allTargets(ctx, st)
	}
	c.mu.Unlock()
	if err != nil {
		return err
	}
	dir := filepath.Join(out, c.name)
	if err := os.MkdirAll(dir, mirrorDirPerm); err != nil {
		return c.errf("", fmt.Errorf("mirror: %w", err))
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := atomicfile.WriteFile(filepath.Join(dir, n), files[n], mirrorFilePerm); err != nil {
			return c.errf(n, fmt.Errorf("mirror: %w", err))
		}
	}
	if withTargets {
		return c.mirrorTargets(ctx, filepath.Join(dir, "targets"), targets)
	}
	return nil
}

// mirrorFiles collects the verified metadata files of a mirror, by file
// name. The caller holds c.mu.
func (c *Client) mirrorFiles(ctx context.Context, st *state) (map[string][]byte, error) {
	files := map[string][]byte{}
	hist := filepath.Join(c.mdir, historyDir)
	entries, err := os.ReadDir(hist)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, c.errf(historyDir, err)
	}
	for _, e := range entries {
		v, ok := strings.CutSuffix(e.Name(), ".root.json")
		if _, err := strconv.ParseInt(v, 10, 64); !ok || err != nil {
			continue
		}
		data, err := readBounded(filepath.Join(hist, e.Name()), c.limits.Root)
		if err != nil {
			return nil, c.errf(historyDir+"/"+e.Name(), err)
		}
		files[e.Name()] = data
	}
	root := st.raw["root.json"]
	files[fmt.Sprintf("%d.root.json", st.trusted.Root.Signed.Version)] = root
	files["root.json"] = root
	files["timestamp.json"] = st.raw["timestamp.json"]
	files["snapshot.json"] = st.raw["snapshot.json"]
	files[fmt.Sprintf("%d.snapshot.json", st.trusted.Snapshot.Signed.Version)] = st.raw["snapshot.json"]
	roles, err := c.loadAll(ctx, st)
	if err != nil {
		return nil, err
	}
	for _, role := range roles {
		file, err := roleFile(role)
		if err != nil {
			return nil, c.errf("", err)
		}
		data, ok := st.raw[file]
		if !ok {
			return nil, c.errf(file, errors.New("verified bytes not kept"))
		}
		name, err := mirrorFile(role)
		if err != nil {
			return nil, c.errf(file, fmt.Errorf("mirror: %w", err))
		}
		files[name] = data
		files[fmt.Sprintf("%d.%s", st.trusted.Targets[role].Signed.Version, name)] = data
	}
	return files, nil
}

// mirrorTargets downloads and writes every target under dir, by its path
// and under each hash-prefixed name.
func (c *Client) mirrorTargets(ctx context.Context, dir string, targets map[string]*metadata.TargetFiles) error {
	paths := make([]string, 0, len(targets))
	for p := range targets {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		info := targets[p]
		if err := checkTargetPath(p); err != nil {
			return c.errf("", err)
		}
		names := append([]string{p}, remoteNames(info, true)...)
		if err := c.mirrorTarget(ctx, dir, info, names); err != nil {
			return err
		}
	}
	return nil
}

// mirrorTarget downloads one target to a temporary file beside its first
// name, then puts it in place under every name.
func (c *Client) mirrorTarget(ctx context.Context, dir string, info *metadata.TargetFiles, names []string) error {
	first := filepath.Join(dir, filepath.FromSlash(names[0]))
	if err := os.MkdirAll(filepath.Dir(first), mirrorDirPerm); err != nil {
		return c.errf("", fmt.Errorf("mirror: %w", err))
	}
	f, err := os.CreateTemp(filepath.Dir(first), ".tmp-target-")
	if err != nil {
		return c.errf("", fmt.Errorf("mirror: %w", err))
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := c.Download(ctx, info, f); err != nil {
		return err
	}
	if err := f.Chmod(mirrorFilePerm); err != nil {
		return c.errf("", fmt.Errorf("mirror: %w", err))
	}
	if err := f.Sync(); err != nil {
		return c.errf("", fmt.Errorf("mirror: %w", err))
	}
	for _, n := range names {
		full := filepath.Join(dir, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(full), mirrorDirPerm); err != nil {
			return c.errf("", fmt.Errorf("mirror: %w", err))
		}
		if err := copyAtomic(f, full, mirrorFilePerm); err != nil {
			return c.errf("", fmt.Errorf("mirror: target %q: %w", info.Path, err))
		}
	}
	return nil
}

// copyAtomic copies src from its start to path, atomically.
func copyAtomic(src *os.File, path string, perm os.FileMode) error {
	if _, err := src.Seek(0, io.SeekStart); err != nil {
		return err
	}
	return atomicfile.Write(path, perm, func(w io.Writer) error {
		_, err := io.Copy(w, src)
		return err
	})
}
