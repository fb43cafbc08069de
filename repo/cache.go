package repo

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// The trust directory holds two kinds of files. root.json is the trust
// anchor: a root that does not load is an error naming the pin command
// to run, never replaced silently. The other metadata files are a cache
// of what an update verified: one that does not load, or is not signed by
// the keys that signed it when it was committed, is ignored and fetched
// again, as TUF's client workflow uses only trusted local metadata, with
// a warning through [Config.Warn]. Offline, nothing can be fetched again:
// it is an error naming the file and the refresh to run.

// rootError reports a trusted root.json that does not load and names
// the command that pins a root again.
func (c *Client) rootError(err error) error {
	return c.errf("root.json", fmt.Errorf("%w; the trusted root is never replaced silently: check it, or pin a root again with: accord pin %s ROOT.json --force", err, c.name))
}

// parseRoot loads the trusted root: root metadata signed by a threshold
// of its own root keys, as every trusted root is.
func (c *Client) parseRoot(data []byte) (*metadata.Metadata[metadata.RootType], error) {
	md, err := metadata.Root().FromBytes(data)
	if err != nil {
		return nil, c.rootError(fmt.Errorf("does not load: %w", emptyAsSuch(data, err)))
	}
	if err := md.VerifyDelegate(metadata.ROOT, md); err != nil {
		return nil, c.rootError(fmt.Errorf("not signed by a threshold of its own root keys: %w", err))
	}
	return md, nil
}

// cacheDefect reports why a cached top-level file (timestamp.json,
// snapshot.json, targets.json) cannot be used at all: it does not load as
// metadata of its role, or the trusted root's keys for the role did not
// sign it. nil means it may be used; whether it is current is the
// update's to decide.
func cacheDefect(name string, data []byte, root *metadata.Metadata[metadata.RootType]) error {
	var md any
	var err error
	switch name {
	case "timestamp.json":
		md, err = metadata.Timestamp().FromBytes(data)
	case "snapshot.json":
		md, err = metadata.Snapshot().FromBytes(data)
	default:
		md, err = metadata.Targets().FromBytes(data)
	}
	if err != nil {
		return fmt.Errorf("does not load: %w", emptyAsSuch(data, err))
	}
	role := name[:len(name)-len(".json")]
	if err := root.VerifyDelegate(role, md); err != nil {
		return fmt.Errorf("not signed by the trusted root's %s keys: %w", role, err)
	}
	return nil
}

// roleDefect reports why a cached delegated role cannot be used at all:
// it does not load, or its delegator's keys for it did not sign it. nil
// means it may be used, or is only out of date.
func roleDefect(data []byte, role, parent string, delegator *metadata.Metadata[metadata.TargetsType]) error {
	md, err := metadata.Targets().FromBytes(data)
	if err != nil {
		return fmt.Errorf("does not load: %w", emptyAsSuch(data, err))
	}
	if delegator != nil {
		if err := delegator.VerifyDelegate(role, md); err != nil {
			return fmt.Errorf("not signed by the keys its delegator %q has for it: %w", parent, err)
		}
	}
	return nil
}

// localRoleDefect reports why the cached copy of a delegated role, read
// as local with localErr, cannot be used at all; nil when it is missing,
// usable or only out of date (a copy longer than the snapshot's signed
// length, for one, may be an older version).
func (c *Client) localRoleDefect(st *state, local []byte, localErr error, role, parent string) error {
	if local == nil || localErr == nil {
		return nil
	}
	return roleDefect(local, role, parent, st.trusted.Targets[parent])
}

// emptyAsSuch says "empty file" for an empty file rather than the JSON
// decoder's "unexpected end of JSON input".
func emptyAsSuch(data []byte, err error) error {
	if len(data) == 0 {
		return errors.New("empty file")
	}
	return err
}

// warn passes a warning to [Config.Warn], if set.
func (c *Client) warn(err error) {
	if c.warnf != nil {
		c.warnf(err)
	}
}

// ignoredCache warns that a cached file was ignored, and why.
func (c *Client) ignoredCache(file string, defect error) {
	c.warn(c.errf(file, fmt.Errorf("cached copy ignored, fetching it again: %w", defect)))
}

// unusableCache is the offline error of a cached file that cannot be
// used.
func (c *Client) unusableCache(file string, defect error) error {
	return c.errf(file, fmt.Errorf("cached copy unusable: %w; run: accord refresh %s", defect, c.name))
}

// maxReadAttempts bounds how often [readCommitted] starts again because
// an update committed while it read.
const maxReadAttempts = 100

// readCommitted reads the named files of the metadata directory mdir as
// one committed state, without taking the lock, so that a reader never
// waits behind a writer's network time. An update commits by exchanging
// the whole directory in one step, so every file is read through one
// handle on the directory, and the read starts again if mdir names
// another directory by the end of it. A missing file has no entry; a
// symbolic link is refused.
func readCommitted(mdir string, names []string, limit func(string) int64) (map[string][]byte, error) {
	for range maxReadAttempts {
		files, err := readOnce(mdir, names, limit)
		if !errors.Is(err, errChanged) {
			return files, err
		}
	}
	return nil, fmt.Errorf("%s changed %d times while being read", mdir, maxReadAttempts)
}

// errChanged reports that the metadata directory was exchanged during a
// read.
var errChanged = errors.New("metadata directory changed")

// readOnce is one attempt of [readCommitted].
func readOnce(mdir string, names []string, limit func(string) int64) (map[string][]byte, error) {
	if err := checkNoLinks(mdir); err != nil {
		return nil, err
	}
	dir, err := os.OpenRoot(mdir)
	if err != nil {
		return nil, err
	}
	defer dir.Close()
	before, err := dir.Stat(".")
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	var readErr error
	for _, name := range names {
		data, err := readRooted(dir, name, limit(name))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			readErr = fmt.Errorf("%s: %w", name, err)
			break
		}
		files[name] = data
	}
	after, err := os.Lstat(mdir)
	if err != nil || !os.SameFile(before, after) {
		return nil, errChanged
	}
	if readErr != nil {
		return nil, readErr
	}
	return files, nil
}

// readRooted reads at most limit bytes of a regular file in dir; a
// longer file, or anything but a regular file, is an error.
func readRooted(dir *os.Root, name string, limit int64) ([]byte, error) {
	fi, err := dir.Lstat(name)
	if err != nil {
		return nil, err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return nil, &symlinkError{path: filepath.Join(dir.Name(), name)}
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file")
	}
	f, err := dir.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return data, nil
}
