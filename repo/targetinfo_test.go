package repo_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/repo"
)

func TestTargetInfoDelegated(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, map[string]string{"top.txt": "top"})
	if err := r.Delegate("targets", fixtures.Delegation{Name: "images", Paths: []string{"library/*"}}); err != nil {
		t.Fatal(err)
	}
	if err := r.Delegate("images", fixtures.Delegation{Name: "ubuntu", Paths: []string{"library/ubuntu*"}, Terminating: true}); err != nil {
		t.Fatal(err)
	}
	if err := r.AddTarget("library/alpine:3", []byte("alpine"), fixtures.InRole("images")); err != nil {
		t.Fatal(err)
	}
	if err := r.AddTarget("library/ubuntu:24.04", []byte("ubuntu"), fixtures.InRole("ubuntu")); err != nil {
		t.Fatal(err)
	}
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	trust := pin(t, root)
	c := client(t, trust, srv.URL)
	ctx := context.Background()
	for path, want := range map[string]int64{"top.txt": 3, "library/alpine:3": 6, "library/ubuntu:24.04": 6} {
		info, err := c.TargetInfo(ctx, path)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if info.Length != want {
			t.Errorf("%s: length %d, want %d", path, info.Length, want)
		}
	}
	got, err := download(t, c, "library/ubuntu:24.04")
	if err != nil || string(got) != "ubuntu" {
		t.Errorf("download = %q, %v", got, err)
	}
	_, err = c.TargetInfo(ctx, "library/debian:12")
	if !errors.Is(err, repo.ErrNotFound) {
		t.Errorf("absent delegated target: %v, want ErrNotFound", err)
	}
	wantErr(t, err, `repository "ci"`, "library/debian:12", "not found")

	// Delegated roles fetched by lookups reach the trust directory.
	files := tree(t, trust)
	for _, role := range []string{"images.json", "ubuntu.json"} {
		if _, ok := files[role]; !ok {
			t.Errorf("%s not in the trust directory", role)
		}
	}

	// Many lookups after a refresh ask the server for nothing.
	srv.ResetRequests()
	for i := 0; i < 20; i++ {
		if _, err := c.TargetInfo(ctx, "library/ubuntu:24.04"); err != nil {
			t.Fatal(err)
		}
	}
	if reqs := srv.Requests(); len(reqs) != 0 {
		t.Errorf("lookups after a refresh asked for %v", reqs)
	}
}

func TestTargetInfoNotFoundVersusFailure(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, nil)
	if err := r.Delegate("targets", fixtures.Delegation{Name: "images", Paths: []string{"library/*"}}); err != nil {
		t.Fatal(err)
	}
	if err := r.AddTarget("library/alpine:3", []byte("alpine"), fixtures.InRole("images")); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Publish(); err != nil {
		t.Fatal(err)
	}
	root, _ := r.Root(1)
	st := r.Latest().Clone()
	if err := st.FlipByte("1.images.json", -3); err != nil {
		t.Fatal(err)
	}
	srv := fixtures.Serve(t, st.Dir(t))
	c := client(t, pin(t, root), srv.URL)
	ctx := context.Background()
	// Outside the delegation: a verified absence.
	if _, err := c.TargetInfo(ctx, "other.txt"); !errors.Is(err, repo.ErrNotFound) {
		t.Errorf("other.txt: %v, want ErrNotFound", err)
	}
	// Inside it: the delegated role fails to verify, which is no absence.
	_, err := c.TargetInfo(ctx, "library/alpine:3")
	wantErr(t, err, `repository "ci"`, "images.json")
	if errors.Is(err, repo.ErrNotFound) {
		t.Errorf("verification failure %v reported as ErrNotFound", err)
	}
}

func TestTargetInfoHashBins(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, nil)
	if err := r.DelegateHashBins("targets", 4, "bins"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		if err := r.AddTarget(fmt.Sprintf("pkg/%d.tgz", i), []byte{byte(i)}, fixtures.InHashBin()); err != nil {
			t.Fatal(err)
		}
	}
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	c := client(t, pin(t, root), srv.URL)
	ctx := context.Background()
	if err := c.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	srv.ResetRequests()
	info, err := c.TargetInfo(ctx, "pkg/7.tgz")
	if err != nil {
		t.Fatal(err)
	}
	if info.Length != 1 {
		t.Errorf("length %d, want 1", info.Length)
	}
	reqs := srv.Requests()
	bin := r.HashBin("pkg/7.tgz")
	if len(reqs) != 1 || !strings.HasSuffix(reqs[0], "."+bin+".json") {
		t.Errorf("lookup asked for %v, want only bin %s", reqs, bin)
	}
	if _, err := c.TargetInfo(ctx, "pkg/none.tgz"); !errors.Is(err, repo.ErrNotFound) {
		t.Errorf("absent binned target: %v, want ErrNotFound", err)
	}

	all, err := c.Targets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 20 {
		t.Errorf("Targets lists %d targets, want 20", len(all))
	}
	if n := srv.CountPrefix("/1.bins-"); n != 16 {
		t.Errorf("16 bins fetched with %d requests, want one each", n)
	}
	for i := 0; i < 20; i++ {
		p := fmt.Sprintf("pkg/%d.tgz", i)
		if info := all[p]; info == nil || info.Length != 1 {
			t.Errorf("Targets: %s is %v", p, info)
		}
	}
}

// TestTargetInfoPathHashPrefixes checks classic hash-bin delegations,
// which match on the hex SHA-256 of the target path.
func TestTargetInfoPathHashPrefixes(t *testing.T) {
	const path = "pkg/a.tgz"
	sum := sha256.Sum256([]byte(path))
	prefix := hex.EncodeToString(sum[:])[:2]
	other := "00"
	if prefix == other {
		other = "ff"
	}
	r := newRepo(t, fixtures.Options{}, nil)
	for _, name := range []string{"bin-other", "bin-match"} {
		if err := r.Delegate("targets", fixtures.Delegation{Name: name, Paths: []string{"*"}}); err != nil {
			t.Fatal(err)
		}
	}
	// bin-other comes first and lists the path too: a walk that consulted
	// it would answer with its info.
	if err := r.AddTarget(path, []byte("other"), fixtures.InRole("bin-other")); err != nil {
		t.Fatal(err)
	}
	if err := r.AddTarget(path, []byte("a"), fixtures.InRole("bin-match")); err != nil {
		t.Fatal(err)
	}
	top, _ := r.Metadata("targets")
	for i := range top.Signed.Delegations.Roles {
		role := &top.Signed.Delegations.Roles[i]
		role.Paths = nil
		role.PathHashPrefixes = []string{other}
		if role.Name == "bin-match" {
			role.PathHashPrefixes = []string{prefix}
		}
	}
	if err := r.Touch("targets"); err != nil {
		t.Fatal(err)
	}
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	c := client(t, pin(t, root), srv.URL)
	info, err := c.TargetInfo(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Length != 1 {
		t.Errorf("length %d, want 1 (from bin-match)", info.Length)
	}
}
