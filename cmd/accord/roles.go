package main

import (
	"time"

	"github.com/accord-tuf/accord/repo"
)

// roleJSON is one role's version and expiry in --json output.
type roleJSON struct {
	Version int64     `json:"version"`
	Expires time.Time `json:"expires"`
	Expired bool      `json:"expired"`
}

func newRoleJSON(r *repo.RoleStatus) *roleJSON {
	if r == nil {
		return nil
	}
	return &roleJSON{Version: r.Version, Expires: r.Expires.UTC(), Expired: r.Expired}
}

// roles returns the status's roles in the order output shows them, root
// first; a role not cached is nil.
func roles(s repo.Status) []*repo.RoleStatus {
	return []*repo.RoleStatus{&s.Root, s.Timestamp, s.Snapshot, s.Targets}
}

// roleNames name the roles of roles.
var roleNames = []string{"root", "timestamp", "snapshot", "targets"}

// earliest returns the earliest expiry of the status's roles.
func earliest(s repo.Status) time.Time {
	var t time.Time
	for _, r := range roles(s) {
		if r != nil && (t.IsZero() || r.Expires.Before(t)) {
			t = r.Expires
		}
	}
	return t
}

// version prints a role's version, or "-" when it is not cached.
func version(r *repo.RoleStatus) string {
	if r == nil {
		return "-"
	}
	return itoa(r.Version)
}

// expiry prints a role's expiry, marked when it is past.
func expiry(r *repo.RoleStatus) string {
	if r == nil {
		return "-"
	}
	if r.Expired {
		return formatTime(r.Expires) + " (expired)"
	}
	return formatTime(r.Expires)
}
