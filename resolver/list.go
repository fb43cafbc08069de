package resolver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/gobwas/glob"
	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/accord-tuf/accord/mapfile"
)

// listWorkers bounds how many targets [Resolver.List] resolves at once.
const listWorkers = 4

// Listing is the matrix of `accord list`: every target the declared
// repositories sign, with each repository's answer and the consensus.
type Listing struct {
	// Repositories are the repositories consulted: every declared
	// repository, in declared order. Each row has one answer per
	// repository, in this order.
	Repositories []string
	// Groups are the group repositories the consensus was resolved with,
	// by declared name; nil without groups.
	Groups []string
	// Rows holds one row per target, sorted by target.
	Rows []Row
	// Failed holds the repositories that could not list their targets,
	// each with its cause, in declared order.
	Failed []Answer
}

// Row is one target of a [Listing].
type Row struct {
	Target string
	// Answers holds each consulted repository's answer, in the order of
	// Listing.Repositories: signed, missing (absent from a complete
	// listing) or failed (the repository could not be listed).
	Answers []Answer
	// Result is the target's resolution with the listing's groups; nil
	// when Err is set.
	Result *Result
	// Err is set when a repository signs a target name that is not a valid
	// target path (SPEC section 2); such a target is never resolved.
	Err error
}

// List lists every target that the declared repositories sign, those
// matching pattern when it is not empty (a glob with "/" as the separator,
// as in the map file), and resolves each with groups as [Resolver.Resolve]
// does. Every declared repository is consulted, so each is opened and
// refreshed (once per Resolver); each must implement [Lister], or its column
// shows an error.
//
// List returns an error without a listing for an invalid pattern or an
// undeclared group, before touching any repository. Otherwise it returns the
// listing and, when some repositories could not be listed, an error that
// aggregates their causes (for example one wrapping repo.ErrNotPinned); the
// listing is still complete for the others. A target's own status is in its
// row, not in the error.
func (r *Resolver) List(ctx context.Context, pattern string, groups []string) (*Listing, error) {
	var g glob.Glob
	if pattern != "" {
		var err error
		if g, err = glob.Compile(pattern, '/'); err != nil {
			return nil, fmt.Errorf("pattern %q: %w", pattern, err)
		}
	}
	gs, err := r.groups(groups)
	if err != nil {
		return nil, err
	}
	names := r.m.Names()
	listings, errs := r.listAll(ctx, names)
	l := &Listing{Repositories: names, Groups: gs}
	var failures []error
	for i, err := range errs {
		if err != nil {
			l.Failed = append(l.Failed, Answer{Name: names[i], Kind: Failed, Err: err})
			failures = append(failures, named(names[i], err))
		}
	}
	seen := make(map[string]bool)
	var targets []string
	for _, listing := range listings {
		for t := range listing {
			if !seen[t] && (g == nil || g.Match(t)) {
				seen[t] = true
				targets = append(targets, t)
			}
		}
	}
	slices.Sort(targets)
	l.Rows = make([]Row, len(targets))
	for i, t := range targets {
		l.Rows[i] = Row{Target: t, Answers: rowAnswers(t, names, listings, errs)}
	}
	r.resolveRows(ctx, l.Rows, gs)
	if len(failures) > 0 {
		return l, fmt.Errorf("list: %w", aggregate(failures))
	}
	return l, nil
}

// listAll asks every named repository for its targets, concurrently.
func (r *Resolver) listAll(ctx context.Context, names []string) ([]map[string]*metadata.TargetFiles, []error) {
	listings := make([]map[string]*metadata.TargetFiles, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			listings[i], errs[i] = r.targets(ctx, n)
		}()
	}
	wg.Wait()
	return listings, errs
}

// targets lists one repository's targets.
func (r *Resolver) targets(ctx context.Context, name string) (map[string]*metadata.TargetFiles, error) {
	rp, err := r.entry(name).ready(ctx, r.open)
	if err != nil {
		return nil, err
	}
	l, ok := rp.(Lister)
	if !ok {
		return nil, errors.New("repository cannot list its targets")
	}
	return l.Targets(ctx)
}

// rowAnswers builds one row's answers from the listings.
func rowAnswers(target string, names []string, listings []map[string]*metadata.TargetFiles, errs []error) []Answer {
	answers := make([]Answer, len(names))
	for i, n := range names {
		a := Answer{Name: n}
		info, ok := listings[i][target]
		switch {
		case errs[i] != nil:
			a.Kind, a.Err = Failed, errs[i]
		case !ok:
			a.Kind = Missing
		default:
			if err := checkInfo(info); err != nil {
				a.Kind, a.Err = Failed, err
			} else {
				a.Kind, a.Info = Signed, cloneInfo(info)
			}
		}
		answers[i] = a
	}
	return answers
}

// resolveRows resolves every row's target, a few at a time.
func (r *Resolver) resolveRows(ctx context.Context, rows []Row, groups []string) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(listWorkers, len(rows)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				row := &rows[i]
				if err := mapfile.ValidateTarget(row.Target); err != nil {
					row.Err = err
					continue
				}
				row.Result, _ = r.Resolve(ctx, row.Target, groups)
			}
		}()
	}
	for i := range rows {
		next <- i
	}
	close(next)
	wg.Wait()
}

type listingJSON struct {
	Repositories []string  `json:"repositories"`
	Groups       []string  `json:"groups,omitempty"`
	Targets      []rowJSON `json:"targets"`
	Failed       []Answer  `json:"failed,omitempty"`
}

type rowJSON struct {
	Target  string   `json:"target"`
	Answers []Answer `json:"answers"`
	Result  *Result  `json:"result,omitempty"`
	Error   string   `json:"error,omitempty"`
}

// StatusInvalid is the status of a listed target whose name is not a valid
// target path (SPEC section 2): it is never resolved.
const StatusInvalid Status = "invalid"

// MarshalJSON encodes the row as a lookup object (SPEC section 5) whose
// repositories are every consulted repository's answer; a target whose
// name is invalid has status "invalid", mapping -1 and its error.
func (r Row) MarshalJSON() ([]byte, error) {
	j := resultJSON{Target: r.Target, Status: StatusInvalid, Mapping: -1, Agreed: []string{}}
	switch {
	case r.Err != nil:
		j.Error = r.Err.Error()
	case r.Result != nil:
		j = r.Result.encode()
	}
	j.Repositories = nonNil(r.Answers)
	return json.Marshal(j)
}

// MarshalJSON encodes the listing as {"repositories", "groups" (only with
// groups), "targets": [{"target", "answers", "result" or "error"}],
// "failed" (only when a repository could not be listed)}; answers and
// results encode as in [Result.MarshalJSON].
func (l *Listing) MarshalJSON() ([]byte, error) {
	j := listingJSON{Repositories: nonNil(l.Repositories), Groups: l.Groups, Targets: []rowJSON{}, Failed: l.Failed}
	for _, r := range l.Rows {
		row := rowJSON{Target: r.Target, Answers: r.Answers, Result: r.Result}
		if r.Err != nil {
			row.Error = r.Err.Error()
		}
		if row.Answers == nil {
			row.Answers = []Answer{}
		}
		j.Targets = append(j.Targets, row)
	}
	return json.Marshal(j)
}
