package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/accord-tuf/accord/internal/atomicfile"
)

// newOutputPerm is the mode of an output file that did not exist.
const newOutputPerm = 0o644

// outputFile is download's -o FILE, checked before any network access. A
// regular file, or a path where nothing is, is written atomically (a
// temporary file renamed over it), keeping the permission bits of the
// file it replaces; a character device (/dev/null) or a FIFO is written
// in place, with verified bytes only, as stdout is. Anything else is
// refused: a symbolic link (it is never replaced by a regular file, nor
// followed), a directory, a socket, a block device.
type outputFile struct {
	path    string
	perm    fs.FileMode
	inPlace bool
	before  fs.FileInfo // the device or FIFO when inPlace
}

// checkOutput returns the output for path, or a usage error saying why
// it cannot be written.
func checkOutput(path string) (*outputFile, error) {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &outputFile{path: path, perm: newOutputPerm}, checkOutputDir(path)
	case err != nil:
		return nil, usageErrorf("-o %s: %v", path, unwrapPath(err))
	}
	switch mode := fi.Mode(); {
	case mode.IsRegular():
		return &outputFile{path: path, perm: mode.Perm()}, checkOutputDir(path)
	case mode&fs.ModeSymlink != 0:
		dest, _ := os.Readlink(path)
		return nil, usageErrorf("-o %s: is a symbolic link to %q; give the file itself", path, dest)
	case mode.IsDir():
		return nil, usageErrorf("-o %s: is a directory", path)
	case mode&fs.ModeCharDevice != 0, mode&fs.ModeNamedPipe != 0:
		return &outputFile{path: path, inPlace: true, before: fi}, nil
	default:
		return nil, usageErrorf("-o %s: is a %s; give a regular file, a character device or a FIFO", path, fileKind(mode))
	}
}

// checkOutputDir refuses an output whose directory does not exist.
func checkOutputDir(path string) error {
	fi, err := os.Stat(filepath.Dir(path))
	switch {
	case err != nil:
		return usageErrorf("-o %s: %v", path, unwrapPath(err))
	case !fi.IsDir():
		return usageErrorf("-o %s: %s is not a directory", path, filepath.Dir(path))
	}
	return nil
}

// fileKind names the type of a file that is not regular.
func fileKind(mode fs.FileMode) string {
	switch {
	case mode&fs.ModeSocket != 0:
		return "socket"
	case mode&fs.ModeDevice != 0:
		return "block device"
	case mode&fs.ModeIrregular != 0:
		return "file of unknown type"
	}
	return "special file"
}

// write writes the output through fill: atomically, or in place.
func (o *outputFile) write(fill func(io.Writer) error) error {
	if o.inPlace {
		return o.writeInPlace(fill)
	}
	return atomicfile.Write(o.path, o.perm, func(w io.Writer) error {
		if err := fill(w); err != nil {
			return err
		}
		// What was checked must still be there when the rename replaces it.
		fi, err := os.Lstat(o.path)
		if err == nil && !fi.Mode().IsRegular() {
			return fmt.Errorf("-o %s: is no longer a regular file; nothing written", o.path)
		}
		return nil
	})
}

// writeInPlace opens the device or FIFO for writing (a FIFO waits for a
// reader, as it does for any writer) and refuses it if it is no longer the
// one checked.
func (o *outputFile) writeInPlace(fill func(io.Writer) error) error {
	f, err := os.OpenFile(o.path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("-o %s: %w", o.path, unwrapPath(err))
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !os.SameFile(fi, o.before) {
		return fmt.Errorf("-o %s: changed since it was checked; nothing written", o.path)
	}
	if err := fill(f); err != nil {
		return err
	}
	return f.Close()
}
