package repo_test

import (
	"context"
	"testing"
	"time"

	"github.com/accord-tuf/accord/fixtures"
)

// TestExpiresEarliest checks that Expires names the earliest expiry of the
// verified metadata, a delegated role loaded by a lookup included, and
// reports no state before a refresh.
func TestExpiresEarliest(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, map[string]string{"top.txt": "top"})
	if err := r.Delegate("targets", fixtures.Delegation{Name: "images", Paths: []string{"library/*"}}); err != nil {
		t.Fatal(err)
	}
	if err := r.AddTarget("library/alpine:3", []byte("alpine"), fixtures.InRole("images")); err != nil {
		t.Fatal(err)
	}
	soon := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	if err := r.SetExpires("images", soon); err != nil {
		t.Fatal(err)
	}
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	c := client(t, pin(t, root), srv.URL)
	if _, ok := c.Expires(); ok {
		t.Fatal("Expires before a refresh reports a state")
	}
	ctx := context.Background()
	if err := c.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	top, ok := c.Expires()
	if !ok || !top.After(soon) {
		t.Fatalf("Expires after refresh = %v, %v; want later than the delegated role's %v", top, ok, soon)
	}
	if _, err := c.TargetInfo(ctx, "library/alpine:3"); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Expires(); !got.Equal(soon) {
		t.Errorf("Expires after loading the role = %v, want %v", got, soon)
	}
}
