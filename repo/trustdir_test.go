package repo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/repo"
	"github.com/gofrs/flock"
)

// refreshedRepo serves a repository with a delegated role "images" and
// returns the fixture, its server and a trust directory refreshed from it
// (every top-level file and images.json cached).
func refreshedRepo(t *testing.T) (*fixtures.Repo, *fixtures.Server, string) {
	t.Helper()
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
	if err := client(t, trust, srv.URL).RefreshAhead(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, ok := tree(t, trust)["images.json"]; !ok {
		t.Fatal("images.json not cached by the refresh")
	}
	return r, srv, trust
}

// warnings collects what a Client passes to Config.Warn.
type warnings struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warnings) add(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, err.Error())
}

func (w *warnings) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.msgs, "\n")
}

// corruptions are the ways a cached file is damaged.
var corruptions = []struct {
	name string
	fn   func(t *testing.T, data []byte) []byte
	want string // in the warning or error
}{
	{"empty", func(t *testing.T, data []byte) []byte { return nil }, "does not load: empty file"},
	{"truncated", func(t *testing.T, data []byte) []byte { return data[:len(data)/2] }, "does not load: unexpected end of JSON input"},
	{"bad JSON", func(t *testing.T, data []byte) []byte { return append([]byte("x"), data[1:]...) }, "does not load: invalid character 'x'"},
	{"bad signature", badSignature, "not signed by"},
}

// badSignature changes the first signature of metadata, keeping it JSON.
func badSignature(t *testing.T, data []byte) []byte {
	t.Helper()
	var md struct {
		Signed     json.RawMessage `json:"signed"`
		Signatures []struct {
			KeyID string `json:"keyid"`
			Sig   string `json:"sig"`
		} `json:"signatures"`
	}
	if err := json.Unmarshal(data, &md); err != nil || len(md.Signatures) == 0 {
		t.Fatalf("not signed metadata: %v", err)
	}
	sig := []byte(md.Signatures[0].Sig)
	if sig[0] == '0' {
		sig[0] = '1'
	} else {
		sig[0] = '0'
	}
	md.Signatures[0].Sig = string(sig)
	out, err := json.Marshal(md)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// cachedFiles are the cached files a corruption is tried on, with a
// target whose lookup reads each.
var cachedFiles = []struct{ file, target string }{
	{"timestamp.json", "top.txt"},
	{"snapshot.json", "top.txt"},
	{"targets.json", "top.txt"},
	{"images.json", "library/alpine:3"},
}

func TestCorruptCacheIgnoredWithWarning(t *testing.T) {
	for _, f := range cachedFiles {
		for _, k := range corruptions {
			t.Run(f.file+"/"+k.name, func(t *testing.T) {
				_, srv, trust := refreshedRepo(t)
				path := filepath.Join(trust, "metadata", "ci", f.file)
				good, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, k.fn(t, good), 0o600); err != nil {
					t.Fatal(err)
				}
				var w warnings
				c := clientWith(t, repo.Config{TrustDir: trust, Mirrors: mirrors(srv.URL), Warn: w.add})
				ctx := context.Background()
				if err := c.Refresh(ctx); err != nil {
					t.Fatalf("refresh: %v", err)
				}
				if _, err := c.TargetInfo(ctx, f.target); err != nil {
					t.Fatalf("lookup %s: %v", f.target, err)
				}
				want := `repository "ci": ` + f.file + ": cached copy ignored, fetching it again: " + k.want
				if got := w.String(); !strings.Contains(got, want) {
					t.Errorf("warnings %q, want one containing %q", got, want)
				}
				if got, _ := os.ReadFile(path); !bytes.Equal(got, good) {
					t.Errorf("%s not replaced by the verified copy", f.file)
				}
			})
		}
	}
}

func TestCorruptCacheOfflineNamesFileAndRefresh(t *testing.T) {
	for _, f := range cachedFiles {
		for _, k := range corruptions {
			t.Run(f.file+"/"+k.name, func(t *testing.T) {
				_, _, trust := refreshedRepo(t)
				path := filepath.Join(trust, "metadata", "ci", f.file)
				good, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, k.fn(t, good), 0o600); err != nil {
					t.Fatal(err)
				}
				before := tree(t, trust)
				c := clientWith(t, repo.Config{TrustDir: trust, Offline: true})
				ctx := context.Background()
				_, err = c.TargetInfo(ctx, f.target)
				wantErr(t, err, `repository "ci": `+f.file+": cached copy unusable: "+k.want, "; run: accord refresh ci")
				sameTree(t, before, tree(t, trust))
			})
		}
	}
}

func TestCorruptRootNamesPinForce(t *testing.T) {
	for _, k := range corruptions {
		t.Run(k.name, func(t *testing.T) {
			_, srv, trust := refreshedRepo(t)
			path := filepath.Join(trust, "metadata", "ci", "root.json")
			good, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, k.fn(t, good), 0o600); err != nil {
				t.Fatal(err)
			}
			before := tree(t, trust)
			for _, offline := range []bool{false, true} {
				var w warnings
				c := clientWith(t, repo.Config{TrustDir: trust, Mirrors: mirrors(srv.URL), Offline: offline, Warn: w.add})
				err := c.Refresh(context.Background())
				want := k.want
				if k.name == "bad signature" {
					want = "not signed by a threshold of its own root keys"
				}
				wantErr(t, err, `repository "ci": root.json: `+want, "pin a root again with: accord pin ci ROOT.json --force")
				if w.String() != "" {
					t.Errorf("warnings %q, want none", w.String())
				}
				_, err = c.Status()
				wantErr(t, err, `repository "ci": root.json: `, "accord pin ci ROOT.json --force")
			}
			sameTree(t, before, tree(t, trust))
		})
	}
}

// linkOut moves path out of the trust directory and leaves a symbolic
// link to it in its place.
func linkOut(t *testing.T, path string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), filepath.Base(path))
	if err := os.Rename(path, out); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(out, path); err != nil {
		t.Fatal(err)
	}
}

func TestSymlinkInMetadataDirRefusedAndKept(t *testing.T) {
	for _, rel := range []string{"root.json", "root_history/1.root.json", "timestamp.json", "images.json", "root_history", "."} {
		t.Run(rel, func(t *testing.T) {
			r, srv, trust := refreshedRepo(t)
			// A Client opened before the link appears, and a new version
			// to commit.
			early := client(t, trust, srv.URL)
			if err := r.AddTarget("new.txt", []byte("new")); err != nil {
				t.Fatal(err)
			}
			srv.SetDir(publish(t, r))
			path := filepath.Clean(filepath.Join(trust, "metadata", "ci", rel))
			linkOut(t, path)

			_, err := repo.New(repo.Config{Name: "ci", TrustDir: trust, Mirrors: mirrors(srv.URL)})
			if !errors.Is(err, repo.ErrSymlink) {
				t.Fatalf("New: %v, want ErrSymlink", err)
			}
			wantErr(t, err, path+" is a symbolic link", "replace the link with")
			err = early.Refresh(context.Background())
			if !errors.Is(err, repo.ErrSymlink) {
				t.Fatalf("refresh: %v, want ErrSymlink", err)
			}
			wantErr(t, err, path+" is a symbolic link")
			_, err = repo.New(repo.Config{Name: "ci", TrustDir: trust, Offline: true})
			if !errors.Is(err, repo.ErrSymlink) {
				t.Fatalf("offline New: %v, want ErrSymlink", err)
			}
			if fi, err := os.Lstat(path); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				t.Fatalf("%s is no longer a link: %v", rel, err)
			}
		})
	}
}

func TestPinRefusesSymlinkedMetadataDir(t *testing.T) {
	_, _, trust := refreshedRepo(t)
	mdir := filepath.Join(trust, "metadata", "ci")
	root, err := os.ReadFile(filepath.Join(mdir, "root.json"))
	if err != nil {
		t.Fatal(err)
	}
	linkOut(t, mdir)
	_, err = repo.Pin(trust, "ci", root, repo.PinOptions{Force: true})
	if !errors.Is(err, repo.ErrSymlink) {
		t.Fatalf("Pin: %v, want ErrSymlink", err)
	}
	if fi, err := os.Lstat(mdir); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("metadata/ci is no longer a link: %v", err)
	}
}

func TestSymlinkedTrustDirFollowed(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, map[string]string{"top.txt": "top"})
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	real := t.TempDir()
	trust := filepath.Join(t.TempDir(), "trust")
	if err := os.Symlink(real, trust); err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Pin(trust, "ci", root, repo.PinOptions{}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := client(t, trust, srv.URL).Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.AddTarget("new.txt", []byte("new")); err != nil {
		t.Fatal(err)
	}
	srv.SetDir(publish(t, r))
	if err := client(t, trust, srv.URL).Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	off := clientWith(t, repo.Config{TrustDir: trust, Offline: true})
	if _, err := off.TargetInfo(ctx, "new.txt"); err != nil {
		t.Fatalf("offline lookup of the committed target: %v", err)
	}
	if fi, err := os.Lstat(trust); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("trust directory is no longer a link: %v", err)
	}
	if _, err := os.Stat(filepath.Join(real, "metadata", "ci", "root.json")); err != nil {
		t.Fatalf("state not in the linked directory: %v", err)
	}
}

func TestSymlinkedSpoolDirFollowed(t *testing.T) {
	big := bytes.Repeat([]byte("spooled to disk "), 1<<17) // 2 MiB: spooled to a file
	r := newRepo(t, fixtures.Options{}, map[string]string{"big.bin": string(big)})
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	trust := pin(t, root)
	spool := filepath.Join(trust, "targets", "ci")
	real := t.TempDir()
	if err := os.MkdirAll(filepath.Dir(spool), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, spool); err != nil {
		t.Fatal(err)
	}
	got, err := download(t, client(t, trust, srv.URL), "big.bin")
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("download through a linked spool: %d bytes, %v", len(got), err)
	}
	if fi, err := os.Lstat(spool); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("targets/ci is no longer a link: %v", err)
	}
}

func TestOfflineReaderDoesNotWaitForWriter(t *testing.T) {
	_, _, trust := refreshedRepo(t)
	// A writer holds the lock, as a refresh stuck on a mirror does.
	lock := flock.New(filepath.Join(trust, "metadata", ".ci.lock"))
	if err := lock.Lock(); err != nil {
		t.Fatal(err)
	}
	defer lock.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := clientWith(t, repo.Config{TrustDir: trust, Offline: true})
	if _, err := c.TargetInfo(ctx, "library/alpine:3"); err != nil {
		t.Fatalf("offline lookup while a writer holds the lock: %v", err)
	}
}

func TestOfflineReadersSeeWholeCommits(t *testing.T) {
	r, srv, trust := refreshedRepo(t)
	ctx := context.Background()
	stop := make(chan struct{})
	result := make(chan error, 1)
	go func() {
		// Offline readers, each reading the whole state, until stopped.
		for reads := 0; ; reads++ {
			select {
			case <-stop:
				if reads == 0 {
					result <- errors.New("no offline read ran")
				}
				close(result)
				return
			default:
			}
			c, err := repo.New(repo.Config{Name: "ci", TrustDir: trust, Offline: true})
			if err == nil {
				err = c.Refresh(ctx)
			}
			if err != nil {
				result <- err
				return
			}
		}
	}()
	for i := range 20 {
		if err := r.AddTarget("v"+string(rune('a'+i)), []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
		srv.SetDir(publish(t, r))
		if err := client(t, trust, srv.URL).Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	if err := <-result; err != nil {
		t.Fatalf("offline read during commits: %v", err)
	}
}

func TestLooseTrustDirWarns(t *testing.T) {
	_, srv, trust := refreshedRepo(t)
	mdir := filepath.Join(trust, "metadata", "ci")
	open := func() string {
		var w warnings
		clientWith(t, repo.Config{TrustDir: trust, Mirrors: mirrors(srv.URL), Warn: w.add})
		return w.String()
	}
	if got := open(); got != "" {
		t.Errorf("warnings %q for a 0700 trust directory", got)
	}
	if err := os.Chmod(trust, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(mdir, 0o770); err != nil {
		t.Fatal(err)
	}
	got := open()
	for _, want := range []string{
		trust + " is world-writable (mode 0777): whoever may write it may replace the pinned roots; run: chmod go-w " + trust,
		mdir + " is group-writable (mode 0770): whoever may write it may replace the pinned roots; run: chmod go-w " + mdir,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("warnings %q, want one containing %q", got, want)
		}
	}
}

func TestUpdateWaitingForLockSaysWho(t *testing.T) {
	_, srv, trust := refreshedRepo(t)
	path := filepath.Join(trust, "metadata", ".ci.lock")
	lock := flock.New(path)
	if err := lock.Lock(); err != nil {
		t.Fatal(err)
	}
	defer lock.Unlock()
	if err := os.WriteFile(path, []byte("4242\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	warned := make(chan error, 1)
	c := clientWith(t, repo.Config{TrustDir: trust, Mirrors: mirrors(srv.URL), Warn: func(err error) { warned <- err }})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.Refresh(ctx) }()
	select {
	case err := <-warned:
		wantErr(t, err, `repository "ci": waiting for the lock `+path+", held by process 4242")
	case err := <-done:
		t.Fatalf("refresh ended without saying what it waits for: %v", err)
	}
	lock.Unlock()
	if err := <-done; err != nil {
		t.Fatalf("refresh after the lock was released: %v", err)
	}
}
