package repo_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/accord-tuf/accord/fixtures"
)

func TestStaleStagingIgnored(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, map[string]string{"a.txt": "a"})
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	trust := pin(t, root)
	// What a process killed during an update leaves behind.
	stale := filepath.Join(trust, "metadata", ".ci.work", "staging-123")
	if err := os.MkdirAll(stale, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"timestamp.json", "snapshot.json", "targets.json"} {
		if err := os.WriteFile(filepath.Join(stale, name), []byte("{garbage"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	c := client(t, trust, srv.URL)
	if _, err := c.TargetInfo(context.Background(), "a.txt"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(trust, "metadata", ".ci.work")); !os.IsNotExist(err) {
		t.Errorf("stale work directory not removed: %v", err)
	}
}

func TestReservedDelegatedRoleName(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, nil)
	if err := r.Delegate("targets", fixtures.Delegation{Name: "evil", Paths: []string{"x/*"}}); err != nil {
		t.Fatal(err)
	}
	top, _ := r.Metadata("targets")
	top.Signed.Delegations.Roles[0].Name = "timestamp"
	if err := r.Touch("targets"); err != nil {
		t.Fatal(err)
	}
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	trust := pin(t, root)
	c := client(t, trust, srv.URL)
	if err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := tree(t, trust)
	_, err := c.TargetInfo(context.Background(), "x/y")
	wantErr(t, err, `repository "ci"`, `"timestamp"`, "reserved")
	sameTree(t, before, tree(t, trust))
}

func TestStatusFromTrustDirectory(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, nil)
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	trust := pin(t, root)
	c := client(t, trust, srv.URL)
	st, err := c.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.Verified || st.Root.Version != 1 || st.Timestamp != nil || st.RootSHA256 == "" {
		t.Errorf("status of a pinned-only repository: %+v", st)
	}
	if err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, err = client(t, trust, srv.URL).Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.Verified || st.Timestamp == nil || st.Timestamp.Version != 1 || st.Snapshot == nil || st.Targets == nil {
		t.Errorf("status from the cache: %+v", st)
	}
}
