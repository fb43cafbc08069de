package mapfile

import (
	"fmt"
	"slices"
	"strings"
)

// Warning is a legal but probably unintended part of a map file.
type Warning struct {
	// Path is the place, such as "mapping[0].paths[1]".
	Path string
	// Msg says what is probably wrong.
	Msg string
}

// String formats the warning as "PATH: MSG".
func (w Warning) String() string { return w.Path + ": " + w.Msg }

// Warnings returns the warnings about the map, mapping by mapping:
//
//   - a pattern with "*" or "?" but neither "**" nor "/", which never matches
//     a path with "/";
//   - a mapping never reached, because earlier terminating mappings match
//     every target it matches (an earlier pattern "**", or a prefix followed
//     by "**", an identical pattern, or a literal path an earlier pattern
//     matches);
//   - a non-terminating mapping followed by one that may match the same
//     targets with fewer required repositories (a lower threshold, or a
//     subset of its repositories): a repository that blocks or withholds a
//     target then downgrades the policy to the later mapping.
//
// The analysis of patterns is conservative: it may miss an unreachable
// mapping, and it warns of a downgrade whenever the patterns may overlap.
func (m *Map) Warnings() []Warning {
	var out []Warning
	patterns := 0
	for _, mp := range m.Mapping {
		patterns += len(mp.Paths)
	}
	pairwise := patterns <= maxPairwise
	for i, mp := range m.Mapping {
		for j, p := range mp.Paths {
			if info := analyse(p); info.wild && !info.super && !info.slash {
				out = append(out, Warning{
					Path: fmt.Sprintf("mapping[%d].paths[%d]", i, j),
					Msg:  quote(p) + ` never matches a path with "/"; use "**" to match across directories`,
				})
			}
		}
		if !pairwise {
			continue
		}
		if by := m.shadowedBy(i); by != nil {
			out = append(out, Warning{
				Path: fmt.Sprintf("mapping[%d]", i),
				Msg:  "unreachable: it is never reached, since earlier terminating " + mappingList(by) + " every target it matches",
			})
			continue
		}
		if mp.Terminating {
			continue
		}
		for j := i + 1; j < len(m.Mapping); j++ {
			if m.weaker(j, i) && m.overlap(i, j) && m.shadowedBy(j) == nil {
				out = append(out, Warning{
					Path: fmt.Sprintf("mapping[%d]", i),
					Msg: fmt.Sprintf("not terminating, and mapping[%d] may match the same targets with fewer required repositories (%s instead of %s): "+
						"a repository that blocks or withholds a target of mapping[%d] downgrades it to mapping[%d]; make mapping[%d] terminating",
						j, requirement(m.Mapping[j]), requirement(mp), i, j, i),
				})
			}
		}
	}
	if !pairwise {
		out = append(out, Warning{
			Path: "mapping",
			Msg:  fmt.Sprintf("more than %d patterns: unreachable and downgradable mappings were not looked for", maxPairwise),
		})
	}
	return out
}

// maxPairwise is the most patterns whose mappings Warnings compares pairwise.
const maxPairwise = 1000

// shadowedBy returns the earlier terminating mappings that together match
// every target mapping i matches, or nil when it is not known that they do.
func (m *Map) shadowedBy(i int) []int {
	var by []int
	for j := range m.Mapping[i].Paths {
		k := m.coveredBy(i, j)
		if k < 0 {
			return nil
		}
		if !slices.Contains(by, k) {
			by = append(by, k)
		}
	}
	return by
}

// coveredBy returns the first earlier terminating mapping that matches every
// target pattern j of mapping i matches, or -1.
func (m *Map) coveredBy(i, j int) int {
	p := m.Mapping[i].Paths[j]
	info := analyse(p)
	for k := 0; k < i; k++ {
		if !m.Mapping[k].Terminating {
			continue
		}
		for l, q := range m.Mapping[k].Paths {
			if q == p || superPrefix(q, info.prefix) {
				return k
			}
			if g := m.glob(k, l); info.literal && g != nil && g.Match(info.prefix) {
				return k
			}
		}
	}
	return -1
}

// superPrefix reports whether pattern q is a plain prefix followed by "**"
// and prefix begins with it, so that q matches whatever begins with prefix.
func superPrefix(q, prefix string) bool {
	lead, ok := strings.CutSuffix(q, "**")
	return ok && !strings.ContainsAny(lead, `*?[]{}\`) && strings.HasPrefix(prefix, lead)
}

// weaker reports whether mapping j requires fewer repositories than mapping
// i: a lower threshold, or a proper subset of its repositories.
func (m *Map) weaker(j, i int) bool {
	a, b := m.Mapping[j], m.Mapping[i]
	if a.Threshold < b.Threshold {
		return true
	}
	if len(a.Repositories) >= len(b.Repositories) {
		return false
	}
	for _, r := range a.Repositories {
		if !slices.Contains(b.Repositories, r) {
			return false
		}
	}
	return true
}

// overlap reports whether mappings i and j may match a common target.
func (m *Map) overlap(i, j int) bool {
	for k, p := range m.Mapping[i].Paths {
		for l, q := range m.Mapping[j].Paths {
			if m.patternsOverlap(i, k, j, l, p, q) {
				return true
			}
		}
	}
	return false
}

// patternsOverlap reports whether pattern k of mapping i (p) and pattern l of
// mapping j (q) may match a common target: exactly when one is a literal
// path, else when their literal prefixes and suffixes are compatible.
func (m *Map) patternsOverlap(i, k, j, l int, p, q string) bool {
	a, b := analyse(p), analyse(q)
	switch {
	case p == q:
		return true
	case a.literal:
		g := m.glob(j, l)
		return g != nil && g.Match(a.prefix)
	case b.literal:
		g := m.glob(i, k)
		return g != nil && g.Match(b.prefix)
	}
	return (strings.HasPrefix(a.prefix, b.prefix) || strings.HasPrefix(b.prefix, a.prefix)) &&
		(strings.HasSuffix(a.suffix, b.suffix) || strings.HasSuffix(b.suffix, a.suffix))
}

// patternInfo is what the warnings need to know of a pattern.
type patternInfo struct {
	prefix  string // literal text before the first wildcard, unescaped
	suffix  string // literal text after the last wildcard, unescaped
	literal bool   // no wildcard: prefix is the one path the pattern matches
	wild    bool   // has "*" or "?"
	super   bool   // has "**"
	slash   bool   // has "/" anywhere
}

// analyse reads a pattern that compiles. Character classes and alternatives
// count as wildcards.
func analyse(p string) patternInfo {
	info := patternInfo{slash: strings.Contains(p, "/")}
	var run strings.Builder // the current literal run
	seen := false           // a wildcard was seen
	wildcard := func() {
		if !seen {
			info.prefix, seen = run.String(), true
		}
		run.Reset()
	}
	depth := 0
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c == '\\' && i+1 < len(p):
			i++
			if depth == 0 {
				run.WriteByte(p[i])
			}
		case c == '*' || c == '?':
			info.wild = true
			info.super = info.super || c == '*' && i+1 < len(p) && p[i+1] == '*'
			wildcard()
		case c == '[':
			if end := classEnd(p, i); end > 0 {
				i = end
			}
			wildcard()
		case c == '{':
			depth++
			wildcard()
		case c == '}' && depth > 0:
			depth--
			run.Reset()
		case depth == 0:
			run.WriteByte(c)
		}
	}
	if !seen {
		info.literal, info.prefix = true, run.String()
	}
	info.suffix = run.String()
	return info
}

// mappingList names mappings: "mapping[0]", "mapping[0] and mapping[2]".
func mappingList(idx []int) string {
	names := make([]string, len(idx))
	for i, k := range idx {
		names[i] = fmt.Sprintf("mapping[%d]", k)
	}
	if len(names) == 1 {
		return names[0] + " matches"
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1] + " match"
}

// requirement describes what a mapping requires: "2 of ci, qa".
func requirement(mp Mapping) string {
	return fmt.Sprintf("%d of %s", mp.Threshold, strings.Join(mp.Repositories, ", "))
}
