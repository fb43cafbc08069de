package resolver

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/go-multierror"
	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/accord-tuf/accord/mapfile"
	"github.com/accord-tuf/accord/repo"
)

// Resolve resolves target as SPEC section 3 describes, with the group
// repositories groups (names matched case-insensitively) as added
// requirements.
//
// It returns a [*Result] for every outcome, and a nil error only when the
// result is verified; otherwise an [*Error] carrying the result, for which
// errors.Is(err, ErrNotFound), ErrNoConsensus or ErrConflict holds. An
// invalid target (a mapfile.TargetError) or an undeclared group
// ([ErrUnknownGroup]) is a usage error: Resolve then returns no result and
// touches no repository.
func (r *Resolver) Resolve(ctx context.Context, target string, groups []string) (*Result, error) {
	if err := mapfile.ValidateTarget(target); err != nil {
		return nil, err
	}
	gs, err := r.groups(groups)
	if err != nil {
		return nil, err
	}
	q := &inquiry{r: r, target: target, answers: make(map[string]*Answer)}
	res := q.walk(ctx, gs)
	res.Groups = gs
	res.Answers = q.list()
	return res, newError(res)
}

// inquiry is one resolution: the answers gathered so far, each repository
// asked once.
type inquiry struct {
	r      *Resolver
	target string

	order      []string           // names, in the order asked
	answers    map[string]*Answer // by name
	shortfalls []string           // why each mapping evaluated fell short
}

// walk goes through the matching mappings in order (steps 1 to 6).
func (q *inquiry) walk(ctx context.Context, groups []string) *Result {
	matches := q.r.m.Match(q.target)
	for _, i := range matches {
		mp := q.r.m.Mapping[i]
		names := q.r.mappingNames[i]
		step := step{index: i, names: names, threshold: effectiveThreshold(mp.Threshold, len(names)), terminating: mp.Terminating}
		if res := q.evaluate(ctx, step, groups); res != nil {
			return res
		}
	}
	if len(matches) == 0 && len(groups) > 0 {
		return q.evaluate(ctx, step{index: -1, names: groups, threshold: len(groups), terminating: true}, groups)
	}
	res := &Result{Target: q.target, Mapping: -1}
	switch {
	case len(matches) == 0:
		res.Status, res.Reason = StatusNotFound, "no mapping matches the target"
	default:
		res.Status = q.shortfall()
		res.Reason = strings.Join(q.shortfalls, "; ")
		if res.Status == StatusNotFound {
			res.Reason = "every repository asked answered missing"
		}
	}
	return res
}

// step is one mapping of the walk: its index (-1 for the groups alone), its
// repositories by declared name, each once, and its rules.
type step struct {
	index       int
	names       []string
	threshold   int
	terminating bool
}

// evaluate asks a mapping's repositories and decides. It returns the result
// when the walk stops at this mapping (a consensus, a conflict, or a
// terminating mapping), nil when the walk goes on.
func (q *inquiry) evaluate(ctx context.Context, s step, groups []string) *Result {
	answers := q.ask(ctx, s.names)
	infos := make([]*metadata.TargetFiles, len(answers))
	for i, a := range answers {
		if a.Kind == Signed {
			infos[i] = a.Info
		}
	}
	out := decide(infos, s.threshold)
	res := &Result{Target: q.target, Mapping: s.index, Threshold: s.threshold}
	switch {
	case out.consensus >= 0 && out.rival >= 0:
		res.Status = StatusConflict
		res.Conflict = &Conflict{
			Consensus: candidate(answers, out.consensus, out.supporters),
			Rival:     candidate(answers, out.rival, out.rivals),
		}
		res.Reason = conflictReason(res)
		return res
	case out.consensus >= 0:
		consensus := answers[out.consensus].Info
		res.Status = StatusVerified
		res.Length, res.Hashes = consensus.Length, cloneHashes(consensus.Hashes)
		for _, i := range out.supporters {
			res.Agreed = append(res.Agreed, answers[i].Name)
		}
		q.require(ctx, res, consensus, groups)
		return res
	}
	q.shortfalls = append(q.shortfalls, shortReason(s, infos))
	if !s.terminating {
		return nil
	}
	res.Status = q.shortfall()
	res.Reason = strings.Join(q.shortfalls, "; ")
	if s.index >= 0 {
		res.Reason += fmt.Sprintf("; mapping %d is terminating", s.index)
	}
	if res.Status == StatusNotFound {
		res.Reason = "every repository asked answered missing"
	}
	return res
}

// require applies the groups to a verified result (step 6): every group
// repository must sign info that agrees with the consensus.
func (q *inquiry) require(ctx context.Context, res *Result, consensus *metadata.TargetFiles, groups []string) {
	var why []string
	for _, a := range q.ask(ctx, groups) {
		if a.Kind == Signed && agree(consensus, a.Info) {
			if !slices.Contains(res.Agreed, a.Name) {
				res.Agreed = append(res.Agreed, a.Name)
			}
			continue
		}
		res.Refused = append(res.Refused, a.Name)
		why = append(why, fmt.Sprintf("%q (%s)", a.Name, refusal(a)))
	}
	if len(res.Refused) == 0 {
		return
	}
	res.Status = StatusNoConsensus
	res.Length, res.Hashes = 0, nil
	res.Reason = "refused by group repository " + strings.Join(why, ", ")
}

// refusal says why a group repository's answer does not support the
// consensus.
func refusal(a *Answer) string {
	switch a.Kind {
	case Signed:
		return "signs target info that does not agree"
	case Missing:
		return "does not sign the target"
	default:
		return "failed to answer"
	}
}

// shortfall is the status of a walk that found no consensus: not_found when
// every repository asked answered missing, no_consensus otherwise.
func (q *inquiry) shortfall() Status {
	for _, a := range q.answers {
		if a.Kind != Missing {
			return StatusNoConsensus
		}
	}
	return StatusNotFound
}

// declaredNames returns a mapping's repositories by declared name, each
// once.
func (r *Resolver) declaredNames(list []string) []string {
	var out []string
	for _, n := range list {
		d, _ := r.declared(n)
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

// ask returns the answers of the named repositories, in the order given,
// asking concurrently those not asked yet in this inquiry: each in a
// goroutine of its own but the last, which the caller's goroutine asks.
func (q *inquiry) ask(ctx context.Context, names []string) []*Answer {
	k := 0
	for _, n := range names {
		if _, ok := q.answers[n]; !ok {
			k++
		}
	}
	if k > 0 {
		fresh := make([]Answer, k)
		i := 0
		for _, n := range names {
			if _, ok := q.answers[n]; ok {
				continue
			}
			a := &fresh[i]
			a.Name = n
			q.answers[n] = a
			q.order = append(q.order, n)
			i++
		}
		var wg sync.WaitGroup
		for i := range fresh[:k-1] {
			a := &fresh[i]
			wg.Go(func() { q.r.answer(ctx, a, q.target) })
		}
		q.r.answer(ctx, &fresh[k-1], q.target)
		wg.Wait()
	}
	out := make([]*Answer, len(names))
	for i, n := range names {
		out[i] = q.answers[n]
	}
	return out
}

// answer fills in one repository's answer about target.
func (r *Resolver) answer(ctx context.Context, a *Answer, target string) {
	if _, ok := r.m.Repository(a.Name); !ok {
		a.Kind, a.Err = Failed, fmt.Errorf("repository %q is not declared", a.Name)
		return
	}
	rp, err := r.entry(a.Name).ready(ctx, r.open)
	if err != nil {
		a.Kind, a.Err = Failed, err
		return
	}
	info, err := rp.TargetInfo(ctx, target)
	switch {
	case errors.Is(err, repo.ErrNotFound), errors.Is(err, ErrNotFound):
		a.Kind = Missing
	case err != nil:
		a.Kind, a.Err = Failed, err
	default:
		if err := checkInfo(info); err != nil {
			a.Kind, a.Err = Failed, err
			return
		}
		a.Kind, a.Info = Signed, cloneInfo(info)
	}
}

// list returns the answers in the order asked.
func (q *inquiry) list() []Answer {
	out := make([]Answer, len(q.order))
	for i, n := range q.order {
		out[i] = *q.answers[n]
	}
	return out
}

// candidate describes answers[at] with its supporters.
func candidate(answers []*Answer, at int, supporters []int) Candidate {
	c := Candidate{
		Repository: answers[at].Name,
		Length:     answers[at].Info.Length,
		Hashes:     cloneHashes(answers[at].Info.Hashes),
	}
	for _, s := range supporters {
		c.Supporters = append(c.Supporters, answers[s].Name)
	}
	return c
}

// conflictReason describes a conflict's two candidates, each with its
// supporters.
func conflictReason(res *Result) string {
	c, r := res.Conflict.Consensus, res.Conflict.Rival
	return fmt.Sprintf("mapping %d (threshold %d) has two contradicting candidates: length %d %s (%s) and length %d %s (%s)",
		res.Mapping, res.Threshold, c.Length, describe(c.Hashes), strings.Join(c.Supporters, ", "),
		r.Length, describe(r.Hashes), strings.Join(r.Supporters, ", "))
}

// shortReason says how far a mapping fell short of its threshold.
func shortReason(s step, infos []*metadata.TargetFiles) string {
	best := 0
	for _, c := range infos {
		if c == nil {
			continue
		}
		k := 0
		for _, o := range infos {
			if o != nil && agree(c, o) {
				k++
			}
		}
		best = max(best, k)
	}
	if s.index < 0 {
		return fmt.Sprintf("the groups need all %d repositories to agree, at most %d did", len(s.names), best)
	}
	return fmt.Sprintf("mapping %d needs %d of %d repositories to agree, at most %d did", s.index, s.threshold, len(s.names), best)
}

// describe writes hashes as "sha256:ab12…, sha512:cd34…", sorted by
// algorithm.
func describe(h metadata.Hashes) string {
	algs := make([]string, 0, len(h))
	for alg := range h {
		algs = append(algs, alg)
	}
	slices.Sort(algs)
	for i, alg := range algs {
		d := h[alg].String()
		if len(d) > 12 {
			d = d[:12] + "…"
		}
		algs[i] = alg + ":" + d
	}
	return strings.Join(algs, ", ")
}

// named prefixes err with the repository's name unless it already names it.
func named(name string, err error) error {
	if strings.HasPrefix(err.Error(), fmt.Sprintf("repository %q", name)) {
		return err
	}
	return fmt.Errorf("repository %q: %w", name, err)
}

// aggregate returns errs as one multierror, or nil when there are none.
func aggregate(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	m := multierror.Append(nil, errs...)
	m.ErrorFormat = joinErrors
	return m
}
