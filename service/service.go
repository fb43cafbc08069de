package service

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/accord-tuf/accord/mapfile"
	"github.com/accord-tuf/accord/repo"
	"github.com/accord-tuf/accord/resolver"
)

// DefaultRefresh is how often each repository is refreshed when
// [Config.Refresh] is zero.
const DefaultRefresh = time.Minute

// DrainTimeout bounds how long [Service.Serve] waits for requests in
// flight once its context ends.
const DrainTimeout = 25 * time.Second

// AdmissionMode is what the admission webhook does with an image that is
// not verified.
type AdmissionMode string

// The admission modes.
const (
	// Validate denies a workload with an image that is not verified.
	Validate AdmissionMode = "validate"
	// Mutate denies as Validate does and rewrites every verified image
	// to IMAGE@sha256:<consensus digest>.
	Mutate AdmissionMode = "mutate"
	// Warn allows every workload and returns the refusals as warnings.
	Warn AdmissionMode = "warn"
)

// Config configures a [Service].
type Config struct {
	// Map is the validated map file. It must not change afterwards.
	Map *mapfile.Map
	// Open opens the declared repository name; offline Clients must never
	// touch the network. Every Client of a name shares one trust
	// directory.
	Open func(name string, offline bool) (*repo.Client, error)
	// Aliases maps registry hosts to target-name prefixes for image
	// references (see mapfile.ImageRef); nil is the default rule.
	Aliases mapfile.RegistryAliases
	// Refresh is the interval between background refreshes of each
	// repository; 0 means [DefaultRefresh]. A negative Refresh disables
	// background refreshes: the service answers from the trust directory's
	// state until it expires.
	Refresh time.Duration
	// Admission is the admission webhook's mode; empty means Validate.
	Admission AdmissionMode
	// Now is the clock every expiry check reads; nil means time.Now.
	Now func() time.Time
	// Logf, when set, receives one line for each failed refresh and each
	// TLS certificate reload.
	Logf func(format string, args ...any)
}

// Service answers lookups and admission reviews from the repositories'
// verified state in memory. It is safe for concurrent use.
type Service struct {
	m         *mapfile.Map
	aliases   mapfile.RegistryAliases
	mode      AdmissionMode
	interval  time.Duration
	now       func() time.Time
	logf      func(string, ...any)
	metrics   *metrics
	repos     []*repository          // in declared order
	byName    map[string]*repository // by declared name
	startOnce sync.Once

	stateMu sync.Mutex            // serialises swapState
	state   atomic.Pointer[state] // what requests read

	refreshers sync.WaitGroup // the background refreshes Start started
}

// New checks cfg, opens every declared repository (a repository without a
// pinned root is an error wrapping repo.ErrNotPinned) and loads each one's
// verified state from the trust directory, as an offline run would. A
// repository whose state does not load is not ready until a refresh
// succeeds; that is not an error. New touches no network.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Map == nil || cfg.Open == nil {
		return nil, errors.New("service: a map and an opener are required")
	}
	switch cfg.Admission {
	case "":
		cfg.Admission = Validate
	case Validate, Mutate, Warn:
	default:
		return nil, fmt.Errorf("admission mode %q: want validate, mutate or warn", cfg.Admission)
	}
	if cfg.Refresh == 0 {
		cfg.Refresh = DefaultRefresh
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	names := cfg.Map.Names()
	s := &Service{
		m: cfg.Map, aliases: cfg.Aliases, mode: cfg.Admission, interval: cfg.Refresh,
		now: cfg.Now, logf: cfg.Logf, metrics: newMetrics(names),
		byName: make(map[string]*repository, len(names)),
	}
	var errs []error
	for _, name := range names {
		r := &repository{name: name, now: cfg.Now, metrics: s.metrics, logf: cfg.Logf, swapped: s.swapState,
			open: func(offline bool) (*repo.Client, error) { return cfg.Open(name, offline) }}
		if cfg.Refresh > 0 {
			c, err := cfg.Open(name, false)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			r.refresh = c
		}
		s.repos = append(s.repos, r)
		s.byName[name] = r
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	for _, r := range s.repos {
		if err := r.load(ctx); errors.Is(err, repo.ErrNotPinned) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	s.swapState()
	return s, nil
}

// Start starts the background refreshes, once; they stop when ctx ends.
func (s *Service) Start(ctx context.Context) {
	if s.interval < 0 {
		return
	}
	s.startOnce.Do(func() {
		for _, r := range s.repos {
			s.refreshers.Add(1)
			go func() {
				defer s.refreshers.Done()
				r.run(ctx, s.interval)
			}()
		}
	})
}

// RefreshAll refreshes every repository once, concurrently, as a
// background refresh does, and returns the errors joined. Tests and
// callers that want a refresh now use it; the background refreshes go on.
func (s *Service) RefreshAll(ctx context.Context) error {
	errs := make([]error, len(s.repos))
	var wg sync.WaitGroup
	for i, r := range s.repos {
		if r.refresh == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = r.refreshOnce(ctx)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// swapState makes the repositories' current snapshots the state requests
// read, with a new resolver over them and an empty answer cache; the old
// state's cache is dropped with it. Every snapshot swap calls it.
func (s *Service) swapState() {
	s.stateMu.Lock()
	defer s.stateMu.Unlock()
	st := &state{repos: s.repos, snaps: make([]*snapshot, len(s.repos))}
	index := make(map[string]int, len(s.repos))
	for i, r := range s.repos {
		st.snaps[i] = r.snap.Load()
		index[r.name] = i
	}
	st.res = resolver.New(s.m, func(name string) (resolver.Repository, error) {
		i, ok := index[name]
		if !ok {
			return nil, fmt.Errorf("repository %q is not declared", name)
		}
		return &view{repo: s.repos[i], snap: st.snaps[i], now: s.now}, nil
	})
	s.state.Store(st)
}

// Serve answers HTTP requests on ln (with TLS when tlsConfig is not nil)
// until ctx ends, then stops accepting connections, waits up to
// [DrainTimeout] for the requests in flight and returns nil. It does not
// start the background refreshes: see [Service.Start].
func (s *Service) Serve(ctx context.Context, ln net.Listener, tlsConfig *tls.Config) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		TLSConfig:         tlsConfig,
		ErrorLog:          nil,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	if tlsConfig != nil {
		ln = tls.NewListener(ln, tlsConfig)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	drain, cancel := context.WithTimeout(context.Background(), DrainTimeout)
	defer cancel()
	err := srv.Shutdown(drain)
	<-done
	return err
}
