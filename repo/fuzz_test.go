package repo_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/repo"
)

// fuzzFiles are the files a fuzzed server may replace, by index.
var fuzzFiles = []string{"timestamp.json", "1.snapshot.json", "1.targets.json", "2.root.json", "1.images.json"}

var fuzzRepo = sync.OnceValues(func() (*fixtures.Repo, error) {
	r, err := fixtures.New(fixtures.Options{Seed: "ci"})
	if err != nil {
		return nil, err
	}
	if err := r.Delegate("targets", fixtures.Delegation{Name: "images", Paths: []string{"library/*"}}); err != nil {
		return nil, err
	}
	if err := r.AddTarget("library/a", []byte("a"), fixtures.InRole("images")); err != nil {
		return nil, err
	}
	if _, err := r.Publish(); err != nil {
		return nil, err
	}
	return r, nil
})

// FuzzClientMetadata serves arbitrary bytes as one metadata file: the
// client never panics or hangs, and fails with a clean error that leaves
// the pinned trust directory as it was.
func FuzzClientMetadata(f *testing.F) {
	r, err := fuzzRepo()
	if err != nil {
		f.Fatal(err)
	}
	for i, name := range fuzzFiles {
		if data, ok := r.Latest().File(name); ok {
			f.Add(uint8(i), data)
		}
	}
	root, _ := r.Root(1)
	f.Add(uint8(3), root)
	f.Add(uint8(0), []byte(`{"signed":{"_type":"timestamp","version":-1},"signatures":[]}`))
	f.Add(uint8(1), []byte("null"))
	f.Add(uint8(4), []byte(`{"signatures":[{"keyid":"x","sig":"00"}],"signed":{"_type":"targets","delegations":{"keys":{},"succinct_roles":{"bit_length":99}}}}`))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		name := fuzzFiles[int(which)%len(fuzzFiles)]
		st := r.Latest().Clone()
		if err := st.SetFile(name, data); err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := st.WriteMetadata(dir); err != nil {
			t.Fatal(err)
		}
		srv, err := fixtures.NewServer(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		trust := pin(t, root)
		before := tree(t, trust)
		c := clientWith(t, repo.Config{TrustDir: trust, Mirrors: mirrors(srv.URL), Timeout: 2 * time.Second})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err = c.TargetInfo(ctx, "library/a")
		if err == nil {
			return
		}
		var re *repo.Error
		if !errors.As(err, &re) || !strings.HasPrefix(err.Error(), `repository "ci": `) {
			t.Errorf("error %q is not a repository error", err)
		}
		if ctx.Err() != nil {
			t.Errorf("lookup ran out of time: %v", err)
		}
		if re != nil && re.File == "" && !errors.Is(err, repo.ErrNotFound) {
			// every failure but an absence names its file
			t.Errorf("error %q names no file", err)
		}
		if name != "1.images.json" {
			sameTree(t, before, tree(t, trust))
		}
	})
}

// fuzzCacheFiles are the cached files a fuzzed trust directory may
// replace, by index.
var fuzzCacheFiles = []string{"root.json", "timestamp.json", "snapshot.json", "targets.json", "images.json"}

// FuzzOfflineCache writes arbitrary bytes over one cached file of a trust
// directory: an offline lookup never panics and fails with a clean error.
func FuzzOfflineCache(f *testing.F) {
	r, err := fuzzRepo()
	if err != nil {
		f.Fatal(err)
	}
	for i, name := range fuzzFiles {
		if data, ok := r.Latest().File(name); ok {
			f.Add(uint8(i%len(fuzzCacheFiles)), data)
		}
	}
	f.Add(uint8(0), []byte(`{"signed":{"_type":"root"},"signatures":[]}`))
	f.Add(uint8(4), []byte("{}"))
	root, _ := r.Root(1)
	dir := f.TempDir()
	if err := r.Latest().WriteMetadata(dir); err != nil {
		f.Fatal(err)
	}
	srv, err := fixtures.NewServer(dir)
	if err != nil {
		f.Fatal(err)
	}
	defer srv.Close()
	warm := f.TempDir()
	if _, err := repo.Pin(warm, "ci", root, repo.PinOptions{}); err != nil {
		f.Fatal(err)
	}
	c, err := repo.New(repo.Config{Name: "ci", TrustDir: warm, Mirrors: mirrors(srv.URL)})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := c.TargetInfo(context.Background(), "library/a"); err != nil {
		f.Fatal(err)
	}
	cached := tree(f, warm)
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		trust := t.TempDir()
		mdir := filepath.Join(trust, "metadata", "ci")
		for name, content := range cached {
			p := filepath.Join(mdir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		name := fuzzCacheFiles[int(which)%len(fuzzCacheFiles)]
		if err := os.WriteFile(filepath.Join(mdir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := repo.New(repo.Config{Name: "ci", TrustDir: trust, Offline: true})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.TargetInfo(context.Background(), "library/a")
		if err == nil {
			return
		}
		if !strings.HasPrefix(err.Error(), `repository "ci": `) {
			t.Errorf("error %q is not a repository error", err)
		}
	})
}
