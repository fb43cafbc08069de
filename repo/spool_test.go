//go:build unix

package repo_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/repo"
)

// TestStaleSpoolsRemoved: a spool file that a killed download left in
// targets/<repo>/ is removed by the next download, refresh or status of
// the repository; one that another download holds locked stays.
func TestStaleSpoolsRemoved(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, map[string]string{"a.txt": "hello"})
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	for _, op := range []struct {
		name string
		run  func(*repo.Client) error
	}{
		{"download", func(c *repo.Client) error { _, err := download(t, c, "a.txt"); return err }},
		{"refresh", func(c *repo.Client) error { return c.Refresh(context.Background()) }},
		{"offline refresh", func(c *repo.Client) error { return c.Refresh(context.Background()) }},
		{"status", func(c *repo.Client) error { _, err := c.Status(); return err }},
	} {
		t.Run(op.name, func(t *testing.T) {
			trust := pin(t, root)
			if op.name == "offline refresh" {
				if err := client(t, trust, srv.URL).Refresh(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			spools := filepath.Join(trust, "targets", "ci")
			if err := os.MkdirAll(spools, 0o700); err != nil {
				t.Fatal(err)
			}
			stale := filepath.Join(spools, ".tmp-download-123")
			held := filepath.Join(spools, ".tmp-download-456")
			other := filepath.Join(spools, "kept")
			for _, p := range []string{stale, held, other} {
				if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			f, err := os.Open(held)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
				t.Fatal(err)
			}
			c := client(t, trust, srv.URL)
			if op.name == "offline refresh" {
				c = clientWith(t, repo.Config{TrustDir: trust, Offline: true})
			}
			if err := op.run(c); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("stale spool: %v, want it removed", err)
			}
			for _, p := range []string{held, other} {
				if _, err := os.Stat(p); err != nil {
					t.Errorf("%s: %v, want it kept", filepath.Base(p), err)
				}
			}
		})
	}
}

// TestSpoolInUseKept: the spool of a download in progress is locked, so
// that a status of another Client on the same trust directory leaves it.
func TestSpoolInUseKept(t *testing.T) {
	const size = 2 << 20 // spooled to disk
	r := newRepo(t, fixtures.Options{}, nil)
	data, err := io.ReadAll(fixtures.Filler(size))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.AddTarget("big.bin", data); err != nil {
		t.Fatal(err)
	}
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	clear := srv.Inject(fixtures.Trickle(size, 64<<10, 0).StallAfter(1<<20).Only("/targets/", ""))
	trust := pin(t, root)
	c := client(t, trust, srv.URL)
	info, err := c.TargetInfo(context.Background(), "big.bin")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.Download(context.Background(), info, io.Discard) }()
	spools := filepath.Join(trust, "targets", "ci")
	var spool string
	for spool == "" {
		matches, _ := filepath.Glob(filepath.Join(spools, ".tmp-download-*"))
		if len(matches) == 1 {
			if fi, err := os.Stat(matches[0]); err == nil && fi.Size() >= 1<<20 {
				spool = matches[0]
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := client(t, trust, srv.URL).Status(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(spool); err != nil {
		t.Fatalf("the spool of a download in progress: %v", err)
	}
	clear()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(spool); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("spool after the download: %v", err)
	}
}
