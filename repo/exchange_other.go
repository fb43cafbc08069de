//go:build !linux

package repo

// exchange reports that this system cannot swap two directories
// atomically.
func exchange(a, b string) error { return errExchangeUnsupported }
