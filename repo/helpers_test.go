package repo_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/repo"
)

// testTimeout bounds every request in tests that expect a server to stall.
const testTimeout = time.Second

// newRepo returns a fixture repository with seed "ci" and the given
// targets in the top-level role.
func newRepo(t *testing.T, opts fixtures.Options, targets map[string]string) *fixtures.Repo {
	t.Helper()
	if opts.Seed == "" {
		opts.Seed = "ci"
	}
	r, err := fixtures.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	for p, data := range targets {
		if err := r.AddTarget(p, []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// publish publishes r and writes the new state to a fresh directory.
func publish(t *testing.T, r *fixtures.Repo) string {
	t.Helper()
	st, err := r.Publish()
	if err != nil {
		t.Fatal(err)
	}
	return st.Dir(t)
}

// pin returns a new trust directory with root pinned as repository "ci".
func pin(t *testing.T, root []byte) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := repo.Pin(dir, "ci", root, repo.PinOptions{}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// mirrors returns string mirrors for base URLs.
func mirrors(bases ...string) []repo.Mirror {
	var ms []repo.Mirror
	for _, b := range bases {
		ms = append(ms, repo.Mirror{Metadata: b, Targets: b + "/targets"})
	}
	return ms
}

// client returns a Client for repository "ci" in trustDir over bases.
func client(t *testing.T, trustDir string, bases ...string) *repo.Client {
	t.Helper()
	return clientWith(t, repo.Config{TrustDir: trustDir, Mirrors: mirrors(bases...)})
}

// clientWith returns a Client for cfg, named "ci" unless named, with a
// short timeout unless set.
func clientWith(t *testing.T, cfg repo.Config) *repo.Client {
	t.Helper()
	if cfg.Name == "" {
		cfg.Name = "ci"
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	c, err := repo.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// tree returns every regular file under dir/metadata/ci by relative path,
// leaving out the lock and work files.
func tree(t testing.TB, trustDir string) map[string]string {
	t.Helper()
	root := filepath.Join(trustDir, "metadata", "ci")
	files := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		files[rel] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// sameTree fails the test unless two trees are byte-for-byte equal.
func sameTree(t *testing.T, before, after map[string]string) {
	t.Helper()
	for name, data := range before {
		if got, ok := after[name]; !ok {
			t.Errorf("%s: removed", name)
		} else if got != data {
			t.Errorf("%s: changed", name)
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			t.Errorf("%s: added", name)
		}
	}
}

// wantErr fails the test unless err is an error whose message contains
// every part.
func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not contain %q", err, p)
		}
	}
}

// download returns the bytes Download writes.
func download(t *testing.T, c *repo.Client, path string) ([]byte, error) {
	t.Helper()
	ctx := context.Background()
	info, err := c.TargetInfo(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	err = c.Download(ctx, info, &buf)
	return buf.Bytes(), err
}
