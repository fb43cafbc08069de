package repo

import (
	"time"
)

// Expires returns the earliest expiry among the metadata the last
// successful refresh verified and every delegated role loaded since:
// root, timestamp, snapshot, targets and each loaded targets role. After
// that time at least one of them no longer verifies, so a caller that
// answers from memory (a long-running service) must stop answering. ok is
// false when the Client holds no verified state.
func (c *Client) Expires() (earliest time.Time, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.state == nil {
		return time.Time{}, false
	}
	t := c.state.trusted
	earliest = t.Root.Signed.Expires
	note := func(e time.Time) {
		if e.Before(earliest) {
			earliest = e
		}
	}
	if t.Timestamp != nil {
		note(t.Timestamp.Signed.Expires)
	}
	if t.Snapshot != nil {
		note(t.Snapshot.Signed.Expires)
	}
	for _, md := range t.Targets {
		note(md.Signed.Expires)
	}
	return earliest, true
}
