package resolver

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/repo"
)

// TestEndToEnd resolves, lists and downloads over real signed repositories
// served on loopback, through *repo.Client.
func TestEndToEnd(t *testing.T) {
	const target = "library/app:1"
	release := []byte("the release that ci and qa approved\n")
	trustDir := t.TempDir()
	servers := map[string]*fixtures.Server{}
	publish := func(name string, data []byte, tamper bool) {
		t.Helper()
		r, err := fixtures.New(fixtures.Options{Seed: name})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.AddTarget(target, data); err != nil {
			t.Fatal(err)
		}
		st, err := r.Publish()
		if err != nil {
			t.Fatal(err)
		}
		if tamper {
			if err := st.TamperTarget(target, bytes.Repeat([]byte("x"), len(data))); err != nil {
				t.Fatal(err)
			}
		}
		dir := t.TempDir()
		if err := st.Write(dir); err != nil {
			t.Fatal(err)
		}
		root, err := r.Root(1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := repo.Pin(trustDir, name, root, repo.PinOptions{}); err != nil {
			t.Fatal(err)
		}
		servers[name] = fixtures.Serve(t, dir)
	}
	publish("ci", release, true) // ci serves a corrupted copy of what it signed
	publish("qa", release, false)
	publish("prod", []byte("another build"), false)
	open := func(name string) (Repository, error) {
		srv, ok := servers[name]
		if !ok {
			return nil, &repo.Error{Repo: name, Err: repo.ErrNotPinned}
		}
		return repo.New(repo.Config{
			Name:     name,
			Mirrors:  []repo.Mirror{{Metadata: srv.URL, Targets: srv.URL + "/targets"}},
			TrustDir: trustDir,
		})
	}
	m := mapOf(t, `[{"paths": ["library/*"], "repositories": ["ci", "qa"], "terminating": true},
	                {"paths": ["**"], "repositories": ["prod"]}]`)
	r := New(m, open)
	ctx := context.Background()

	res, err := r.Resolve(ctx, target, []string{"QA"})
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	if !slices.Equal(res.Agreed, []string{"ci", "qa"}) || res.Mapping != 0 {
		t.Errorf("agreed %q in mapping %d, want ci and qa in mapping 0", res.Agreed, res.Mapping)
	}
	if n := len(servers["prod"].Requests()); n != 0 {
		t.Errorf("prod was asked %d times, want never", n)
	}

	var out bytes.Buffer
	if err := r.Download(ctx, res, &out); err != nil {
		t.Fatalf("Download: %v", err)
	}
	if !bytes.Equal(out.Bytes(), release) {
		t.Errorf("downloaded %q, want the release", out.Bytes())
	}
	if servers["ci"].CountPrefix("/targets/") == 0 || servers["qa"].CountPrefix("/targets/") == 0 {
		t.Errorf("target requests: ci %d, qa %d; want ci tried first, then qa",
			servers["ci"].CountPrefix("/targets/"), servers["qa"].CountPrefix("/targets/"))
	}
	if err := Verify(res, bytes.NewReader(out.Bytes())); err != nil {
		t.Errorf("Verify: %v", err)
	}

	if err := r.Prepare(ctx, target, []string{"staging"}); !errors.Is(err, repo.ErrNotPinned) {
		t.Errorf("Prepare with an unpinned group = %v, want ErrNotPinned", err)
	}
	if _, err := r.Resolve(ctx, target, []string{"staging"}); !errors.Is(err, repo.ErrNotPinned) || !errors.Is(err, ErrNoConsensus) {
		t.Errorf("Resolve with an unpinned group = %v, want no consensus wrapping ErrNotPinned", err)
	}

	l, err := r.List(ctx, "", nil)
	if !errors.Is(err, repo.ErrNotPinned) {
		t.Errorf("List = %v, want the unpinned staging reported", err)
	}
	if len(l.Rows) != 1 || l.Rows[0].Result == nil || l.Rows[0].Result.Status != StatusVerified {
		t.Errorf("listing rows = %+v, want %s verified", l.Rows, target)
	}
}
