package repo_test

import (
	"context"
	"errors"
	"testing"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/repo"
)

// TestTrusted checks that Trusted returns, offline, the verified root,
// top-level metadata and delegated roles of the trust directory, records a
// role that is not cached instead of failing, and without any cached
// metadata returns the root alone with the reason.
func TestTrusted(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, map[string]string{"top.txt": "top"})
	for _, d := range []fixtures.Delegation{
		{Name: "images", Paths: []string{"library/*"}},
		{Name: "charts", Paths: []string{"charts/*"}},
	} {
		if err := r.Delegate("targets", d); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Delegate("images", fixtures.Delegation{Name: "alpine", Paths: []string{"library/alpine*"}}); err != nil {
		t.Fatal(err)
	}
	if err := r.AddTarget("library/alpine:3", []byte("alpine"), fixtures.InRole("alpine")); err != nil {
		t.Fatal(err)
	}
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	trust := pin(t, root)
	ctx := context.Background()

	off := clientWith(t, repo.Config{TrustDir: trust, Offline: true})
	tr, err := off.Trusted(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Root == nil || tr.RootSHA256 == "" || tr.Targets != nil || !errors.Is(tr.TopErr, repo.ErrOffline) {
		t.Fatalf("before any refresh: root %v, targets %v, error %v; want the root alone and ErrOffline", tr.Root != nil, tr.Targets != nil, tr.TopErr)
	}

	// A lookup caches images and alpine, not charts.
	if _, err := client(t, trust, srv.URL).TargetInfo(ctx, "library/alpine:3"); err != nil {
		t.Fatal(err)
	}
	off = clientWith(t, repo.Config{TrustDir: trust, Offline: true})
	tr, err = off.Trusted(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tr.TopErr != nil || tr.Targets == nil || tr.Timestamp == nil || tr.Snapshot == nil {
		t.Fatalf("after a lookup: top-level error %v", tr.TopErr)
	}
	var got []string
	for _, role := range tr.Roles {
		got = append(got, role.Delegator+">"+role.Name)
	}
	if want := []string{"targets>images", "images>alpine"}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("roles %q, want %q", got, want)
	}
	if err := tr.RoleErrs["charts"]; !errors.Is(err, repo.ErrOffline) || len(tr.RoleErrs) != 1 {
		t.Errorf("role errors %v, want charts not cached", tr.RoleErrs)
	}
}
