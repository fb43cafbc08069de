package repo

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
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
		"björn":            "björn.json",
		"release team":     "release team.json",
		"?":                "?.json",
		"#":                "#.json",
		"..":               "...json",
		"a/b":              "a%2Fb.json",
		"../delegatedrole": "..%2Fdelegatedrole.json",
		"a%2Fb":            "a%252Fb.json",
		"50%":              "50%25.json",
		"a\\b":             "a%5Cb.json",
		"a\x00b":           "a%00b.json",
		"a\nb":             "a%0Ab.json",
	} {
		got, err := roleFile(role)
		if err != nil || got != want {
			t.Errorf("roleFile(%q) = %q, %v; want %q", role, got, err, want)
		}
		// The mirrors' name, which URLs escape, is recovered from it.
		if back, err := url.PathUnescape(strings.TrimSuffix(got, ".json")); err != nil || back != role {
			t.Errorf("roleFile(%q) = %q unescapes to %q, %v", role, got, back, err)
		}
	}
	for _, role := range []string{"", ".tmp-x"} {
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

func TestMirrorFile(t *testing.T) {
	for _, role := range []string{"björn", "release team", "50%", "?", "..", "a%2Fb"} {
		if got, err := mirrorFile(role); err != nil || got != role+".json" {
			t.Errorf("mirrorFile(%q) = %q, %v; want the name as it is", role, got, err)
		}
	}
	for _, role := range []string{"a/b", "../x", "a\\b", "a\x00b"} {
		if got, err := mirrorFile(role); err == nil {
			t.Errorf("mirrorFile(%q) = %q, want an error", role, got)
		}
	}
}

func TestCause(t *testing.T) {
	base := errors.New("expired")
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&Error{Repo: "ci", File: "timestamp.json", Err: base}, "timestamp.json: expired"},
		{&Error{Repo: "ci", Err: base}, "expired"},
		{&Error{Repo: "qa", File: "timestamp.json", Err: base}, `repository "qa": timestamp.json: expired`},
		{fmt.Errorf("refresh: %w", &Error{Repo: "ci", Err: base}), `refresh: repository "ci": expired`},
		{base, "expired"},
	} {
		if got := Cause("ci", tc.err); got != tc.want {
			t.Errorf("Cause(ci, %v) = %q, want %q", tc.err, got, tc.want)
		}
	}
}
