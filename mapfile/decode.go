package mapfile

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// maxErrors is how many defects of one file are reported; the rest are
// counted.
const maxErrors = 100

// namePattern is the form of a repository name.
var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// parser holds the state of one Parse.
type parser struct {
	file string
	data []byte
	errs []*Error
}

// parse parses p.data, recording defects in p.errs; the Map it returns is
// valid only when there are none.
func (p *parser) parse() *Map {
	root := p.readTree()
	if root == nil || !p.want(root, kindObject, "") {
		return nil
	}
	var repos, mapping *node
	for _, mem := range root.mem {
		switch mem.key {
		case "repositories":
			repos = mem.val
		case "mapping":
			mapping = mem.val
		default:
			p.errAt(mem.off, "", "unknown field "+quote(mem.key))
		}
	}
	m := &Map{}
	declared := map[string]bool{}
	if repos == nil {
		p.errAt(root.off, "repositories", "missing: a map file declares its repositories")
	} else {
		m.Repositories, declared = p.repositories(repos)
	}
	if mapping == nil {
		p.errAt(root.off, "mapping", "missing: a map file lists its mapping")
	} else {
		m.Mapping, m.globs = p.mappings(mapping, declared)
	}
	if len(p.errs) > 0 {
		return nil
	}
	return m
}

// want reports whether n is of kind k, recording a defect when it is not. A
// null has been reported already.
func (p *parser) want(n *node, k kind, path string) bool {
	switch n.kind {
	case k:
		return true
	case kindNull:
		return false
	}
	p.errAt(n.off, path, fmt.Sprintf("must be %s, not %s", k, n.kind))
	return false
}

// repositories reads the "repositories" object; declared holds every name it
// declares, valid or not, so that mappings are not blamed for its defects.
func (p *parser) repositories(n *node) (repos []Repository, declared map[string]bool) {
	const path = "repositories"
	declared = map[string]bool{}
	if !p.want(n, kindObject, path) {
		return nil, declared
	}
	if len(n.mem) == 0 {
		p.errAt(n.off, path, "must declare at least one repository")
	}
	folded := map[string]string{}
	for _, mem := range n.mem {
		declared[mem.key] = true
		rpath := memberPath(path, mem.key)
		switch other, clash := folded[strings.ToLower(mem.key)]; {
		case !namePattern.MatchString(mem.key):
			p.errAt(mem.off, rpath, "invalid repository name: must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}")
		case clash:
			p.errAt(mem.off, rpath, fmt.Sprintf("name %s differs only in case from %s", quote(mem.key), quote(other)))
		default:
			folded[strings.ToLower(mem.key)] = mem.key
		}
		repos = append(repos, Repository{Name: mem.key, Mirrors: p.mirrors(mem.val, rpath)})
	}
	return repos, declared
}

// mirrors reads a repository's list of mirrors.
func (p *parser) mirrors(n *node, path string) []Mirror {
	if !p.want(n, kindArray, path) {
		return nil
	}
	if len(n.elem) == 0 {
		p.errAt(n.off, path, "must list at least one mirror")
	}
	var out []Mirror
	for i, e := range n.elem {
		epath := fmt.Sprintf("%s[%d]", path, i)
		switch e.kind {
		case kindNull:
		case kindString:
			u := p.url(e, epath)
			out = append(out, Mirror{Metadata: u, Targets: u + "/targets"})
		case kindObject:
			out = append(out, p.objectMirror(e, epath))
		default:
			p.errAt(e.off, epath, fmt.Sprintf(`must be a URL string or an object {"metadata": URL, "targets": URL}, not %s`, e.kind))
		}
	}
	return out
}

// objectMirror reads a mirror written as {"metadata": URL, "targets": URL}.
func (p *parser) objectMirror(n *node, path string) Mirror {
	mir := Mirror{Object: true}
	var meta, targets bool
	for _, mem := range n.mem {
		mpath := memberPath(path, mem.key)
		switch mem.key {
		case "metadata":
			meta = true
			if p.want(mem.val, kindString, mpath) {
				mir.Metadata = p.url(mem.val, mpath)
			}
		case "targets":
			targets = true
			if p.want(mem.val, kindString, mpath) {
				mir.Targets = p.url(mem.val, mpath)
			}
		default:
			p.errAt(mem.off, path, "unknown field "+quote(mem.key))
		}
	}
	if !meta {
		p.errAt(n.off, path+".metadata", "missing: an object mirror names its metadata URL")
	}
	if !targets {
		p.errAt(n.off, path+".targets", "missing: an object mirror names its targets URL")
	}
	return mir
}

// url checks the mirror URL in the string n and returns it without trailing
// slashes.
func (p *parser) url(n *node, path string) string {
	u, msg := checkURL(n.str)
	if msg != "" {
		p.errAt(n.off, path, msg)
	}
	return u
}

// mappings reads the "mapping" list, with each mapping's compiled patterns.
func (p *parser) mappings(n *node, declared map[string]bool) ([]Mapping, [][]*pattern) {
	const path = "mapping"
	if !p.want(n, kindArray, path) {
		return nil, nil
	}
	if len(n.elem) == 0 {
		p.errAt(n.off, path, "must have at least one entry")
	}
	var out []Mapping
	var globs [][]*pattern
	for i, e := range n.elem {
		epath := fmt.Sprintf("%s[%d]", path, i)
		if p.want(e, kindObject, epath) {
			mp, g := p.mapping(e, epath, declared)
			out = append(out, mp)
			globs = append(globs, g)
		}
	}
	return out, globs
}

// mapping reads one mapping entry.
func (p *parser) mapping(n *node, path string, declared map[string]bool) (Mapping, []*pattern) {
	var mp Mapping
	var globs []*pattern
	var paths, repos, threshold *node
	for _, mem := range n.mem {
		mpath := memberPath(path, mem.key)
		switch mem.key {
		case "paths":
			paths = mem.val
			mp.Paths, globs = p.patterns(mem.val, mpath)
		case "repositories":
			repos = mem.val
			mp.Repositories = p.names(mem.val, mpath, declared)
		case "threshold":
			threshold = mem.val
		case "terminating":
			if p.want(mem.val, kindBool, mpath) {
				mp.Terminating = mem.val.b
			}
		default:
			p.errAt(mem.off, path, "unknown field "+quote(mem.key))
		}
	}
	if paths == nil {
		p.errAt(n.off, path+".paths", "missing: a mapping lists at least one pattern")
	}
	if repos == nil {
		p.errAt(n.off, path+".repositories", "missing: a mapping lists at least one repository")
	}
	mp.Threshold = len(mp.Repositories)
	if threshold != nil {
		listed := -1 // unknown: the list is itself at fault
		if repos != nil && repos.kind == kindArray && len(repos.elem) > 0 {
			listed = len(repos.elem)
		}
		mp.Threshold = p.threshold(threshold, path+".threshold", listed)
	}
	return mp, globs
}

// patterns reads a mapping's "paths" and compiles them.
func (p *parser) patterns(n *node, path string) ([]string, []*pattern) {
	if !p.want(n, kindArray, path) {
		return nil, nil
	}
	if len(n.elem) == 0 {
		p.errAt(n.off, path, "must list at least one pattern")
	}
	var out []string
	var globs []*pattern
	for i, e := range n.elem {
		epath := fmt.Sprintf("%s[%d]", path, i)
		if !p.want(e, kindString, epath) {
			continue
		}
		g, err := compilePattern(e.str)
		if err != nil {
			p.errAt(e.off, epath, err.Error())
		}
		out = append(out, e.str)
		globs = append(globs, g)
	}
	return out, globs
}

// names reads a mapping's "repositories": declared names, each once.
func (p *parser) names(n *node, path string, declared map[string]bool) []string {
	if !p.want(n, kindArray, path) {
		return nil
	}
	if len(n.elem) == 0 {
		p.errAt(n.off, path, "must list at least one repository")
	}
	var out []string
	seen := map[string]bool{}
	for i, e := range n.elem {
		epath := fmt.Sprintf("%s[%d]", path, i)
		if !p.want(e, kindString, epath) {
			continue
		}
		switch name := e.str; {
		case !declared[name]:
			p.errAt(e.off, epath, "undeclared repository "+quote(name)+suggest(name, declared))
		case seen[name]:
			p.errAt(e.off, epath, "repository "+quote(name)+" listed twice")
		default:
			seen[name] = true
		}
		out = append(out, e.str)
	}
	return out
}

// suggest returns a hint naming the declared repository that differs from
// name only in case, if there is one.
func suggest(name string, declared map[string]bool) string {
	var names []string
	for d := range declared {
		if strings.EqualFold(d, name) {
			names = append(names, d)
		}
	}
	if len(names) == 0 {
		return ""
	}
	sort.Strings(names)
	return "; did you mean " + quote(names[0]) + "?"
}

// threshold reads a mapping's "threshold", an integer from 1 to listed (not
// checked above when listed is negative).
func (p *parser) threshold(n *node, path string, listed int) int {
	if !p.want(n, kindNumber, path) {
		return 0
	}
	t, err := strconv.Atoi(n.str)
	switch {
	case strings.ContainsAny(n.str, ".eE"):
		p.errAt(n.off, path, "must be an integer, not "+n.str)
	case strings.HasPrefix(n.str, "-") || err == nil && t < 1:
		p.errAt(n.off, path, "must be at least 1, not "+n.str)
	case err != nil && listed >= 0:
		p.errAt(n.off, path, fmt.Sprintf("%s exceeds the %d listed %s", n.str, listed, plural(listed, "repository", "repositories")))
	case err != nil:
		p.errAt(n.off, path, n.str+" is too large")
	case listed >= 0 && t > listed:
		p.errAt(n.off, path, fmt.Sprintf("%d exceeds the %d listed %s", t, listed, plural(listed, "repository", "repositories")))
	}
	return t
}

// plural returns one when n is 1, else many.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// errors returns the recorded defects as an *Errors, in file order, at most
// maxErrors of them and a count of the rest.
func (p *parser) errors() *Errors {
	sort.SliceStable(p.errs, func(i, j int) bool { return p.errs[i].off < p.errs[j].off })
	line, lineStart, at := 1, 0, 0
	for _, e := range p.errs {
		for ; at < e.off && at < len(p.data); at++ {
			if p.data[at] == '\n' {
				line, lineStart = line+1, at+1
			}
		}
		e.Line, e.Col = line, e.off-lineStart+1
	}
	list := p.errs
	if len(list) > maxErrors {
		rest := len(list) - maxErrors
		list = append(list[:maxErrors:maxErrors], &Error{File: p.file, Msg: fmt.Sprintf("%d more errors not shown", rest)})
	}
	return &Errors{List: list}
}

// ValidRepositoryName reports whether name is a repository name a map file
// accepts: [A-Za-z0-9][A-Za-z0-9._-]{0,63}.
func ValidRepositoryName(name string) bool { return namePattern.MatchString(name) }
