package repo_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/repo"
	"github.com/theupdateframework/go-tuf/v2/metadata"
)

func TestOfflineAfterOnlineRefresh(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, map[string]string{"top.txt": "top"})
	if err := r.Delegate("targets", fixtures.Delegation{Name: "images", Paths: []string{"library/*"}}); err != nil {
		t.Fatal(err)
	}
	if err := r.AddTarget("library/alpine:3", []byte("alpine"), fixtures.InRole("images")); err != nil {
		t.Fatal(err)
	}
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	trust := pin(t, root)
	ctx := context.Background()
	// One refresh ahead, no lookup: it loads the delegated roles.
	if err := client(t, trust, srv.URL).RefreshAhead(ctx); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	before := tree(t, trust)

	off := clientWith(t, repo.Config{TrustDir: trust, Mirrors: mirrors(srv.URL), Offline: true})
	if err := off.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"top.txt", "library/alpine:3"} {
		if _, err := off.TargetInfo(ctx, p); err != nil {
			t.Errorf("offline %s: %v", p, err)
		}
	}
	if _, err := off.TargetInfo(ctx, "library/none"); !errors.Is(err, repo.ErrNotFound) {
		t.Errorf("offline absent target: %v, want ErrNotFound", err)
	}
	all, err := off.Targets(ctx)
	if err != nil || len(all) != 2 {
		t.Errorf("offline Targets: %d, %v; want 2 targets", len(all), err)
	}
	st, err := off.Status()
	if err != nil || !st.Verified || st.Targets.Version != 1 {
		t.Errorf("offline status %+v, %v", st, err)
	}
	sameTree(t, before, tree(t, trust))
}

// TestRefreshAheadAfterLookups checks that RefreshAhead completes the trust
// directory also when the snapshot it finds was brought by a lookup, which
// fetched no delegated role it did not need: the roles delegated by name,
// and the cached hash bins, are brought to that snapshot.
func TestRefreshAheadAfterLookups(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, map[string]string{"top.txt": "top"})
	if err := r.Delegate("targets", fixtures.Delegation{Name: "images", Paths: []string{"library/*"}}); err != nil {
		t.Fatal(err)
	}
	if err := r.AddTarget("library/alpine:3", []byte("alpine"), fixtures.InRole("images")); err != nil {
		t.Fatal(err)
	}
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	trust := pin(t, root)
	ctx := context.Background()
	if _, err := client(t, trust, srv.URL).TargetInfo(ctx, "top.txt"); err != nil {
		t.Fatal(err)
	}
	if _, ok := tree(t, trust)["images.json"]; ok {
		t.Fatal("a lookup of top.txt cached images.json, which its search never reached")
	}
	if err := client(t, trust, srv.URL).RefreshAhead(ctx); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	off := clientWith(t, repo.Config{TrustDir: trust, Offline: true})
	if _, err := off.TargetInfo(ctx, "library/alpine:3"); err != nil {
		t.Errorf("offline lookup after RefreshAhead: %v", err)
	}
}

func TestOfflineWithoutCachedMetadata(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, nil)
	_, root := r.Dir(t)
	trust := pin(t, root)
	c := clientWith(t, repo.Config{TrustDir: trust, Offline: true})
	err := c.Refresh(context.Background())
	wantErr(t, err, `repository "ci": no cached metadata; run accord refresh`)
	if !errors.Is(err, repo.ErrOffline) {
		t.Errorf("%v is not ErrOffline", err)
	}
}

func TestOfflineHashBinNotCached(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, nil)
	if err := r.DelegateHashBins("targets", 3, "bins"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"pkg/a", "pkg/b"} {
		if err := r.AddTarget(p, []byte(p), fixtures.InHashBin()); err != nil {
			t.Fatal(err)
		}
	}
	if r.HashBin("pkg/a") == r.HashBin("pkg/b") {
		t.Fatal("pkg/a and pkg/b share a bin")
	}
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	trust := pin(t, root)
	ctx := context.Background()
	online := client(t, trust, srv.URL)
	if _, err := online.TargetInfo(ctx, "pkg/a"); err != nil {
		t.Fatal(err)
	}
	srv.ResetRequests()
	c := clientWith(t, repo.Config{TrustDir: trust, Mirrors: mirrors(srv.URL), Offline: true})
	if _, err := c.TargetInfo(ctx, "pkg/a"); err != nil {
		t.Errorf("offline lookup in a cached bin: %v", err)
	}
	_, err := c.TargetInfo(ctx, "pkg/b")
	wantErr(t, err, r.HashBin("pkg/b")+".json", "no cached metadata")
	if errors.Is(err, repo.ErrNotFound) {
		t.Errorf("uncached bin reported as ErrNotFound")
	}
	if reqs := srv.Requests(); len(reqs) != 0 {
		t.Errorf("offline client asked the server for %v", reqs)
	}
}

func TestRefreshKeepsCachedBinsCurrent(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, nil)
	if err := r.DelegateHashBins("targets", 3, "bins"); err != nil {
		t.Fatal(err)
	}
	if err := r.AddTarget("pkg/a", []byte("a1"), fixtures.InHashBin()); err != nil {
		t.Fatal(err)
	}
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	trust := pin(t, root)
	ctx := context.Background()
	if _, err := client(t, trust, srv.URL).TargetInfo(ctx, "pkg/a"); err != nil {
		t.Fatal(err)
	}
	if err := r.AddTarget("pkg/a", []byte("a2 longer"), fixtures.InHashBin()); err != nil {
		t.Fatal(err)
	}
	srv.SetDir(publish(t, r))
	if err := client(t, trust, srv.URL).RefreshAhead(ctx); err != nil {
		t.Fatal(err)
	}
	if n := srv.CountPrefix("/2.bins-"); n != 1 {
		t.Errorf("refresh ahead fetched the new version of the cached bin %d times, want 1", n)
	}
	srv.Close()
	off := clientWith(t, repo.Config{TrustDir: trust, Offline: true})
	info, err := off.TargetInfo(ctx, "pkg/a")
	if err != nil {
		t.Fatal(err)
	}
	if info.Length != int64(len("a2 longer")) {
		t.Errorf("offline length %d, want the new version's", info.Length)
	}
}

func TestReferenceTime(t *testing.T) {
	past := time.Now().Add(-30 * 24 * time.Hour).UTC()
	r := newRepo(t, fixtures.Options{Now: func() time.Time { return past }, Expiry: 24 * time.Hour}, map[string]string{"a.txt": "a"})
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	trust := pin(t, root)
	ctx := context.Background()

	err := client(t, trust, srv.URL).Refresh(ctx)
	wantErr(t, err, `repository "ci": root.json:`, "expired")
	if !errors.Is(err, &metadata.ErrExpiredMetadata{}) {
		t.Errorf("%v is not an expiry", err)
	}

	at := past.Add(time.Hour)
	c := clientWith(t, repo.Config{TrustDir: trust, Mirrors: mirrors(srv.URL), At: at})
	if _, err := c.TargetInfo(ctx, "a.txt"); err != nil {
		t.Fatalf("online at %v: %v", at, err)
	}
	srv.Close()
	off := clientWith(t, repo.Config{TrustDir: trust, Offline: true, At: at})
	if _, err := off.TargetInfo(ctx, "a.txt"); err != nil {
		t.Errorf("offline at %v: %v", at, err)
	}
	now := clientWith(t, repo.Config{TrustDir: trust, Offline: true})
	wantErr(t, now.Refresh(ctx), "expired")
}
