//go:build unix

package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestStaleSpoolsRemoved: a download spool that a killed accord left in
// targets/<repo>/ is removed by the next download, refresh or status of
// that repository, while one that another process holds locked (here the
// test's own) stays.
func TestStaleSpoolsRemoved(t *testing.T) {
	e, _, _ := demoEnv(t)
	out := filepath.Join(t.TempDir(), "ubuntu.img")
	for _, args := range [][]string{
		{"download", outputTarget, "-o", out},
		{"refresh", "ci"},
		{"status"},
	} {
		t.Run(args[0], func(t *testing.T) {
			spools := filepath.Join(e.trust, "targets", "ci")
			if err := os.MkdirAll(spools, 0o700); err != nil {
				t.Fatal(err)
			}
			stale := filepath.Join(spools, ".tmp-download-killed")
			held := filepath.Join(spools, ".tmp-download-in-use")
			for _, p := range []string{stale, held} {
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
			e.must(args...)
			if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("accord %s: stale spool %v, want it removed", strings.Join(args, " "), err)
			}
			if _, err := os.Stat(held); err != nil {
				t.Errorf("accord %s: spool in use: %v, want it kept", strings.Join(args, " "), err)
			}
			os.Remove(held)
		})
	}
}
