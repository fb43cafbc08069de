package repo_test

import (
	"context"
	"errors"
	"testing"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/repo"
)

func TestRefreshTargetInfoDownload(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, map[string]string{"a/b.txt": "hello"})
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	c := client(t, pin(t, root), srv.URL)
	ctx := context.Background()
	if err := c.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	info, err := c.TargetInfo(ctx, "a/b.txt")
	if err != nil {
		t.Fatal(err)
	}
	if info.Length != 5 {
		t.Errorf("length %d, want 5", info.Length)
	}
	got, err := download(t, c, "a/b.txt")
	if err != nil || string(got) != "hello" {
		t.Errorf("download = %q, %v; want hello", got, err)
	}
	_, err = c.TargetInfo(ctx, "a/none.txt")
	if !errors.Is(err, repo.ErrNotFound) {
		t.Errorf("missing target: %v, want ErrNotFound", err)
	}
	st, err := c.Status()
	if err != nil {
		t.Fatal(err)
	}
	if !st.Verified || st.Timestamp == nil || st.Timestamp.Version != 1 || st.Root.Version != 1 {
		t.Errorf("status %+v", st)
	}
}
