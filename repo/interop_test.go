package repo_test

import (
	"context"
	"errors"
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
