package repo_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/repo"
)

func TestPinRefusals(t *testing.T) {
	r := newRepo(t, fixtures.Options{Threshold: 2}, nil)
	_, root := r.Dir(t)
	sum := sha256.Sum256(root)
	digest := hex.EncodeToString(sum[:])

	// root with one of its two required signatures removed
	var doc map[string]any
	if err := json.Unmarshal(root, &doc); err != nil {
		t.Fatal(err)
	}
	doc["signatures"] = doc["signatures"].([]any)[:1]
	underSigned, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	ts, _ := r.Latest().File("timestamp.json")

	tests := []struct {
		name string
		root []byte
		opt  repo.PinOptions
		want string
	}{
		{"wrong sha256", root, repo.PinOptions{SHA256: strings.Repeat("0", 64)}, "sha256"},
		{"below threshold", underSigned, repo.PinOptions{}, "threshold"},
		{"garbage", []byte("\x00garbage{"), repo.PinOptions{}, "not root metadata"},
		{"not a root", ts, repo.PinOptions{}, "not root metadata"},
		{"empty", nil, repo.PinOptions{}, "not root metadata"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			trust := filepath.Join(t.TempDir(), "trust")
			_, err := repo.Pin(trust, "ci", tt.root, tt.opt)
			wantErr(t, err, `repository "ci": root.json:`, tt.want)
			if _, err := os.Stat(trust); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a refused pin wrote %s", trust)
			}
		})
	}

	// The right digest, in any case, is accepted.
	trust := t.TempDir()
	res, err := repo.Pin(trust, "ci", root, repo.PinOptions{SHA256: strings.ToUpper(digest)})
	if err != nil {
		t.Fatal(err)
	}
	if res.SHA256 != digest || res.Version != 1 || len(res.KeyIDs) != 2 || res.Expired {
		t.Errorf("pin result %+v", res)
	}
	files := tree(t, trust)
	if files["root.json"] != string(root) || files[filepath.Join("root_history", "1.root.json")] != string(root) || len(files) != 2 {
		t.Errorf("pinned trust directory holds %d files", len(files))
	}
	if fi, err := os.Stat(filepath.Join(trust, "metadata", "ci")); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("metadata directory mode: %v, %v", fi.Mode(), err)
	}

	// A second pin without Force is refused and changes nothing.
	other := newRepo(t, fixtures.Options{Seed: "qa"}, nil)
	_, otherRoot := other.Dir(t)
	_, err = repo.Pin(trust, "ci", otherRoot, repo.PinOptions{})
	if !errors.Is(err, repo.ErrAlreadyPinned) {
		t.Errorf("second pin: %v, want ErrAlreadyPinned", err)
	}
	sameTree(t, files, tree(t, trust))

	// Invalid repository names are refused.
	if _, err := repo.Pin(trust, "../x", root, repo.PinOptions{}); err == nil {
		t.Errorf("pin of repository ../x accepted")
	}
}

func TestPinForceReplacesState(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, map[string]string{"a.txt": "a"})
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	trust := pin(t, root)
	if err := client(t, trust, srv.URL).Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	other := newRepo(t, fixtures.Options{Seed: "qa"}, map[string]string{"b.txt": "b"})
	otherDir, otherRoot := other.Dir(t)
	if _, err := repo.Pin(trust, "ci", otherRoot, repo.PinOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	files := tree(t, trust)
	if len(files) != 2 || files["root.json"] != string(otherRoot) {
		t.Errorf("forced pin left %d files", len(files))
	}
	srv.SetDir(otherDir)
	c := client(t, trust, srv.URL)
	if _, err := c.TargetInfo(context.Background(), "b.txt"); err != nil {
		t.Errorf("after a forced pin: %v", err)
	}
}

func TestPinExpiredRoot(t *testing.T) {
	past := time.Now().Add(-48 * time.Hour)
	r := newRepo(t, fixtures.Options{Now: func() time.Time { return past }, Expiry: time.Hour}, nil)
	_, root := r.Dir(t)
	res, err := repo.Pin(t.TempDir(), "ci", root, repo.PinOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Expired {
		t.Errorf("expired root not flagged")
	}
	res, err = repo.Pin(t.TempDir(), "ci", root, repo.PinOptions{At: past})
	if err != nil || res.Expired {
		t.Errorf("root at its publication time: expired %v, %v", res.Expired, err)
	}
}

func TestNewUnpinned(t *testing.T) {
	_, err := repo.New(repo.Config{Name: "ci", TrustDir: t.TempDir(), Mirrors: mirrors("http://127.0.0.1:1")})
	if !errors.Is(err, repo.ErrNotPinned) {
		t.Errorf("New on an unpinned repository: %v, want ErrNotPinned", err)
	}
	wantErr(t, err, `repository "ci"`)
	for _, m := range []string{"127.0.0.1/x", "ftp://h/x", "file://host/x"} {
		if _, err := repo.New(repo.Config{Name: "ci", TrustDir: t.TempDir(), Mirrors: mirrors(m)}); err == nil {
			t.Errorf("mirror %q accepted", m)
		}
	}
}
