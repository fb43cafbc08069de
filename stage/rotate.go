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
	// Bridged is true when what was signed anew is signed by the keys of
	// the old root too (they were at hand), so that it verifies under
	// both roots and the new root could be written last; false when the
	// new root had to come first (see [Stage.Rotate]). True when only
	// the root changed.
	Bridged bool `json:"bridged"`
}

// Rotate publishes a new root that changes one role's keys. The new root
// is signed by the root threshold of the old root and by that of the new
// one, so that a client trusting the old root (or any older one: every
// version stays published) follows it. Then what the new keys must sign
// is signed anew and published: a new targets version (the same targets)
// when the targets keys change, a new snapshot when the snapshot keys
// change, and, after any of these or a timestamp key change, a new
// timestamp. Everything is checked and signed before the first file is
// written.
//
// What is signed anew is signed with the keys at hand of the old root as
// well as of the new. When that meets the old root's thresholds too (the
// rotation is "bridged", the usual case: the old keys are still held),
// the new files verify under both roots, and they are written first —
// targets, snapshot, timestamp — and the new root last: a reader, or a
// publication killed, at any moment sees a state that verifies. When the
// old keys are not at hand (a lost key), the new versioned files come
// first, then the new root, then the timestamp: a reader that fetches the
// root before the timestamp refuses that one update, and a rotation
// killed between those two writes leaves public/ refused, by clients and
// by the stage's own commands, until that newest N.root.json is removed
// and the rotation run again.
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
	st, unlock, err := s.lockLoad()
	if err != nil {
		return nil, err
	}
	defer unlock()
	root, err := s.rotatedRoot(st.root, r)
	if err != nil {
		return nil, err
	}
	if err := s.signRoot(st.root, root, keys); err != nil {
		return nil, err
	}
	res := &RotateResult{Role: r.Role, RootVersion: root.Signed.Version, KeyIDs: roleKeyIDs(root, r.Role), Threshold: threshold(root, r.Role), Resigned: []string{}, Bridged: true}
	files, err := s.resign(st, root, r.Role, keys, res)
	if err != nil {
		return nil, err
	}
	data, err := root.ToBytes(true)
	if err != nil {
		return nil, err
	}
	// Versioned files first (no timestamp names them yet); then, bridged,
	// the timestamp and the root, else the root and the timestamp.
	rootPath := filepath.Join(s.PublicDir(), fmt.Sprintf("%d.root.json", root.Signed.Version))
	if err := files.writeVersioned(s.PublicDir()); err != nil {
		return nil, err
	}
	if !res.Bridged {
		if err := writeNew(rootPath, data); err != nil {
			return nil, err
		}
	}
	if err := files.writeTimestamp(s.PublicDir()); err != nil {
		return nil, err
	}
	if res.Bridged {
		if err := writeNew(rootPath, data); err != nil {
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

// rotationFiles are the files a rotation publishes besides the root, all
// signed, in the order they are written.
type rotationFiles struct {
	targets, snapshot []byte // nil when not signed anew
	targetsVersion    int64
	snapshotVersion   int64
	timestamp         *metadata.Metadata[metadata.TimestampType] // nil: none
}

// writeVersioned writes the new targets and snapshot versions, if any.
func (f *rotationFiles) writeVersioned(public string) error {
	if f == nil {
		return nil
	}
	if f.targets != nil {
		if err := writeNew(filepath.Join(public, fmt.Sprintf("%d.targets.json", f.targetsVersion)), f.targets); err != nil {
			return err
		}
	}
	if f.snapshot != nil {
		if err := writeNew(filepath.Join(public, fmt.Sprintf("%d.snapshot.json", f.snapshotVersion)), f.snapshot); err != nil {
			return err
		}
	}
	return nil
}

// writeTimestamp writes the new timestamp, if any.
func (f *rotationFiles) writeTimestamp(public string) error {
	if f == nil || f.timestamp == nil {
		return nil
	}
	return writeMetadata(filepath.Join(public, "timestamp.json"), f.timestamp, 0o644)
}

// resign builds and signs what the rotated role's new keys must sign
// (nothing when only root keys change, or nothing is published yet but
// root): each file signed by the keys at hand of the old and the new
// root, and checked to verify under the new root. It clears res.Bridged
// when one does not verify under the old root.
func (s *Stage) resign(st *state, root *metadata.Metadata[metadata.RootType], role string, keys []*Key, res *RotateResult) (*rotationFiles, error) {
	if role == metadata.ROOT || st.timestamp == nil {
		return nil, nil
	}
	if err := s.checkOnline(&state{root: root}, keys); err != nil {
		return nil, err
	}
	f := &rotationFiles{}
	now := s.clock()
	var snap *metadata.Metadata[metadata.SnapshotType]
	switch role {
	case metadata.TARGETS:
		if pending, err := s.loadPending(st); err != nil {
			return nil, err
		} else if pending != nil {
			return nil, fmt.Errorf("stage %s: rotate: targets version %d is pending; publish or discard it before rotating the targets keys", s.dir, pending.Signed.Version)
		}
		targets := s.newVersion(st)
		if err := signBoth(targets, st.root, root, metadata.TARGETS, keys, res); err != nil {
			return nil, fmt.Errorf("stage %s: rotate: the targets must be signed anew by %d of the new targets keys (%v) and %d are given; give them with --key",
				s.dir, threshold(root, metadata.TARGETS), roleKeyIDs(root, metadata.TARGETS), len(validSigners(root, metadata.TARGETS, targets)))
		}
		data, err := targets.ToBytes(true)
		if err != nil {
			return nil, err
		}
		f.targets, f.targetsVersion = data, targets.Signed.Version
		snap = metadata.Snapshot(now.Add(s.cfg.period(metadata.SNAPSHOT)))
		snap.Signed.Version = st.snapshot.Signed.Version + 1
		snap.Signed.Meta["targets.json"] = metaFile(targets.Signed.Version, data)
		res.Resigned = append(res.Resigned, metadata.TARGETS)
	case metadata.SNAPSHOT:
		var err error
		if snap, err = s.renewSnapshot(st); err != nil {
			return nil, err
		}
	}
	snapMeta := st.timestamp.Signed.Meta["snapshot.json"]
	if snap != nil {
		if err := signBoth(snap, st.root, root, metadata.SNAPSHOT, keys, res); err != nil {
			return nil, fmt.Errorf("stage %s: rotate: snapshot: %w", s.dir, err)
		}
		data, err := snap.ToBytes(true)
		if err != nil {
			return nil, err
		}
		f.snapshot, f.snapshotVersion = data, snap.Signed.Version
		snapMeta = metaFile(snap.Signed.Version, data)
		res.Resigned = append(res.Resigned, metadata.SNAPSHOT)
	}
	ts := metadata.Timestamp(now.Add(s.cfg.period(metadata.TIMESTAMP)))
	ts.Signed.Version = st.timestamp.Signed.Version + 1
	ts.Signed.Meta["snapshot.json"] = snapMeta
	if err := signBoth(ts, st.root, root, metadata.TIMESTAMP, keys, res); err != nil {
		return nil, fmt.Errorf("stage %s: rotate: timestamp: %w", s.dir, err)
	}
	f.timestamp = ts
	res.Resigned = append(res.Resigned, metadata.TIMESTAMP)
	return f, nil
}

// signBoth signs md with the keys among keys that old or root lists for
// role. md must verify under root; when it does not verify under old,
// res.Bridged is cleared.
func signBoth[T metadata.Roles](md *metadata.Metadata[T], old, root *metadata.Metadata[metadata.RootType], role string, keys []*Key, res *RotateResult) error {
	signers := roleKeys(old, role, keys)
	for _, k := range roleKeys(root, role, keys) {
		if !slices.ContainsFunc(signers, func(x *Key) bool { return x.ID == k.ID }) {
			signers = append(signers, k)
		}
	}
	if _, err := signWith(md, signers); err != nil {
		return err
	}
	if err := root.VerifyDelegate(role, md); err != nil {
		return err
	}
	if old.VerifyDelegate(role, md) != nil {
		res.Bridged = false
	}
	return nil
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
