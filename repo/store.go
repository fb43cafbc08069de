package repo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/accord-tuf/accord/internal/atomicfile"
	"github.com/gofrs/flock"
)

const (
	dirPerm        = 0o700
	filePerm       = 0o600
	historyDir     = "root_history"
	lockRetryDelay = 10 * time.Millisecond
)

// readBounded reads at most limit bytes of a file; a longer file is an
// error.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes", filepath.Base(path), limit)
	}
	return data, nil
}

// roleFile returns the file name of a role's metadata in the trust
// directory: the role's name and ".json". A name that cannot be a file
// name as it is — one holding '/', '\', '%', NUL or another control
// character — is path-escaped instead; escaping '%' keeps two roles from
// sharing a file, as every escaped name holds a '%' and no plain one does.
// Names that could clobber a temporary file are refused. Mirrors know the
// file by the role's own name: see [mirrorFile] and [Client.fetchFrom].
func roleFile(role string) (string, error) {
	if role == "" || strings.HasPrefix(role, atomicfile.TempPrefix) {
		return "", fmt.Errorf("invalid role name %q", role)
	}
	name := role
	if strings.ContainsFunc(role, func(r rune) bool { return r == '/' || r == '\\' || r == '%' || unicode.IsControl(r) }) {
		name = url.PathEscape(role)
	}
	return name + ".json", nil
}

// mirrorFile returns the file name of a role's metadata in a directory
// mirror (file:// mirrors and [Client.WriteMirror]'s output): the role's
// own name and ".json", the file a static web server serves at the
// escaped URL. A name holding '/', '\' or NUL cannot be one file there.
func mirrorFile(role string) (string, error) {
	if strings.ContainsAny(role, "/\\\x00") {
		return "", fmt.Errorf("role %q has no file name in a mirror directory ('/', '\\' or NUL): serve it over HTTP", role)
	}
	return role + ".json", nil
}

// topLevel reports whether a role name is one of TUF's top-level roles,
// compared without case since file systems may ignore it.
func topLevel(role string) bool {
	switch strings.ToLower(role) {
	case "root", "timestamp", "snapshot", "targets":
		return true
	}
	return false
}

// checkDelegatedRole refuses delegated role names that cannot be stored
// safely beside the top-level roles.
func checkDelegatedRole(role string) error {
	if topLevel(role) {
		return fmt.Errorf("delegated role name %q is reserved", role)
	}
	_, err := roleFile(role)
	return err
}

// lockPath returns the lock file that serialises writers of a metadata
// directory. It lives beside the directory so that a forced pin may
// replace the directory as a whole. Repository names never begin with a
// dot, so it cannot collide with another repository's directory.
func lockPath(mdir string) string {
	return filepath.Join(filepath.Dir(mdir), "."+filepath.Base(mdir)+".lock")
}

// workDir returns the directory, beside the metadata directory, that holds
// an update's staging copy and a forced pin's new and old directories.
func workDir(mdir string) string {
	return filepath.Join(filepath.Dir(mdir), "."+filepath.Base(mdir)+".work")
}

// lockDir takes the lock of a metadata directory, exclusive or shared,
// waiting as long as ctx allows. The parent directory is created if need
// be.
func lockDir(ctx context.Context, mdir string, exclusive bool) (*flock.Flock, error) {
	return lockDirNotify(ctx, mdir, exclusive, nil)
}

// lockDirNotify is [lockDir] that, when the lock is not free, calls
// waiting (if not nil) with what the lock file says of its holder before
// it waits. The holder of the exclusive lock writes its process ID there.
func lockDirNotify(ctx context.Context, mdir string, exclusive bool, waiting func(path, holder string)) (*flock.Flock, error) {
	if err := os.MkdirAll(filepath.Dir(mdir), dirPerm); err != nil {
		return nil, err
	}
	path := lockPath(mdir)
	l := flock.New(path, flock.SetPermissions(filePerm))
	try, tryContext := l.TryLock, l.TryLockContext
	if !exclusive {
		try, tryContext = l.TryRLock, l.TryRLockContext
	}
	ok, err := try()
	if err == nil && !ok {
		if waiting != nil {
			waiting(path, lockHolder(path))
		}
		ok, err = tryContext(ctx, lockRetryDelay)
	}
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", filepath.Base(path), err)
	}
	if !ok {
		return nil, fmt.Errorf("lock %s: not acquired", filepath.Base(path))
	}
	if exclusive {
		// Only a hint for those waiting: a failure changes nothing.
		_ = os.WriteFile(path, []byte(strconv.Itoa(os.Getpid())+"\n"), filePerm)
	}
	return l, nil
}

// lockHolder describes the holder of a lock from its lock file: "process
// N", or "another process" when the file names none.
func lockHolder(path string) string {
	data, err := readBounded(path, 32)
	if err != nil {
		return "another process"
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		return "another process"
	}
	return fmt.Sprintf("process %d", pid)
}

// newWorkDir creates a fresh directory in the work directory, removing
// whatever a killed process left there. The caller holds the exclusive
// lock.
func newWorkDir(mdir, prefix string) (string, error) {
	w := workDir(mdir)
	if err := recoverDir(mdir); err != nil {
		return "", err
	}
	if err := os.RemoveAll(w); err != nil {
		return "", err
	}
	if err := os.MkdirAll(w, dirPerm); err != nil {
		return "", err
	}
	return os.MkdirTemp(w, prefix)
}

// errExchangeUnsupported reports that directories cannot be swapped
// atomically here.
var errExchangeUnsupported = errors.New("atomic directory exchange unsupported")

// replaceDir puts the complete directory next in the place of mdir in one
// step: a crash leaves either the old directory or the new one, never a
// mix. Where the system cannot swap directories atomically, mdir is
// renamed to old first and restored from there by [recoverDir] if a crash
// comes between the two renames. next is left holding the old directory,
// or removed.
func replaceDir(next, mdir string) error {
	parent := filepath.Dir(mdir)
	if _, err := os.Lstat(mdir); errors.Is(err, os.ErrNotExist) {
		if err := os.Rename(next, mdir); err != nil {
			return err
		}
		return atomicfile.SyncDir(parent)
	}
	err := exchange(next, mdir)
	if errors.Is(err, errExchangeUnsupported) {
		old := filepath.Join(workDir(mdir), "old")
		if err := os.Rename(mdir, old); err != nil {
			return err
		}
		if err := os.Rename(next, mdir); err != nil {
			return err
		}
		return atomicfile.SyncDir(parent)
	}
	if err != nil {
		return err
	}
	if err := atomicfile.SyncDir(parent); err != nil {
		return err
	}
	return atomicfile.SyncDir(filepath.Dir(next))
}

// recoverDir restores a metadata directory that a crash during a
// non-atomic [replaceDir] left in the work directory. The caller holds the
// exclusive lock.
func recoverDir(mdir string) error {
	if _, err := os.Lstat(mdir); !errors.Is(err, os.ErrNotExist) {
		return nil
	}
	old := filepath.Join(workDir(mdir), "old")
	if _, err := os.Stat(filepath.Join(old, "root.json")); err != nil {
		return nil
	}
	return os.Rename(old, mdir)
}

// linkTree fills the empty directory dst with hard links to the files of
// the metadata directory src (its top-level files and root_history/),
// copying where links are impossible. Files are never changed in place,
// so a link shares nothing that will change. Leftover temporary files are
// skipped; a symbolic link is an error, never dropped (see [ErrSymlink]).
func linkTree(src, dst string) error {
	for _, sub := range []string{"", historyDir} {
		entries, err := os.ReadDir(filepath.Join(src, sub))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if sub != "" {
			if err := os.Mkdir(filepath.Join(dst, sub), dirPerm); err != nil {
				return err
			}
		}
		for _, e := range entries {
			if e.Type()&os.ModeSymlink != 0 {
				return &symlinkError{path: filepath.Join(src, sub, e.Name())}
			}
			if !e.Type().IsRegular() || strings.HasPrefix(e.Name(), atomicfile.TempPrefix) {
				continue
			}
			from, to := filepath.Join(src, sub, e.Name()), filepath.Join(dst, sub, e.Name())
			if err := os.Link(from, to); err != nil {
				if err := copyFile(from, to); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// copyFile copies a file, synced.
func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
