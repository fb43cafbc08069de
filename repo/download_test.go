package repo_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/accord-tuf/accord/fixtures"
)

func TestDownloadHashPrefixChoice(t *testing.T) {
	data := []byte("both hashes listed")
	s256 := sha256.Sum256(data)
	s512 := sha512.Sum512(data)
	names := map[string]string{
		"sha256": "targets/dir/" + hex.EncodeToString(s256[:]) + ".f.bin",
		"sha512": "targets/dir/" + hex.EncodeToString(s512[:]) + ".f.bin",
	}
	for served, other := range map[string]string{"sha256": "sha512", "sha512": "sha256"} {
		t.Run("only "+served, func(t *testing.T) {
			r := newRepo(t, fixtures.Options{Hashes: []string{"sha256", "sha512"}}, nil)
			if err := r.AddTarget("dir/f.bin", data); err != nil {
				t.Fatal(err)
			}
			dir, root := r.Dir(t)
			for _, n := range []string{names[other], "targets/dir/f.bin"} {
				if err := os.Remove(filepath.Join(dir, filepath.FromSlash(n))); err != nil {
					t.Fatal(err)
				}
			}
			srv := fixtures.Serve(t, dir)
			c := client(t, pin(t, root), srv.URL)
			for i := 0; i < 3; i++ {
				got, err := download(t, c, "dir/f.bin")
				if err != nil || !bytes.Equal(got, data) {
					t.Fatalf("download = %q, %v", got, err)
				}
			}
			if n := srv.Count("/" + names[served]); n != 3 {
				t.Errorf("%s asked %d times, want 3", names[served], n)
			}
		})
	}
}

func TestDownloadLargeAndCorrupted(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<17) // 2 MiB: spooled to disk
	r := newRepo(t, fixtures.Options{}, map[string]string{"small.txt": "small"})
	if err := r.AddTarget("big.bin", big); err != nil {
		t.Fatal(err)
	}
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	trust := pin(t, root)
	c := client(t, trust, srv.URL)
	got, err := download(t, c, "big.bin")
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("download of big.bin: %d bytes, %v", len(got), err)
	}

	for _, tc := range []struct{ path, bad string }{
		{"small.txt", "SMALL"},                 // same length, other bytes
		{"small.txt", "small and then some"},   // longer
		{"big.bin", string(big[:len(big)-1])},  // shorter
		{"big.bin", string(big[:1<<20]) + "x"}, // wrong bytes, spooled
	} {
		st := r.Latest().Clone()
		if err := st.TamperTarget(tc.path, []byte(tc.bad)); err != nil {
			t.Fatal(err)
		}
		srv.SetDir(st.Dir(t))
		got, err := download(t, c, tc.path)
		wantErr(t, err, `repository "ci"`, tc.path)
		if len(got) != 0 {
			t.Errorf("%s: %d unverified bytes written", tc.path, len(got))
		}
	}
	spool, err := os.ReadDir(filepath.Join(trust, "targets", "ci"))
	if err != nil {
		t.Fatal(err)
	}
	if len(spool) != 0 {
		t.Errorf("spool not cleaned: %v", spool)
	}
}

func TestDownloadEndlessTarget(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, map[string]string{"a.txt": "hello"})
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	c := client(t, pin(t, root), srv.URL)
	if err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv.Inject(fixtures.Endless().Only("/targets/", ""))
	got, err := download(t, c, "a.txt")
	wantErr(t, err, "a.txt")
	if len(got) != 0 {
		t.Errorf("%d unverified bytes written", len(got))
	}
}
