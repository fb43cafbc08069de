package audit

import (
	"slices"
	"strings"

	"github.com/accord-tuf/accord/internal/fnmatch"
	"github.com/accord-tuf/accord/mapfile"
	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// scope is the set of targets an audit asks about: those a mapping's
// patterns match (mapping < 0: every target, as for the groups).
type scope struct {
	m       *mapfile.Map
	mapping int
	paths   []string
}

// matches reports whether target is in the scope.
func (s scope) matches(target string) bool {
	if s.mapping < 0 {
		return true
	}
	return slices.Contains(s.m.Match(target), s.mapping)
}

// covers reports whether a delegated role may be trusted for some target
// in the scope: a classic delegation by path_hash_prefixes (any name may
// hash under a prefix), or one of its paths that may match a target the
// scope matches (see [overlap]).
func (s scope) covers(r metadata.DelegatedRole) bool {
	if len(r.Paths) == 0 {
		return len(r.PathHashPrefixes) > 0
	}
	if s.mapping < 0 {
		return true
	}
	for _, q := range r.Paths {
		for _, p := range s.paths {
			if s.overlap(p, q) {
				return true
			}
		}
	}
	return false
}

// overlap reports whether some target may match both p, a map file
// pattern, and q, a TUF delegated path pattern. It is exact when either
// is a literal path, and otherwise over-approximates: it says no only
// when the literal text before the first wildcard, the literal text after
// the last, or the number of path segments rule out a common target.
func (s scope) overlap(p, q string) bool {
	ps := mapfile.PatternShape(p)
	qs := fnmatchShape(q)
	switch {
	case qs.literal:
		return patternMatches(s.m, s.mapping, p, q)
	case ps.Literal:
		return fnmatch.MatchPath(q, ps.Prefix)
	}
	if !strings.HasPrefix(ps.Prefix, qs.prefix) && !strings.HasPrefix(qs.prefix, ps.Prefix) {
		return false
	}
	if !strings.HasSuffix(ps.Suffix, qs.suffix) && !strings.HasSuffix(qs.suffix, ps.Suffix) {
		return false
	}
	return ps.Segments == 0 || ps.Segments == qs.segments
}

// patternMatches reports whether the map file pattern p (of the
// mapping, whose repositories it borrows) matches target.
func patternMatches(m *mapfile.Map, mapping int, p, target string) bool {
	one := &mapfile.Map{Repositories: m.Repositories, Mapping: []mapfile.Mapping{{Paths: []string{p}, Repositories: m.Mapping[mapping].Repositories}}}
	return len(one.Match(target)) == 1
}

// qshape is the shape of a delegated path pattern: fnmatch's wildcards
// are '*', '?' and '[', and every path it matches has exactly segments
// '/'-separated segments.
type qshape struct {
	prefix, suffix string
	literal        bool
	segments       int
}

func fnmatchShape(q string) qshape {
	sh := qshape{segments: strings.Count(q, "/") + 1}
	first := strings.IndexAny(q, "*?[")
	if first < 0 {
		sh.literal, sh.prefix, sh.suffix = true, q, q
		return sh
	}
	sh.prefix = q[:first]
	last := strings.LastIndexAny(q, "*?[]")
	sh.suffix = q[last+1:]
	return sh
}
