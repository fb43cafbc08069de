package repo_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/repo"
)

// TestTimestampAskedWithRoot checks that a refresh asks for timestamp.json
// while the next root version is still on its way (one round trip less),
// and, when that root exists, asks for it again once the rotation is
// done, so that the timestamp it verifies was fetched after it.
func TestTimestampAskedWithRoot(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, map[string]string{"a.txt": "a"})
	st, err := r.Publish()
	if err != nil {
		t.Fatal(err)
	}
	root, err := r.Root(1)
	if err != nil {
		t.Fatal(err)
	}
	srv := fixtures.Serve(t, st.Dir(t))
	trustDir := pin(t, root)

	release := srv.Inject(fixtures.Hang().Only("/", ".root.json"))
	c := clientWith(t, repo.Config{TrustDir: trustDir, Mirrors: mirrors(srv.URL), Timeout: time.Minute})
	done := make(chan error, 1)
	go func() { done <- c.Refresh(context.Background()) }()
	deadline := time.Now().Add(30 * time.Second)
	for srv.Count("/timestamp.json") == 0 {
		if time.Now().After(deadline) {
			release()
			t.Fatalf("timestamp.json not asked for while 2.root.json was pending: %q", srv.Requests())
		}
		time.Sleep(time.Millisecond)
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := srv.Count("/timestamp.json"); n != 1 {
		t.Errorf("timestamp.json asked for %d times without a rotation, want 1", n)
	}

	if err := r.RotateRoot("ci/rotated"); err != nil {
		t.Fatal(err)
	}
	st, err = r.Publish()
	if err != nil {
		t.Fatal(err)
	}
	srv.SetDir(st.Dir(t))
	srv.ResetRequests()
	if err := client(t, trustDir, srv.URL).Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	lastRoot, lastTimestamp := slices.Index(reqs, "/3.root.json"), -1
	for i, p := range reqs {
		if p == "/timestamp.json" {
			lastTimestamp = i
		}
	}
	if lastRoot < 0 || lastTimestamp < lastRoot {
		t.Errorf("requests %q: want timestamp.json asked for after the search for a newer root ended", reqs)
	}
}

// TestSequentialOrder checks that a Sequential client asks for exactly the
// files of TUF's client workflow, one after another, in its order: the
// next root versions, then timestamp, snapshot and targets.
func TestSequentialOrder(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, map[string]string{"a.txt": "a"})
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	trustDir := pin(t, root)
	c := clientWith(t, repo.Config{TrustDir: trustDir, Mirrors: mirrors(srv.URL), Sequential: true})
	if err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{"/2.root.json", "/timestamp.json", "/1.snapshot.json", "/1.targets.json"}
	if got := srv.Requests(); !slices.Equal(got, want) {
		t.Errorf("requests %q, want %q", got, want)
	}

	if err := r.RotateRoot("ci/rotated"); err != nil {
		t.Fatal(err)
	}
	if err := r.AddTarget("b.txt", []byte("b")); err != nil {
		t.Fatal(err)
	}
	st, err := r.Publish()
	if err != nil {
		t.Fatal(err)
	}
	srv.SetDir(st.Dir(t))
	srv.ResetRequests()
	c = clientWith(t, repo.Config{TrustDir: trustDir, Mirrors: mirrors(srv.URL), Sequential: true})
	if err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	want = []string{"/2.root.json", "/3.root.json", "/timestamp.json", "/2.snapshot.json", "/2.targets.json"}
	if got := srv.Requests(); !slices.Equal(got, want) {
		t.Errorf("after a rotation: requests %q, want %q", got, want)
	}
}
