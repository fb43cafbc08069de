package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/accord-tuf/accord/fixtures"
)

func TestInitStoresRootWithoutRequests(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fixtures.Options{}, map[string]string{"a.txt": "a"})
	w.init(t)
	got, err := os.ReadFile(filepath.Join(w.mdir, "root.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, w.root) {
		t.Errorf("root.json does not hold the root file's bytes")
	}
	if reqs := w.srv.Requests(); len(reqs) != 0 {
		t.Errorf("init made requests: %q", reqs)
	}

	// A second init replaces the trusted root and what came with it.
	wantCode(t, w.refresh(t), 0)
	other := newWorld(t, fixtures.Options{Seed: "other"}, nil)
	w.root = other.root
	w.init(t)
	after := files(t, w.mdir)
	if after["root.json"] != string(other.root) {
		t.Errorf("root.json is not the new root after a second init")
	}
	if _, ok := after["timestamp.json"]; ok {
		t.Errorf("timestamp.json of the previous root kept after a second init")
	}
}

func TestInitRefusesWhatIsNotARoot(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fixtures.Options{}, nil)
	targets, ok := w.r.Latest().File("1.targets.json")
	if !ok {
		t.Fatal("no 1.targets.json")
	}
	badSig := bytes.Replace(w.root, []byte(`"consistent_snapshot":true`), []byte(`"consistent_snapshot":false`), 1)
	if bytes.Equal(badSig, w.root) {
		t.Fatal("root has no consistent_snapshot field to alter")
	}
	for _, tc := range []struct {
		name string
		data []byte // nil: the file does not exist
	}{
		{"garbage", []byte("not a root at all\n")},
		{"empty", []byte{}},
		{"json but not metadata", []byte(`{"hello": "world"}`)},
		{"targets metadata", targets},
		{"root with a broken signature", badSig},
		{"too large", bytes.Repeat([]byte(" "), 600_000)},
		{"missing file", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "root.json")
			if tc.data != nil {
				if err := os.WriteFile(path, tc.data, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			mdir := filepath.Join(dir, "metadata")
			res := adapter(t, nil, "--metadata-dir", mdir, "init", path)
			wantCode(t, res, 1)
			wantStderr(t, res, "init: ")
			if _, err := os.Stat(filepath.Join(mdir, "root.json")); err == nil {
				t.Errorf("root.json written for a refused root")
			}
		})
	}
	if reqs := w.srv.Requests(); len(reqs) != 0 {
		t.Errorf("init made requests: %q", reqs)
	}
}

func TestInitRefusesToReplaceOtherDirectories(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fixtures.Options{}, nil)
	for _, tc := range []struct {
		name  string
		files map[string]string
	}{
		{"a file that is not metadata", map[string]string{"root.json": "x", "notes.txt": "mine"}},
		{"json files without a root", map[string]string{"package.json": "{}"}},
		{"a subdirectory", map[string]string{"root.json": "x", "src/main.go": "package main"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range tc.files {
				p := filepath.Join(dir, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			res := adapter(t, nil, "--metadata-dir", dir, "init", rootFile(t, w.root))
			wantCode(t, res, 1)
			wantStderr(t, res, "init: refusing to replace")
			sameFiles(t, tc.files, files(t, dir))
		})
	}
}
