package repo_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/repo"
)

// closedURL returns the base URL of a loopback server that was closed:
// connections to it are refused.
func closedURL(t *testing.T) string {
	t.Helper()
	s, err := fixtures.NewServer(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	return s.URL
}

func TestMirrorFailover(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, map[string]string{"a.txt": "hello"})
	dir, root := r.Dir(t)
	tests := []struct {
		name  string
		first func(t *testing.T) string // the failing first mirror's base URL
	}{
		{"connection refused", closedURL},
		{"status 500", func(t *testing.T) string {
			s := fixtures.Serve(t, dir)
			s.Inject(fixtures.Status(http.StatusInternalServerError))
			return s.URL
		}},
		{"status 404", func(t *testing.T) string {
			s := fixtures.Serve(t, dir)
			s.Inject(fixtures.Status(http.StatusNotFound))
			return s.URL
		}},
		{"timeout", func(t *testing.T) string {
			s := fixtures.Serve(t, dir)
			s.Inject(fixtures.Hang().Only("/timestamp.json", ""))
			return s.URL
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			second := fixtures.Serve(t, dir)
			c := clientWith(t, repo.Config{
				TrustDir: pin(t, root),
				Mirrors:  mirrors(tt.first(t), second.URL),
				Timeout:  testTimeout,
			})
			if err := c.Refresh(context.Background()); err != nil {
				t.Fatal(err)
			}
			got, err := download(t, c, "a.txt")
			if err != nil || string(got) != "hello" {
				t.Fatalf("download = %q, %v", got, err)
			}
			if second.Count("/timestamp.json") != 1 {
				t.Errorf("second mirror asked %d times for timestamp.json, want 1", second.Count("/timestamp.json"))
			}
		})
	}
}

func TestNoFailoverAfterVerificationFailure(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, map[string]string{"a.txt": "hello"})
	good, root := r.Dir(t)
	bad := r.Latest().Clone()
	if err := bad.FlipByte("timestamp.json", -3); err != nil {
		t.Fatal(err)
	}
	first := fixtures.Serve(t, bad.Dir(t))
	second := fixtures.Serve(t, good)
	c := client(t, pin(t, root), first.URL, second.URL)
	err := c.Refresh(context.Background())
	wantErr(t, err, `repository "ci": timestamp.json:`)
	if n := second.Count("/timestamp.json"); n != 0 {
		t.Errorf("second mirror asked %d times for timestamp.json after a verification failure", n)
	}

	// The same for a target whose bytes do not match.
	tampered := r.Latest().Clone()
	if err := tampered.TamperTarget("a.txt", []byte("HELLO")); err != nil {
		t.Fatal(err)
	}
	first.SetDir(tampered.Dir(t))
	second.ResetRequests()
	c = client(t, pin(t, root), first.URL, second.URL)
	got, err := download(t, c, "a.txt")
	wantErr(t, err, "a.txt", "hash")
	if len(got) != 0 {
		t.Errorf("unverified bytes written: %q", got)
	}
	if n := second.CountPrefix("/targets/"); n != 0 {
		t.Errorf("second mirror asked %d times for the target after a verification failure", n)
	}
}

func TestUnreachableAndMissing(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, nil)
	dir, root := r.Dir(t)
	a, b := closedURL(t), closedURL(t)
	c := client(t, pin(t, root), a, b)
	err := c.Refresh(context.Background())
	wantErr(t, err, `repository "ci": 2.root.json: unreachable`, a, b, "refused")
	if !errors.Is(err, repo.ErrUnreachable) {
		t.Errorf("%v is not ErrUnreachable", err)
	}

	// A 404 from one mirror and no answer from the other: the newer root
	// is missing, not unreachable, and the update goes on.
	srv := fixtures.Serve(t, dir)
	srv.Inject(fixtures.Status(http.StatusNotFound).Only("/2.root.json", ""))
	c = client(t, pin(t, root), srv.URL, b)
	if err := c.Refresh(context.Background()); err != nil {
		t.Fatalf("404 and refused for 2.root.json: %v", err)
	}

	// A missing timestamp is an error naming it.
	empty := fixtures.Serve(t, t.TempDir())
	c = client(t, pin(t, root), empty.URL)
	wantErr(t, c.Refresh(context.Background()), "timestamp.json", "not found")
}

func TestRefreshHonoursContext(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, nil)
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	srv.Inject(fixtures.Hang())
	c := clientWith(t, repo.Config{TrustDir: pin(t, root), Mirrors: mirrors(srv.URL), Timeout: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Refresh(ctx) }()
	for srv.Count("/2.root.json") == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) {
		t.Errorf("refresh after cancel: %v, want context.Canceled", err)
	}
	wantErr(t, err, `repository "ci": 2.root.json:`)
}
