package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/accord-tuf/accord/internal/termtext"
	"github.com/accord-tuf/accord/repo"
)

func (a *accord) statusCommand() *cli.Command {
	return &cli.Command{
		Name:  "status",
		Usage: "print what the trust directory holds for each repository",
		Description: "status prints, for each declared repository, its mirrors, the trusted\n" +
			"root's version, SHA-256 and expiry, and the cached timestamp, snapshot\n" +
			"and targets versions and expiries, and when it last refreshed online\n" +
			"successfully (what --max-age counts from), without any network access.",
		Action: a.status,
	}
}

// statusJSON is one element of the --json output of "accord status".
type statusJSON struct {
	Name      string       `json:"name"`
	Mirrors   []mirrorJSON `json:"mirrors"`
	Pinned    bool         `json:"pinned"`
	Root      *rootJSON    `json:"root,omitempty"`
	Timestamp *roleJSON    `json:"timestamp,omitempty"`
	Snapshot  *roleJSON    `json:"snapshot,omitempty"`
	Targets   *roleJSON    `json:"targets,omitempty"`
	// LastRefresh is when the repository last refreshed online; absent
	// when it never did.
	LastRefresh *time.Time `json:"last_refresh,omitempty"`
	Error       string     `json:"error,omitempty"`
}

// rootJSON is the trusted root in --json output.
type rootJSON struct {
	Version int64     `json:"version"`
	Expires time.Time `json:"expires"`
	Expired bool      `json:"expired"`
	SHA256  string    `json:"sha256"`
}

// repoState is what status found for one repository.
type repoState struct {
	name    string
	mirrors []repo.Mirror
	status  repo.Status
	err     error // errors.Is(err, repo.ErrNotPinned) when not pinned
}

func (a *accord) status(c *cli.Context) error {
	if err := argRange(c, 0, 0); err != nil {
		return err
	}
	m, err := a.loadMap()
	if err != nil {
		return err
	}
	states := make([]repoState, 0, len(m.Repositories))
	for i := range m.Repositories {
		r := &m.Repositories[i]
		cfg, err := a.repoConfig(r)
		if err != nil {
			return err
		}
		st := repoState{name: r.Name, mirrors: cfg.Mirrors}
		rc, err := a.repository(r.Name)
		if err == nil {
			st.status, err = rc.Status()
		}
		st.err = err
		if errors.Is(err, repo.ErrNotPinned) {
			a.diag.errorf("repository %q has no pinned root; run: accord pin %s ROOT.json", r.Name, r.Name)
		}
		states = append(states, st)
	}
	if a.opts.json {
		return writeJSON(a.stdout, statusListJSON(states))
	}
	return a.printStatus(states)
}

func statusListJSON(states []repoState) []statusJSON {
	out := make([]statusJSON, len(states))
	for i, st := range states {
		j := statusJSON{Name: st.name, Mirrors: []mirrorJSON{}}
		for _, mir := range st.mirrors {
			j.Mirrors = append(j.Mirrors, mirrorJSON{Metadata: mir.Metadata, Targets: mir.Targets})
		}
		switch {
		case errors.Is(st.err, repo.ErrNotPinned):
		case st.err != nil:
			j.Pinned = true
			j.Error = st.err.Error()
		default:
			s := st.status
			j.Pinned = true
			j.Root = &rootJSON{Version: s.Root.Version, Expires: s.Root.Expires.UTC(), Expired: s.Root.Expired, SHA256: s.RootSHA256}
			j.Timestamp, j.Snapshot, j.Targets = newRoleJSON(s.Timestamp), newRoleJSON(s.Snapshot), newRoleJSON(s.Targets)
			if !s.LastRefresh.IsZero() {
				t := s.LastRefresh.UTC()
				j.LastRefresh = &t
			}
		}
		out[i] = j
	}
	return out
}

// printStatus prints a block per repository.
func (a *accord) printStatus(states []repoState) error {
	w := a.stdout
	row := func(label, format string, args ...any) {
		fmt.Fprintf(w, "  %-9s  %s\n", label, fmt.Sprintf(format, args...))
	}
	for i, st := range states {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w, st.name)
		mirrors := make([]string, len(st.mirrors))
		for j, mir := range st.mirrors {
			mirrors[j] = mir.Metadata
			if mir.Targets != mir.Metadata+"/targets" {
				mirrors[j] = "metadata=" + mir.Metadata + ",targets=" + mir.Targets
			}
		}
		row("mirrors", "%s", termtext.Line(strings.Join(mirrors, " ")))
		switch {
		case errors.Is(st.err, repo.ErrNotPinned):
			row("root", "not pinned")
			continue
		case st.err != nil:
			row("error", "%s", termtext.Line(repo.Cause(st.name, st.err)))
			continue
		}
		s := st.status
		row("root", "version %d  expires %s  sha256 %s", s.Root.Version, expiry(&s.Root), s.RootSHA256)
		for j, r := range roles(s)[1:] {
			if r == nil {
				row(roleNames[j+1], "not cached")
				continue
			}
			row(roleNames[j+1], "version %d  expires %s", r.Version, expiry(r))
		}
		if s.LastRefresh.IsZero() {
			row("refreshed", "never online")
		} else {
			row("refreshed", "%s", s.LastRefresh.UTC().Format(time.RFC3339))
		}
	}
	return nil
}
