package repo_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/repo"
	"github.com/theupdateframework/go-tuf/v2/metadata"
)

func TestConcurrentRefresh(t *testing.T) {
	const rounds = 50
	r := newRepo(t, fixtures.Options{}, nil)
	var dirs []string
	for i := 1; i <= 6; i++ {
		if err := r.AddTarget(fmt.Sprintf("v%d.txt", i), []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
		if i == 4 {
			if err := r.RotateRoot("ci-4"); err != nil {
				t.Fatal(err)
			}
		}
		dirs = append(dirs, publish(t, r))
	}
	root, _ := r.Root(1)
	srv := fixtures.Serve(t, dirs[0])
	trust := pin(t, root)

	// Another process refreshes the same trust directory meanwhile.
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envChild+"="+fmt.Sprint(rounds), envTrust+"="+trust, envURL+"="+srv.URL)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}

	cfg := repo.Config{Name: "ci", TrustDir: trust, Mirrors: mirrors(srv.URL), Timeout: 10 * time.Second}
	var mu sync.Mutex
	next := 1
	advance := func(i int) { // the repository moves on while clients refresh
		mu.Lock()
		defer mu.Unlock()
		if i%10 == 9 && next < len(dirs) {
			srv.SetDir(dirs[next])
			next++
		}
	}
	for _, err := range refreshTwice(cfg, rounds, advance) {
		t.Error(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("child process: %v: %s", err, stderr.Bytes())
	}

	srv.Close()
	off := clientWith(t, repo.Config{TrustDir: trust, Offline: true})
	if err := off.Refresh(context.Background()); err != nil {
		t.Fatalf("trust directory does not verify after concurrent refreshes: %v", err)
	}
	st, err := off.Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.Root.Version != 2 || st.Timestamp.Version < 5 {
		t.Errorf("trusted root %d, timestamp %d after the repository moved to root 2, timestamp 6", st.Root.Version, st.Timestamp.Version)
	}
	entries, err := os.ReadDir(trust + "/metadata")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "ci" && e.Name() != ".ci.lock" {
			t.Errorf("left behind in metadata/: %s", e.Name())
		}
	}
}

func TestClientSharedByGoroutines(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, map[string]string{"top.txt": "top"})
	if err := r.Delegate("targets", fixtures.Delegation{Name: "images", Paths: []string{"library/*"}}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		if err := r.AddTarget(fmt.Sprintf("library/img:%d", i), []byte{byte(i)}, fixtures.InRole("images")); err != nil {
			t.Fatal(err)
		}
	}
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	c := client(t, pin(t, root), srv.URL)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 8*4)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			path := fmt.Sprintf("library/img:%d", g%4)
			for i := 0; i < 4; i++ {
				var err error
				switch (g + i) % 4 {
				case 0:
					err = c.Refresh(ctx)
				case 1:
					_, err = c.TargetInfo(ctx, path)
				case 2:
					var buf bytes.Buffer
					var info *metadata.TargetFiles
					if info, err = c.TargetInfo(ctx, path); err == nil {
						err = c.Download(ctx, info, &buf)
					}
				case 3:
					_, err = c.Status()
				}
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := srv.Count("/1.images.json"); n != 1 {
		t.Errorf("images.json fetched %d times by one client, want 1", n)
	}
}
