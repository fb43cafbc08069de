package repo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// memorySpool is the largest target verified in memory; larger ones are
// spooled to a temporary file in the trust directory.
const memorySpool = 1 << 20

// spoolPrefix starts the name of every spool file. A download holds a lock
// on its spool file while it exists (see lockSpool), so that the spool
// files a killed download left can be told from those in use.
const spoolPrefix = ".tmp-download-"

var errSpoolWrite = errors.New("spool write failed")

// spool holds a download until it is verified: in memory when small, else
// in a temporary file that Close removes.
type spool struct {
	buf  *bytes.Buffer
	file *os.File
}

func (c *Client) newSpool(length int64) (*spool, error) {
	if length <= memorySpool {
		return &spool{buf: &bytes.Buffer{}}, nil
	}
	if err := os.MkdirAll(c.spool, dirPerm); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	f, err := os.CreateTemp(c.spool, spoolPrefix)
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	// Should another process remove the file between its creation and
	// the lock, the download goes on in the unlinked file all the same.
	if err := lockSpool(f); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("spool: lock: %w", err)
	}
	return &spool{file: f}, nil
}

// spoolWriter marks write errors as the spool's, not the mirror's.
type spoolWriter struct{ f *os.File }

func (s spoolWriter) Write(p []byte) (int, error) {
	n, err := s.f.Write(p)
	if err != nil {
		err = fmt.Errorf("%w: %w", errSpoolWrite, err)
	}
	return n, err
}

// done prepares the spool for reading.
func (s *spool) done() error {
	if s.file == nil {
		return nil
	}
	_, err := s.file.Seek(0, io.SeekStart)
	return err
}

// writer is where the download is written: the buffer, or the file
// through [spoolWriter].
func (s *spool) writer() io.Writer {
	if s.file != nil {
		return spoolWriter{s.file}
	}
	return s.buf
}

func (s *spool) reader() io.Reader {
	if s.file != nil {
		return s.file
	}
	return s.buf
}

// Close discards the spool: the file is removed before it is closed, so
// that it is never unlocked while it can still be found.
func (s *spool) Close() error {
	if s.file == nil {
		return nil
	}
	err := os.Remove(s.file.Name())
	s.file.Close()
	return err
}
