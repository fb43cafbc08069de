package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accord-tuf/accord/repo"
)

// TestHTTPClientRedirects checks that the command's HTTP client follows
// repo.CheckRedirect: redirects to another port, at most
// repo.MaxRedirects, and no Referer header.
func TestHTTPClientRedirects(t *testing.T) {
	var (
		mu       sync.Mutex
		referers []string
	)
	end := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		mu.Lock()
		referers = append(referers, req.Header.Get("Referer"))
		mu.Unlock()
		fmt.Fprint(w, "end")
	}))
	defer end.Close()
	// /N redirects to /N-1, and /0 to the other server.
	hops := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		n, _ := strconv.Atoi(strings.TrimPrefix(req.URL.Path, "/"))
		if n == 0 {
			http.Redirect(w, req, end.URL, http.StatusFound)
			return
		}
		http.Redirect(w, req, "/"+strconv.Itoa(n-1), http.StatusFound)
	}))
	defer hops.Close()

	hc := newHTTPClient(10 * time.Second)
	resp, err := hc.Get(hops.URL + "/" + strconv.Itoa(repo.MaxRedirects-1))
	if err != nil {
		t.Fatalf("%d redirects: %v", repo.MaxRedirects, err)
	}
	resp.Body.Close()
	mu.Lock()
	seen := append([]string(nil), referers...)
	mu.Unlock()
	if len(seen) != 1 || seen[0] != "" {
		t.Errorf("Referer headers at the end of the redirects: %q, want none", seen)
	}
	_, err = hc.Get(hops.URL + "/" + strconv.Itoa(repo.MaxRedirects))
	if want := fmt.Sprintf("stopped after %d redirects", repo.MaxRedirects); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("%d redirects: %v, want %q", repo.MaxRedirects+1, err, want)
	}
}
