package service

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/accord-tuf/accord/repo"
)

// Backoff bounds: the first retry after a failed refresh comes after
// minBackoff, each further failure doubles the wait, up to the refresh
// interval.
const minBackoff = time.Second

// snapshot is one repository's verified state, as one refresh left it: an
// offline Client loaded from the trust directory right after the refresh
// committed it. Requests only read it; a new refresh makes a new one.
type snapshot struct {
	client   *repo.Client // offline: never touches the network
	loadedAt time.Time
}

// repository is one declared repository: the Client that refreshes it in
// the background, and the snapshot requests read.
type repository struct {
	name    string
	open    func(offline bool) (*repo.Client, error)
	refresh *repo.Client // online; used by the refresher alone
	now     func() time.Time
	metrics *metrics
	logf    func(string, ...any)
	swapped func() // called after each swap of snap

	snap atomic.Pointer[snapshot]

	mu          sync.Mutex
	loadErr     error     // why there is no snapshot, when there is none
	lastAttempt time.Time // of the last background refresh
	lastSuccess time.Time // of the last successful background refresh
	lastErr     error     // of the last background refresh; nil after a success
	failures    int       // consecutive failed refreshes
}

// ErrExpired reports a repository whose verified metadata has expired:
// the service answers no lookup from it until a refresh succeeds.
var ErrExpired = errors.New("verified metadata expired")

// ErrNoState reports a repository that has no verified state yet.
var ErrNoState = errors.New("no verified state")

// load replaces the snapshot with the trust directory's committed state,
// verified as an offline run would. On failure the snapshot is kept.
func (r *repository) load(ctx context.Context) error {
	c, err := r.open(true)
	if err == nil {
		err = c.Refresh(ctx)
	}
	if err != nil {
		r.mu.Lock()
		if r.snap.Load() == nil {
			r.loadErr = err
		}
		r.mu.Unlock()
		return err
	}
	r.snap.Store(&snapshot{client: c, loadedAt: r.now()})
	r.mu.Lock()
	r.loadErr = nil
	r.mu.Unlock()
	if r.swapped != nil {
		r.swapped()
	}
	r.metrics.expiry(r.name, c)
	return nil
}

// check returns the snapshot requests may use now, or why there is none:
// no verified state yet, or expired metadata.
func (r *repository) check() (*snapshot, error) {
	s := r.snap.Load()
	if s == nil {
		return nil, r.noState()
	}
	if err := s.fresh(r.name, r.now()); err != nil {
		return nil, err
	}
	return s, nil
}

// noState is the error of a repository without a snapshot, naming why
// its state did not load when it is known.
func (r *repository) noState() error {
	r.mu.Lock()
	cause := r.loadErr
	r.mu.Unlock()
	if cause == nil {
		return &repo.Error{Repo: r.name, Err: ErrNoState}
	}
	return &repo.Error{Repo: r.name, Err: fmt.Errorf("%w: %w", ErrNoState, cause)}
}

// fresh fails when any of the snapshot's verified metadata has expired at
// now.
func (s *snapshot) fresh(name string, now time.Time) error {
	exp, ok := s.client.Expires()
	if !ok {
		return &repo.Error{Repo: name, Err: ErrNoState}
	}
	if !now.Before(exp) {
		return &repo.Error{Repo: name, Err: fmt.Errorf("%w at %s; waiting for a refresh", ErrExpired, exp.UTC().Format(time.RFC3339))}
	}
	return nil
}

// view is a repository as the requests of one state see it: the
// snapshot the state holds (nil when it has none), checked against the
// clock at every question. It satisfies resolver.Repository and never
// touches the network. One view serves every request of its state, so it
// keeps no outcome of its own: a resolver keeps the outcome of Refresh
// for its life, and the clock may move either way (tests move it back).
type view struct {
	repo *repository
	snap *snapshot
	now  func() time.Time
}

// Refresh fetches nothing and always succeeds: whether the view can
// answer is decided at each question, by TargetInfo.
func (v *view) Refresh(context.Context) error { return nil }

// TargetInfo answers from the snapshot, and fails when there is none or
// once the metadata it relied on (a delegated role it loaded included)
// has expired.
func (v *view) TargetInfo(ctx context.Context, path string) (*metadata.TargetFiles, error) {
	if v.snap == nil {
		return nil, v.repo.noState()
	}
	if err := v.snap.fresh(v.repo.name, v.now()); err != nil {
		return nil, err
	}
	info, err := v.snap.client.TargetInfo(ctx, path)
	if ferr := v.snap.fresh(v.repo.name, v.now()); ferr != nil {
		return nil, ferr
	}
	return info, err
}

// run refreshes the repository in the background until ctx ends: every
// interval (with jitter), sooner after a failure, with exponential backoff.
func (r *repository) run(ctx context.Context, interval time.Duration) {
	wait := jitter(min(interval, minBackoff)) // a first refresh soon after the start
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		err := r.refreshOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		wait = interval
		if err != nil {
			r.mu.Lock()
			n := r.failures
			r.mu.Unlock()
			wait = backoff(n, interval)
		}
		timer.Reset(jitter(wait))
	}
}

// refreshOnce runs one online refresh and, when it succeeds, loads the
// committed state as the new snapshot. A failure keeps the snapshot.
func (r *repository) refreshOnce(ctx context.Context) error {
	start := r.now()
	err := r.refresh.RefreshAhead(ctx)
	if err == nil {
		err = r.load(ctx)
	}
	if ctx.Err() != nil && err != nil {
		return err // shutting down: not a failure of the repository
	}
	r.mu.Lock()
	r.lastAttempt, r.lastErr = start, err
	if err == nil {
		r.lastSuccess, r.failures = start, 0
	} else {
		r.failures++
	}
	r.mu.Unlock()
	r.metrics.refreshed(r.name, err, start)
	if err != nil {
		r.logf("refresh %s, keeping the state verified before: %v", refreshResult(err), err)
	}
	return err
}

// backoff is the wait after n consecutive failures: minBackoff doubled
// n-1 times, at most interval.
func backoff(n int, interval time.Duration) time.Duration {
	d := minBackoff
	for i := 1; i < n && d < interval; i++ {
		d *= 2
	}
	return min(d, interval)
}

// jitter spreads d over [0.8d, 1.2d), so that replicas and repositories
// do not refresh in step.
func jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// refreshResult names a refresh's outcome for metrics: "ok", "unreachable"
// (no mirror answered) or "refused" (something answered that did not
// verify: an attack, or a broken repository).
func refreshResult(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, repo.ErrUnreachable), errors.Is(err, context.DeadlineExceeded):
		return "unreachable"
	}
	return "refused"
}
