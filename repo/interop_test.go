package repo_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/repo"
)

// TestDelegatedPathShellPattern checks that delegated paths are matched
// as the TUF specification and python-tuf match them (fnmatch): in
// "releases/v[!0]*.tar.gz", "[!0]" is any character but '0'. The role is
// trusted for v1.2.0 and not for v0.9.0, although it signs both.
func TestDelegatedPathShellPattern(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, nil)
	if err := r.Delegate("targets", fixtures.Delegation{Name: "releases", Paths: []string{"releases/v[!0]*.tar.gz"}}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"releases/v1.2.0.tar.gz", "releases/v0.9.0.tar.gz", "releases/old/v1.0.tar.gz"} {
		if err := r.AddTarget(p, []byte(p), fixtures.InRole("releases")); err != nil {
			t.Fatal(err)
		}
	}
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	c := client(t, pin(t, root), srv.URL)
	ctx := context.Background()
	info, err := c.TargetInfo(ctx, "releases/v1.2.0.tar.gz")
	if err != nil {
		t.Fatalf("in scope: %v", err)
	}
	if info.Length != int64(len("releases/v1.2.0.tar.gz")) {
		t.Errorf("in scope: length %d", info.Length)
	}
	for _, p := range []string{"releases/v0.9.0.tar.gz", "releases/old/v1.0.tar.gz"} {
		if _, err := c.TargetInfo(ctx, p); !errors.Is(err, repo.ErrNotFound) {
			t.Errorf("%s, out of the role's scope: %v, want ErrNotFound", p, err)
		}
	}
}

// namedRoles returns a repository delegating "b/*" to the role "björn",
// "r/*" to the role "release team" and "p/*" to the role "50%", each
// signing one target, and the targets by path.
func namedRoles(t *testing.T) (*fixtures.Repo, map[string]string) {
	t.Helper()
	r := newRepo(t, fixtures.Options{}, map[string]string{"top.txt": "top"})
	targets := map[string]string{"top.txt": "top"}
	for role, path := range map[string]string{"björn": "b/one.txt", "release team": "r/two.txt", "50%": "p/three.txt"} {
		if err := r.Delegate("targets", fixtures.Delegation{Name: role, Paths: []string{path[:2] + "*"}}); err != nil {
			t.Fatal(err)
		}
		if err := r.AddTarget(path, []byte(role), fixtures.InRole(role)); err != nil {
			t.Fatal(err)
		}
		targets[path] = role
	}
	return r, targets
}

// wantTargets fails the test unless c downloads every target.
func wantTargets(t *testing.T, c *repo.Client, targets map[string]string) {
	t.Helper()
	for path, want := range targets {
		got, err := download(t, c, path)
		if err != nil || string(got) != want {
			t.Errorf("%s: %q, %v", path, got, err)
		}
	}
}

// TestRoleNamesFileMirror checks that a role whose name needs URL
// escaping is read from a file:// mirror under its own name (1.björn.json,
// not 1.bj%C3%B6rn.json), and kept in the trust directory under it too.
func TestRoleNamesFileMirror(t *testing.T) {
	r, targets := namedRoles(t)
	dir, root := r.Dir(t)
	m, err := repo.DirMirror(dir)
	if err != nil {
		t.Fatal(err)
	}
	trust := pin(t, root)
	c := clientWith(t, repo.Config{TrustDir: trust, Mirrors: []repo.Mirror{m}})
	wantTargets(t, c, targets)
	files := tree(t, trust)
	for _, name := range []string{"björn.json", "release team.json", "50%25.json"} {
		if _, ok := files[name]; !ok {
			t.Errorf("%s not in the trust directory", name)
		}
	}
}

// TestRoleNamesWriteMirror checks that accord's mirror of such roles,
// served by a plain static web server, and read as a file:// mirror,
// verifies in a fresh trust directory.
func TestRoleNamesWriteMirror(t *testing.T) {
	r, targets := namedRoles(t)
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	ctx := context.Background()
	out := t.TempDir()
	if err := client(t, pin(t, root), srv.URL).WriteMirror(ctx, out, true); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	for _, name := range []string{"1.björn.json", "björn.json", "1.release team.json", "1.50%.json"} {
		if _, err := os.Stat(filepath.Join(out, "ci", name)); err != nil {
			t.Errorf("mirror: %v", err)
		}
	}

	static := httptest.NewServer(http.FileServer(http.Dir(filepath.Join(out, "ci"))))
	t.Cleanup(static.Close)
	wantTargets(t, client(t, pin(t, root), static.URL), targets)

	m, err := repo.DirMirror(filepath.Join(out, "ci"))
	if err != nil {
		t.Fatal(err)
	}
	wantTargets(t, clientWith(t, repo.Config{TrustDir: pin(t, root), Mirrors: []repo.Mirror{m}}), targets)
}

// bigFields are unrecognized fields with integers that float64 cannot
// hold, at the top, nested, and negative.
var bigFields = map[string]any{
	"x-big": json.Number("9007199254740993"),
	"x-neg": json.Number("-9007199254740993"),
	"x-nested": map[string]any{
		"list": []any{json.Number("18014398509481985"), map[string]any{"min": json.Number("-9223372036854775808")}},
		"max":  json.Number("9223372036854775807"),
	},
}

// TestUnrecognizedLargeIntegers checks that metadata whose signed parts
// (root, timestamp, snapshot, targets, a delegated role, their keys, meta
// entries and target files) carry integers above 2^53 in unrecognized
// fields verifies: signatures are checked over the canonical form of the
// bytes as they were signed, not over a float64 rounding of them.
func TestUnrecognizedLargeIntegers(t *testing.T) {
	r := newRepo(t, fixtures.Options{Unrecognized: bigFields}, map[string]string{"top.txt": "top"})
	if err := r.Delegate("targets", fixtures.Delegation{Name: "images", Paths: []string{"library/*"}}); err != nil {
		t.Fatal(err)
	}
	if err := r.AddTarget("library/alpine:3", []byte("alpine"), fixtures.InRole("images")); err != nil {
		t.Fatal(err)
	}
	dir, root := r.Dir(t)
	for _, name := range []string{"1.root.json", "timestamp.json", "1.snapshot.json", "1.targets.json", "1.images.json"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []string{`"x-big":9007199254740993`, `-9223372036854775808`} {
			if !strings.Contains(string(data), n) {
				t.Fatalf("%s does not hold %s", name, n)
			}
		}
	}
	srv := fixtures.Serve(t, dir)
	trust := t.TempDir()
	if _, err := repo.Pin(trust, "ci", root, repo.PinOptions{}); err != nil {
		t.Fatalf("pin: %v", err)
	}
	c := client(t, trust, srv.URL)
	wantTargets(t, c, map[string]string{"top.txt": "top", "library/alpine:3": "alpine"})

	// The cached metadata verifies offline as well.
	off := clientWith(t, repo.Config{TrustDir: trust, Offline: true})
	if _, err := off.TargetInfo(context.Background(), "library/alpine:3"); err != nil {
		t.Errorf("offline: %v", err)
	}
}

// TestUnrecognizedIntegersNotMalleable checks the other side: an integer
// changed after signing to one that rounds to the same float64
// (9007199254740992 signed, 9007199254740993 served) is a tampered file.
func TestUnrecognizedIntegersNotMalleable(t *testing.T) {
	r := newRepo(t, fixtures.Options{Unrecognized: map[string]any{"x-big": json.Number("9007199254740992")}}, map[string]string{"top.txt": "top"})
	st, err := r.Publish()
	if err != nil {
		t.Fatal(err)
	}
	root, err := st.Root(1)
	if err != nil {
		t.Fatal(err)
	}
	tampered := st.Clone()
	err = tampered.EditFile("timestamp.json", func(b []byte) []byte {
		return []byte(strings.Replace(string(b), `"x-big":9007199254740992`, `"x-big":9007199254740993`, 1))
	})
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := tampered.File("timestamp.json"); !strings.Contains(string(data), "9007199254740993") {
		t.Fatal("timestamp.json not edited")
	}
	trust := pin(t, root)
	srv := fixtures.Serve(t, tampered.Dir(t))
	_, err = client(t, trust, srv.URL).TargetInfo(context.Background(), "top.txt")
	wantErr(t, err, "timestamp.json")
	if _, ok := tree(t, trust)["timestamp.json"]; ok {
		t.Error("tampered timestamp.json reached the trust directory")
	}

	srv.SetDir(st.Dir(t))
	if _, err := client(t, trust, srv.URL).TargetInfo(context.Background(), "top.txt"); err != nil {
		t.Errorf("as signed: %v", err)
	}
}
