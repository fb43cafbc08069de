package service

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/mapfile"
	"github.com/accord-tuf/accord/repo"
)

// The test world: ci and qa, both required (threshold 2) for library/*.
// Both sign library/app:1 and library/app:latest with the same bytes; only ci signs
// library/solo:1.
var (
	appBytes  = []byte("the app's image manifest\n")
	soloBytes = []byte("signed by ci alone\n")
)

const testMap = `{
  "repositories": {"ci": ["URL_ci"], "qa": ["URL_qa"]},
  "mapping": [{"paths": ["library/*"], "repositories": ["ci", "qa"], "terminating": true}]
}`

// clock is a settable clock: the real time plus an offset.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// world is the test world's repositories, served on loopback, pinned in a
// trust directory.
type world struct {
	t       testing.TB
	trust   string
	repos   map[string]*fixtures.Repo
	servers map[string]*fixtures.Server
	m       *mapfile.Map
	clock   *clock
	timeout time.Duration // each metadata request's limit; 0: repo's default
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, trust: t.TempDir(), repos: map[string]*fixtures.Repo{},
		servers: map[string]*fixtures.Server{}, clock: &clock{}}
	text := testMap
	for _, name := range []string{"ci", "qa"} {
		r, err := fixtures.New(fixtures.Options{Seed: "service-" + name})
		if err != nil {
			t.Fatal(err)
		}
		for _, tag := range []string{"1", "latest"} {
			if err := r.AddTarget("library/app:"+tag, appBytes); err != nil {
				t.Fatal(err)
			}
		}
		if name == "ci" {
			if err := r.AddTarget("library/solo:1", soloBytes); err != nil {
				t.Fatal(err)
			}
		}
		dir, root := r.Dir(t)
		if _, err := repo.Pin(w.trust, name, root, repo.PinOptions{}); err != nil {
			t.Fatal(err)
		}
		w.repos[name] = r
		w.servers[name] = fixtures.Serve(t, dir)
		text = strings.ReplaceAll(text, "URL_"+name, w.servers[name].URL)
	}
	m, err := mapfile.Parse("map.json", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	w.m = m
	return w
}

// publish publishes name's current state and serves it; it returns the
// new state.
func (w *world) publish(name string) *fixtures.State {
	w.t.Helper()
	st, err := w.repos[name].Publish()
	if err != nil {
		w.t.Fatal(err)
	}
	w.serve(name, st)
	return st
}

// serve makes name's server serve st from the next request on.
func (w *world) serve(name string, st *fixtures.State) {
	w.t.Helper()
	dir := w.t.TempDir()
	if err := st.Write(dir); err != nil {
		w.t.Fatal(err)
	}
	w.servers[name].SetDir(dir)
}

func (w *world) config(mode AdmissionMode) Config {
	return Config{
		Map: w.m,
		Open: func(name string, offline bool) (*repo.Client, error) {
			r, _ := w.m.Repository(name)
			var mirrors []repo.Mirror
			for _, m := range r.Mirrors {
				mirrors = append(mirrors, repo.Mirror{Metadata: m.Metadata, Targets: m.Targets})
			}
			return repo.New(repo.Config{Name: name, TrustDir: w.trust, Mirrors: mirrors,
				Offline: offline, Timeout: w.timeout})
		},
		Refresh:   time.Hour, // tests refresh with RefreshAll
		Admission: mode,
		Now:       w.clock.now,
		Logf:      w.t.Logf,
	}
}

// start makes a service over the world and serves it on a loopback port;
// it returns the service and its base URL. The service stops with the
// test.
func (w *world) start(cfg Config) (*Service, string) {
	w.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s, err := New(ctx, cfg)
	if err != nil {
		w.t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		w.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln, nil) }()
	w.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			w.t.Errorf("Serve: %v", err)
		}
	})
	return s, "http://" + ln.Addr().String()
}

// refresh refreshes every repository and fails the test on error.
func refresh(t testing.TB, s *Service) {
	t.Helper()
	if err := s.RefreshAll(context.Background()); err != nil {
		t.Fatalf("RefreshAll: %v", err)
	}
}

// get asks base+path and returns the status and body.
func get(t testing.TB, base, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	return readResp(t, resp)
}

func post(t testing.TB, base, path, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(base+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return readResp(t, resp)
}

func readResp(t testing.TB, resp *http.Response) (int, string) {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// lookupResult is the JSON of one result, as much as tests read.
type lookupResult struct {
	Target       string            `json:"target"`
	Status       string            `json:"status"`
	Hashes       map[string]string `json:"hashes"`
	Agreed       []string          `json:"agreed"`
	Repositories []struct {
		Name   string `json:"name"`
		Answer string `json:"answer"`
		Error  string `json:"error"`
	} `json:"repositories"`
}

// lookup asks GET /v1/lookup for target and decodes the 200 answer.
func lookup(t *testing.T, base, target string) lookupResult {
	t.Helper()
	code, body := get(t, base, "/v1/lookup?target="+url.QueryEscape(target))
	if code != http.StatusOK {
		t.Fatalf("lookup %s: %d %s", target, code, body)
	}
	var res lookupResult
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatalf("lookup %s: %v in %s", target, err, body)
	}
	return res
}

// readyz decodes GET /readyz.
type readyzBody struct {
	Ready        bool         `json:"ready"`
	Repositories []RepoStatus `json:"repositories"`
}

func readyz(t *testing.T, base string) (int, readyzBody) {
	t.Helper()
	code, body := get(t, base, "/readyz")
	var r readyzBody
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatalf("readyz: %v in %s", err, body)
	}
	return code, r
}

// metricLine returns the value text of the metric line that begins with
// prefix (name and labels), or "" when there is none.
func metricLine(t *testing.T, base, prefix string) string {
	t.Helper()
	_, body := get(t, base, "/metrics")
	for _, line := range strings.Split(body, "\n") {
		if rest, ok := strings.CutPrefix(line, prefix+" "); ok {
			return rest
		}
	}
	return ""
}
