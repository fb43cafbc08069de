//go:build !unix

package repo

import "os"

// lockSpool does nothing where flock(2) is missing: spool files are then
// never known to be stale.
func lockSpool(*os.File) error { return nil }

// removeStaleSpools does nothing where spool files cannot be locked: a
// spool in use by another process cannot be told from a stale one.
func (c *Client) removeStaleSpools() {}
