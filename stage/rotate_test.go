package stage_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/accord-tuf/accord/stage"
)

// newKey generates a key outside the stage's keys folder.
func newKey(t *testing.T, prefix string) (*stage.Key, *stage.PublicKey) {
	t.Helper()
	k, err := stage.GenerateKey(t.TempDir(), prefix, stage.ED25519, nil)
	must(t, err)
	return k, &stage.PublicKey{Public: k.Public, ID: k.ID, Source: k.Source}
}

// TestRotateFollowedByUpdater rotates the root, targets, snapshot and
// timestamp keys in turn, each time replacing the old key with a new one;
// go-tuf's updater trusting root 1 follows every rotation and still
// verifies the target, and the rotated keys are the only ones listed.
func TestRotateFollowedByUpdater(t *testing.T) {
	s, res := newStage(t, stage.InitOptions{})
	ks := keys(t, s)
	_, err := s.Change([]stage.Edit{{Target: "app", Info: info("app")}}, ks)
	must(t, err)
	url, root1 := serve(t, s)
	check := func(step string) {
		t.Helper()
		up := updaterAt(t, url, root1, time.Time{})
		if err := up.Refresh(); err != nil {
			t.Fatalf("after %s: updater pinned to root 1: %v", step, err)
		}
		got, err := up.GetTargetInfo("app")
		if err != nil || !got.Equal(*info("app")) {
			t.Fatalf("after %s: target info %+v, %v", step, got, err)
		}
	}
	check("init")

	want := map[string][]string{}
	for i, role := range stage.Roles() {
		nk, pub := newKey(t, role)
		old := res.KeyIDs[role]
		if role == metadata.TIMESTAMP {
			// snapshot's rotation left the init online key to timestamp.
			old = res.KeyIDs[metadata.TIMESTAMP]
		}
		rr, err := s.Rotate(stage.Rotation{Role: role, Add: []*stage.PublicKey{pub}, Remove: old}, append(ks, nk))
		if err != nil {
			t.Fatalf("rotate %s: %v", role, err)
		}
		if rr.RootVersion != int64(i+2) || !slices.Equal(rr.KeyIDs, []string{nk.ID}) {
			t.Fatalf("rotate %s: %+v", role, rr)
		}
		ks = append(ks, nk)
		want[role] = []string{nk.ID}
		check("rotating " + role)
	}
	st, err := s.Status()
	must(t, err)
	for _, r := range st.Roles {
		if !slices.Equal(r.KeyIDs, want[r.Role]) {
			t.Errorf("%s keys %v, want %v", r.Role, r.KeyIDs, want[r.Role])
		}
	}
	// The stage keeps working with the new keys: a change is published
	// and verified.
	_, err = s.Change([]stage.Edit{{Target: "app2", Info: info("app2")}}, ks)
	must(t, err)
	check("a change after the rotations")
}

// TestRotateRefusals: what a rotation cannot do is refused before any file
// is written.
func TestRotateRefusals(t *testing.T) {
	s, res := newStage(t, stage.InitOptions{Targets: stage.RoleKeys{Generate: 2, Threshold: 1}})
	ks := keys(t, s)
	nk, pub := newKey(t, "root")
	before := snapshotDir(t, s.PublicDir())
	onlyOnline := slices.DeleteFunc(slices.Clone(ks), func(k *stage.Key) bool {
		return slices.Contains(res.KeyIDs[metadata.ROOT], k.ID) || slices.Contains(res.KeyIDs[metadata.TARGETS], k.ID)
	})
	for name, c := range map[string]struct {
		r    stage.Rotation
		keys []*stage.Key
	}{
		"unknown role":        {stage.Rotation{Role: "bins"}, ks},
		"remove unknown key":  {stage.Rotation{Role: metadata.TARGETS, Remove: []string{nk.ID}}, ks},
		"add a listed key":    {stage.Rotation{Role: metadata.TARGETS, Add: []*stage.PublicKey{{Public: ks[0].Public, ID: res.KeyIDs[metadata.TARGETS][0]}}}, ks},
		"threshold above":     {stage.Rotation{Role: metadata.TARGETS, Threshold: 3}, ks},
		"no key left":         {stage.Rotation{Role: metadata.ROOT, Remove: res.KeyIDs[metadata.ROOT]}, ks},
		"new root unsigned":   {stage.Rotation{Role: metadata.ROOT, Add: []*stage.PublicKey{pub}, Remove: res.KeyIDs[metadata.ROOT]}, ks},
		"old root unsigned":   {stage.Rotation{Role: metadata.ROOT, Add: []*stage.PublicKey{pub}}, append(slices.Clone(onlyOnline), nk)},
		"targets not signed":  {stage.Rotation{Role: metadata.TARGETS, Threshold: 2}, append(slices.Clone(onlyOnline), rootKeys(t, s, res)...)},
		"online key missing":  {stage.Rotation{Role: metadata.TIMESTAMP, Add: []*stage.PublicKey{pub}, Remove: res.KeyIDs[metadata.TIMESTAMP]}, ks},
		"targets key missing": {stage.Rotation{Role: metadata.TARGETS, Add: []*stage.PublicKey{pub}, Remove: res.KeyIDs[metadata.TARGETS]}, ks},
	} {
		if _, err := s.Rotate(c.r, c.keys); err == nil {
			t.Errorf("%s: rotated", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
	if !maps_equal(before, snapshotDir(t, s.PublicDir())) {
		t.Fatal("a refused rotation changed the stage directory")
	}

	// A targets rotation with a version pending is refused.
	_, err := s.Change([]stage.Edit{{Target: "a", Info: info("a")}}, nil)
	must(t, err)
	tk, tpub := newKey(t, "targets")
	if _, err := s.Rotate(stage.Rotation{Role: metadata.TARGETS, Add: []*stage.PublicKey{tpub}}, append(ks, tk)); err == nil {
		t.Fatal("targets rotation with a pending version: rotated")
	}
	if _, err := os.Stat(filepath.Join(s.PublicDir(), "2.root.json")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("2.root.json: %v", err)
	}
}

// rootKeys returns the stage's root keys from its keys folder.
func rootKeys(t *testing.T, s *stage.Stage, res *stage.InitResult) []*stage.Key {
	t.Helper()
	return roleKeysOf(t, s, res, metadata.ROOT)
}

// TestRotateExpiredRoot: a stage whose root expired recovers by rotating
// (here, renewing) the root; a client at that time verifies again.
func TestRotateExpiredRoot(t *testing.T) {
	start := time.Now().UTC().Add(-400 * 24 * time.Hour)
	s, _ := newStage(t, stage.InitOptions{Now: func() time.Time { return start }})
	s = s.WithClock(time.Now)
	_, err := s.Change([]stage.Edit{{Target: "a", Info: info("a")}}, keys(t, s))
	if !errors.Is(err, stage.ErrExpiredRoot) {
		t.Fatalf("change under an expired root: %v", err)
	}
	_, err = s.Rotate(stage.Rotation{Role: metadata.ROOT}, keys(t, s))
	must(t, err)
	_, err = s.Change([]stage.Edit{{Target: "a", Info: info("a")}}, keys(t, s))
	must(t, err)
	url, root1 := serve(t, s)
	up := updaterAt(t, url, root1, time.Time{})
	must(t, up.Refresh())
}

// TestRotateBridged: with the old keys at hand, what a rotation signs anew
// verifies under the old root too, and the new root is written last, so
// that public/ verifies at every step of the publication: here just
// before the root is written (its file moved away) and after. Without
// the old targets key the rotation is not bridged, and still verifies
// once published.
func TestRotateBridged(t *testing.T) {
	for _, role := range []string{metadata.TARGETS, metadata.SNAPSHOT, metadata.TIMESTAMP} {
		t.Run(role, func(t *testing.T) {
			s, res := newStage(t, stage.InitOptions{})
			ks := keys(t, s)
			_, err := s.Change([]stage.Edit{{Target: "app", Info: info("app")}}, ks)
			must(t, err)
			url, root1 := serve(t, s)
			nk, pub := newKey(t, role)
			rr, err := s.Rotate(stage.Rotation{Role: role, Add: []*stage.PublicKey{pub}, Remove: res.KeyIDs[role]}, append(ks, nk))
			must(t, err)
			if !rr.Bridged {
				t.Fatalf("rotation with the old keys at hand: not bridged: %+v", rr)
			}
			rootFile := filepath.Join(s.PublicDir(), "2.root.json")
			aside := filepath.Join(t.TempDir(), "2.root.json")
			must(t, os.Rename(rootFile, aside))
			up := updaterAt(t, url, root1, time.Time{})
			if err := up.Refresh(); err != nil {
				t.Fatalf("before the new root is written: %v", err)
			}
			if _, err := up.GetTargetInfo("app"); err != nil {
				t.Fatalf("before the new root is written: %v", err)
			}
			must(t, os.Rename(aside, rootFile))
			up = updaterAt(t, url, root1, time.Time{})
			must(t, up.Refresh())
			_, err = up.GetTargetInfo("app")
			must(t, err)
		})
	}
	t.Run("targets-without-old-key", func(t *testing.T) {
		s, res := newStage(t, stage.InitOptions{})
		ks := keys(t, s)
		_, err := s.Change([]stage.Edit{{Target: "app", Info: info("app")}}, ks)
		must(t, err)
		url, root1 := serve(t, s)
		without := slices.DeleteFunc(slices.Clone(ks), func(k *stage.Key) bool { return slices.Contains(res.KeyIDs[metadata.TARGETS], k.ID) })
		nk, pub := newKey(t, "targets")
		rr, err := s.Rotate(stage.Rotation{Role: metadata.TARGETS, Add: []*stage.PublicKey{pub}, Remove: res.KeyIDs[metadata.TARGETS]}, append(without, nk))
		must(t, err)
		if rr.Bridged {
			t.Fatal("rotation without the old targets key: bridged")
		}
		up := updaterAt(t, url, root1, time.Time{})
		must(t, up.Refresh())
		_, err = up.GetTargetInfo("app")
		must(t, err)
	})
}
