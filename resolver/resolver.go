package resolver

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/accord-tuf/accord/mapfile"
)

// Resolver resolves targets against a map file's repositories. It opens and
// refreshes each repository at most once, lazily, and shares those refreshes
// among every target it resolves. A Resolver is safe for concurrent use;
// concurrent callers that need the same repository wait on the same refresh.
type Resolver struct {
	m            *mapfile.Map
	mappingNames [][]string // each mapping's repositories by declared name, each once
	open         Opener

	mu    sync.Mutex
	repos map[string]*entry // by declared name
}

// New returns a Resolver over the map m that opens repositories with open.
// m must not change afterwards. New touches no repository.
func New(m *mapfile.Map, open Opener) *Resolver {
	if m == nil || open == nil {
		panic("resolver: New needs a map and an opener")
	}
	r := &Resolver{m: m, open: open, repos: make(map[string]*entry)}
	r.mappingNames = make([][]string, len(m.Mapping))
	for i, mp := range m.Mapping {
		r.mappingNames[i] = r.declaredNames(mp.Repositories)
	}
	return r
}

// entry is one repository's lifetime within a Resolver: opened once, then
// refreshed once; callers share both results.
type entry struct {
	name string

	openOnce sync.Once
	opened   Repository
	openErr  error

	mu      sync.Mutex
	busy    chan struct{} // closed when the refresh under way is over; nil when none is
	settled bool          // the outcome below is final
	repo    Repository
	err     error // the open or refresh error
}

// entry returns the entry for a declared name, creating it.
func (r *Resolver) entry(name string) *entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.repos[name]
	if !ok {
		e = &entry{name: name}
		r.repos[name] = e
	}
	return e
}

// open opens the repository on first use; an open error is final.
func (e *entry) open(open Opener) (Repository, error) {
	e.openOnce.Do(func() {
		e.opened, e.openErr = open(e.name)
		if e.openErr == nil && e.opened == nil {
			e.openErr = errors.New("opener returned no repository")
		}
		if e.openErr != nil {
			e.opened = nil
		}
	})
	return e.opened, e.openErr
}

// ready returns the opened and refreshed repository. The first caller opens
// and refreshes it with its own context; callers that come meanwhile wait
// for that outcome, or for their own context to end. The outcome is final
// for the life of the Resolver, failures included, except a failure of a
// refresh whose caller's context ended: the next caller refreshes again.
func (e *entry) ready(ctx context.Context, open Opener) (Repository, error) {
	for {
		e.mu.Lock()
		if e.settled {
			e.mu.Unlock()
			return e.repo, e.err
		}
		if busy := e.busy; busy != nil {
			e.mu.Unlock()
			select {
			case <-busy:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		busy := make(chan struct{})
		e.busy = busy
		e.mu.Unlock()
		return e.refresh(ctx, open, busy)
	}
}

// refresh opens and refreshes the repository and records the outcome.
func (e *entry) refresh(ctx context.Context, open Opener, busy chan struct{}) (rp Repository, err error) {
	defer func() {
		e.mu.Lock()
		e.busy = nil
		if err == nil || ctx.Err() == nil {
			e.settled, e.repo, e.err = true, rp, err
		}
		e.mu.Unlock()
		close(busy)
	}()
	if rp, err = e.open(open); err != nil {
		return nil, err
	}
	if err = rp.Refresh(ctx); err != nil {
		return nil, err
	}
	return rp, nil
}

// declared returns the declared spelling of a repository name.
func (r *Resolver) declared(name string) (string, bool) {
	if d, ok := r.m.Repository(name); ok {
		return d.Name, true
	}
	return name, false
}

// groups maps group names to declared names (case-insensitively), in the
// order given, each once. Every undeclared name is reported at once.
func (r *Resolver) groups(names []string) ([]string, error) {
	var out, unknown []string
	for _, n := range names {
		d, ok := r.declared(n)
		switch {
		case !ok:
			unknown = append(unknown, fmt.Sprintf("%q", n))
		case !slices.Contains(out, d):
			out = append(out, d)
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("groups: %w %s (declared: %s)", ErrUnknownGroup,
			strings.Join(unknown, ", "), strings.Join(r.m.Names(), ", "))
	}
	return out, nil
}

// Prepare opens, without refreshing, every repository that resolving target
// with groups could need: those of every mapping that matches target, up to
// the first terminating one, and the group repositories. It returns the open
// errors together (each wrapping its cause, such as repo.ErrNotPinned), so
// that a command can report a configuration error before any network access. Prepare is optional:
// [Resolver.Resolve] opens what it needs by itself and reports an open error
// as that repository's answer. An invalid target or an undeclared group is
// reported as Resolve reports it; a done ctx stops it.
func (r *Resolver) Prepare(ctx context.Context, target string, groups []string) error {
	if err := mapfile.ValidateTarget(target); err != nil {
		return err
	}
	gs, err := r.groups(groups)
	if err != nil {
		return err
	}
	var names []string
	for _, i := range r.m.Match(target) {
		for _, n := range r.m.Mapping[i].Repositories {
			if d, ok := r.declared(n); ok && !slices.Contains(names, d) {
				names = append(names, d)
			}
		}
		if r.m.Mapping[i].Terminating {
			break // the walk never goes past it
		}
	}
	for _, g := range gs {
		if !slices.Contains(names, g) {
			names = append(names, g)
		}
	}
	var errs []error
	for _, n := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		if _, err := r.entry(n).open(r.open); err != nil {
			errs = append(errs, named(n, err))
		}
	}
	return aggregate(errs)
}
