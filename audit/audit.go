package audit

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/accord-tuf/accord/mapfile"
	"github.com/accord-tuf/accord/repo"
	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// DefaultWithin is the expiry horizon when [Input.Within] is zero.
const DefaultWithin = 7 * 24 * time.Hour

// Input is what [Run] audits.
type Input struct {
	// Map is the map file.
	Map *mapfile.Map
	// Trusted is what each repository's client trusts, by declared name
	// (see [repo.Client.Trusted]). Every repository that a mapping or a
	// group lists must be here; a declared repository that none lists
	// may be missing (not pinned), and is then only reported as unused.
	Trusted map[string]*repo.Trusted
	// Groups are repositories that must also sign every target (the
	// lookup's --groups), by declared name, each counted once; none
	// means no groups.
	Groups []string
	// At is the reference time; zero means now.
	At time.Time
	// Within is the expiry horizon; zero means [DefaultWithin].
	Within time.Duration
}

// Run audits the configuration in. It does no I/O: in holds everything.
func Run(in Input) (*Report, error) {
	if in.Map == nil {
		return nil, fmt.Errorf("audit: no map file")
	}
	if in.At.IsZero() {
		in.At = time.Now().UTC()
	}
	if in.Within == 0 {
		in.Within = DefaultWithin
	}
	if in.Within < 0 {
		return nil, fmt.Errorf("audit: negative expiry horizon %v", in.Within)
	}
	var groups []string
	for _, g := range in.Groups {
		if !slices.Contains(groups, g) {
			groups = append(groups, g)
		}
	}
	in.Groups = groups
	a := &auditor{in: in, rep: &Report{At: in.At, Within: in.Within}}
	for _, name := range a.required() {
		if a.in.Trusted[name] == nil {
			return nil, fmt.Errorf("audit: repository %q: nothing trusted to audit", name)
		}
	}
	a.policy()
	for i, mp := range in.Map.Mapping {
		sum := a.keys(scope{m: in.Map, mapping: i, paths: mp.Paths}, mp.Repositories, mp.Threshold, Location{Mapping: i})
		a.rep.Mappings = append(a.rep.Mappings, sum)
	}
	if len(in.Groups) > 0 {
		sum := a.keys(scope{m: in.Map, mapping: -1, paths: []string{"**"}}, in.Groups, len(in.Groups), Location{Mapping: -1, Groups: true})
		a.rep.Groups = &sum
	}
	for i, mp := range in.Map.Mapping {
		a.hashes(scope{m: in.Map, mapping: i, paths: mp.Paths}, mp.Repositories, mp.Threshold, Location{Mapping: i})
	}
	if len(in.Groups) > 1 {
		a.hashes(scope{m: in.Map, mapping: -1}, in.Groups, len(in.Groups), Location{Mapping: -1, Groups: true})
	}
	for _, name := range in.Map.Names() {
		if tr := in.Trusted[name]; tr != nil {
			a.expiry(name, tr)
		}
	}
	order := map[Check]int{Policy: 0, Keys: 1, Hashes: 2, Expiry: 3, Metadata: 4}
	sort.SliceStable(a.rep.Findings, func(i, j int) bool {
		return order[a.rep.Findings[i].Check] < order[a.rep.Findings[j].Check]
	})
	return a.rep, nil
}

// auditor holds one run's input and report.
type auditor struct {
	in  Input
	rep *Report
}

func (a *auditor) add(f Finding) {
	a.rep.Findings = append(a.rep.Findings, f)
}

// required returns every repository a mapping or a group lists, once, in
// declared order.
func (a *auditor) required() []string {
	used := a.used()
	var out []string
	for _, n := range a.in.Map.Names() {
		if used[n] {
			out = append(out, n)
		}
	}
	return out
}

func (a *auditor) used() map[string]bool {
	used := map[string]bool{}
	for _, mp := range a.in.Map.Mapping {
		for _, r := range mp.Repositories {
			used[r] = true
		}
	}
	for _, g := range a.in.Groups {
		used[g] = true
	}
	return used
}

// policy reports the map file's own warnings, mappings that any one
// repository satisfies, and repositories no mapping uses.
func (a *auditor) policy() {
	for _, w := range a.in.Map.Warnings() {
		a.add(Finding{
			Severity: Warning, Check: Policy, Code: CodeMapWarning,
			Location: Location{Mapping: -1, Path: w.Path},
			Message:  w.Msg,
			Advice:   "change the map file; accord map check shows the same warning",
		})
	}
	for i, mp := range a.in.Map.Mapping {
		if mp.Threshold == 1 && len(mp.Repositories) > 1 {
			a.add(Finding{
				Severity: Warning, Check: Policy, Code: CodeAnyOne,
				Location: Location{Mapping: i},
				Message: fmt.Sprintf("threshold 1 of %d: any one of %s suffices (an OR, not an AND)",
					len(mp.Repositories), strings.Join(mp.Repositories, ", ")),
				Advice: "raise the threshold to require several repositories, or list only the one that decides",
			})
		}
	}
	used := a.used()
	for _, n := range a.in.Map.Names() {
		if !used[n] {
			a.add(Finding{
				Severity: Warning, Check: Policy, Code: CodeUnusedRepository,
				Location: Location{Mapping: -1, Repository: n},
				Message:  "no mapping lists it: it decides nothing",
				Advice:   "add it to a mapping, require it with --groups, or remove it from the map file",
			})
		}
	}
}

// signers returns the ways to sign for repository name within sc: a
// threshold of its root keys, of its top-level targets keys, or of the
// keys of a delegated role that covers sc, reached through delegators
// that cover it too.
func signers(name string, tr *repo.Trusted, sc scope) []signer {
	root := tr.Root.Signed
	var out []signer
	for _, role := range []string{metadata.ROOT, metadata.TARGETS} {
		if r := root.Roles[role]; r != nil {
			out = append(out, roleSigner(role, "", r.Threshold, r.KeyIDs, root.Keys))
		}
	}
	if tr.Targets == nil {
		return out
	}
	loaded := map[string]*metadata.Metadata[metadata.TargetsType]{}
	for _, r := range tr.Roles {
		loaded[r.Name] = r.Metadata
	}
	type node struct {
		name string
		md   *metadata.Metadata[metadata.TargetsType]
	}
	queue := []node{{metadata.TARGETS, tr.Targets}}
	visited := map[string]bool{metadata.TARGETS: true}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		d := n.md.Signed.Delegations
		if d == nil {
			continue
		}
		if d.Roles == nil && d.SuccinctRoles != nil {
			sr := d.SuccinctRoles
			out = append(out, roleSigner(sr.NamePrefix+"-*", n.name, sr.Threshold, sr.KeyIDs, d.Keys))
			continue
		}
		for _, r := range d.Roles {
			if !sc.covers(r) {
				continue
			}
			out = append(out, roleSigner(r.Name, n.name, r.Threshold, r.KeyIDs, d.Keys))
			if md := loaded[r.Name]; md != nil && !visited[r.Name] {
				visited[r.Name] = true
				queue = append(queue, node{r.Name, md})
			}
		}
	}
	return out
}

// keys audits the independence of repos for sc: one pinned root under two
// names, keys shared between them, and the effective threshold.
func (a *auditor) keys(sc scope, repos []string, threshold int, loc Location) Summary {
	sum := Summary{Mapping: loc.Mapping, Paths: sc.paths, Repositories: repos, Threshold: threshold, Exact: true}
	if threshold < 2 {
		return sum
	}
	byRepo := map[string][]signer{}
	for _, r := range repos {
		byRepo[r] = signers(r, a.in.Trusted[r], sc)
	}
	sameRoot := a.sameRoots(repos, loc)
	a.sharedKeys(repos, byRepo, sameRoot, loc)
	e := effectiveThreshold(repos, byRepo, threshold)
	if e.none {
		return sum
	}
	sum.Effective, sum.Exact = e.holders, e.exact
	if !e.exact {
		l := loc
		a.add(Finding{
			Severity: Warning, Check: Keys, Code: CodeSearchCutShort, Location: l,
			Message: fmt.Sprintf("too many keys and roles to search exactly: the effective threshold is at most %d", e.holders),
			Advice:  "give the repositories fewer delegated roles over these paths, or fewer shared keys",
		})
	}
	if e.holders >= threshold {
		return sum
	}
	var parts []string
	for _, p := range e.picks {
		parts = append(parts, fmt.Sprintf("%s (%s)", p.repo, roleLabel(p.s)))
	}
	var uses []KeyUse
	for _, fp := range e.shared {
		for _, p := range e.picks {
			if id, ok := p.s.ids[fp]; ok {
				uses = append(uses, KeyUse{Repository: p.repo, Role: p.s.role, KeyID: id})
			}
		}
	}
	a.add(Finding{
		Severity: Error, Check: Keys, Code: CodeEffectiveThreshold, Location: loc, Keys: uses,
		Message: fmt.Sprintf("effective threshold %d, below the stated %d: the holders of %s can make %s sign a target of their choosing",
			e.holders, threshold, count(e.holders, "key", "keys"), joinAnd(parts)),
		Advice: "give each repository of " + loc.place() + " keys that no other repository of it holds",
	})
	return sum
}

// sameRoots reports repositories of repos that have one pinned root, and
// returns the root's SHA-256 by repository for those.
func (a *auditor) sameRoots(repos []string, loc Location) map[string]string {
	by := map[string][]string{}
	var order []string
	for _, r := range repos {
		sum := a.in.Trusted[r].RootSHA256
		if by[sum] == nil {
			order = append(order, sum)
		}
		by[sum] = append(by[sum], r)
	}
	same := map[string]string{}
	for _, sum := range order {
		names := by[sum]
		if len(names) < 2 {
			continue
		}
		for _, n := range names {
			same[n] = sum
		}
		l := loc
		l.Repository, l.Role = names[0], metadata.ROOT
		a.add(Finding{
			Severity: Error, Check: Keys, Code: CodeSameRoot, Location: l,
			Message: fmt.Sprintf("%s have the same pinned root (sha256 %s): they are one repository under %d names",
				joinAnd(names), sum, len(names)),
			Advice: "pin each name to the root of its own, independent repository",
		})
	}
	return same
}

// sharedKeys reports each key that signs for more than one of repos,
// leaving out keys shared only by repositories with one root (already
// reported as such).
func (a *auditor) sharedKeys(repos []string, byRepo map[string][]signer, sameRoot map[string]string, loc Location) {
	uses := map[string][]KeyUse{}
	var order []string
	for _, r := range repos {
		for _, s := range byRepo[r] {
			for _, fp := range s.keys {
				u := KeyUse{Repository: r, Role: s.role, KeyID: s.ids[fp]}
				if slices.Contains(uses[fp], u) {
					continue
				}
				if uses[fp] == nil {
					order = append(order, fp)
				}
				uses[fp] = append(uses[fp], u)
			}
		}
	}
	for _, fp := range order {
		us := uses[fp]
		roots := map[string]bool{}
		distinct := map[string]bool{}
		for _, u := range us {
			distinct[u.Repository] = true
			root := sameRoot[u.Repository]
			if root == "" {
				root = "repository:" + u.Repository
			}
			roots[root] = true
		}
		if len(distinct) < 2 || len(roots) < 2 {
			continue
		}
		var parts []string
		ids := map[string]bool{}
		for _, u := range us {
			parts = append(parts, fmt.Sprintf("%s as %s (key ID %s)", u.Repository, u.Role, u.KeyID))
			ids[u.KeyID] = true
		}
		msg := "one key signs for " + joinAnd(parts)
		if len(ids) > 1 {
			msg += ": the same public key under different key IDs"
		}
		l := loc
		l.Repository, l.Role, l.KeyID = us[0].Repository, us[0].Role, us[0].KeyID
		a.add(Finding{
			Severity: Warning, Check: Keys, Code: CodeSharedKey, Location: l, Keys: us,
			Message: msg,
			Advice:  "give each repository keys of its own: one key holder can sign for all of them",
		})
	}
}

// roleLabel names a signer: "root", "targets", "images, delegated by
// targets".
func roleLabel(s signer) string {
	if s.delegator == "" {
		return s.role
	}
	return s.role + ", delegated by " + s.delegator
}

// count writes "1 key", "2 keys".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// joinAnd writes "a", "a and b", "a, b and c".
func joinAnd(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

func sortStrings(s []string) { sort.Strings(s) }
