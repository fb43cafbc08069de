package stage

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// Pending describes the pending targets version: what it changes since the
// published version and who has signed it.
type Pending struct {
	Version int64     `json:"version"`
	Expires time.Time `json:"expires"`
	// Digest identifies the pending content (not its signatures); give it
	// to [Stage.Sign] to sign only what was shown.
	Digest string `json:"digest"`
	// Changes are the targets added, removed and replaced since the
	// published version, by name.
	Changes []TargetChange `json:"changes"`
	// Signed lists the targets keys whose signatures verify; KeyIDs all
	// the keys of the role; Threshold how many must sign.
	Signed    []string `json:"signed"`
	KeyIDs    []string `json:"key_ids"`
	Threshold int      `json:"threshold"`
}

// Missing returns how many more signatures the pending version needs.
func (p *Pending) Missing() int { return max(0, p.Threshold-len(p.Signed)) }

// describePending compares next with the published targets.
func (s *Stage) describePending(st *state, next *metadata.Metadata[metadata.TargetsType]) (*Pending, error) {
	d, err := digest(next)
	if err != nil {
		return nil, err
	}
	p := &Pending{
		Version:   next.Signed.Version,
		Expires:   next.Signed.Expires,
		Digest:    d,
		Signed:    validSigners(st.root, metadata.TARGETS, next),
		KeyIDs:    roleKeyIDs(st.root, metadata.TARGETS),
		Threshold: threshold(st.root, metadata.TARGETS),
		Changes:   []TargetChange{},
	}
	old := map[string]*metadata.TargetFiles{}
	if st.targets != nil {
		old = st.targets.Signed.Targets
	}
	names := slices.Sorted(maps.Keys(old))
	for n := range next.Signed.Targets {
		if old[n] == nil {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	for _, n := range names {
		o, x := old[n], next.Signed.Targets[n]
		switch {
		case x == nil:
			p.Changes = append(p.Changes, TargetChange{Target: n, Action: Removed, Old: cloneInfo(o)})
		case o == nil:
			p.Changes = append(p.Changes, TargetChange{Target: n, Action: Added, New: cloneInfo(x)})
		case !sameInfo(o, x):
			p.Changes = append(p.Changes, TargetChange{Target: n, Action: Replaced, Old: cloneInfo(o), New: cloneInfo(x)})
		}
	}
	return p, nil
}

// ErrNoPending is returned by the methods that work on the pending
// version when there is none.
var ErrNoPending = errors.New("nothing pending")

// Pending returns the pending version, or nil when there is none.
func (s *Stage) Pending() (*Pending, error) {
	st, err := s.load()
	if err != nil {
		return nil, err
	}
	next, err := s.loadPending(st)
	if err != nil || next == nil {
		return nil, err
	}
	return s.describePending(st, next)
}

// Sign adds to the pending version the signature of each of keys that is a
// targets key and has not signed yet; a key that is not a targets key is
// an error ([NotRoleKeyError]). When want is not empty, the pending
// content must still be the one whose [Pending.Digest] it is: a version
// changed since the signer reviewed it is stale ([ErrStale]). Sign never
// publishes; see [Stage.Publish]. It returns the pending version after
// signing and how many signatures it added.
func (s *Stage) Sign(keys []*Key, want string) (*Pending, int, error) {
	st, unlock, err := s.lockCurrent()
	if err != nil {
		return nil, 0, err
	}
	defer unlock()
	if err := checkKeys(st.root, keys, []string{metadata.TARGETS}); err != nil {
		return nil, 0, err
	}
	next, err := s.loadPending(st)
	if err != nil {
		return nil, 0, err
	}
	if next == nil {
		return nil, 0, fmt.Errorf("stage %s: %w to sign", s.dir, ErrNoPending)
	}
	if want != "" {
		d, err := digest(next)
		if err != nil {
			return nil, 0, err
		}
		if d != want {
			return nil, 0, &StaleError{Dir: s.dir, Reason: fmt.Sprintf("version %d changed since it was shown; nothing signed, run sign again", next.Signed.Version)}
		}
	}
	// Drop signatures that do not verify (of keys no longer listed, or
	// damaged) so that a signer's new one is not refused as a duplicate.
	valid := validSigners(st.root, metadata.TARGETS, next)
	next.Signatures = slices.DeleteFunc(next.Signatures, func(sig metadata.Signature) bool { return !slices.Contains(valid, sig.KeyID) })
	n, err := signWith(next, roleKeys(st.root, metadata.TARGETS, keys))
	if err != nil {
		return nil, 0, err
	}
	if n > 0 {
		if err := writeMetadata(s.pendingPath(), next, 0o644); err != nil {
			return nil, 0, err
		}
	}
	p, err := s.describePending(st, next)
	return p, n, err
}

// Publish publishes the pending version, which must have its threshold of
// targets signatures, with a new snapshot and timestamp signed by the
// online key among keys.
func (s *Stage) Publish(keys []*Key) (*Pending, error) {
	st, unlock, err := s.lockCurrent()
	if err != nil {
		return nil, err
	}
	defer unlock()
	next, err := s.loadPending(st)
	if err != nil {
		return nil, err
	}
	if next == nil {
		return nil, fmt.Errorf("stage %s: %w to publish", s.dir, ErrNoPending)
	}
	p, err := s.describePending(st, next)
	if err != nil {
		return nil, err
	}
	if p.Missing() > 0 {
		return p, fmt.Errorf("stage %s: pending targets version %d has %d of the %d signatures it needs; sign it with: accord stage sign %s --key FILE",
			s.dir, p.Version, len(p.Signed), p.Threshold, s.dir)
	}
	if next.Signed.IsExpired(s.clock()) {
		return p, fmt.Errorf("stage %s: pending targets version %d expired at %s before it was published; clients would refuse it: discard it (accord stage discard %s) and make the change again",
			s.dir, p.Version, next.Signed.Expires.UTC().Format(time.RFC3339), s.dir)
	}
	if err := s.publishTargets(st, next, keys); err != nil {
		return p, err
	}
	return p, removePending(s.pendingPath())
}

// Discard removes the pending version and its signatures.
func (s *Stage) Discard() error {
	unlock, err := s.lock()
	if err != nil {
		return err
	}
	defer unlock()
	return removePending(s.pendingPath())
}

// TimestampResult says what [Stage.Timestamp] signed.
type TimestampResult struct {
	Timestamp        int64     `json:"timestamp_version"`
	TimestampExpires time.Time `json:"timestamp_expires"`
	Snapshot         int64     `json:"snapshot_version"`
	SnapshotExpires  time.Time `json:"snapshot_expires"`
	SnapshotSigned   bool      `json:"snapshot_signed"`
}

// Timestamp signs and publishes a new timestamp with the online key, for a
// job that runs more often than the timestamp's period. The snapshot is
// signed anew too when it would expire before the new timestamp, or within
// a quarter of its period.
func (s *Stage) Timestamp(keys []*Key) (*TimestampResult, error) {
	st, unlock, err := s.lockCurrent()
	if err != nil {
		return nil, err
	}
	defer unlock()
	if st.timestamp == nil {
		return nil, fmt.Errorf("stage %s: nothing published yet: targets version 1 is pending", s.dir)
	}
	if err := s.checkOnline(st, keys); err != nil {
		return nil, err
	}
	now := s.clock()
	snap := st.snapshot
	renew := snap.Signed.Expires.Before(now.Add(s.cfg.period(metadata.TIMESTAMP))) ||
		snap.Signed.Expires.Before(now.Add(s.cfg.period(metadata.SNAPSHOT)/4))
	if renew {
		if snap, err = s.renewSnapshot(st); err != nil {
			return nil, err
		}
		err = s.publishSnapshot(st, snap, keys)
	} else {
		err = s.publishTimestampOnly(st, keys)
	}
	if err != nil {
		return nil, err
	}
	after, err := s.load()
	if err != nil {
		return nil, err
	}
	return &TimestampResult{
		Timestamp:        after.timestamp.Signed.Version,
		TimestampExpires: after.timestamp.Signed.Expires,
		Snapshot:         after.snapshot.Signed.Version,
		SnapshotExpires:  after.snapshot.Signed.Expires,
		SnapshotSigned:   renew,
	}, nil
}

// publishTimestampOnly writes a new timestamp naming the published
// snapshot.
func (s *Stage) publishTimestampOnly(st *state, keys []*Key) error {
	ts := metadata.Timestamp(s.clock().Add(s.cfg.period(metadata.TIMESTAMP)))
	ts.Signed.Version = st.timestamp.Signed.Version + 1
	ts.Signed.Meta["snapshot.json"] = st.timestamp.Signed.Meta["snapshot.json"]
	if _, err := signWith(ts, roleKeys(st.root, metadata.TIMESTAMP, keys)); err != nil {
		return err
	}
	return writeMetadata(filepath.Join(s.PublicDir(), "timestamp.json"), ts, 0o644)
}
