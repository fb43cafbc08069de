package repo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/accord-tuf/accord/internal/atomicfile"
	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// PinOptions are the checks and choices of [Pin].
type PinOptions struct {
	// SHA256, when set, is the expected hex SHA-256 of the root's bytes
	// (case-insensitive).
	SHA256 string
	// Force replaces an existing pin, and with it the repository's whole
	// cached state.
	Force bool
	// At is the reference time for PinResult.Expired; zero means now.
	At time.Time
	// MetadataDir, when set, overrides <trustDir>/metadata/<name> as the
	// repository's metadata directory.
	MetadataDir string
}

// PinResult describes a root that [Pin] installed.
type PinResult struct {
	Version int64
	Expires time.Time
	KeyIDs  []string // the root role's key IDs, sorted
	SHA256  string   // hex SHA-256 of the root's bytes
	// Expired reports that the root is expired at the reference time. It
	// is pinned anyway: rotation may lead past it.
	Expired bool
}

// Pin installs root as the trusted root of repository name in trustDir,
// with the root history starting at it. The bytes must be root metadata
// signed by a threshold of its own root keys, and match opt.SHA256 if
// given. An existing pin is replaced only with opt.Force
// ([ErrAlreadyPinned] otherwise); then the repository's previous state is
// replaced as a whole. When Pin fails, nothing is written.
func Pin(trustDir, name string, root []byte, opt PinOptions) (*PinResult, error) {
	if err := validName(name); err != nil {
		return nil, err
	}
	mdir, err := metadataDir(trustDir, opt.MetadataDir, name)
	if err != nil {
		return nil, err
	}
	res, err := checkRoot(root, opt)
	if err != nil {
		return nil, &Error{Repo: name, File: "root.json", Err: err}
	}
	if !opt.Force {
		if _, err := os.Stat(filepath.Join(mdir, "root.json")); err == nil {
			return nil, &Error{Repo: name, Err: fmt.Errorf("%w (use force to replace it)", ErrAlreadyPinned)}
		}
	}
	lock, err := lockDir(context.Background(), mdir, true)
	if err != nil {
		return nil, &Error{Repo: name, Err: err}
	}
	defer lock.Unlock()
	if err := install(mdir, root, res.Version, opt.Force); err != nil {
		return nil, &Error{Repo: name, Err: err}
	}
	return res, nil
}

// checkRoot verifies that root is self-signed root metadata matching the
// expected digest.
func checkRoot(root []byte, opt PinOptions) (*PinResult, error) {
	sum := sha256.Sum256(root)
	digest := hex.EncodeToString(sum[:])
	if opt.SHA256 != "" && !strings.EqualFold(strings.TrimSpace(opt.SHA256), digest) {
		return nil, fmt.Errorf("sha256 is %s, not the expected %s", digest, strings.ToLower(opt.SHA256))
	}
	if int64(len(root)) > DefaultRootMaxLength {
		return nil, fmt.Errorf("larger than %d bytes", DefaultRootMaxLength)
	}
	md, err := metadata.Root().FromBytes(root)
	if err != nil {
		return nil, fmt.Errorf("not root metadata: %w", err)
	}
	if md.Signed.Type != metadata.ROOT {
		return nil, fmt.Errorf("not root metadata: type %q", md.Signed.Type)
	}
	if err := md.VerifyDelegate(metadata.ROOT, md); err != nil {
		return nil, fmt.Errorf("not signed by a threshold of its own root keys: %w", err)
	}
	ref := opt.At
	if ref.IsZero() {
		ref = time.Now().UTC()
	}
	var ids []string
	if r, ok := md.Signed.Roles[metadata.ROOT]; ok {
		ids = append(ids, r.KeyIDs...)
	}
	sort.Strings(ids)
	return &PinResult{
		Version: md.Signed.Version,
		Expires: md.Signed.Expires,
		KeyIDs:  ids,
		SHA256:  digest,
		Expired: md.Signed.IsExpired(ref),
	}, nil
}

// install writes a new metadata directory holding only root and its
// history beside mdir, then puts it in mdir's place in one step. The
// caller holds the exclusive lock. An interrupted forced pin leaves the
// repository either as it was or newly pinned, never a mix of old and new
// state.
func install(mdir string, root []byte, version int64, force bool) error {
	if _, err := os.Stat(filepath.Join(mdir, "root.json")); err == nil && !force {
		return fmt.Errorf("%w (use force to replace it)", ErrAlreadyPinned)
	}
	if fi, err := os.Lstat(mdir); err == nil && fi.Mode()&os.ModeSymlink != 0 {
		return &symlinkError{path: mdir, dir: true}
	}
	fresh, err := newWorkDir(mdir, "pin-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(workDir(mdir))
	if err := os.Chmod(fresh, dirPerm); err != nil {
		return err
	}
	hist := filepath.Join(fresh, historyDir)
	if err := os.Mkdir(hist, dirPerm); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(hist, fmt.Sprintf("%d.root.json", version)), root, filePerm); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(fresh, "root.json"), root, filePerm); err != nil {
		return err
	}
	if err := atomicfile.SyncDir(fresh); err != nil {
		return err
	}
	return replaceDir(fresh, mdir)
}
