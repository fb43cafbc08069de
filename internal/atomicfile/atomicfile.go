// Package atomicfile writes files so that a reader, or a crash at any
// moment, sees a file's previous content or its new content, never a part.
//
// A file is written through a temporary file in the same directory, named
// ".tmp-<name>-<random>", which is synced and renamed over the file; the
// directory is synced after the rename so that the rename itself survives
// a crash. On any failure the temporary file is removed and the file keeps
// what it held. The functions are safe for concurrent use on different
// paths; writers of one path must be serialised by the caller (the last
// rename wins).
package atomicfile

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// TempPrefix starts the name of every temporary file this package creates;
// readers of a directory that may hold leftovers of a killed writer skip
// names with this prefix.
const TempPrefix = ".tmp-"

// Write writes path with perm, its content given by fill writing to the
// temporary file. The directory must exist.
func Write(path string, perm fs.FileMode, fill func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, TempPrefix+filepath.Base(path)+"-")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = f.Chmod(perm); err != nil {
		return err
	}
	if err = fill(f); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	return SyncDir(dir)
}

// WriteFile writes data to path with perm.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	return Write(path, perm, func(w io.Writer) error {
		_, err := io.Copy(w, bytes.NewReader(data))
		return err
	})
}

// SyncDir makes the entries of dir durable (a rename or a new file in it).
// File systems that cannot sync a directory are not an error.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}
