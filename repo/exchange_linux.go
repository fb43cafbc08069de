package repo

import (
	"errors"

	"golang.org/x/sys/unix"
)

// exchange atomically swaps the names of two directories in one file
// system. It reports errExchangeUnsupported where the system cannot.
func exchange(a, b string) error {
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	if errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EOPNOTSUPP) {
		return errExchangeUnsupported
	}
	return err
}
