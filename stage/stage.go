package stage

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofrs/flock"
	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/accord-tuf/accord/internal/atomicfile"
)

// Stage is one stage repository on disk. Its methods take the stage's lock
// (a file lock on the directory) for every change, so that several
// processes, or goroutines with their own Stage, may work on one directory
// at once; a Stage value is safe for concurrent use.
type Stage struct {
	dir string
	cfg *Config
	now func() time.Time
}

// Open opens the stage repository in dir. A directory that holds no stage
// is an error matching [ErrNotStage].
func Open(dir string) (*Stage, error) {
	cfg, err := readConfig(dir)
	if err != nil {
		return nil, err
	}
	return &Stage{dir: dir, cfg: cfg, now: time.Now}, nil
}

// WithClock returns a copy of s that takes the current time from now, for
// expiry dates and checks.
func (s *Stage) WithClock(now func() time.Time) *Stage {
	c := *s
	c.now = now
	return &c
}

// Dir returns the stage's directory.
func (s *Stage) Dir() string { return s.dir }

// Name returns the stage's repository name.
func (s *Stage) Name() string { return s.cfg.Name }

// Config returns a copy of the stage's settings.
func (s *Stage) Config() Config {
	c := *s.cfg
	return c
}

// KeysDir returns the folder the commands look in for private keys.
func (s *Stage) KeysDir() string {
	if filepath.IsAbs(s.cfg.KeysDir) {
		return s.cfg.KeysDir
	}
	return filepath.Join(s.dir, s.cfg.KeysDir)
}

// PublicDir returns the published tree's folder.
func (s *Stage) PublicDir() string { return filepath.Join(s.dir, PublicDir) }

func (s *Stage) pendingPath() string { return filepath.Join(s.dir, PendingDir, pendingTargets) }

// lock takes the stage's lock, waiting for it, and returns its release.
func (s *Stage) lock() (func(), error) {
	l := flock.New(filepath.Join(s.dir, lockFile))
	if err := l.Lock(); err != nil {
		return nil, fmt.Errorf("stage %s: lock: %w", s.dir, err)
	}
	return func() { l.Unlock() }, nil
}

// lockLoad takes the lock and loads the state under it. On success the
// caller must call the returned unlock; on error the lock is released.
func (s *Stage) lockLoad() (*state, func(), error) {
	unlock, err := s.lock()
	if err != nil {
		return nil, nil, err
	}
	st, err := s.load()
	if err != nil {
		unlock()
		return nil, nil, err
	}
	return st, unlock, nil
}

// lockCurrent is [Stage.lockLoad] for a change that needs an unexpired
// root ([Stage.checkRoot]).
func (s *Stage) lockCurrent() (*state, func(), error) {
	st, unlock, err := s.lockLoad()
	if err != nil {
		return nil, nil, err
	}
	if err := s.checkRoot(st); err != nil {
		unlock()
		return nil, nil, err
	}
	return st, unlock, nil
}

// clock returns the current time, to the second, in UTC (metadata holds
// seconds).
func (s *Stage) clock() time.Time { return s.now().UTC().Truncate(time.Second) }

// state is what public/ holds: the newest root and the metadata the
// timestamp leads to (nil before the first publication of targets).
type state struct {
	root      *metadata.Metadata[metadata.RootType]
	timestamp *metadata.Metadata[metadata.TimestampType]
	snapshot  *metadata.Metadata[metadata.SnapshotType]
	targets   *metadata.Metadata[metadata.TargetsType]
}

// targetsVersion is the published targets version, 0 before the first.
func (st *state) targetsVersion() int64 {
	if st.targets == nil {
		return 0
	}
	return st.targets.Signed.Version
}

// rootVersions lists the N of every N.root.json in public, ascending.
func rootVersions(public string) ([]int64, error) {
	entries, err := os.ReadDir(public)
	if err != nil {
		return nil, err
	}
	var vs []int64
	for _, e := range entries {
		n, ok := strings.CutSuffix(e.Name(), ".root.json")
		if !ok {
			continue
		}
		if v, err := strconv.ParseInt(n, 10, 64); err == nil && v > 0 {
			vs = append(vs, v)
		}
	}
	slices.Sort(vs)
	return vs, nil
}

// load reads the published state. Every file must parse; root must be
// signed by its own threshold and every other role by the keys root lists.
func (s *Stage) load() (*state, error) {
	public := s.PublicDir()
	vs, err := rootVersions(public)
	if err != nil {
		return nil, fmt.Errorf("stage %s: %w", s.dir, err)
	}
	if len(vs) == 0 {
		return nil, fmt.Errorf("stage %s: no root metadata in %s", s.dir, public)
	}
	st := &state{}
	rootFile := filepath.Join(public, fmt.Sprintf("%d.root.json", vs[len(vs)-1]))
	if st.root, err = readMetadata[metadata.RootType](rootFile); err != nil {
		return nil, err
	}
	if err := st.root.VerifyDelegate(metadata.ROOT, st.root); err != nil {
		return nil, fmt.Errorf("%s: %w", rootFile, err)
	}
	tsFile := filepath.Join(public, "timestamp.json")
	if _, err := os.Stat(tsFile); errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if st.timestamp, err = readMetadata[metadata.TimestampType](tsFile); err != nil {
		return nil, err
	}
	snapMeta := st.timestamp.Signed.Meta["snapshot.json"]
	if snapMeta == nil {
		return nil, fmt.Errorf("%s: no snapshot.json entry", tsFile)
	}
	snapFile := filepath.Join(public, fmt.Sprintf("%d.snapshot.json", snapMeta.Version))
	if st.snapshot, err = readMetadata[metadata.SnapshotType](snapFile); err != nil {
		return nil, err
	}
	tMeta := st.snapshot.Signed.Meta["targets.json"]
	if tMeta == nil {
		return nil, fmt.Errorf("%s: no targets.json entry", snapFile)
	}
	tFile := filepath.Join(public, fmt.Sprintf("%d.targets.json", tMeta.Version))
	if st.targets, err = readMetadata[metadata.TargetsType](tFile); err != nil {
		return nil, err
	}
	if err := st.root.VerifyDelegate(metadata.TARGETS, st.targets); err != nil {
		return nil, fmt.Errorf("%s: %w", tFile, err)
	}
	return st, nil
}

// readMetadata reads and parses one metadata file.
func readMetadata[T metadata.Roles](path string) (*metadata.Metadata[T], error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var md metadata.Metadata[T]
	if _, err := md.FromBytes(data); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &md, nil
}

// writeMetadata writes md to path atomically.
func writeMetadata[T metadata.Roles](path string, md *metadata.Metadata[T], perm fs.FileMode) error {
	data, err := md.ToBytes(true)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := atomicfile.WriteFile(path, data, perm); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// checkRoot refuses to sign under a root that has expired.
func (s *Stage) checkRoot(st *state) error {
	if st.root.Signed.IsExpired(s.clock()) {
		return fmt.Errorf("stage %s: root version %d expired at %s: %w; clients refuse everything under it until a new root is published",
			s.dir, st.root.Signed.Version, st.root.Signed.Expires.UTC().Format(time.RFC3339), ErrExpiredRoot)
	}
	return nil
}

// loadPending reads pending/targets.json, or returns nil when there is
// none. A pending version not built on the published one is stale.
func (s *Stage) loadPending(st *state) (*metadata.Metadata[metadata.TargetsType], error) {
	p := s.pendingPath()
	if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	md, err := readMetadata[metadata.TargetsType](p)
	if err != nil {
		return nil, fmt.Errorf("stage %s: %w", s.dir, err)
	}
	if want := st.targetsVersion() + 1; md.Signed.Version != want {
		return nil, &StaleError{Dir: s.dir, Reason: fmt.Sprintf(
			"version %d was built on targets version %d, but version %d is published; discard it with: accord stage discard %s",
			md.Signed.Version, md.Signed.Version-1, st.targetsVersion(), s.dir)}
	}
	return md, nil
}

// digest identifies the signed content of md (not its signatures), so that
// a signer can check that what it signs is what it was shown.
func digest(md *metadata.Metadata[metadata.TargetsType]) (string, error) {
	b, err := json.Marshal(md.Signed)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// roleKeyIDs returns the key IDs root lists for role, sorted.
func roleKeyIDs(root *metadata.Metadata[metadata.RootType], role string) []string {
	r := root.Signed.Roles[role]
	if r == nil {
		return nil
	}
	return slices.Sorted(slices.Values(r.KeyIDs))
}

// validSigners returns the key IDs of role whose signatures on md verify,
// sorted. Each is checked alone through go-tuf's VerifyDelegate against a
// root that lists only that key with threshold 1.
func validSigners[T metadata.Roles](root *metadata.Metadata[metadata.RootType], role string, md *metadata.Metadata[T]) []string {
	var ids []string
	for _, id := range roleKeyIDs(root, role) {
		one := &metadata.Metadata[metadata.RootType]{Signed: metadata.RootType{
			Keys:  root.Signed.Keys,
			Roles: map[string]*metadata.Role{role: {KeyIDs: []string{id}, Threshold: 1}},
		}}
		if one.VerifyDelegate(role, md) == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// CheckKeys checks that each of keys is a key of one of roles, as root
// lists them: a key given for a command that none of them lists is an
// error ([NotRoleKeyError]) naming the roles and the key IDs they expect.
func (s *Stage) CheckKeys(keys []*Key, roles ...string) error {
	st, err := s.load()
	if err != nil {
		return err
	}
	return checkKeys(st.root, keys, roles)
}

func checkKeys(root *metadata.Metadata[metadata.RootType], keys []*Key, roles []string) error {
	for _, k := range keys {
		found := false
		for _, r := range roles {
			found = found || slices.Contains(roleKeyIDs(root, r), k.ID)
		}
		if !found {
			e := &NotRoleKeyError{Key: k.ID, Source: k.Source, Roles: roles, Expected: map[string][]string{}}
			for _, r := range roles {
				e.Expected[r] = roleKeyIDs(root, r)
			}
			return e
		}
	}
	return nil
}

// roleKeys returns those of keys that root lists for role, each once.
func roleKeys(root *metadata.Metadata[metadata.RootType], role string, keys []*Key) []*Key {
	ids := roleKeyIDs(root, role)
	var out []*Key
	seen := map[string]bool{}
	for _, k := range keys {
		if slices.Contains(ids, k.ID) && !seen[k.ID] {
			seen[k.ID] = true
			out = append(out, k)
		}
	}
	return out
}

// signWith adds a signature of each key that has not signed md yet and
// returns how many it added.
func signWith[T metadata.Roles](md *metadata.Metadata[T], keys []*Key) (int, error) {
	n := 0
	for _, k := range keys {
		if slices.ContainsFunc(md.Signatures, func(sig metadata.Signature) bool { return sig.KeyID == k.ID }) {
			continue
		}
		if _, err := md.Sign(k); err != nil {
			return n, fmt.Errorf("signing with key %s (%s): %w", k.ID, k.Source, err)
		}
		n++
	}
	return n, nil
}

// threshold returns role's threshold.
func threshold(root *metadata.Metadata[metadata.RootType], role string) int {
	if r := root.Signed.Roles[role]; r != nil {
		return r.Threshold
	}
	return 0
}

// FilterKeys returns those of keys that root lists for one of roles.
func (s *Stage) FilterKeys(keys []*Key, roles ...string) ([]*Key, error) {
	st, err := s.load()
	if err != nil {
		return nil, err
	}
	var out []*Key
	for _, k := range keys {
		for _, r := range roles {
			if slices.Contains(roleKeyIDs(st.root, r), k.ID) {
				out = append(out, k)
				break
			}
		}
	}
	return out, nil
}
