package repo_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/repo"
	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// clockAt returns a Clock reading t.
func clockAt(t time.Time) func() time.Time { return func() time.Time { return t } }

// refreshedAt refreshes repository "ci" of trust online, with the clock
// reading t, and checks that the trust directory records t.
func refreshedAt(t *testing.T, trust, url string, at time.Time) {
	t.Helper()
	c := clientWith(t, repo.Config{TrustDir: trust, Mirrors: mirrors(url), Clock: clockAt(at)})
	if err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	last, err := c.LastRefresh()
	if err != nil || !last.Equal(at) {
		t.Fatalf("LastRefresh after a refresh at %v: %v, %v", at, last, err)
	}
	if _, ok := tree(t, trust)["refreshed-at"]; !ok {
		t.Fatal("no refresh record in the metadata directory")
	}
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func TestMaxAgeWithinAgeMakesNoRequest(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, map[string]string{"a.txt": "a"})
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	trust := pin(t, root)
	refreshedAt(t, trust, srv.URL, t0)
	before := tree(t, trust)
	srv.ResetRequests()

	c := clientWith(t, repo.Config{TrustDir: trust, Mirrors: mirrors(srv.URL), MaxAge: 5 * time.Minute, Clock: clockAt(t0.Add(5 * time.Minute))})
	ctx := context.Background()
	if err := c.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TargetInfo(ctx, "a.txt"); err != nil {
		t.Fatal(err)
	}
	if got := srv.Requests(); len(got) != 0 {
		t.Errorf("requests within the maximum age: %q, want none", got)
	}
	sameTree(t, before, tree(t, trust))
	st, err := c.Status()
	if err != nil || !st.Verified || !st.LastRefresh.Equal(t0) {
		t.Errorf("status within the maximum age: %+v, %v; want verified, last refresh %v", st, err, t0)
	}
}

func TestMaxAgeAfterAgeRefreshes(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, map[string]string{"a.txt": "a"})
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	trust := pin(t, root)
	refreshedAt(t, trust, srv.URL, t0)
	srv.ResetRequests()

	later := t0.Add(5*time.Minute + time.Nanosecond)
	c := clientWith(t, repo.Config{TrustDir: trust, Mirrors: mirrors(srv.URL), MaxAge: 5 * time.Minute, Clock: clockAt(later)})
	if err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := srv.Count("/timestamp.json"); n != 1 {
		t.Errorf("timestamp.json asked %d times after the maximum age, want 1", n)
	}
	// Nothing changed on the server: the record alone is renewed.
	if last, err := c.LastRefresh(); err != nil || !last.Equal(later) {
		t.Errorf("LastRefresh after a refresh that changed nothing: %v, %v; want %v", last, err, later)
	}

	// A record from the future (a clock set back) is not fresh either.
	srv.ResetRequests()
	back := clientWith(t, repo.Config{TrustDir: trust, Mirrors: mirrors(srv.URL), MaxAge: time.Hour, Clock: clockAt(t0)})
	if err := back.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := srv.Count("/timestamp.json"); n != 1 {
		t.Errorf("timestamp.json asked %d times with a refresh record in the future, want 1", n)
	}
}

func TestMaxAgeExpiredTimestampRefusedWithinAge(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, map[string]string{"a.txt": "a"})
	expiry := time.Now().Add(time.Hour)
	if err := r.SetExpires("timestamp", expiry); err != nil {
		t.Fatal(err)
	}
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	trust := pin(t, root)
	refreshedAt(t, trust, srv.URL, t0)
	srv.ResetRequests()

	// Within the age by the clock, but the reference time is past the
	// cached timestamp's expiry: the cache is not used, and the server's
	// copy, as expired, is refused.
	cfg := repo.Config{TrustDir: trust, Mirrors: mirrors(srv.URL), MaxAge: time.Hour, Clock: clockAt(t0.Add(time.Minute)), At: expiry.Add(time.Minute)}
	c := clientWith(t, cfg)
	err := c.Refresh(context.Background())
	var exp *metadata.ErrExpiredMetadata
	if !errors.As(err, &exp) {
		t.Fatalf("refresh within the age with an expired timestamp: %v, want an expired metadata error", err)
	}
	wantErr(t, err, `repository "ci"`, "timestamp.json")
	if _, err := c.TargetInfo(context.Background(), "a.txt"); !errors.As(err, &exp) {
		t.Errorf("lookup after the refused refresh: %v, want the expiry error", err)
	}
	if n := srv.Count("/timestamp.json"); n != 1 {
		t.Errorf("timestamp.json asked %d times, want 1: an expired cache is refreshed", n)
	}

	// Once the server has a fresh timestamp, the same client finds it.
	if err := r.SetExpires("timestamp", expiry.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	srv.SetDir(publish(t, r))
	if err := clientWith(t, cfg).Refresh(context.Background()); err != nil {
		t.Errorf("refresh after the server renewed its timestamp: %v", err)
	}
}

func TestMaxAgeNegativeRefused(t *testing.T) {
	_, err := repo.New(repo.Config{Name: "ci", TrustDir: t.TempDir(), Mirrors: mirrors("http://127.0.0.1:1"), MaxAge: -time.Second})
	wantErr(t, err, `repository "ci"`, "negative maximum age -1s")
}

// TestNoRefreshRecordInPlainMetadataDir checks that a plain TUF client
// directory (Config.MetadataDir) holds TUF metadata only.
func TestNoRefreshRecordInPlainMetadataDir(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, map[string]string{"a.txt": "a"})
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	mdir := filepath.Join(t.TempDir(), "metadata")
	if _, err := repo.Pin("", "ci", root, repo.PinOptions{MetadataDir: mdir}); err != nil {
		t.Fatal(err)
	}
	c := clientWith(t, repo.Config{MetadataDir: mdir, Mirrors: mirrors(srv.URL), MaxAge: time.Hour, Clock: clockAt(t0)})
	for range 2 {
		if err := c.Refresh(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(mdir, repo.RefreshRecord)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("refresh record in a plain metadata directory: %v", err)
	}
	if last, err := c.LastRefresh(); err != nil || !last.IsZero() {
		t.Errorf("LastRefresh: %v, %v; want the zero time", last, err)
	}
}
