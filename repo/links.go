package repo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrSymlink reports a symbolic link where the trust directory must hold
// a real file or directory: a repository's metadata directory, or a file
// or directory in it. accord replaces that directory as a whole when it
// commits an update, so a link there would be lost, or followed outside
// the state it commits atomically; it is refused instead. Links above it
// (the trust directory itself, its metadata and targets directories) and
// the download spool targets/<repo> are followed.
var ErrSymlink = errors.New("symbolic link")

// symlinkError names a refused link and says what to do about it.
type symlinkError struct {
	path string
	dir  bool
}

func (e *symlinkError) Error() string {
	if e.dir {
		return fmt.Sprintf("%s is a %v: accord replaces a repository's metadata directory as a whole and does not follow links to it; replace the link with the directory it points to (linking the whole trust directory works)", e.path, ErrSymlink)
	}
	return fmt.Sprintf("%s is a %v: accord replaces a repository's metadata directory as a whole and would lose it; replace the link with a copy of the file it points to", e.path, ErrSymlink)
}

func (e *symlinkError) Unwrap() error { return ErrSymlink }

// checkNoLinks refuses a metadata directory that is a symbolic link or
// holds one, at the top or in root_history. A missing directory is no
// error: the caller reports what is missing.
func checkNoLinks(mdir string) error {
	fi, err := os.Lstat(mdir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		return &symlinkError{path: mdir, dir: true}
	}
	for _, sub := range []string{"", historyDir} {
		dir := filepath.Join(mdir, sub)
		entries, err := os.ReadDir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		for _, e := range entries {
			if e.Type()&fs.ModeSymlink != 0 {
				return &symlinkError{path: filepath.Join(dir, e.Name()), dir: e.Name() == historyDir}
			}
		}
	}
	return nil
}
