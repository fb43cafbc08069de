package repo_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/repo"
)

// hopServer is a loopback server that redirects /h<N>/<path> to
// /h<N-1>/<path>, and /h0/<path> to <to>/<path>: a mirror base of
// URL+"/h<N>" reaches the repository at to after N+1 redirects. It records
// every Referer header it is sent.
type hopServer struct {
	*httptest.Server
	mu       sync.Mutex
	referers []string
}

func newHopServer(t *testing.T, to string) *hopServer {
	t.Helper()
	h := &hopServer{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if ref := req.Header.Get("Referer"); ref != "" {
			h.mu.Lock()
			h.referers = append(h.referers, ref)
			h.mu.Unlock()
		}
		first, rest, _ := strings.Cut(strings.TrimPrefix(req.URL.Path, "/"), "/")
		n, err := strconv.Atoi(strings.TrimPrefix(first, "h"))
		switch {
		case err != nil || !strings.HasPrefix(first, "h"):
			http.NotFound(w, req)
		case n == 0:
			http.Redirect(w, req, to+"/"+rest, http.StatusFound)
		default:
			http.Redirect(w, req, fmt.Sprintf("/h%d/%s", n-1, rest), http.StatusFound)
		}
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hopServer) seenReferers() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.referers...)
}

// TestRedirectToOtherPort follows redirects to another server, on another
// port, without telling it where the request came from.
func TestRedirectToOtherPort(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, map[string]string{"a.txt": "hello"})
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	hops := newHopServer(t, srv.URL)
	c := client(t, pin(t, root), hops.URL+"/h1")
	if err := c.Refresh(context.Background()); err != nil {
		t.Fatalf("refresh through 2 redirects: %v", err)
	}
	got, err := download(t, c, "a.txt")
	if err != nil || string(got) != "hello" {
		t.Fatalf("download through 2 redirects = %q, %v", got, err)
	}
	if srv.Count("/timestamp.json") != 1 {
		t.Errorf("the redirect's target served timestamp.json %d times, want 1", srv.Count("/timestamp.json"))
	}
	if refs := hops.seenReferers(); len(refs) > 0 {
		t.Errorf("redirects sent Referer headers: %q", refs)
	}
}

// TestRedirectHops follows at most repo.MaxRedirects redirects a request.
func TestRedirectHops(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, nil)
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	hops := newHopServer(t, srv.URL)

	within := hops.URL + "/h" + strconv.Itoa(repo.MaxRedirects-1)
	if err := client(t, pin(t, root), within).Refresh(context.Background()); err != nil {
		t.Fatalf("refresh through %d redirects: %v", repo.MaxRedirects, err)
	}
	beyond := hops.URL + "/h" + strconv.Itoa(repo.MaxRedirects)
	srv.ResetRequests()
	err := client(t, pin(t, root), beyond).Refresh(context.Background())
	if want := fmt.Sprintf("stopped after %d redirects", repo.MaxRedirects); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("refresh through %d redirects: %v, want an error saying %q", repo.MaxRedirects+1, err, want)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("the redirect's target was asked %d times, want 0", n)
	}
}

// TestRedirectDowngradeRefused refuses a redirect from https to http, with
// a client given in Config whose own policy is unset.
func TestRedirectDowngradeRefused(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, nil)
	dir, root := r.Dir(t)
	plain := fixtures.Serve(t, dir)
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		http.Redirect(w, req, plain.URL+req.URL.Path, http.StatusFound)
	}))
	defer tlsSrv.Close()

	hc := tlsSrv.Client() // trusts the server's certificate; no redirect policy
	c := clientWith(t, repo.Config{TrustDir: pin(t, root), Mirrors: mirrors(tlsSrv.URL), HTTPClient: hc})
	err := c.Refresh(context.Background())
	if err == nil || !strings.Contains(err.Error(), "a downgrade from https") {
		t.Fatalf("refresh redirected from https to http: %v, want the redirect refused", err)
	}
	if n := len(plain.Requests()); n != 0 {
		t.Errorf("the http server was asked %d times, want 0", n)
	}
	if hc.CheckRedirect != nil {
		t.Error("New changed the caller's http.Client")
	}
}

// TestCheckRedirectKeepsOwnPolicy leaves a client's own redirect policy
// alone.
func TestCheckRedirectKeepsOwnPolicy(t *testing.T) {
	r := newRepo(t, fixtures.Options{}, nil)
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	hops := newHopServer(t, srv.URL)
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	c := clientWith(t, repo.Config{TrustDir: pin(t, root), Mirrors: mirrors(hops.URL + "/h0"), HTTPClient: hc})
	if err := c.Refresh(context.Background()); err == nil {
		t.Fatal("refresh followed a redirect that the caller's policy refuses")
	}
}
