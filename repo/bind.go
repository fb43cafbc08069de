package repo

import (
	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// maxBindings bounds how many outcomes boundTo remembers; past it, it
// starts again from none.
const maxBindings = 1 << 12

// binding is one verification of a targets role's metadata under one
// delegator's metadata: the delegator's keys and threshold for the role.
type binding struct {
	role      string
	delegated *metadata.Metadata[metadata.TargetsType]
	delegator *metadata.Metadata[metadata.TargetsType] // nil: the root
}

// boundTo reports whether the trusted metadata of role verifies under the
// delegation of role by parent ("root" for the top-level targets role), as
// both are held now. go-tuf's trusted metadata keeps one copy of each role
// by name, whichever delegator it was verified under; a role reached
// through another delegator must verify under that one's keys, or an
// attacker holding a weaker delegator's key could serve targets under a
// stronger one. Outcomes are remembered, by the exact metadata compared,
// so that each pair is verified once.
func (st *state) boundTo(role, parent string) bool {
	t := st.trusted
	md, ok := t.Targets[role]
	if !ok {
		return false
	}
	b := binding{role: role, delegated: md}
	if parent != metadata.ROOT {
		if b.delegator, ok = t.Targets[parent]; !ok {
			return false
		}
	}
	if ok, done := st.bound[b]; done {
		return ok
	}
	var err error
	if b.delegator == nil {
		err = t.Root.VerifyDelegate(role, md)
	} else {
		err = b.delegator.VerifyDelegate(role, md)
	}
	if st.bound == nil || len(st.bound) >= maxBindings {
		st.bound = map[binding]bool{}
	}
	st.bound[b] = err == nil
	return err == nil
}
