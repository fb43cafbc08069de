package main

import (
	"context"
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
func (o *outputFile) write(ctx context.Context, fill func(io.Writer) error) error {
	if o.inPlace {
		return o.writeInPlace(ctx, fill)
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
// reader, as it does for any writer, or until ctx ends) and refuses it if
// it is no longer the one checked.
func (o *outputFile) writeInPlace(ctx context.Context, fill func(io.Writer) error) error {
	f, err := openWhile(ctx, o.path)
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

// openWhile opens path for writing, giving up when ctx ends first: the
// open of a FIFO blocks until a reader comes. A file opened after ctx
// ended is closed.
func openWhile(ctx context.Context, path string) (*os.File, error) {
	type opened struct {
		f   *os.File
		err error
	}
	done := make(chan opened, 1)
	go func() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		done <- opened{f, err}
	}()
	select {
	case r := <-done:
		return r.f, r.err
	case <-ctx.Done():
		go func() {
			if r := <-done; r.f != nil {
				r.f.Close()
			}
		}()
		return nil, ctx.Err()
	}
}
