package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"sync"
	"time"

	"github.com/accord-tuf/accord/mapfile"
	"github.com/accord-tuf/accord/repo"
)

// trustDir returns the trust directory the run works in.
func (a *accord) trustDir() (string, error) {
	return resolveTrustDir(a.opts.trustDir, a.getenv)
}

// mapPath returns the map file: --map, else <trust-dir>/map.json.
func (a *accord) mapPath() (string, error) {
	if a.opts.mapFile != "" {
		return a.opts.mapFile, nil
	}
	dir, err := a.trustDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "map.json"), nil
}

// loadMap loads and validates the map file, once. Every failure is a
// configuration error (exit status 2).
func (a *accord) loadMap() (*mapfile.Map, error) {
	a.mapOnce.Do(func() {
		a.m, a.mapErr = a.readMap()
	})
	return a.m, a.mapErr
}

func (a *accord) readMap() (*mapfile.Map, error) {
	path, err := a.mapPath()
	if err != nil {
		return nil, err
	}
	a.diag.verbosef("map file %s", path)
	m, err := mapfile.Load(path)
	switch {
	case errors.Is(err, fs.ErrNotExist) && a.opts.mapFile == "":
		return nil, usageErrorf("no map file at %s; run: accord init --map FILE", path)
	case err != nil:
		var errs *mapfile.Errors
		if errors.As(err, &errs) {
			return nil, usageError(fmt.Errorf("invalid map file:\n%w", err))
		}
		return nil, usageErrorf("reading map file: %v", err)
	}
	return m, nil
}

// declared resolves names, given on the command line, to declared
// repository names, ignoring case and dropping duplicates; no names means
// every declared repository. An undeclared name is a usage error.
func (a *accord) declared(m *mapfile.Map, names []string) ([]string, error) {
	if len(names) == 0 {
		return m.Names(), nil
	}
	var out []string
	seen := make(map[string]bool)
	for _, n := range names {
		r, ok := m.Repository(n)
		if !ok {
			return nil, usageErrorf("repository %q is not declared in the map file; declared: %s", n, joinNames(m.Names()))
		}
		if !seen[r.Name] {
			seen[r.Name] = true
			out = append(out, r.Name)
		}
	}
	return out, nil
}

// repository opens the declared repository name, once: a repository a
// command does not ask for is never touched. A repository without a pinned
// root is a configuration error that names the command to run.
func (a *accord) repository(name string) (*repo.Client, error) {
	m, err := a.loadMap()
	if err != nil {
		return nil, err
	}
	r, ok := m.Repository(name)
	if !ok {
		return nil, usageErrorf("repository %q is not declared in the map file; declared: %s", name, joinNames(m.Names()))
	}
	cfg, err := a.repoConfig(r)
	if err != nil {
		return nil, err
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.clients[r.Name]; ok {
		return c, nil
	}
	c, err := repo.New(cfg)
	switch {
	case errors.Is(err, repo.ErrNotPinned):
		return nil, usageError(&notPinnedError{name: r.Name})
	case err != nil:
		return nil, usageError(err)
	}
	if a.clients == nil {
		a.clients = make(map[string]*repo.Client)
	}
	a.clients[r.Name] = c
	return c, nil
}

// notPinnedError is a repository without a pinned root; it names the
// command to run and wraps [repo.ErrNotPinned].
type notPinnedError struct{ name string }

func (e *notPinnedError) Error() string {
	return fmt.Sprintf("repository %q has no pinned root; run: accord pin %s ROOT.json", e.name, e.name)
}

func (e *notPinnedError) Unwrap() error { return repo.ErrNotPinned }

// openAll opens the named repositories, in order. Every repository that
// cannot be opened is reported, as one configuration error.
func (a *accord) openAll(names []string) ([]*repo.Client, error) {
	clients := make([]*repo.Client, len(names))
	var errs []error
	for i, name := range names {
		c, err := a.repository(name)
		if err != nil {
			var e *exitError
			if errors.As(err, &e) && e.err != nil {
				err = e.err
			}
			errs = append(errs, err)
			continue
		}
		clients[i] = c
	}
	if len(errs) > 0 {
		return nil, usageError(errors.Join(errs...))
	}
	return clients, nil
}

// each runs fn for every client concurrently and returns the errors, by
// client.
func each(ctx context.Context, clients []*repo.Client, fn func(context.Context, *repo.Client) error) []error {
	errs := make([]error, len(clients))
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(ctx, c)
		}()
	}
	wg.Wait()
	return errs
}

// repoConfig describes the repository r to package repo, with the global
// options: --mirror, --offline, --max-age, --at and --timeout.
func (a *accord) repoConfig(r *mapfile.Repository) (repo.Config, error) {
	dir, err := a.trustDir()
	if err != nil {
		return repo.Config{}, err
	}
	cfg := repo.Config{
		Name:       r.Name,
		TrustDir:   dir,
		HTTPClient: a.httpClient(),
		Timeout:    a.opts.timeout,
		At:         a.opts.at,
		Offline:    a.opts.offline,
		MaxAge:     a.opts.maxAge,
		Warn:       a.warn,
	}
	if a.opts.mirror != "" {
		cfg.Mirrors = []repo.Mirror{localMirror(a.opts.mirror, r.Name)}
	} else {
		for _, mir := range r.Mirrors {
			cfg.Mirrors = append(cfg.Mirrors, repo.Mirror{Metadata: mir.Metadata, Targets: mir.Targets})
		}
	}
	return cfg, nil
}

// warn prints a warning from package repo on stderr, each message once:
// repositories sharing a trust directory report its state alike. It is
// safe for concurrent use.
func (a *accord) warn(err error) {
	a.warnMu.Lock()
	defer a.warnMu.Unlock()
	msg := err.Error()
	if a.warned[msg] {
		return
	}
	if a.warned == nil {
		a.warned = make(map[string]bool)
	}
	a.warned[msg] = true
	a.diag.warnf("%s", msg)
}

// localMirror is the string mirror DIR/<name>, as a file URL.
func localMirror(dir, name string) repo.Mirror {
	base := (&url.URL{Scheme: "file", Path: filepath.ToSlash(filepath.Join(dir, name))}).String()
	return repo.Mirror{Metadata: base, Targets: base + "/targets"}
}

// httpClient returns the one HTTP client every repository of the run
// shares, so that connections to a host are reused.
func (a *accord) httpClient() *http.Client {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.client == nil {
		a.client = newHTTPClient(a.opts.timeout)
	}
	return a.client
}

// newHTTPClient returns a client whose connections and response headers
// are limited to timeout. It has no overall Timeout: package repo bounds
// each request itself (a metadata request, body included, to timeout; a
// target's body by its silence and its signed length). It follows
// redirects as [repo.CheckRedirect] says, and uses the proxies of
// $HTTPS_PROXY, $HTTP_PROXY and $NO_PROXY.
func newHTTPClient(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	return &http.Client{
		CheckRedirect: repo.CheckRedirect,
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           dialer.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          64,
			MaxIdleConnsPerHost:   16,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   min(timeout, 10*time.Second),
			ResponseHeaderTimeout: timeout,
			ExpectContinueTimeout: time.Second,
		},
	}
}

// joinNames lists names for a message.
func joinNames(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	s := names[0]
	for _, n := range names[1:] {
		s += ", " + n
	}
	return s
}
