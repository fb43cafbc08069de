package mapfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// Parse parses and validates the map file data, read from the file called
// name (used in errors only). It returns every defect at once as an
// [*Errors]; data larger than [MaxSize] is refused unread.
func Parse(name string, data []byte) (*Map, error) {
	if len(data) > MaxSize {
		return nil, tooLarge(name)
	}
	p := &parser{file: name, data: data}
	m := p.parse()
	if len(p.errs) > 0 {
		return nil, p.errors()
	}
	return m, nil
}

// ParseReader reads a map file from r, at most [MaxSize]+1 bytes, and parses
// it as [Parse] does.
func ParseReader(name string, r io.Reader) (*Map, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	var pe *fs.PathError
	switch {
	case errors.As(err, &pe):
		return nil, err // names the file already
	case err != nil:
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return Parse(name, data)
}

// Load reads and parses the map file at path. A directory is refused with
// an [*fs.PathError] wrapping [syscall.EISDIR].
func Load(path string) (*Map, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, &fs.PathError{Op: "read", Path: path, Err: syscall.EISDIR}
	}
	return ParseReader(path, f)
}

// tooLarge is the error for a file over MaxSize bytes.
func tooLarge(name string) error {
	return &Errors{List: []*Error{{File: name, Msg: fmt.Sprintf("larger than %d bytes", MaxSize)}}}
}
