package stage_test

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/accord-tuf/accord/stage"
)

// consensus returns a consensus on data with the digests of algs (any
// name: digests of unknown algorithms are filler bytes).
func consensus(target, data string, algs ...string) stage.Consensus {
	c := stage.Consensus{Target: target, Length: int64(len(data)), Hashes: metadata.Hashes{}}
	for _, alg := range algs {
		switch alg {
		case "sha256":
			s := sha256.Sum256([]byte(data))
			c.Hashes[alg] = s[:]
		case "sha512":
			s := sha512.Sum512([]byte(data))
			c.Hashes[alg] = s[:]
		default:
			c.Hashes[alg] = bytes.Repeat([]byte{7}, 48)
		}
	}
	return c
}

// TestPromoteSignsConsensus: the stage signs exactly the consensus's
// length and sha256/sha512 digests, no other algorithm and no custom data,
// and go-tuf's updater sees exactly that.
func TestPromoteSignsConsensus(t *testing.T) {
	s, _ := newStage(t, stage.InitOptions{Name: "qa"})
	cs := []stage.Consensus{
		consensus("library/app:1.4", "app 1.4", "sha256", "sha512"),
		consensus("library/web:2.0", "web 2.0", "sha256", "sha384"),
	}
	res, err := s.Promote(cs, false, keys(t, s))
	must(t, err)
	if !res.Published || res.Version != 2 || len(res.Targets) != 2 {
		t.Fatalf("promote: %+v", res.ChangeResult)
	}
	if got := res.Signed[1].Omitted; len(got) != 1 || got[0] != "sha384" {
		t.Fatalf("omitted %v, want [sha384]", got)
	}
	url, root := serve(t, s)
	up := updaterAt(t, url, root, time.Time{})
	must(t, up.Refresh())
	for i, c := range cs {
		got, err := up.GetTargetInfo(c.Target)
		must(t, err)
		want := metadata.Hashes{}
		for alg, d := range c.Hashes {
			if alg == "sha256" || alg == "sha512" {
				want[alg] = d
			}
		}
		if got.Length != c.Length || !got.Equal(metadata.TargetFiles{Length: c.Length, Hashes: want}) || got.Custom != nil {
			t.Errorf("target %d: signed %+v, want length %d hashes %v and no custom data", i, got, c.Length, want)
		}
	}

	// The same consensus again: nothing changes.
	before := snapshotDir(t, s.PublicDir())
	res, err = s.Promote(cs[:1], false, keys(t, s))
	must(t, err)
	if res.Changed() || res.Published {
		t.Fatalf("same consensus: %+v", res.ChangeResult)
	}
	// Another consensus for a signed target: refused, nothing written.
	_, err = s.Promote([]stage.Consensus{consensus("library/app:1.4", "other", "sha256")}, false, keys(t, s))
	if !errors.Is(err, stage.ErrTargetExists) {
		t.Fatalf("other consensus: %v, want ErrTargetExists", err)
	}
	if !maps_equal(before, snapshotDir(t, s.PublicDir())) {
		t.Fatal("public/ changed")
	}
	res, err = s.Promote([]stage.Consensus{consensus("library/app:1.4", "other", "sha256")}, true, keys(t, s))
	must(t, err)
	if res.Targets[0].Action != stage.Replaced {
		t.Fatalf("replace: %v", res.Targets[0].Action)
	}
}

// TestPromoteRefusesUnsignable: a consensus with no sha256 or sha512
// digest, or a digest of the wrong size, refuses the whole promotion and
// writes nothing.
func TestPromoteRefusesUnsignable(t *testing.T) {
	s, _ := newStage(t, stage.InitOptions{Name: "qa"})
	before := snapshotDir(t, s.Dir())
	short := consensus("b", "b", "sha256")
	short.Hashes["sha256"] = short.Hashes["sha256"][:5]
	for name, bad := range map[string]stage.Consensus{
		"no-known-algorithm": consensus("b", "b", "sha384", "md5"),
		"short-digest":       short,
		"bad-name":           consensus("../b", "b", "sha256"),
	} {
		_, err := s.Promote([]stage.Consensus{consensus("a", "a", "sha256"), bad}, false, keys(t, s))
		if err == nil {
			t.Errorf("%s: promoted", name)
		}
		if name == "no-known-algorithm" && !errors.Is(err, stage.ErrUnpromotable) {
			t.Errorf("%s: %v, want ErrUnpromotable", name, err)
		}
	}
	if !maps_equal(before, snapshotDir(t, s.Dir())) {
		t.Fatal("the stage directory changed")
	}
}

// TestPromotePending: a promotion short of the targets threshold waits in
// pending/ like any change.
func TestPromotePending(t *testing.T) {
	s, _ := newStage(t, stage.InitOptions{Name: "prod", Targets: stage.RoleKeys{Generate: 3, Threshold: 2}})
	res, err := s.Promote([]stage.Consensus{consensus("a", "a", "sha256")}, false, nil)
	must(t, err)
	if res.Published || res.Pending == nil || res.Pending.Missing() != 2 {
		t.Fatalf("promote without keys: %+v", res.ChangeResult)
	}
}
