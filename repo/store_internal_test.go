package repo

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRecoverDir checks the restoration of a metadata directory that a
// crash between the two renames of a non-atomic replacement left in the
// work directory.
func TestRecoverDir(t *testing.T) {
	mdir := filepath.Join(t.TempDir(), "metadata", "ci")
	old := filepath.Join(workDir(mdir), "old")
	if err := os.MkdirAll(old, dirPerm); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(old, "root.json"), []byte("root"), filePerm); err != nil {
		t.Fatal(err)
	}
	if _, err := newWorkDir(mdir, "staging-"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(mdir, "root.json"))
	if err != nil || string(data) != "root" {
		t.Fatalf("metadata directory not restored: %q, %v", data, err)
	}
}

func TestLinkTreeSkipsTemporaryFiles(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	for _, name := range []string{"root.json", ".tmp-root.json-1", ".tmp-download-2", "a%2Fb.json", historyDir + "/1.root.json"} {
		p := filepath.Join(src, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), dirPerm); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(name), filePerm); err != nil {
			t.Fatal(err)
		}
	}
	if err := linkTree(src, dst); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"root.json": true, "a%2Fb.json": true, historyDir + "/1.root.json": true, ".tmp-root.json-1": false, ".tmp-download-2": false} {
		_, err := os.Stat(filepath.Join(dst, filepath.FromSlash(name)))
		if got := err == nil; got != want {
			t.Errorf("%s linked: %v, want %v", name, got, want)
		}
	}
}

func TestRoleFile(t *testing.T) {
	for role, want := range map[string]string{
		"images":           "images.json",
		"a/b":              "a%2Fb.json",
		"../delegatedrole": "..%2Fdelegatedrole.json",
		"?":                "%3F.json",
		"#":                "%23.json",
		"..":               "...json",
	} {
		got, err := roleFile(role)
		if err != nil || got != want {
			t.Errorf("roleFile(%q) = %q, %v; want %q", role, got, err, want)
		}
	}
	for _, role := range []string{"", "a\\b", "a\x00b", ".tmp-x"} {
		if got, err := roleFile(role); err == nil {
			t.Errorf("roleFile(%q) = %q, want an error", role, got)
		}
	}
	for _, role := range []string{"root", "Timestamp", "SNAPSHOT", "targets"} {
		if err := checkDelegatedRole(role); err == nil {
			t.Errorf("delegated role %q accepted", role)
		}
	}
}
