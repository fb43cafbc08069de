package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

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

// listRowJSON is one row of "accord list --json": the target's lookup
// object (SPEC section 5), with every declared repository's answer in
// "repositories", in declared order.
type listRowJSON struct {
	Target       string            `json:"target"`
	Status       string            `json:"status"`
	Length       *int64            `json:"length,omitempty"`
	Hashes       map[string]string `json:"hashes,omitempty"`
	Mapping      int               `json:"mapping"`
	Threshold    int               `json:"threshold"`
	Agreed       []string          `json:"agreed"`
	Groups       []string          `json:"groups,omitempty"`
	Repositories []resolver.Answer `json:"repositories"`
	Error        string            `json:"error,omitempty"`
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
// repository, and the consensus status.
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
		fmt.Fprintf(t, "%s\t%s\t%s\n", row.Target, strings.Join(cells, "\t"), rowStatus(row))
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

func (a *accord) writeListJSON(l *resolver.Listing) error {
	rows := make([]listRowJSON, 0, len(l.Rows))
	for _, row := range l.Rows {
		j := listRowJSON{Target: row.Target, Mapping: -1, Agreed: []string{}, Repositories: row.Answers, Groups: l.Groups}
		switch {
		case row.Err != nil:
			j.Status, j.Error = "invalid", row.Err.Error()
		case row.Result != nil:
			// The result's own encoding gives length and hashes only when
			// verified; take them from there.
			data, err := json.Marshal(row.Result)
			if err != nil {
				return err
			}
			var r struct {
				Status    string            `json:"status"`
				Length    *int64            `json:"length"`
				Hashes    map[string]string `json:"hashes"`
				Mapping   int               `json:"mapping"`
				Threshold int               `json:"threshold"`
				Agreed    []string          `json:"agreed"`
			}
			if err := json.Unmarshal(data, &r); err != nil {
				return err
			}
			j.Status, j.Length, j.Hashes = r.Status, r.Length, r.Hashes
			j.Mapping, j.Threshold, j.Agreed = r.Mapping, r.Threshold, r.Agreed
		}
		rows = append(rows, j)
	}
	return writeJSON(a.stdout, rows)
}
