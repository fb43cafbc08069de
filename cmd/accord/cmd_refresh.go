package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/accord-tuf/accord/internal/termtext"
	"github.com/accord-tuf/accord/repo"
)

func (a *accord) refreshCommand() *cli.Command {
	return &cli.Command{
		Name:      "refresh",
		Usage:     "update repositories' trusted metadata",
		ArgsUsage: "[REPO...]",
		Description: "refresh runs a full TUF update of the named repositories (default: every\n" +
			"declared one), concurrently, and prints for each the trusted root,\n" +
			"timestamp, snapshot and targets versions and the earliest expiry, or\n" +
			"why it failed. The exit status is 1 if any failed.\n\n" +
			"So that \"accord --offline\" finds them later, refresh also loads ahead,\n" +
			"verifies and stores the delegated roles: every role delegated by name\n" +
			"(up to 64 per repository) and every hash bin already cached. Lookups do\n" +
			"not: they fetch only the roles their search reaches. A role that fails\n" +
			"to load here fails only the lookups that need it.",
		Action: a.refresh,
	}
}

// refreshJSON is one element of the --json output of "accord refresh".
type refreshJSON struct {
	Name      string     `json:"name"`
	Root      *roleJSON  `json:"root,omitempty"`
	Timestamp *roleJSON  `json:"timestamp,omitempty"`
	Snapshot  *roleJSON  `json:"snapshot,omitempty"`
	Targets   *roleJSON  `json:"targets,omitempty"`
	Expires   *time.Time `json:"expires,omitempty"`
	Error     string     `json:"error,omitempty"`
}

func (a *accord) refresh(c *cli.Context) error {
	m, err := a.loadMap()
	if err != nil {
		return err
	}
	names, err := a.declared(m, c.Args().Slice())
	if err != nil {
		return err
	}
	clients, err := a.openAll(names)
	if err != nil {
		return err
	}
	statuses := make([]repo.Status, len(clients))
	errs := each(c.Context, clients, func(ctx context.Context, rc *repo.Client) error {
		return rc.RefreshAhead(ctx)
	})
	failed := 0
	for i, rc := range clients {
		if errs[i] == nil {
			statuses[i], errs[i] = rc.Status()
		}
		if errs[i] != nil {
			failed++
			a.diag.verbosef("%v", errs[i])
		}
	}

	if a.opts.json {
		out := make([]refreshJSON, len(names))
		for i, name := range names {
			out[i] = refreshJSON{Name: name}
			if errs[i] != nil {
				out[i].Error = errs[i].Error()
				continue
			}
			s := statuses[i]
			exp := earliest(s).UTC()
			out[i].Root, out[i].Timestamp = newRoleJSON(&s.Root), newRoleJSON(s.Timestamp)
			out[i].Snapshot, out[i].Targets = newRoleJSON(s.Snapshot), newRoleJSON(s.Targets)
			out[i].Expires = &exp
		}
		if err := writeJSON(a.stdout, out); err != nil {
			return err
		}
	} else if err := a.printRefresh(names, statuses, errs); err != nil {
		return err
	}
	if failed > 0 {
		return failedf("refresh failed for %d of %s", failed, count(len(names), "repository", "repositories"))
	}
	return nil
}

// printRefresh prints one line per repository: its versions and earliest
// expiry, or its error.
func (a *accord) printRefresh(names []string, statuses []repo.Status, errs []error) error {
	t := newTable(a.stdout)
	fmt.Fprintln(t, "REPOSITORY\tROOT\tTIMESTAMP\tSNAPSHOT\tTARGETS\tEXPIRES")
	for i, name := range names {
		if errs[i] != nil {
			fmt.Fprintf(t, "%s\t-\t-\t-\t-\terror: %s\n", name, termtext.Line(repo.Cause(name, errs[i])))
			continue
		}
		s := statuses[i]
		fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\t%s\n", name, version(&s.Root), version(s.Timestamp),
			version(s.Snapshot), version(s.Targets), formatTime(earliest(s)))
	}
	return t.Flush()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
