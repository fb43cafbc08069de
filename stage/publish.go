package stage

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// Publication order. A reader of public/ (a client, or a sync tool copying
// the tree to a bucket) must never see a timestamp that names a snapshot
// it cannot fetch, nor a snapshot naming missing targets metadata, so
// publish writes, each file atomically (temporary file, fsync, rename):
//
//  1. target files (content-addressed, "<hash>.<name>"; written by the
//     change that adds them, before any metadata names them);
//  2. N.targets.json;
//  3. N.snapshot.json;
//  4. timestamp.json;
//  5. a new root, N.root.json, when a key rotation publishes one: last,
//     after a timestamp that verifies under the old and the new root (see
//     [Stage.Rotate]; a rotation without the old keys at hand writes it
//     before the timestamp).
//
// Versioned files are never rewritten, so until step 4 a reader sees the
// old state whole, and after it the new state whole. A sync tool must copy
// in the same order: every versioned file and target but roots first,
// then timestamp.json, then new N.root.json files, and delete old
// versions (see [Stage.Prune]) only after that.

// publishTargets publishes targets, already signed by its threshold,
// together with a new snapshot and timestamp signed with the online key.
func (s *Stage) publishTargets(st *state, targets *metadata.Metadata[metadata.TargetsType], keys []*Key) error {
	if err := s.checkOnline(st, keys); err != nil {
		return err
	}
	public := s.PublicDir()
	tData, err := targets.ToBytes(true)
	if err != nil {
		return err
	}
	tPath := filepath.Join(public, fmt.Sprintf("%d.targets.json", targets.Signed.Version))
	if err := writeNew(tPath, tData); err != nil {
		return err
	}
	snap := metadata.Snapshot(s.clock().Add(s.cfg.period(metadata.SNAPSHOT)))
	if st.snapshot != nil {
		snap.Signed.Version = st.snapshot.Signed.Version + 1
	}
	snap.Signed.Meta["targets.json"] = metaFile(targets.Signed.Version, tData)
	return s.publishSnapshot(st, snap, keys)
}

// publishSnapshot signs snap with the online key, writes it, and then a new
// timestamp naming it.
func (s *Stage) publishSnapshot(st *state, snap *metadata.Metadata[metadata.SnapshotType], keys []*Key) error {
	if _, err := signWith(snap, roleKeys(st.root, metadata.SNAPSHOT, keys)); err != nil {
		return err
	}
	sData, err := snap.ToBytes(true)
	if err != nil {
		return err
	}
	sPath := filepath.Join(s.PublicDir(), fmt.Sprintf("%d.snapshot.json", snap.Signed.Version))
	if err := writeNew(sPath, sData); err != nil {
		return err
	}
	ts := metadata.Timestamp(s.clock().Add(s.cfg.period(metadata.TIMESTAMP)))
	if st.timestamp != nil {
		ts.Signed.Version = st.timestamp.Signed.Version + 1
	}
	ts.Signed.Meta["snapshot.json"] = metaFile(snap.Signed.Version, sData)
	if _, err := signWith(ts, roleKeys(st.root, metadata.TIMESTAMP, keys)); err != nil {
		return err
	}
	return writeMetadata(filepath.Join(s.PublicDir(), "timestamp.json"), ts, 0o644)
}

// checkOnline makes sure keys hold the snapshot and timestamp thresholds.
func (s *Stage) checkOnline(st *state, keys []*Key) error {
	for _, role := range []string{metadata.SNAPSHOT, metadata.TIMESTAMP} {
		if have, need := len(roleKeys(st.root, role, keys)), threshold(st.root, role); have < need {
			return fmt.Errorf("stage %s: publishing needs the online key of %s (%d of %d found; it expects %v); give it with --key or put it in %s",
				s.dir, role, have, need, roleKeyIDs(st.root, role), s.KeysDir())
		}
	}
	return nil
}

// metaFile describes a metadata file for snapshot or timestamp: version,
// length and SHA-256.
func metaFile(version int64, data []byte) *metadata.MetaFiles {
	m := metadata.MetaFile(version)
	sum := sha256.Sum256(data)
	m.Length = int64(len(data))
	m.Hashes = metadata.Hashes{"sha256": sum[:]}
	return m
}

// writeNew writes a versioned file. One that exists already with the same
// bytes (a publication killed after writing it) is left; with other bytes
// it is replaced: no timestamp names it yet, since timestamp.json is
// written last.
func writeNew(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && string(old) == string(data) {
		return nil
	}
	return atomicWrite(path, data)
}
