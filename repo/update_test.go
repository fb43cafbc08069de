package repo_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/repo"
	"github.com/theupdateframework/go-tuf/v2/metadata"
)

func TestRootRotationFollowedAndPersisted(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, map[string]string{"a.txt": "a"})
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	trust := pin(t, root)
	if err := client(t, trust, srv.URL).Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := r.RotateRoot("ci-2"); err != nil {
		t.Fatal(err)
	}
	if err := r.AddTarget("v4.txt", []byte("v")); err != nil {
		t.Fatal(err)
	}
	latest := publish(t, r)
	srv.SetDir(latest)
	c := client(t, trust, srv.URL)
	if err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, err := c.Status()
	if err != nil {
		t.Fatal(err)
	}
	want := r.Latest().RootVersion
	if st.Root.Version != want || want < 2 {
		t.Fatalf("trusted root version %d, want %d (> 1)", st.Root.Version, want)
	}
	files := tree(t, trust)
	for v := int64(1); v <= want; v++ {
		data, err := r.Root(v)
		if err != nil {
			t.Fatal(err)
		}
		if got := files[filepath.Join("root_history", fmt.Sprintf("%d.root.json", v))]; got != string(data) {
			t.Errorf("root_history/%d.root.json does not hold root version %d", v, v)
		}
	}
	last, _ := r.Root(want)
	if files["root.json"] != string(last) {
		t.Errorf("root.json is not the latest root")
	}

	// A later Client starts from the rotated root.
	srv.ResetRequests()
	c2 := client(t, trust, srv.URL)
	if err := c2.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	for v := int64(1); v <= want; v++ {
		if n := srv.Count(fmt.Sprintf("/%d.root.json", v)); n != 0 {
			t.Errorf("trusted root version %d asked for again (%d times)", v, n)
		}
	}
	if n := srv.Count(fmt.Sprintf("/%d.root.json", want+1)); n != 1 {
		t.Errorf("root version %d asked %d times, want 1", want+1, n)
	}
	if _, err := c2.TargetInfo(context.Background(), "v4.txt"); err != nil {
		t.Errorf("target after rotation: %v", err)
	}
}

func TestRootRotationChain(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, map[string]string{"a.txt": "a"})
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	trust := pin(t, root)
	for i := 2; i <= 4; i++ {
		if err := r.RotateRoot(fmt.Sprintf("ci-%d", i)); err != nil {
			t.Fatal(err)
		}
		publish(t, r)
	}
	srv.SetDir(r.Latest().Dir(t))
	c := client(t, trust, srv.URL)
	if err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st, _ := c.Status(); st.Root.Version != 4 {
		t.Fatalf("root version %d, want 4", st.Root.Version)
	}
	entries, err := os.ReadDir(filepath.Join(trust, "metadata", "ci", "root_history"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, " "); got != "1.root.json 2.root.json 3.root.json 4.root.json" {
		t.Errorf("root_history holds %s", got)
	}
}

// attackWorld is a repository published three times, its server, and a
// trust directory that has verified state 2.
type attackWorld struct {
	r      *fixtures.Repo
	srv    *fixtures.Server
	trust  string
	states []*fixtures.State
}

func newAttackWorld(t *testing.T, opts fixtures.Options) *attackWorld {
	t.Helper()
	r := newRepo(t, opts, map[string]string{"a.txt": "a"})
	w := &attackWorld{r: r}
	for i := 1; i <= 3; i++ {
		if err := r.AddTarget(fmt.Sprintf("v%d.txt", i), []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
		st, err := r.Publish()
		if err != nil {
			t.Fatal(err)
		}
		w.states = append(w.states, st)
	}
	root, err := r.Root(1)
	if err != nil {
		t.Fatal(err)
	}
	w.srv = fixtures.Serve(t, w.states[1].Dir(t))
	w.trust = pin(t, root)
	if err := client(t, w.trust, w.srv.URL).Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	return w
}

func TestAttacksRefusedAndStateKept(t *testing.T) {
	file := func(st *fixtures.State, name string) []byte {
		data, ok := st.File(name)
		if !ok {
			t.Fatalf("no file %s", name)
		}
		return data
	}
	tests := []struct {
		name    string
		opts    fixtures.Options
		timeout time.Duration
		serve   func(t *testing.T, w *attackWorld) // switches the server to the attack
		want    []string                           // in the error
		is      error                              // optional errors.Is target
	}{
		{
			name:  "timestamp rollback",
			serve: func(t *testing.T, w *attackWorld) { w.srv.SetDir(w.states[0].Dir(t)) },
			want:  []string{`repository "ci"`, "timestamp.json", "version"},
			is:    &metadata.ErrBadVersionNumber{},
		},
		{
			name: "snapshot rollback",
			serve: func(t *testing.T, w *attackWorld) {
				st := w.states[2].Clone()
				if err := st.SetFile("3.snapshot.json", file(w.states[0], "1.snapshot.json")); err != nil {
					t.Fatal(err)
				}
				w.srv.SetDir(st.Dir(t))
			},
			want: []string{"3.snapshot.json"},
			is:   &metadata.ErrRepository{},
		},
		{
			name: "targets rollback",
			serve: func(t *testing.T, w *attackWorld) {
				st := w.states[2].Clone()
				if err := st.SetFile("3.targets.json", file(w.states[1], "2.targets.json")); err != nil {
					t.Fatal(err)
				}
				w.srv.SetDir(st.Dir(t))
			},
			want: []string{"3.targets.json"},
			is:   &metadata.ErrRepository{},
		},
		{
			name: "freeze",
			serve: func(t *testing.T, w *attackWorld) {
				if err := w.r.SetExpires("timestamp", time.Now().Add(-time.Hour)); err != nil {
					t.Fatal(err)
				}
				w.srv.SetDir(publish(t, w.r))
			},
			want: []string{"timestamp.json", "expired"},
			is:   &metadata.ErrExpiredMetadata{},
		},
		{
			name: "mix and match",
			serve: func(t *testing.T, w *attackWorld) {
				st := w.states[2].Clone()
				if err := st.RemoveFile("3.targets.json"); err != nil {
					t.Fatal(err)
				}
				w.srv.SetDir(st.Dir(t))
			},
			want: []string{"3.targets.json", "not found"},
		},
		{
			name: "signature below threshold",
			opts: fixtures.Options{Threshold: 2},
			serve: func(t *testing.T, w *attackWorld) {
				if err := w.r.SignWith("snapshot", 1); err != nil {
					t.Fatal(err)
				}
				w.srv.SetDir(publish(t, w.r))
			},
			want: []string{"snapshot.json", "signature"},
			is:   &metadata.ErrUnsignedMetadata{},
		},
		{
			name: "tampered timestamp",
			serve: func(t *testing.T, w *attackWorld) {
				st := w.states[2].Clone()
				data := file(st, "timestamp.json")
				i := strings.Index(string(data), `"expires"`)
				j := strings.IndexAny(string(data[i:]), "0123456789")
				if i < 0 || j < 0 {
					t.Fatalf("no expiry in %s", data)
				}
				// Flipping the lowest bit of an ASCII digit gives another digit.
				if err := st.FlipByte("timestamp.json", i+j); err != nil {
					t.Fatal(err)
				}
				w.srv.SetDir(st.Dir(t))
			},
			want: []string{"timestamp.json"},
			is:   &metadata.ErrUnsignedMetadata{},
		},
		{
			name: "tampered targets",
			serve: func(t *testing.T, w *attackWorld) {
				st := w.states[2].Clone()
				if err := st.FlipByte("3.targets.json", -3); err != nil {
					t.Fatal(err)
				}
				w.srv.SetDir(st.Dir(t))
			},
			want: []string{"3.targets.json"},
		},
		{
			name: "endless timestamp",
			serve: func(t *testing.T, w *attackWorld) {
				w.srv.Inject(fixtures.Endless().Only("/timestamp.json", ""))
			},
			want: []string{"timestamp.json", "larger than"},
			is:   &metadata.ErrDownloadLengthMismatch{},
		},
		{
			name: "oversized snapshot",
			serve: func(t *testing.T, w *attackWorld) {
				w.srv.SetDir(w.states[2].Dir(t))
				w.srv.Inject(fixtures.Oversize(0).Only("/3.snapshot.json", ""))
			},
			want: []string{"3.snapshot.json", "larger than"},
			is:   &metadata.ErrDownloadLengthMismatch{},
		},
		{
			name:    "server stops answering",
			timeout: testTimeout,
			serve: func(t *testing.T, w *attackWorld) {
				w.srv.Inject(fixtures.Hang())
			},
			want: []string{"root.json", "unreachable"},
			is:   repo.ErrUnreachable,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newAttackWorld(t, tt.opts)
			before := tree(t, w.trust)
			tt.serve(t, w)
			c := clientWith(t, repo.Config{TrustDir: w.trust, Mirrors: mirrors(w.srv.URL), Timeout: tt.timeout})
			err := c.Refresh(context.Background())
			wantErr(t, err, tt.want...)
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %T", err, tt.is)
			}
			var re *repo.Error
			if !errors.As(err, &re) || re.Repo != "ci" {
				t.Errorf("error %v is not a *repo.Error for ci", err)
			}
			// Lookups return the refresh's error.
			if _, err2 := c.TargetInfo(context.Background(), "a.txt"); err2 == nil || err2.Error() != err.Error() {
				t.Errorf("TargetInfo after a failed refresh: %v, want %v", err2, err)
			}
			sameTree(t, before, tree(t, w.trust))
		})
	}
}

func TestKeepVerified(t *testing.T) {
	t.Run("rotated root before an expired timestamp", func(t *testing.T) {
		r := newRepo(t, fixtures.Options{}, nil)
		dir, root := r.Dir(t)
		srv := fixtures.Serve(t, dir)
		if err := r.RotateRoot("ci-2"); err != nil {
			t.Fatal(err)
		}
		if err := r.SetExpires("timestamp", time.Now().Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		srv.SetDir(publish(t, r))
		root2, _ := r.Root(2)
		for _, keep := range []bool{false, true} {
			t.Run(fmt.Sprint("keep=", keep), func(t *testing.T) {
				trust := pin(t, root)
				before := tree(t, trust)
				c := clientWith(t, repo.Config{TrustDir: trust, Mirrors: mirrors(srv.URL), KeepVerified: keep})
				wantErr(t, c.Refresh(context.Background()), "timestamp.json", "expired")
				after := tree(t, trust)
				if !keep {
					sameTree(t, before, after)
					return
				}
				if after["root.json"] != string(root2) || after[filepath.Join("root_history", "2.root.json")] != string(root2) {
					t.Errorf("verified root version 2 not kept")
				}
				if _, ok := after["timestamp.json"]; ok {
					t.Errorf("expired timestamp committed")
				}
			})
		}
	})
	t.Run("timestamp and snapshot before a missing targets", func(t *testing.T) {
		r := newRepo(t, fixtures.Options{}, map[string]string{"a.txt": "a"})
		dir, root := r.Dir(t)
		srv := fixtures.Serve(t, dir)
		if err := r.AddTarget("b.txt", []byte("b")); err != nil {
			t.Fatal(err)
		}
		st, err := r.Publish()
		if err != nil {
			t.Fatal(err)
		}
		st = st.Clone()
		if err := st.RemoveFile("2.targets.json"); err != nil {
			t.Fatal(err)
		}
		broken := st.Dir(t)
		for _, keep := range []bool{false, true} {
			t.Run(fmt.Sprint("keep=", keep), func(t *testing.T) {
				srv.SetDir(dir)
				trust := pin(t, root)
				c := clientWith(t, repo.Config{TrustDir: trust, Mirrors: mirrors(srv.URL), KeepVerified: keep})
				if err := c.Refresh(context.Background()); err != nil {
					t.Fatal(err)
				}
				before := tree(t, trust)
				srv.SetDir(broken)
				c = clientWith(t, repo.Config{TrustDir: trust, Mirrors: mirrors(srv.URL), KeepVerified: keep})
				wantErr(t, c.Refresh(context.Background()), "2.targets.json")
				after := tree(t, trust)
				if !keep {
					sameTree(t, before, after)
					return
				}
				for name, served := range map[string]string{"timestamp.json": "timestamp.json", "snapshot.json": "2.snapshot.json"} {
					if want, _ := st.File(served); after[name] != string(want) {
						t.Errorf("%s: verified version 2 not kept", name)
					}
				}
				if after["targets.json"] != before["targets.json"] {
					t.Errorf("targets.json changed by a failed update")
				}
			})
		}
	})
}
