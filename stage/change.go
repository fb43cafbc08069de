package stage

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/accord-tuf/accord/internal/atomicfile"
	"github.com/accord-tuf/accord/mapfile"
)

// Edit is one change to the targets a stage signs: add (or, with Replace,
// overwrite) Target with Info, or, when Info is nil, remove Target.
type Edit struct {
	Target string
	// Info is the length, hashes and optional custom data to sign; nil
	// removes Target.
	Info *metadata.TargetFiles
	// Replace lets the edit overwrite a target signed with other info.
	Replace bool
	// File, when set, is a file holding the target's bytes: they must
	// match Info, and are published under targets/ as
	// "<hash>.<name>", one copy per hash algorithm.
	File string
}

// Action says what an edit did to a target.
type Action string

// Actions.
const (
	Added     Action = "added"
	Replaced  Action = "replaced"
	Removed   Action = "removed"
	Unchanged Action = "unchanged"
)

// TargetChange is what happened, or is pending, for one target.
type TargetChange struct {
	Target string                `json:"target"`
	Action Action                `json:"action"`
	Old    *metadata.TargetFiles `json:"old,omitempty"`
	New    *metadata.TargetFiles `json:"new,omitempty"`
}

// ChangeResult is what [Stage.Change] did.
type ChangeResult struct {
	// Targets lists each edit's outcome, in the order given.
	Targets []TargetChange `json:"targets"`
	// Published is true when the change was signed by the targets
	// threshold and published; otherwise, unless nothing changed, it is
	// in the pending version.
	Published bool `json:"published"`
	// Pending is the pending version after the change, nil when none is
	// left.
	Pending *Pending `json:"pending"`
	// Version is the targets version the change went into (published or
	// pending); 0 when nothing changed and nothing was pending.
	Version int64 `json:"version"`
}

// Changed reports whether any edit changed anything.
func (r *ChangeResult) Changed() bool {
	for _, t := range r.Targets {
		if t.Action != Unchanged {
			return true
		}
	}
	return false
}

// Change applies edits to the stage's targets, all or none: every edit is
// checked first (target names as [mapfile.ValidateTarget] checks them,
// digests, custom JSON, an existing target with other info unless
// Replace, a removed target that is not signed), and nothing is written
// when one fails. A target given with the info it already has is
// unchanged (an edit without custom data keeps the target's). The edits go into the pending version (a new one, built on
// the published targets, when none is pending); signatures it had are
// dropped when its content changes. It is then signed with those of keys
// that are targets keys and, when that meets the targets threshold and
// keys hold the online key, published; otherwise it is left pending for
// [Stage.Sign].
func (s *Stage) Change(edits []Edit, keys []*Key) (*ChangeResult, error) {
	if err := checkEdits(edits); err != nil {
		return nil, err
	}
	st, unlock, err := s.lockCurrent()
	if err != nil {
		return nil, err
	}
	defer unlock()
	pending, err := s.loadPending(st)
	if err != nil {
		return nil, err
	}
	next := pending
	if next == nil {
		next = s.newVersion(st)
	}
	res := &ChangeResult{}
	for _, e := range edits {
		tc, err := applyEdit(next.Signed.Targets, e)
		if err != nil {
			return nil, fmt.Errorf("stage %s: %w", s.dir, err)
		}
		res.Targets = append(res.Targets, tc)
	}
	if !res.Changed() {
		if pending != nil {
			res.Version = pending.Signed.Version
			res.Pending, err = s.describePending(st, pending)
		}
		return res, err
	}
	for _, e := range edits {
		if e.File != "" && e.Info != nil {
			if err := s.copyTarget(e); err != nil {
				return nil, err
			}
		}
	}
	next.Signatures = []metadata.Signature{}
	next.Signed.Expires = s.clock().Add(s.cfg.period(metadata.TARGETS))
	res.Version = next.Signed.Version
	if _, err := signWith(next, roleKeys(st.root, metadata.TARGETS, keys)); err != nil {
		return nil, err
	}
	res.Published, res.Pending, err = s.settle(st, next, keys)
	return res, err
}

// newVersion returns the next targets version: the published targets'
// content, without signatures, one version on.
func (s *Stage) newVersion(st *state) *metadata.Metadata[metadata.TargetsType] {
	next := metadata.Targets(s.clock().Add(s.cfg.period(metadata.TARGETS)))
	if st.targets != nil {
		for name, info := range st.targets.Signed.Targets {
			next.Signed.Targets[name] = cloneInfo(info)
		}
		next.Signed.Version = st.targets.Signed.Version + 1
	}
	return next
}

// settle publishes next when it has its threshold of signatures and keys
// hold the online key; otherwise it writes next as the pending version.
func (s *Stage) settle(st *state, next *metadata.Metadata[metadata.TargetsType], keys []*Key) (bool, *Pending, error) {
	signed := validSigners(st.root, metadata.TARGETS, next)
	if len(signed) >= threshold(st.root, metadata.TARGETS) && s.checkOnline(st, keys) == nil {
		if err := s.publishTargets(st, next, keys); err != nil {
			return false, nil, err
		}
		if err := removePending(s.pendingPath()); err != nil {
			return true, nil, err
		}
		return true, nil, nil
	}
	if err := os.MkdirAll(filepath.Join(s.dir, PendingDir), 0o755); err != nil {
		return false, nil, err
	}
	if err := writeMetadata(s.pendingPath(), next, 0o644); err != nil {
		return false, nil, err
	}
	p, err := s.describePending(st, next)
	return false, p, err
}

// removePending removes the pending file, if any.
func removePending(p string) error {
	switch err := os.Remove(p); {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return err
	}
	return atomicfile.SyncDir(filepath.Dir(p))
}

// checkEdits checks every edit before anything is read or written.
func checkEdits(edits []Edit) error {
	var errs []error
	seen := map[string]bool{}
	for _, e := range edits {
		if err := mapfile.ValidateTarget(e.Target); err != nil {
			errs = append(errs, err)
			continue
		}
		if seen[e.Target] {
			errs = append(errs, fmt.Errorf("target %q: given twice", e.Target))
		}
		seen[e.Target] = true
		if e.Info != nil {
			if err := CheckInfo(e.Info); err != nil {
				errs = append(errs, fmt.Errorf("target %q: %w", e.Target, err))
			}
		}
	}
	return errors.Join(errs...)
}

// digestSize returns the digest size in bytes of a hash algorithm a stage
// signs: those go-tuf's clients verify, sha256 and sha512 (a target
// signed with another could not be downloaded).
func digestSize(alg string) (int, bool) {
	switch alg {
	case "sha256":
		return 32, true
	case "sha512":
		return 64, true
	}
	return 0, false
}

// CheckInfo checks target info before it is signed: a length of at least
// zero, at least one hash, each of a known algorithm (sha256, sha512)
// with a digest of its size, and custom data, when present, a JSON
// object.
func CheckInfo(info *metadata.TargetFiles) error {
	if info.Length < 0 {
		return fmt.Errorf("length %d is negative", info.Length)
	}
	if len(info.Hashes) == 0 {
		return errors.New("no hashes")
	}
	for _, alg := range slices.Sorted(maps.Keys(info.Hashes)) {
		size, ok := digestSize(alg)
		if !ok {
			return fmt.Errorf("hash algorithm %q: want sha256 or sha512", alg)
		}
		if len(info.Hashes[alg]) != size {
			return fmt.Errorf("%s digest of %d bytes, want %d (%d hex digits)", alg, len(info.Hashes[alg]), size, 2*size)
		}
	}
	if info.Custom != nil {
		var obj map[string]any
		if err := json.Unmarshal(*info.Custom, &obj); err != nil || obj == nil {
			return errors.New("custom data is not a JSON object")
		}
	}
	return nil
}

// applyEdit applies e to targets.
func applyEdit(targets map[string]*metadata.TargetFiles, e Edit) (TargetChange, error) {
	old := targets[e.Target]
	tc := TargetChange{Target: e.Target, Old: cloneInfo(old), New: cloneInfo(e.Info)}
	switch {
	case e.Info == nil && old == nil:
		return tc, fmt.Errorf("target %q: not signed, nothing to remove", e.Target)
	case e.Info == nil:
		delete(targets, e.Target)
		tc.Action = Removed
	case old == nil:
		targets[e.Target] = cloneInfo(e.Info)
		tc.Action = Added
	case sameInfo(old, e.Info) || e.Info.Custom == nil && sameInfo(old, &metadata.TargetFiles{Length: e.Info.Length, Hashes: e.Info.Hashes, Custom: old.Custom}):
		// Without custom data of its own, an edit with the same length
		// and hashes keeps the target's custom data (promotion signs
		// length and hashes alone).
		tc.Action = Unchanged
	case !e.Replace:
		return tc, &TargetExistsError{Target: e.Target}
	default:
		targets[e.Target] = cloneInfo(e.Info)
		tc.Action = Replaced
	}
	return tc, nil
}

// sameInfo reports whether a and b have the same length, the same hashes
// and the same custom data.
func sameInfo(a, b *metadata.TargetFiles) bool {
	if a.Length != b.Length || !maps.EqualFunc(a.Hashes, b.Hashes, func(x, y metadata.HexBytes) bool { return bytes.Equal(x, y) }) {
		return false
	}
	return canonicalCustom(a.Custom) == canonicalCustom(b.Custom)
}

// canonicalCustom returns custom data re-encoded, so that spacing and key
// order do not count as a difference.
func canonicalCustom(c *json.RawMessage) string {
	if c == nil {
		return ""
	}
	var v any
	if err := json.Unmarshal(*c, &v); err != nil {
		return string(*c)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// cloneInfo returns a copy of info (nil for nil) without the path go-tuf
// keeps beside it.
func cloneInfo(info *metadata.TargetFiles) *metadata.TargetFiles {
	if info == nil {
		return nil
	}
	c := &metadata.TargetFiles{Length: info.Length, Hashes: metadata.Hashes{}}
	for alg, d := range info.Hashes {
		c.Hashes[alg] = bytes.Clone(d)
	}
	if info.Custom != nil {
		raw := json.RawMessage(bytes.Clone(*info.Custom))
		c.Custom = &raw
	}
	return c
}

// InfoFromFile computes the target info of the file at path: its length
// and the digests of algs (sha256 when none), as go-tuf computes them.
func InfoFromFile(path string, algs ...string) (*metadata.TargetFiles, error) {
	if len(algs) == 0 {
		algs = []string{"sha256"}
	}
	info, err := metadata.TargetFile().FromFile(path, algs...)
	if err != nil {
		return nil, err
	}
	return cloneInfo(info), nil
}

// copyTarget publishes the bytes of e.File under targets/, one
// content-addressed copy per hash algorithm, after checking them against
// e.Info.
func (s *Stage) copyTarget(e Edit) error {
	data, err := os.ReadFile(e.File)
	if err != nil {
		return fmt.Errorf("target %q: %w", e.Target, err)
	}
	if err := e.Info.VerifyLengthHashes(data); err != nil {
		return fmt.Errorf("target %q: %s does not match the length and hashes given: %w", e.Target, e.File, err)
	}
	dir, base := path.Split(e.Target)
	root := filepath.Join(s.PublicDir(), "targets", filepath.FromSlash(dir))
	if err := os.MkdirAll(root, 0o755); err != nil {
		return err
	}
	for _, alg := range slices.Sorted(maps.Keys(e.Info.Hashes)) {
		name := filepath.Join(root, hex.EncodeToString(e.Info.Hashes[alg])+"."+base)
		if err := atomicfile.Write(name, 0o644, func(w io.Writer) error {
			_, err := w.Write(data)
			return err
		}); err != nil {
			return fmt.Errorf("target %q: %w", e.Target, err)
		}
	}
	return nil
}

// atomicWrite writes a public file atomically.
func atomicWrite(path string, data []byte) error {
	if err := atomicfile.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
