package stage

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// RoleKeys are the keys [Init] gives a role: Keys it holds (and signs
// with), Public keys it only lists (someone else holds them), Generate
// new keys to make into the keys folder, and the Threshold.
type RoleKeys struct {
	Keys      []*Key
	Public    []*PublicKey
	Generate  int
	Threshold int
}

// InitOptions configure a new stage.
type InitOptions struct {
	// Name is the repository's name (as clients declare it).
	Name string
	// KeysDir is where generated keys go; "" is DIR/keys.
	KeysDir string
	// KeyType is the type of generated keys (default ed25519).
	KeyType KeyType
	// Passphrase, when not nil, encrypts generated keys.
	Passphrase []byte
	// Root and Targets are the roles' keys. Online is the snapshot and
	// timestamp key; nil generates one.
	Root, Targets RoleKeys
	Online        *Key
	// Expiry is each role's period; a role not in it gets the default.
	Expiry map[string]time.Duration
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// InitResult is what [Init] made.
type InitResult struct {
	Stage *Stage
	// RootFile is public/1.root.json and RootSHA256 its SHA-256, for
	// clients to pin.
	RootFile   string
	RootSHA256 string
	// Generated lists the key files written, by role.
	Generated map[string][]string
	// KeyIDs lists each role's key IDs.
	KeyIDs map[string][]string
	// Published is false when targets version 1 waits for signatures.
	Published bool
}

// Init creates a stage repository in dir: keys (generated into the keys
// folder, or given), root version 1 signed by its threshold, and empty
// targets version 1, published with snapshot and timestamp when opts hold
// its threshold of targets keys, else pending. A dir that already holds a
// stage, or anything in public/, is refused ([ErrExists]); so is a
// threshold above the number of a role's keys, or below 1.
func Init(dir string, opts InitOptions) (*InitResult, error) {
	if err := checkInit(dir, &opts); err != nil {
		return nil, err
	}
	cfg := &Config{Name: opts.Name, KeysDir: opts.KeysDir, Expiry: map[string]Duration{}}
	if cfg.KeysDir == "" {
		cfg.KeysDir = KeysDir
	}
	defaults := map[string]time.Duration{
		metadata.ROOT: DefaultRootExpiry, metadata.TARGETS: DefaultTargetsExpiry,
		metadata.SNAPSHOT: DefaultSnapshotExpiry, metadata.TIMESTAMP: DefaultTimestampExpiry,
	}
	for _, r := range Roles() {
		d := defaults[r]
		if v, ok := opts.Expiry[r]; ok {
			d = v
		}
		cfg.Expiry[r] = Duration(d)
	}
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("stage %s: %w", dir, err)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	s := &Stage{dir: dir, cfg: cfg, now: now}
	if err := os.MkdirAll(s.PublicDir(), 0o755); err != nil {
		return nil, err
	}
	res := &InitResult{Stage: s, Generated: map[string][]string{}, KeyIDs: map[string][]string{}}
	if err := s.generate(&opts, res); err != nil {
		return nil, err
	}
	root := metadata.Root(s.clock().Add(s.cfg.period(metadata.ROOT)))
	root.Signed.ConsistentSnapshot = true
	add := func(role string, pubs []*PublicKey, t int) error {
		for _, p := range pubs {
			if err := root.Signed.AddKey(p.Public, role); err != nil {
				return fmt.Errorf("key %s: %w", p.Source, err)
			}
		}
		root.Signed.Roles[role].Threshold = t
		res.KeyIDs[role] = roleKeyIDs(root, role)
		return nil
	}
	online := []*PublicKey{{Public: opts.Online.Public, ID: opts.Online.ID, Source: opts.Online.Source}}
	for _, r := range []struct {
		role string
		pubs []*PublicKey
		t    int
	}{
		{metadata.ROOT, opts.Root.Public, opts.Root.Threshold},
		{metadata.TARGETS, opts.Targets.Public, opts.Targets.Threshold},
		{metadata.SNAPSHOT, online, 1},
		{metadata.TIMESTAMP, online, 1},
	} {
		if err := add(r.role, r.pubs, r.t); err != nil {
			return nil, err
		}
	}
	if _, err := signWith(root, opts.Root.Keys); err != nil {
		return nil, err
	}
	data, err := root.ToBytes(true)
	if err != nil {
		return nil, err
	}
	res.RootFile = filepath.Join(s.PublicDir(), "1.root.json")
	if err := writeNew(res.RootFile, data); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	res.RootSHA256 = hex.EncodeToString(sum[:])

	st := &state{root: root}
	targets := s.newVersion(st)
	if _, err := signWith(targets, roleKeys(root, metadata.TARGETS, opts.Targets.Keys)); err != nil {
		return nil, err
	}
	if res.Published, _, err = s.settle(st, targets, []*Key{opts.Online}); err != nil {
		return nil, err
	}
	// stage.json last: a directory without it is not a stage, so no
	// command works on what an init that failed half-way left.
	if err := writeConfig(dir, cfg); err != nil {
		return nil, err
	}
	return res, nil
}

// checkInit refuses a directory that holds a repository, and keys and
// thresholds that cannot make one.
func checkInit(dir string, o *InitOptions) error {
	if o.Name == "" {
		return errors.New("stage init: no name")
	}
	if _, err := os.Stat(filepath.Join(dir, ConfigFile)); err == nil {
		return fmt.Errorf("stage %s: %w (%s exists)", dir, ErrExists, ConfigFile)
	}
	if entries, err := os.ReadDir(filepath.Join(dir, PublicDir)); err == nil && len(entries) > 0 {
		return fmt.Errorf("stage %s: %w (%s is not empty)", dir, ErrExists, filepath.Join(dir, PublicDir))
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("stage %s: %w", dir, err)
	}
	for _, r := range []struct {
		role string
		k    *RoleKeys
	}{{metadata.ROOT, &o.Root}, {metadata.TARGETS, &o.Targets}} {
		if r.k.Threshold == 0 {
			r.k.Threshold = 1
		}
		for _, k := range r.k.Keys {
			if !slices.ContainsFunc(r.k.Public, func(p *PublicKey) bool { return p.ID == k.ID }) {
				r.k.Public = append(r.k.Public, &PublicKey{Public: k.Public, ID: k.ID, Source: k.Source})
			}
		}
		given := len(r.k.Public)
		if given == 0 && r.k.Generate == 0 {
			r.k.Generate = r.k.Threshold
		}
		n := given + r.k.Generate
		switch {
		case r.k.Threshold < 1:
			return fmt.Errorf("%s threshold %d: must be at least 1", r.role, r.k.Threshold)
		case r.k.Threshold > n:
			return fmt.Errorf("%s threshold %d exceeds the %d %s keys", r.role, r.k.Threshold, n, r.role)
		}
	}
	if held := len(o.Root.Keys) + o.Root.Generate; held < o.Root.Threshold {
		return fmt.Errorf("root version 1 needs %d root signatures, and only %d root private keys are given or generated; give the private keys with --root-key",
			o.Root.Threshold, held)
	}
	return nil
}

// generate makes the keys opts asks for into the keys folder.
func (s *Stage) generate(o *InitOptions, res *InitResult) error {
	need := o.Root.Generate + o.Targets.Generate
	if o.Online == nil {
		need++
	}
	if need == 0 {
		return nil
	}
	kd := s.KeysDir()
	if err := os.MkdirAll(kd, 0o700); err != nil {
		return err
	}
	if err := os.Chmod(kd, 0o700); err != nil {
		return err
	}
	for _, r := range []struct {
		role string
		k    *RoleKeys
	}{{metadata.ROOT, &o.Root}, {metadata.TARGETS, &o.Targets}} {
		for range r.k.Generate {
			k, err := GenerateKey(kd, r.role, o.KeyType, o.Passphrase)
			if err != nil {
				return err
			}
			r.k.Keys = append(r.k.Keys, k)
			r.k.Public = append(r.k.Public, &PublicKey{Public: k.Public, ID: k.ID, Source: k.Source})
			res.Generated[r.role] = append(res.Generated[r.role], k.Source)
		}
	}
	if o.Online == nil {
		k, err := GenerateKey(kd, "online", o.KeyType, o.Passphrase)
		if err != nil {
			return err
		}
		o.Online = k
		res.Generated["online"] = append(res.Generated["online"], k.Source)
	}
	return nil
}
