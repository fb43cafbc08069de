package stage

import (
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// RoleStatus is one published role: its version, expiry and keys.
type RoleStatus struct {
	Role      string        `json:"role"`
	Version   int64         `json:"version"` // 0: not published yet
	Expires   time.Time     `json:"expires"`
	Period    time.Duration `json:"period"`
	KeyIDs    []string      `json:"key_ids"`
	Threshold int           `json:"threshold"`
	// Expired is true when the role has expired; Expiring when it
	// expires within a quarter of its period.
	Expired  bool `json:"expired"`
	Expiring bool `json:"expiring"`
}

// Status is the state of a stage: each role as published, and the pending
// version if there is one.
type Status struct {
	Name    string       `json:"name"`
	Roles   []RoleStatus `json:"roles"`
	Pending *Pending     `json:"pending"`
	// Targets is the number of targets the published version signs.
	Targets int `json:"targets"`
}

// Status reads the stage's published state and pending version.
func (s *Stage) Status() (*Status, error) {
	st, err := s.load()
	if err != nil {
		return nil, err
	}
	now := s.clock()
	out := &Status{Name: s.cfg.Name}
	for _, role := range Roles() {
		rs := RoleStatus{
			Role:      role,
			Period:    s.cfg.period(role),
			KeyIDs:    roleKeyIDs(st.root, role),
			Threshold: threshold(st.root, role),
		}
		switch role {
		case metadata.ROOT:
			rs.Version, rs.Expires = st.root.Signed.Version, st.root.Signed.Expires
		case metadata.TARGETS:
			if st.targets != nil {
				rs.Version, rs.Expires = st.targets.Signed.Version, st.targets.Signed.Expires
				out.Targets = len(st.targets.Signed.Targets)
			}
		case metadata.SNAPSHOT:
			if st.snapshot != nil {
				rs.Version, rs.Expires = st.snapshot.Signed.Version, st.snapshot.Signed.Expires
			}
		case metadata.TIMESTAMP:
			if st.timestamp != nil {
				rs.Version, rs.Expires = st.timestamp.Signed.Version, st.timestamp.Signed.Expires
			}
		}
		if rs.Version > 0 {
			rs.Expires = rs.Expires.UTC()
			rs.Expired = !now.Before(rs.Expires)
			rs.Expiring = !rs.Expired && rs.Expires.Sub(now) < rs.Period/4
		}
		out.Roles = append(out.Roles, rs)
	}
	next, err := s.loadPending(st)
	if err != nil {
		return out, err
	}
	if next != nil {
		if out.Pending, err = s.describePending(st, next); err != nil {
			return out, err
		}
	}
	return out, nil
}
