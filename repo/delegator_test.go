package repo_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/repo"
	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// TestLookupFetchesOnlyWhatItsSearchReaches checks that a refresh fetches
// no delegated role and that a lookup fetches the roles its search
// reaches, in TUF's order (pre-order, depth first, in the order each role
// lists its delegations), and no other.
func TestLookupFetchesOnlyWhatItsSearchReaches(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, map[string]string{"top.txt": "top"})
	for _, d := range []struct{ parent, name string }{{"targets", "A"}, {"targets", "B"}, {"A", "C"}, {"A", "D"}} {
		if err := r.Delegate(d.parent, fixtures.Delegation{Name: d.name, Paths: []string{"*"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.AddTarget("c.txt", []byte("c"), fixtures.InRole("C")); err != nil {
		t.Fatal(err)
	}
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	c := client(t, pin(t, root), srv.URL)
	ctx := context.Background()
	if err := c.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := srv.Requests(), []string{"/2.root.json", "/timestamp.json", "/1.snapshot.json", "/1.targets.json"}; !sameSet(got, want) {
		t.Errorf("refresh asked for %q, want %q", got, want)
	}
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"top.txt", nil},
		{"c.txt", []string{"/1.A.json", "/1.C.json"}},
		{"none.txt", []string{"/1.D.json", "/1.B.json"}},
	} {
		srv.ResetRequests()
		_, err := c.TargetInfo(ctx, tc.path)
		if tc.path == "none.txt" && !errors.Is(err, repo.ErrNotFound) || tc.path != "none.txt" && err != nil {
			t.Errorf("%s: %v", tc.path, err)
		}
		if got := srv.Requests(); !slices.Equal(got, tc.want) {
			t.Errorf("lookup of %s asked for %q, want %q", tc.path, got, tc.want)
		}
	}
}

// sameSet reports whether a and b hold the same strings in any order.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// TestRoleBoundToDelegator checks that a delegated role is trusted for a
// lookup only under the delegation that led the search to it: in
// fixtures.DiamondRepo, "release" is signed by parent-a's keys for it
// and never by parent-b's, so the target it lists under parent-b's paths
// is refused, however the role was loaded before (by a lookup through
// parent-a, by RefreshAhead, from the trust directory, online or offline).
func TestRoleBoundToDelegator(t *testing.T) {
	const (
		ok     = fixtures.DiamondTrusted
		forged = fixtures.DiamondForged
	)
	r, err := fixtures.DiamondRepo(fixtures.Options{Seed: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		cache   func(t *testing.T, trust, base string) // fills the trust directory first
		offline bool
		ahead   bool // RefreshAhead before the lookups
		lookups []string
	}{
		{name: "fresh, trusted path first", lookups: []string{ok, forged, ok}},
		{name: "fresh, forged path first", lookups: []string{forged, ok, forged}},
		{name: "after RefreshAhead", ahead: true, lookups: []string{forged, ok, forged}},
		{name: "cached by a lookup, online", cache: lookupTrusted, lookups: []string{forged, ok, forged}},
		{name: "cached by lookups, offline", cache: lookupBoth, offline: true, lookups: []string{ok, forged, ok, forged}},
		{name: "cached by RefreshAhead, offline", cache: refreshAhead, offline: true, lookups: []string{forged, ok, forged}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			trust := pin(t, root)
			if tc.cache != nil {
				tc.cache(t, trust, srv.URL)
				if _, ok := tree(t, trust)["release.json"]; !ok {
					t.Fatal("release.json not cached")
				}
			}
			c := clientWith(t, repo.Config{TrustDir: trust, Mirrors: mirrors(srv.URL), Offline: tc.offline})
			if tc.ahead {
				if err := c.RefreshAhead(ctx); err != nil {
					t.Fatal(err)
				}
			}
			for i, path := range tc.lookups {
				info, err := c.TargetInfo(ctx, path)
				if path == ok {
					if err != nil || info.Length != int64(len("trusted A")) {
						t.Errorf("lookup %d, %s: %v, %v", i, path, info, err)
					}
					continue
				}
				if err == nil {
					t.Fatalf("lookup %d, %s: verified through a delegator whose keys never signed release", i, path)
				}
				if !errors.Is(err, &metadata.ErrUnsignedMetadata{}) || errors.Is(err, repo.ErrNotFound) {
					t.Errorf("lookup %d, %s: %v, want a signature failure", i, path, err)
				}
				wantErr(t, err, `repository "ci"`, "release.json")
			}
		})
	}
}

// TestListingRefusesRoleOutsideItsDelegator checks that a listing of every
// target does not report the target that "release" lists under parent-b's
// paths: the listing fails, naming the role, as for any role that does not
// verify.
func TestListingRefusesRoleOutsideItsDelegator(t *testing.T) {
	r, err := fixtures.DiamondRepo(fixtures.Options{Seed: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	all, err := client(t, pin(t, root), srv.URL).Targets(context.Background())
	if err == nil {
		t.Fatalf("listing %v, want an error", all)
	}
	if !errors.Is(err, &metadata.ErrUnsignedMetadata{}) {
		t.Errorf("listing: %v, want a signature failure", err)
	}
	wantErr(t, err, `repository "ci"`, "release.json")
}

// lookupTrusted caches the diamond repository's role "release" in the
// trust directory through a lookup, by a client of its own over base, of
// the target that verifies.
func lookupTrusted(t *testing.T, trust, base string) {
	t.Helper()
	if _, err := client(t, trust, base).TargetInfo(context.Background(), fixtures.DiamondTrusted); err != nil {
		t.Fatal(err)
	}
}

// lookupBoth caches the diamond repository's roles in the trust directory
// through lookups, by a client of its own over base, of both targets: the
// one that verifies, then the other, which fails after loading parent-b.
func lookupBoth(t *testing.T, trust, base string) {
	t.Helper()
	c := client(t, trust, base)
	if _, err := c.TargetInfo(context.Background(), fixtures.DiamondTrusted); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TargetInfo(context.Background(), fixtures.DiamondForged); err == nil {
		t.Fatalf("%s verified", fixtures.DiamondForged)
	}
	if _, ok := tree(t, trust)["parent-b.json"]; !ok {
		t.Fatal("parent-b.json not cached")
	}
}

// refreshAhead caches the diamond repository's roles in the trust
// directory with RefreshAhead, by a client of its own over base.
func refreshAhead(t *testing.T, trust, base string) {
	t.Helper()
	if err := client(t, trust, base).RefreshAhead(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// laterDelegatorRepo returns a repository in which "release" is delegated
// first (in a walk's order) by parent-b, with keys that never signed it,
// then by parent-a, whose keys did; "release" lists
// fixtures.DiamondTrusted (under parent-a's paths) and
// fixtures.DiamondForged (under parent-b's).
func laterDelegatorRepo(t *testing.T) *fixtures.Repo {
	t.Helper()
	r := newRepo(t, fixtures.Options{Seed: "ci"}, map[string]string{"top.txt": "top"})
	steps := []func() error{
		func() error {
			return r.Delegate("targets", fixtures.Delegation{Name: "parent-b", Paths: []string{"team-b/*"}})
		},
		func() error {
			return r.Delegate("targets", fixtures.Delegation{Name: "parent-a", Paths: []string{"team-a/*"}})
		},
		func() error {
			return r.Delegate("parent-a", fixtures.Delegation{Name: "release", Paths: []string{"team-a/*"}})
		},
		func() error {
			return r.DelegateAlso("parent-b", fixtures.Delegation{Name: "release", Paths: []string{"team-b/*"}})
		},
		func() error {
			return r.AddTarget(fixtures.DiamondTrusted, []byte("trusted A"), fixtures.InRole("release"))
		},
		func() error {
			return r.AddTarget(fixtures.DiamondForged, []byte("forged B"), fixtures.InRole("release"))
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// TestMirrorRoleSignedUnderLaterDelegator checks that a role named by two
// delegators is loaded for a mirror under whichever of them its keys
// verify, not only under the first one a walk meets: here "release" is
// delegated by parent-b first (in the walk's order) with keys that never
// signed it, and by parent-a with the keys that did. WriteMirror writes
// it, the mirror serves a fresh client, and that client still refuses
// the target "release" lists under parent-b's paths.
func TestMirrorRoleSignedUnderLaterDelegator(t *testing.T) {
	r := laterDelegatorRepo(t)
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	ctx := context.Background()
	c := client(t, pin(t, root), srv.URL)
	out := t.TempDir()
	if err := c.WriteMirror(ctx, out, false); err != nil {
		t.Fatalf("WriteMirror: %v", err)
	}
	srv.Close()
	fileMirror, err := repo.DirMirror(filepath.Join(out, "ci"))
	if err != nil {
		t.Fatal(err)
	}
	m := clientWith(t, repo.Config{TrustDir: pin(t, root), Mirrors: []repo.Mirror{fileMirror}})
	if _, err := m.TargetInfo(ctx, fixtures.DiamondTrusted); err != nil {
		t.Errorf("%s from the mirror: %v", fixtures.DiamondTrusted, err)
	}
	if info, err := m.TargetInfo(ctx, fixtures.DiamondForged); err == nil {
		t.Errorf("%s from the mirror: verified (%d bytes), want refused", fixtures.DiamondForged, info.Length)
	}
}

// TestRefreshAheadRoleSignedUnderLaterDelegator checks that RefreshAhead
// caches a role named by two delegators under the one whose keys verify
// it, so that an offline lookup through that delegator finds it, and one
// through the other is still refused.
func TestRefreshAheadRoleSignedUnderLaterDelegator(t *testing.T) {
	dir, root := laterDelegatorRepo(t).Dir(t)
	srv := fixtures.Serve(t, dir)
	trust := pin(t, root)
	ctx := context.Background()
	if err := client(t, trust, srv.URL).RefreshAhead(ctx); err != nil {
		t.Fatal(err)
	}
	off := clientWith(t, repo.Config{TrustDir: trust, Offline: true})
	if _, err := off.TargetInfo(ctx, fixtures.DiamondTrusted); err != nil {
		t.Errorf("offline %s: %v", fixtures.DiamondTrusted, err)
	}
	if info, err := off.TargetInfo(ctx, fixtures.DiamondForged); err == nil {
		t.Errorf("offline %s: verified (%d bytes), want refused", fixtures.DiamondForged, info.Length)
	}
}
