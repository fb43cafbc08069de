package stage

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// Rotation is a change to one role's keys: keys to add, key IDs to remove
// and the new threshold (0 keeps the threshold).
type Rotation struct {
	Role      string
	Add       []*PublicKey
	Remove    []string
	Threshold int
}

// RotateResult is what [Stage.Rotate] published.
type RotateResult struct {
	Role        string   `json:"role"`
	RootVersion int64    `json:"root_version"`
	KeyIDs      []string `json:"key_ids"`
	Threshold   int      `json:"threshold"`
	// Resigned lists the other roles signed anew under the new root, in
	// the order they were published.
	Resigned []string `json:"resigned"`
}

// Rotate publishes a new root that changes one role's keys. The new root
// is signed by the root threshold of the old root and by that of the new
// one, so that a client trusting the old root (or any older one: every
// version stays published) follows it. Then what the new keys must sign
// is signed anew and published: a new targets version (the same targets)
// when the targets keys change, a new snapshot when the snapshot keys
// change, and, after any of these or a timestamp key change, a new
// timestamp. Everything is checked and signed before the first file is
// written; files are written in the publication order (root, targets,
// snapshot, timestamp last).
//
// keys must hold the root keys for both thresholds (new keys sign when
// they are among keys), the targets threshold of the new targets keys for
// a targets rotation, and the online key(s) of the new root. A targets
// rotation is refused while a targets version is pending: its signatures
// would be for a version the rotation makes stale. Rotate works under an
// expired root: a new root is how such a stage recovers.
func (s *Stage) Rotate(r Rotation, keys []*Key) (*RotateResult, error) {
	if !slices.Contains(Roles(), r.Role) {
		return nil, fmt.Errorf("rotate: role %q: want root, targets, snapshot or timestamp", r.Role)
	}
	unlock, err := s.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	st, err := s.load()
	if err != nil {
		return nil, err
	}
	root, err := s.rotatedRoot(st.root, r)
	if err != nil {
		return nil, err
	}
	if err := s.signRoot(st.root, root, keys); err != nil {
		return nil, err
	}
	next := *st
	next.root = root
	res := &RotateResult{Role: r.Role, RootVersion: root.Signed.Version, KeyIDs: roleKeyIDs(root, r.Role), Threshold: threshold(root, r.Role), Resigned: []string{}}
	publish, err := s.resign(st, &next, r.Role, keys, res)
	if err != nil {
		return nil, err
	}
	data, err := root.ToBytes(true)
	if err != nil {
		return nil, err
	}
	if err := writeNew(filepath.Join(s.PublicDir(), fmt.Sprintf("%d.root.json", root.Signed.Version)), data); err != nil {
		return nil, err
	}
	if publish != nil {
		if err := publish(); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// rotatedRoot returns a copy of old, one version on, with r applied and a
// new expiry.
func (s *Stage) rotatedRoot(old *metadata.Metadata[metadata.RootType], r Rotation) (*metadata.Metadata[metadata.RootType], error) {
	data, err := old.ToBytes(false)
	if err != nil {
		return nil, err
	}
	root, err := (&metadata.Metadata[metadata.RootType]{}).FromBytes(data)
	if err != nil {
		return nil, err
	}
	root.Signatures = []metadata.Signature{}
	root.Signed.Version++
	root.Signed.Expires = s.clock().Add(s.cfg.period(metadata.ROOT))
	listed := roleKeyIDs(old, r.Role)
	for _, id := range r.Remove {
		if !slices.Contains(listed, id) {
			return nil, fmt.Errorf("stage %s: rotate: key %s is not a key of %s, which lists %v", s.dir, id, r.Role, listed)
		}
		if err := root.Signed.RevokeKey(id, r.Role); err != nil {
			return nil, fmt.Errorf("stage %s: rotate: key %s: %w", s.dir, id, err)
		}
	}
	for _, k := range r.Add {
		if slices.Contains(roleKeyIDs(root, r.Role), k.ID) {
			return nil, fmt.Errorf("stage %s: rotate: key %s (%s) is already a key of %s", s.dir, k.ID, k.Source, r.Role)
		}
		if err := root.Signed.AddKey(k.Public, r.Role); err != nil {
			return nil, fmt.Errorf("stage %s: rotate: key %s: %w", s.dir, k.Source, err)
		}
	}
	if r.Threshold != 0 {
		root.Signed.Roles[r.Role].Threshold = r.Threshold
	}
	n, t := len(roleKeyIDs(root, r.Role)), threshold(root, r.Role)
	switch {
	case t < 1:
		return nil, fmt.Errorf("stage %s: rotate: %s threshold %d: must be at least 1", s.dir, r.Role, t)
	case t > n:
		return nil, fmt.Errorf("stage %s: rotate: %s threshold %d exceeds the %d %s keys it would have", s.dir, r.Role, t, n, r.Role)
	}
	return root, nil
}

// signRoot signs root with the root keys among keys, of the old root and
// of the new, and checks that both thresholds are met.
func (s *Stage) signRoot(old, root *metadata.Metadata[metadata.RootType], keys []*Key) error {
	signers := roleKeys(old, metadata.ROOT, keys)
	for _, k := range roleKeys(root, metadata.ROOT, keys) {
		if !slices.ContainsFunc(signers, func(x *Key) bool { return x.ID == k.ID }) {
			signers = append(signers, k)
		}
	}
	if _, err := signWith(root, signers); err != nil {
		return err
	}
	for _, c := range []struct {
		name  string
		by    *metadata.Metadata[metadata.RootType]
		count int
	}{{"old", old, len(validSigners(old, metadata.ROOT, root))}, {"new", root, len(validSigners(root, metadata.ROOT, root))}} {
		if need := threshold(c.by, metadata.ROOT); c.count < need {
			return fmt.Errorf("stage %s: rotate: root version %d needs %d signatures of the %s root's keys (%v) and has %d; give the root keys with --key",
				s.dir, root.Signed.Version, need, c.name, roleKeyIDs(c.by, metadata.ROOT), c.count)
		}
	}
	return nil
}

// resign prepares what the rotated role's new keys must sign, under next
// (the state with the new root), and returns the function that publishes
// it after the root is written; nil when only the root changes.
func (s *Stage) resign(st, next *state, role string, keys []*Key, res *RotateResult) (func() error, error) {
	if role == metadata.ROOT || st.timestamp == nil {
		// Nothing published is signed by the rotated keys, or nothing
		// is published yet beyond root.
		return nil, nil
	}
	if err := s.checkOnline(next, keys); err != nil {
		return nil, err
	}
	switch role {
	case metadata.TARGETS:
		if pending, err := s.loadPending(st); err != nil {
			return nil, err
		} else if pending != nil {
			return nil, fmt.Errorf("stage %s: rotate: targets version %d is pending; publish or discard it before rotating the targets keys", s.dir, pending.Signed.Version)
		}
		targets := s.newVersion(st)
		if _, err := signWith(targets, roleKeys(next.root, metadata.TARGETS, keys)); err != nil {
			return nil, err
		}
		if have, need := len(validSigners(next.root, metadata.TARGETS, targets)), threshold(next.root, metadata.TARGETS); have < need {
			return nil, fmt.Errorf("stage %s: rotate: the targets must be signed anew by %d of the new targets keys (%v) and %d are given; give them with --key",
				s.dir, need, roleKeyIDs(next.root, metadata.TARGETS), have)
		}
		res.Resigned = append(res.Resigned, metadata.TARGETS, metadata.SNAPSHOT, metadata.TIMESTAMP)
		return func() error { return s.publishTargets(next, targets, keys) }, nil
	case metadata.SNAPSHOT:
		snap, err := s.renewSnapshot(st)
		if err != nil {
			return nil, err
		}
		res.Resigned = append(res.Resigned, metadata.SNAPSHOT, metadata.TIMESTAMP)
		return func() error { return s.publishSnapshot(next, snap, keys) }, nil
	default:
		res.Resigned = append(res.Resigned, metadata.TIMESTAMP)
		return func() error { return s.publishTimestampOnly(next, keys) }, nil
	}
}

// renewSnapshot returns the published snapshot's content, unsigned, one
// version on, with a new expiry.
func (s *Stage) renewSnapshot(st *state) (*metadata.Metadata[metadata.SnapshotType], error) {
	data, err := st.snapshot.ToBytes(false)
	if err != nil {
		return nil, err
	}
	snap, err := (&metadata.Metadata[metadata.SnapshotType]{}).FromBytes(data)
	if err != nil {
		return nil, err
	}
	snap.Signatures = []metadata.Signature{}
	snap.Signed.Version++
	snap.Signed.Expires = s.clock().Add(s.cfg.period(metadata.SNAPSHOT))
	return snap, nil
}
