package resolver

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/accord-tuf/accord/mapfile"
	"github.com/accord-tuf/accord/repo"
)

// pipeline returns a world of ci, qa, staging and prod that all sign the
// targets app/0 … app/n-1 with the same bytes, and a map file routing
// "prod/**" to prod alone and everything else to ci and qa.
func pipeline(t *testing.T, n int) (*world, *mapfile.Map, []string) {
	t.Helper()
	w := newWorld(repoOf("ci"), repoOf("qa"), repoOf("staging"), repoOf("prod"))
	var targets []string
	for i := range n {
		target := fmt.Sprintf("app/%d", i)
		targets = append(targets, target)
		data := []byte("bytes of " + target)
		for _, r := range w.repos {
			r.sign(targetInfo(t, target, data, "sha256"), data)
		}
	}
	info := targetInfo(t, "prod/app", []byte("prod"), "sha256")
	w.repos["prod"].sign(info, []byte("prod"))
	m := mapOf(t, `[{"paths": ["prod/**"], "repositories": ["prod"], "terminating": true},
	                {"paths": ["**"], "repositories": ["ci", "qa"]}]`)
	return w, m, targets
}

func TestUnneededRepositoriesAreNotTouched(t *testing.T) {
	tests := []struct {
		name    string
		target  string
		groups  []string
		touched []string
	}{
		{"only prod", "prod/app", nil, []string{"prod"}},
		{"only ci and qa", "app/0", nil, []string{"ci", "qa"}},
		{"a group adds its repository", "prod/app", []string{"Staging"}, []string{"prod", "staging"}},
		{"no consensus leaves groups untouched", "prod/none", []string{"staging"}, []string{"prod"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, m, _ := pipeline(t, 1)
			New(m, w.open).Resolve(context.Background(), tc.target, tc.groups)
			for _, name := range []string{"ci", "qa", "staging", "prod"} {
				refreshes, asked := w.repos[name].counts()
				want := 0
				if slices.Contains(tc.touched, name) {
					want = 1
				}
				if opens := w.openCount(name); opens != want || refreshes != want || asked != want {
					t.Errorf("%s: opened %d, refreshed %d, asked %d times; want %d", name, opens, refreshes, asked, want)
				}
			}
		})
	}
}

func TestUsageErrorsTouchNothing(t *testing.T) {
	tests := []struct {
		name   string
		target string
		groups []string
		is     error
	}{
		{"undeclared group", "app/0", []string{"ci", "release"}, ErrUnknownGroup},
		{"empty group", "app/0", []string{""}, ErrUnknownGroup},
		{"parent segment", "app/../etc", nil, mapfile.ErrInvalidTarget},
		{"absolute path", "/app/0", nil, mapfile.ErrInvalidTarget},
		{"empty target", "", nil, mapfile.ErrInvalidTarget},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, m, _ := pipeline(t, 1)
			r := New(m, w.open)
			res, err := r.Resolve(context.Background(), tc.target, tc.groups)
			if res != nil || !errors.Is(err, tc.is) {
				t.Errorf("Resolve = %v, %v; want no result and %v", res, err, tc.is)
			}
			if err := r.Prepare(context.Background(), tc.target, tc.groups); !errors.Is(err, tc.is) {
				t.Errorf("Prepare = %v, want %v", err, tc.is)
			}
			if tc.is == ErrUnknownGroup {
				if l, err := r.List(context.Background(), "", tc.groups); l != nil || !errors.Is(err, tc.is) {
					t.Errorf("List = %v, %v; want no listing and %v", l, err, tc.is)
				}
			}
			for name := range w.repos {
				if n := w.openCount(name); n != 0 {
					t.Errorf("%s opened %d times", name, n)
				}
			}
		})
	}
}

func TestUnknownGroupMessage(t *testing.T) {
	w, m, _ := pipeline(t, 1)
	_, err := New(m, w.open).Resolve(context.Background(), "app/0", []string{"release", "ci", "Nightly"})
	want := `groups: unknown group "release", "Nightly" (declared: ci, qa, staging, prod)`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

func TestRefreshOnceAcrossTargetsAndCallers(t *testing.T) {
	w, m, targets := pipeline(t, 8)
	r := New(m, w.open)
	var wg sync.WaitGroup
	errs := make(chan error, 32*len(targets))
	for g := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range targets {
				target := targets[(g+i)%len(targets)]
				res, err := r.Resolve(context.Background(), target, []string{"staging"})
				if err != nil || res.Status != StatusVerified {
					errs <- fmt.Errorf("%s: %v", target, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for _, name := range []string{"ci", "qa", "staging"} {
		refreshes, asked := w.repos[name].counts()
		if opens := w.openCount(name); opens != 1 || refreshes != 1 {
			t.Errorf("%s: opened %d, refreshed %d times; want once", name, opens, refreshes)
		}
		if asked != 32*len(targets) {
			t.Errorf("%s asked %d times, want %d", name, asked, 32*len(targets))
		}
	}
	if opens := w.openCount("prod"); opens != 0 {
		t.Errorf("prod opened %d times, want never", opens)
	}
}

func TestConflictDoesNotDependOnTiming(t *testing.T) {
	const target = "app/1"
	in := newInfos(t, target)
	m := mapOf(t, `[{"paths": ["**"], "repositories": ["ci", "qa", "staging", "prod"], "threshold": 2},
	                {"paths": ["**"], "repositories": ["prod"]}]`)
	for run := range 100 {
		w := newWorld(repoOf("ci").sign(in.x, nil), repoOf("qa").sign(in.y, nil),
			repoOf("staging").sign(in.x256, nil), repoOf("prod").sign(in.y512, nil))
		for _, r := range w.repos {
			r.jitter = true
		}
		res, err := New(m, w.open).Resolve(context.Background(), target, nil)
		if res == nil || res.Status != StatusConflict || res.Mapping != 0 || !errors.Is(err, ErrConflict) {
			t.Fatalf("run %d: %+v, %v; want a conflict in mapping 0", run, res, err)
		}
		if c := res.Conflict; c.Consensus.Repository != "ci" || c.Rival.Repository != "qa" ||
			!slices.Equal(c.Consensus.Supporters, []string{"ci", "staging"}) || !slices.Equal(c.Rival.Supporters, []string{"qa", "prod"}) {
			t.Fatalf("run %d: conflict evidence %+v", run, c)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	w, m, _ := pipeline(t, 1)
	notPinned := fmt.Errorf(`repository "qa": %w; run accord pin qa ROOT.json`, repo.ErrNotPinned)
	w.openErr["qa"] = notPinned
	r := New(m, w.open)

	err := r.Prepare(context.Background(), "app/0", []string{"staging"})
	if !errors.Is(err, repo.ErrNotPinned) || !strings.Contains(err.Error(), "accord pin qa") {
		t.Errorf("Prepare = %v, want the not-pinned error of qa", err)
	}
	if strings.Count(err.Error(), `repository "qa"`) != 1 {
		t.Errorf("Prepare = %q, want the repository named once", err)
	}
	for _, name := range []string{"ci", "qa", "staging"} {
		if refreshes, _ := w.repos[name].counts(); refreshes != 0 {
			t.Errorf("Prepare refreshed %s", name)
		}
	}
	if err := r.Prepare(context.Background(), "prod/app", nil); err != nil {
		t.Errorf("Prepare for prod alone = %v", err)
	}

	res, err := r.Resolve(context.Background(), "app/0", nil)
	if res.Status != StatusNoConsensus || !errors.Is(err, repo.ErrNotPinned) {
		t.Fatalf("Resolve = %v, %v; want no_consensus wrapping the open error", res.Status, err)
	}
	if a, _ := res.Answer("qa"); a.Kind != Failed || !errors.Is(a.Err, repo.ErrNotPinned) {
		t.Errorf("answer of qa = %+v", a)
	}
	for _, name := range []string{"ci", "qa"} {
		if n := w.openCount(name); n != 1 {
			t.Errorf("%s opened %d times, want once (Prepare and Resolve share it)", name, n)
		}
	}
}

func TestRefreshErrorIsKeptAndReported(t *testing.T) {
	w, m, targets := pipeline(t, 3)
	w.repos["qa"].refreshErr = errBoom
	r := New(m, w.open)
	for _, target := range targets {
		res, err := r.Resolve(context.Background(), target, nil)
		if res.Status != StatusNoConsensus || !errors.Is(err, errBoom) {
			t.Errorf("%s: %v, %v; want no_consensus wrapping the refresh error", target, res.Status, err)
		}
		want := fmt.Sprintf(`target %q: no consensus: mapping 1 needs 2 of 2 repositories to agree, at most 1 did; repository "qa": timestamp.json: expired`, target)
		if err.Error() != want {
			t.Errorf("error = %q\nwant %q", err, want)
		}
	}
	if refreshes, asked := w.repos["qa"].counts(); refreshes != 1 || asked != 0 {
		t.Errorf("qa refreshed %d times and asked %d; want 1 and 0", refreshes, asked)
	}
}

func TestWaiterHonoursItsOwnContext(t *testing.T) {
	w, m, _ := pipeline(t, 1)
	gate := make(chan struct{})
	w.repos["prod"].gate = gate
	r := New(m, w.open)

	first := make(chan *Result)
	go func() {
		res, _ := r.Resolve(context.Background(), "prod/app", nil)
		first <- res
	}()
	// Wait until the first caller is inside the refresh.
	for {
		if refreshes, _ := w.repos["prod"].counts(); refreshes == 1 {
			break
		}
		runtime.Gosched()
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := r.Resolve(ctx, "prod/app", nil)
	if a, _ := res.Answer("prod"); a.Kind != Failed || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled waiter: answer %+v, error %v", a, err)
	}
	close(gate)
	if res := <-first; res.Status != StatusVerified {
		t.Errorf("first caller: %s: %s", res.Status, res.Reason)
	}
	if refreshes, _ := w.repos["prod"].counts(); refreshes != 1 {
		t.Errorf("prod refreshed %d times, want once", refreshes)
	}
}

func TestCancelledRefreshIsRetried(t *testing.T) {
	w, m, _ := pipeline(t, 1)
	gate := make(chan struct{})
	w.repos["prod"].gate = gate
	r := New(m, w.open)

	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error)
	go func() {
		_, err := r.Resolve(ctx, "prod/app", nil)
		first <- err
	}()
	for {
		if refreshes, _ := w.repos["prod"].counts(); refreshes == 1 {
			break
		}
		runtime.Gosched()
	}
	cancel()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller: %v, want context.Canceled", err)
	}
	close(gate)
	if res, err := r.Resolve(context.Background(), "prod/app", nil); err != nil {
		t.Fatalf("next caller: %v (%s)", err, res.Reason)
	}
	if refreshes, _ := w.repos["prod"].counts(); refreshes != 2 {
		t.Errorf("prod refreshed %d times, want twice", refreshes)
	}
	if opens := w.openCount("prod"); opens != 1 {
		t.Errorf("prod opened %d times, want once", opens)
	}
}

func TestHandBuiltMap(t *testing.T) {
	in := newInfos(t, "app")
	m := &mapfile.Map{
		Repositories: []mapfile.Repository{{Name: "ci"}, {Name: "qa"}, {Name: "Prod"}},
		Mapping: []mapfile.Mapping{
			{Paths: []string{"**"}, Repositories: []string{"ci", "nowhere", "ci"}},
			{Paths: []string{"**"}, Repositories: []string{"qa", "prod"}, Threshold: 1},
		},
	}
	var (
		mu     sync.Mutex
		opened []string
	)
	open := func(name string) (Repository, error) {
		mu.Lock()
		defer mu.Unlock()
		opened = append(opened, name)
		if name == "qa" {
			return nil, nil
		}
		return repoOf(name).sign(in.x, nil), nil
	}
	res, err := New(m, open).Resolve(context.Background(), "app", nil)
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	if got := answersString(res); got != "ci=signed nowhere=error qa=error Prod=signed" {
		t.Errorf("answers = %q", got)
	}
	if res.Mapping != 1 || !slices.Equal(res.Agreed, []string{"Prod"}) {
		t.Errorf("mapping %d agreed %q, want mapping 1 agreed by Prod", res.Mapping, res.Agreed)
	}
	slices.Sort(opened)
	if !slices.Equal(opened, []string{"Prod", "ci", "qa"}) {
		t.Errorf("opened %q; want each declared repository once, by its declared name", opened)
	}
	for _, a := range res.Answers {
		if a.Kind == Failed && a.Err == nil {
			t.Errorf("%s failed without a cause", a.Name)
		}
	}
}
