//go:build unix

package repo

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// lockSpool takes an exclusive lock on a new spool file; it lasts as long
// as the file is open, so it dies with the process that holds it. It waits
// only while another process that found the file before it was locked
// removes it (see removeIfUnlocked).
func lockSpool(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
}

// removeStaleSpools removes the spool files of the repository that no
// process holds locked: those a killed download left. One in use by a
// download of this or another process is left alone. Failures are
// ignored: a stale spool takes space but is never read.
func (c *Client) removeStaleSpools() {
	entries, err := os.ReadDir(c.spool)
	if err != nil {
		return
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), spoolPrefix) && e.Type().IsRegular() {
			removeIfUnlocked(filepath.Join(c.spool, e.Name()))
		}
	}
}

// removeIfUnlocked removes the spool file p when it can take its lock, and
// holds the lock until p is gone.
func removeIfUnlocked(p string) {
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return
	}
	if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
		os.Remove(p)
	}
}
