package stage_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/accord-tuf/accord/stage"
)

// TestVerifiedByUpdater publishes a stage made by Init and Change and has
// go-tuf's own updater verify and download its target.
func TestVerifiedByUpdater(t *testing.T) {
	s, res := newStage(t, stage.InitOptions{})
	if !res.Published {
		t.Fatal("init with every key left targets version 1 pending")
	}
	file := filepath.Join(t.TempDir(), "app")
	must(t, os.WriteFile(file, []byte("app 1.4"), 0o644))
	inf, err := stage.InfoFromFile(file, "sha256", "sha512")
	must(t, err)
	cr, err := s.Change([]stage.Edit{{Target: "library/app:1.4", Info: inf, File: file}}, keys(t, s))
	must(t, err)
	if !cr.Published || cr.Version != 2 {
		t.Fatalf("change: published %v, version %d; want published version 2", cr.Published, cr.Version)
	}
	url, root := serve(t, s)
	up := updaterAt(t, url, root, time.Time{})
	must(t, up.Refresh())
	got, err := up.GetTargetInfo("library/app:1.4")
	must(t, err)
	if !got.Equal(*inf) {
		t.Fatalf("updater's info %+v, want %+v", got, inf)
	}
	_, data, err := up.DownloadTarget(got, filepath.Join(t.TempDir(), "out"), "")
	must(t, err)
	if string(data) != "app 1.4" {
		t.Fatalf("downloaded %q", data)
	}
	for _, f := range []string{"1.root.json", "2.targets.json", "2.snapshot.json", "timestamp.json"} {
		if _, err := os.Stat(filepath.Join(s.PublicDir(), f)); err != nil {
			t.Error(err)
		}
	}
}

// TestECDSAKeys makes a stage with ECDSA P-256 keys that go-tuf verifies.
func TestECDSAKeys(t *testing.T) {
	s, _ := newStage(t, stage.InitOptions{KeyType: stage.ECDSA})
	_, err := s.Change([]stage.Edit{{Target: "a", Info: info("a")}}, keys(t, s))
	must(t, err)
	url, root := serve(t, s)
	up := updaterAt(t, url, root, time.Time{})
	must(t, up.Refresh())
	_, err = up.GetTargetInfo("a")
	must(t, err)
}

// TestThresholdSigning signs a 2-of-3 targets role through pending/ with
// one key at a time, from three key folders.
func TestThresholdSigning(t *testing.T) {
	s, res := newStage(t, stage.InitOptions{Targets: stage.RoleKeys{Generate: 3, Threshold: 2}})
	if !res.Published {
		t.Fatal("targets 1 pending although init held every key")
	}
	all := keys(t, s)
	var targetsKeys, others []*stage.Key
	for _, k := range all {
		if slices.Contains(res.KeyIDs[metadata.TARGETS], k.ID) {
			targetsKeys = append(targetsKeys, k)
		} else {
			others = append(others, k)
		}
	}
	if len(targetsKeys) != 3 {
		t.Fatalf("%d targets keys", len(targetsKeys))
	}
	// The change, with the online key alone: pending, unsigned.
	cr, err := s.Change([]stage.Edit{{Target: "a", Info: info("a")}}, others)
	must(t, err)
	if cr.Published || cr.Pending == nil || len(cr.Pending.Signed) != 0 || cr.Pending.Missing() != 2 {
		t.Fatalf("change: %+v, want pending with 0 of 2", cr)
	}
	p, n, err := s.Sign(targetsKeys[:1], cr.Pending.Digest)
	must(t, err)
	if n != 1 || p.Missing() != 1 {
		t.Fatalf("after one signer: added %d, missing %d", n, p.Missing())
	}
	if _, err := s.Publish(others); err == nil {
		t.Fatal("published with 1 of 2 signatures")
	}
	// The same key again adds nothing.
	if _, n, err := s.Sign(targetsKeys[:1], ""); err != nil || n != 0 {
		t.Fatalf("same key again: %d, %v", n, err)
	}
	p, _, err = s.Sign(targetsKeys[2:], p.Digest)
	must(t, err)
	if p.Missing() != 0 {
		t.Fatalf("missing %d after two signers", p.Missing())
	}
	_, err = s.Publish(others)
	must(t, err)
	if _, err := os.Stat(filepath.Join(s.Dir(), stage.PendingDir, "targets.json")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("pending left after publish: %v", err)
	}
	url, root := serve(t, s)
	up := updaterAt(t, url, root, time.Time{})
	must(t, up.Refresh())
	_, err = up.GetTargetInfo("a")
	must(t, err)
}

// TestConcurrentSigners has five goroutines, each with its own Stage (its
// own lock file descriptor, as separate processes have) and key, sign the
// pending version at once, for several versions: every signature is kept.
func TestConcurrentSigners(t *testing.T) {
	const signers = 5
	s, res := newStage(t, stage.InitOptions{Targets: stage.RoleKeys{Generate: signers, Threshold: signers}})
	tk := roleKeysOf(t, s, res, metadata.TARGETS)
	online := roleKeysOf(t, s, res, metadata.TIMESTAMP)
	for round := range 6 {
		_, err := s.Change([]stage.Edit{{Target: fmt.Sprintf("t/%d", round), Info: info(fmt.Sprint(round))}}, nil)
		must(t, err)
		var wg sync.WaitGroup
		errs := make([]error, len(tk))
		for i, k := range tk {
			wg.Add(1)
			go func() {
				defer wg.Done()
				o, err := stage.Open(s.Dir())
				if err == nil {
					_, _, err = o.Sign([]*stage.Key{k}, "")
				}
				errs[i] = err
			}()
		}
		wg.Wait()
		for _, err := range errs {
			must(t, err)
		}
		p, err := s.Pending()
		must(t, err)
		if len(p.Signed) != signers {
			t.Fatalf("round %d: %d signatures kept, want %d", round, len(p.Signed), signers)
		}
		_, err = s.Publish(online)
		must(t, err)
	}
}

// TestStalePending: a signer shown one content refuses to sign another.
func TestStalePending(t *testing.T) {
	s, res := newStage(t, stage.InitOptions{Targets: stage.RoleKeys{Generate: 2, Threshold: 2}})
	cr, err := s.Change([]stage.Edit{{Target: "a", Info: info("a")}}, nil)
	must(t, err)
	_, err = s.Change([]stage.Edit{{Target: "b", Info: info("b")}}, nil)
	must(t, err)
	_, _, err = s.Sign(roleKeysOf(t, s, res, metadata.TARGETS), cr.Pending.Digest)
	if !errors.Is(err, stage.ErrStale) {
		t.Fatalf("sign of changed content: %v, want stale", err)
	}
}

// TestTargetRules: same info is a no-op, other info needs Replace, bad
// names and digests are refused and nothing is written.
func TestTargetRules(t *testing.T) {
	s, _ := newStage(t, stage.InitOptions{})
	k := keys(t, s)
	_, err := s.Change([]stage.Edit{{Target: "a", Info: info("a")}}, k)
	must(t, err)
	before := snapshotDir(t, s.PublicDir())
	cr, err := s.Change([]stage.Edit{{Target: "a", Info: info("a")}}, k)
	must(t, err)
	if cr.Changed() || cr.Published {
		t.Fatalf("same info: %+v", cr)
	}
	bad := []stage.Edit{
		{Target: "a", Info: info("other")},
		{Target: "../x", Info: info("x")},
		{Target: "b", Info: &metadata.TargetFiles{Length: 1, Hashes: metadata.Hashes{"sha256": []byte{1, 2}}}},
		{Target: "b", Info: &metadata.TargetFiles{Length: 1, Hashes: metadata.Hashes{"md5": make([]byte, 16)}}},
		{Target: "missing"},
	}
	for _, e := range bad {
		if _, err := s.Change([]stage.Edit{{Target: "ok", Info: info("ok")}, e}, k); err == nil {
			t.Errorf("edit %+v accepted", e)
		}
	}
	if after := snapshotDir(t, s.PublicDir()); !maps_equal(before, after) {
		t.Fatal("public/ changed on bad input")
	}
	cr, err = s.Change([]stage.Edit{{Target: "a", Info: info("other"), Replace: true}}, k)
	must(t, err)
	if cr.Targets[0].Action != stage.Replaced {
		t.Fatalf("replace: %v", cr.Targets[0].Action)
	}
}

func snapshotDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	must(t, filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		m[p] = string(b)
		return err
	}))
	return m
}

func maps_equal(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestTimestampKeepsClientAlive re-signs the timestamp past the old one's
// expiry; a client at that time verifies.
func TestTimestampKeepsClientAlive(t *testing.T) {
	now := time.Now().UTC()
	clock := func() time.Time { return now }
	s, _ := newStage(t, stage.InitOptions{Now: clock})
	s = s.WithClock(clock)
	_, err := s.Change([]stage.Edit{{Target: "a", Info: info("a")}}, keys(t, s))
	must(t, err)
	url, root := serve(t, s)
	later := now.Add(36 * time.Hour)
	if err := updaterAt(t, url, root, later).Refresh(); !errors.Is(err, &metadata.ErrExpiredMetadata{}) {
		t.Fatalf("refresh past the timestamp's expiry: %v, want expired", err)
	}
	now = later
	tr, err := s.Timestamp(keys(t, s))
	must(t, err)
	if tr.SnapshotSigned {
		t.Fatal("snapshot re-signed with most of its week left")
	}
	must(t, updaterAt(t, url, root, later).Refresh())
	now = now.Add(6 * 24 * time.Hour)
	tr, err = s.Timestamp(keys(t, s))
	must(t, err)
	if !tr.SnapshotSigned {
		t.Fatal("snapshot not re-signed a day before it expires")
	}
	must(t, updaterAt(t, url, root, now).Refresh())
}

// TestKeyChecks: a world-readable key file is refused with the chmod to
// run, a key of another role is refused naming the role and its keys.
func TestKeyChecks(t *testing.T) {
	s, res := newStage(t, stage.InitOptions{})
	f := res.Generated[metadata.TARGETS][0]
	must(t, os.Chmod(f, 0o644))
	_, err := stage.LoadKeyFile(f, nil)
	var pe *stage.PermissionError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "chmod 600 "+f) {
		t.Fatalf("world-readable key: %v", err)
	}
	must(t, os.Chmod(f, 0o600))
	online, err := stage.LoadKeyFile(res.Generated["online"][0], nil)
	must(t, err)
	_, _, err = s.Sign([]*stage.Key{online}, "")
	if !errors.Is(err, stage.ErrNotRoleKey) || !strings.Contains(err.Error(), res.KeyIDs[metadata.TARGETS][0]) {
		t.Fatalf("online key for targets: %v", err)
	}
}

// TestEncryptedKey generates an encrypted key and loads it with its
// passphrase; a wrong one is refused.
func TestEncryptedKey(t *testing.T) {
	dir := t.TempDir()
	k, err := stage.GenerateKey(dir, "targets", stage.ED25519, []byte("sesame"))
	must(t, err)
	data, err := os.ReadFile(k.Source)
	must(t, err)
	if !bytes.Contains(data, []byte("ENCRYPTED")) {
		t.Fatal("not encrypted")
	}
	if _, err := stage.LoadKeyFile(k.Source, nil); !errors.Is(err, stage.ErrPassphraseNeeded) {
		t.Fatalf("no passphrase: %v", err)
	}
	if _, err := stage.LoadKeyFile(k.Source, func(string) ([]byte, error) { return []byte("wrong"), nil }); err == nil {
		t.Fatal("wrong passphrase accepted")
	}
	got, err := stage.LoadKeyFile(k.Source, func(string) ([]byte, error) { return []byte("sesame"), nil })
	must(t, err)
	if got.ID != k.ID {
		t.Fatal("other key")
	}
}

// TestPrune keeps the newest versions, every root and the target files a
// kept version names; the stage still verifies.
func TestPrune(t *testing.T) {
	s, _ := newStage(t, stage.InitOptions{})
	k := keys(t, s)
	dir := t.TempDir()
	for i := range 4 {
		f := filepath.Join(dir, fmt.Sprint(i))
		must(t, os.WriteFile(f, fmt.Appendf(nil, "bytes %d", i), 0o644))
		inf, err := stage.InfoFromFile(f)
		must(t, err)
		_, err = s.Change([]stage.Edit{{Target: "app", Info: inf, File: f, Replace: true}}, k)
		must(t, err)
	}
	must(t, os.WriteFile(filepath.Join(s.PublicDir(), ".tmp-timestamp.json-123"), []byte("half"), 0o644))
	res, err := s.Prune(2)
	must(t, err)
	for _, gone := range []string{"1.targets.json", "3.targets.json", "1.snapshot.json", "3.snapshot.json", ".tmp-timestamp.json-123"} {
		if !slices.Contains(res.Removed, gone) {
			t.Errorf("%s not removed: %v", gone, res.Removed)
		}
		if _, err := os.Stat(filepath.Join(s.PublicDir(), gone)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still there", gone)
		}
	}
	for _, kept := range []string{"1.root.json", "4.targets.json", "5.targets.json", "5.snapshot.json", "timestamp.json"} {
		if _, err := os.Stat(filepath.Join(s.PublicDir(), kept)); err != nil {
			t.Errorf("%s removed: %v", kept, err)
		}
	}
	targetFiles := 0
	for _, f := range res.Removed {
		if strings.HasPrefix(f, "targets/") {
			targetFiles++
		}
	}
	if targetFiles != 2 {
		t.Errorf("removed %d target files, want the 2 of versions 2 and 3: %v", targetFiles, res.Removed)
	}
	url, root := serve(t, s)
	up := updaterAt(t, url, root, time.Time{})
	must(t, up.Refresh())
	inf, err := up.GetTargetInfo("app")
	must(t, err)
	_, data, err := up.DownloadTarget(inf, filepath.Join(t.TempDir(), "out"), "")
	must(t, err)
	if string(data) != "bytes 3" {
		t.Fatalf("downloaded %q", data)
	}
}

// TestInitRefusals: thresholds beyond the keys, root keys short of the
// threshold, an existing stage; nothing is made.
func TestInitRefusals(t *testing.T) {
	pubDir := t.TempDir()
	k1, err := stage.GenerateKey(pubDir, "t", stage.ED25519, nil)
	must(t, err)
	pub := &stage.PublicKey{Public: k1.Public, ID: k1.ID, Source: k1.Source}
	for name, opts := range map[string]stage.InitOptions{
		"targets threshold above keys": {Targets: stage.RoleKeys{Public: []*stage.PublicKey{pub}, Threshold: 2}},
		"root threshold above keys":    {Root: stage.RoleKeys{Generate: 1, Threshold: 2}},
		"root keys public only":        {Root: stage.RoleKeys{Public: []*stage.PublicKey{pub}, Threshold: 1}},
		"negative threshold":           {Targets: stage.RoleKeys{Threshold: -1}},
		"zero expiry":                  {Expiry: map[string]time.Duration{metadata.TIMESTAMP: -time.Hour}},
	} {
		t.Run(name, func(t *testing.T) {
			opts.Name = "x"
			dir := filepath.Join(t.TempDir(), "x")
			if _, err := stage.Init(dir, opts); err == nil {
				t.Fatal("accepted")
			}
			if _, err := stage.Open(dir); !errors.Is(err, stage.ErrNotStage) {
				t.Fatalf("open after a refused init: %v", err)
			}
		})
	}
	s, _ := newStage(t, stage.InitOptions{})
	if _, err := stage.Init(s.Dir(), stage.InitOptions{Name: "again"}); !errors.Is(err, stage.ErrExists) {
		t.Fatalf("init over a stage: %v", err)
	}
}

// TestExpiredPendingNotPublished: a pending version that expired before
// its last signature is not published.
func TestExpiredPendingNotPublished(t *testing.T) {
	now := time.Now().UTC()
	clock := func() time.Time { return now }
	s, res := newStage(t, stage.InitOptions{Now: clock, Targets: stage.RoleKeys{Generate: 2, Threshold: 2}, Expiry: map[string]time.Duration{metadata.TARGETS: time.Hour}})
	s = s.WithClock(clock)
	_, err := s.Change([]stage.Edit{{Target: "a", Info: info("a")}}, roleKeysOf(t, s, res, metadata.TARGETS)[:1])
	must(t, err)
	now = now.Add(2 * time.Hour)
	_, _, err = s.Sign(roleKeysOf(t, s, res, metadata.TARGETS)[1:], "")
	must(t, err)
	if _, err := s.Publish(keys(t, s)); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("publish of an expired pending version: %v", err)
	}
}
