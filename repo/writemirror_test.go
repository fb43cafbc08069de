package repo_test

import (
	"bytes"
	"context"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/repo"
)

func TestWriteMirrorVerifiesElsewhere(t *testing.T) {
	r := newRepo(t, fixtures.Options{Hashes: []string{"sha256", "sha512"}}, map[string]string{"top.txt": "top"})
	if err := r.Delegate("targets", fixtures.Delegation{Name: "images", Paths: []string{"library/*"}}); err != nil {
		t.Fatal(err)
	}
	if err := r.AddTarget("library/alpine:3", []byte("alpine"), fixtures.InRole("images")); err != nil {
		t.Fatal(err)
	}
	_, root := r.Dir(t)
	if err := r.RotateRoot("ci-2"); err != nil {
		t.Fatal(err)
	}
	if err := r.AddTarget("library/busybox:1", []byte("busybox"), fixtures.InRole("images")); err != nil {
		t.Fatal(err)
	}
	srv := fixtures.Serve(t, publish(t, r))
	ctx := context.Background()
	c := client(t, pin(t, root), srv.URL)
	out := t.TempDir()
	if err := c.WriteMirror(ctx, out, true); err != nil {
		t.Fatal(err)
	}
	srv.Close()

	fileMirror, err := repo.DirMirror(filepath.Join(out, "ci"))
	if err != nil {
		t.Fatal(err)
	}
	fresh := pin(t, root)
	m := clientWith(t, repo.Config{TrustDir: fresh, Mirrors: []repo.Mirror{fileMirror}})
	if err := m.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if st, _ := m.Status(); st.Root.Version != 2 {
		t.Errorf("root version %d from the mirror, want 2", st.Root.Version)
	}
	for path, want := range map[string]string{"top.txt": "top", "library/alpine:3": "alpine", "library/busybox:1": "busybox"} {
		got, err := download(t, m, path)
		if err != nil || !bytes.Equal(got, []byte(want)) {
			t.Errorf("%s from the mirror: %q, %v", path, got, err)
		}
	}
	all, err := m.Targets(ctx)
	if err != nil || len(all) != 3 {
		t.Errorf("Targets from the mirror: %d, %v", len(all), err)
	}
}

func TestRelativeFileMirror(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, map[string]string{"a.txt": "a"})
	dir, root := r.Dir(t)
	t.Chdir(filepath.Dir(dir))
	base := "file:" + url.PathEscape(filepath.Base(dir))
	c := client(t, pin(t, root), base)
	got, err := download(t, c, "a.txt")
	if err != nil || string(got) != "a" {
		t.Errorf("download from %s: %q, %v", base, got, err)
	}
}
