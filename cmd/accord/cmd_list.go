package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/accord-tuf/accord/internal/termtext"
	"github.com/accord-tuf/accord/resolver"
)

func (a *accord) listCommand() *cli.Command {
	return &cli.Command{
		Name:      "list",
		Usage:     "list every target the repositories sign, with each one's answer and the consensus",
		ArgsUsage: "[PATTERN]",
		UsageText: "accord list [PATTERN] [--groups G1,G2]",
		Description: "Every declared repository is refreshed and listed. Each row is a target,\n" +
			"each column a repository: signed (with a short digest), missing or\n" +
			"error; the last column is the target's status as \"accord lookup\"\n" +
			"would give it. PATTERN, a glob with \"/\" as the separator as in the map\n" +
			"file, keeps the targets it matches. The exit status is 1 when a\n" +
			"repository could not be listed.",
		Flags:  []cli.Flag{groupsFlag()},
		Action: a.list,
	}
}

func (a *accord) list(c *cli.Context) error {
	if err := argRange(c, 0, 1); err != nil {
		return err
	}
	m, err := a.loadMap()
	if err != nil {
		return err
	}
	groups, err := a.checkGroups(c, m)
	if err != nil {
		return err
	}
	// Every declared repository is listed: refuse an unusable one before
	// any network access.
	var openErrs []error
	for _, name := range m.Names() {
		if _, err := a.repository(name); err != nil {
			openErrs = append(openErrs, err)
		}
	}
	if len(openErrs) > 0 {
		for _, err := range openErrs[:len(openErrs)-1] {
			a.diag.errorf("%v", err)
		}
		return openErrs[len(openErrs)-1]
	}

	r := a.newResolver(m, nil)
	l, err := r.List(c.Context, c.Args().First(), groups)
	if l == nil {
		return usageError(err)
	}
	for _, f := range l.Failed {
		a.diag.errorf("repository %q: cannot list its targets: %s", f.Name, answerCause(f))
	}
	if a.opts.json {
		if err := a.writeListJSON(l); err != nil {
			return err
		}
	} else if err := a.printListing(l); err != nil {
		return err
	}
	if len(l.Failed) > 0 {
		return exitStatus(exitFailed)
	}
	return nil
}

// printListing prints the pipeline matrix: a row per target, a column per
// repository, and the consensus status. Target names are escaped (see
// [termtext]) before the table measures them, so that a name a repository
// signs can neither change the terminal nor forge a row.
func (a *accord) printListing(l *resolver.Listing) error {
	t := newTable(a.stdout)
	fmt.Fprintf(t, "TARGET\t%s\tSTATUS\n", strings.Join(l.Repositories, "\t"))
	for _, row := range l.Rows {
		cells := make([]string, len(row.Answers))
		for i, ans := range row.Answers {
			switch ans.Kind {
			case resolver.Signed:
				cells[i] = shortDigest(ans.Info.Hashes)
			case resolver.Missing:
				cells[i] = "missing"
			default:
				cells[i] = "error"
			}
		}
		fmt.Fprintf(t, "%s\t%s\t%s\n", termtext.Name(row.Target), strings.Join(cells, "\t"), rowStatus(row))
	}
	if err := t.Flush(); err != nil {
		return err
	}
	if len(l.Rows) == 0 && len(l.Failed) == 0 {
		a.diag.errorf("no targets")
	}
	return nil
}

// rowStatus is a row's status column: the status, and who agreed.
func rowStatus(row resolver.Row) string {
	switch {
	case row.Err != nil:
		return "invalid target name"
	case row.Result == nil:
		return "-"
	case row.Result.Status == resolver.StatusVerified:
		return fmt.Sprintf("verified (%s)", strings.Join(row.Result.Agreed, ", "))
	default:
		return string(row.Result.Status)
	}
}

// writeListJSON prints "accord list --json": an array with one lookup
// object (SPEC section 5) per target, whose "repositories" hold every
// declared repository's answer (see [resolver.Row.MarshalJSON]).
func (a *accord) writeListJSON(l *resolver.Listing) error {
	return writeJSON(a.stdout, l.Rows)
}
