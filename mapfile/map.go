package mapfile

import "strings"

// MaxSize is the largest map file accepted, in bytes; a larger file is an
// error.
const MaxSize = 1 << 20

// Map is a parsed and validated map file. A Map from [Parse] is immutable and
// safe for concurrent use. A Map built by hand rather than by [Parse] is not
// validated; its patterns are compiled at each use, and one that does not
// compile matches nothing.
type Map struct {
	// Repositories lists the declared repositories in the order the file
	// declares them.
	Repositories []Repository
	// Mapping lists the mapping entries in priority order.
	Mapping []Mapping

	// globs holds each mapping's compiled patterns; nil for a Map built by
	// hand, whose patterns are then compiled at each use.
	globs [][]*pattern
}

// Repository is one declared TUF repository.
type Repository struct {
	// Name is the declared name.
	Name string
	// Mirrors lists the mirrors in the order they are tried; never empty.
	Mirrors []Mirror
}

// Mirror is one place a repository is served from.
type Mirror struct {
	// Metadata is the base URL of metadata (<Metadata>/<N>.root.json …).
	Metadata string
	// Targets is the base URL of targets (<Targets>/<path>).
	Targets string
	// Object records that the mirror was written as
	// {"metadata": …, "targets": …} rather than as a string.
	Object bool
}

// Mapping is one entry of the priority-ordered mapping list.
type Mapping struct {
	// Paths lists the patterns; a target matches the mapping when it
	// matches any of them.
	Paths []string
	// Repositories lists the declared names of the repositories asked.
	Repositories []string
	// Threshold is how many of Repositories must agree; defaulted to
	// len(Repositories).
	Threshold int
	// Terminating stops the walk at this mapping when it matches.
	Terminating bool
}

// Match returns the indexes of the mappings with at least one pattern
// matching target, in priority order, or nil when none does. The target is
// matched as given; check it with [ValidateTarget] first.
func (m *Map) Match(target string) []int {
	var out []int
	for i := range m.Mapping {
		if m.matches(i, target) {
			out = append(out, i)
		}
	}
	return out
}

// Repository returns the declared repository whose name equals name, ignoring
// case, and whether there is one. The result must not be modified.
func (m *Map) Repository(name string) (*Repository, bool) {
	for i := range m.Repositories {
		if strings.EqualFold(m.Repositories[i].Name, name) {
			return &m.Repositories[i], true
		}
	}
	return nil, false
}

// Names returns the declared repository names in declared order.
func (m *Map) Names() []string {
	names := make([]string, len(m.Repositories))
	for i, r := range m.Repositories {
		names[i] = r.Name
	}
	return names
}

// matches reports whether any pattern of mapping i matches target.
func (m *Map) matches(i int, target string) bool {
	for j := range m.Mapping[i].Paths {
		if g := m.glob(i, j); g != nil && g.Match(target) {
			return true
		}
	}
	return false
}

// glob returns pattern j of mapping i compiled, or nil when it does not
// compile (only in a Map built by hand).
func (m *Map) glob(i, j int) *pattern {
	if i < len(m.globs) && j < len(m.globs[i]) {
		return m.globs[i][j]
	}
	g, err := compilePattern(m.Mapping[i].Paths[j])
	if err != nil {
		return nil
	}
	return g
}
