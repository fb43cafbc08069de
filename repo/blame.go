package repo

import (
	"github.com/theupdateframework/go-tuf/v2/metadata/trustedmetadata"
)

// blameLocal names the cached file that an offline verification stopped
// at, from how far it got.
func (c *Client) blameLocal(t *trustedmetadata.TrustedMetadata) string {
	ref := t.RefTime
	switch {
	case t.Root.Signed.IsExpired(ref):
		return "root.json"
	case t.Timestamp == nil || t.Timestamp.Signed.IsExpired(ref):
		return "timestamp.json"
	case t.Snapshot == nil || t.Snapshot.Signed.IsExpired(ref):
		return "snapshot.json"
	}
	return "targets.json"
}
