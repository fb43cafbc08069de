package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/accord-tuf/accord/internal/termtext"
	"github.com/accord-tuf/accord/repo"
)

func (a *accord) mirrorCommand() *cli.Command {
	return &cli.Command{
		Name:      "mirror",
		Usage:     "write repositories' verified metadata as mirrors for offline use",
		ArgsUsage: "OUT [REPO...]",
		UsageText: "accord mirror OUT [REPO...] [--targets]",
		Description: "mirror refreshes the named repositories (default: every declared one;\n" +
			"not with --offline), then writes each one's verified metadata (the whole\n" +
			"root chain, versioned files) and, with --targets, its verified targets to\n" +
			"OUT/<repo>/, in the layout a string mirror expects. Elsewhere,\n" +
			"\"accord --mirror OUT\" verifies from it. Like refresh, mirror loads\n" +
			"every delegated role ahead of lookups, into the trust directory too.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "targets", Usage: "also download, verify and write every target"},
		},
		Action: a.mirror,
	}
}

// mirrorJSONResult is one element of the --json output of "accord mirror".
type mirrorJSONResult struct {
	Name  string `json:"name"`
	Dir   string `json:"dir,omitempty"`
	Error string `json:"error,omitempty"`
}

func (a *accord) mirror(c *cli.Context) error {
	if err := argRange(c, 1, -1); err != nil {
		return err
	}
	out := c.Args().First()
	if out == "" {
		return usageErrorf("mirror: empty output directory name")
	}
	m, err := a.loadMap()
	if err != nil {
		return err
	}
	names, err := a.declared(m, c.Args().Tail())
	if err != nil {
		return err
	}
	clients, err := a.openAll(names)
	if err != nil {
		return err
	}
	withTargets := c.Bool("targets")
	errs := each(c.Context, clients, func(ctx context.Context, rc *repo.Client) error {
		if !a.opts.offline {
			if err := rc.RefreshAhead(ctx); err != nil {
				return err
			}
		}
		return rc.WriteMirror(ctx, out, withTargets)
	})

	failed := 0
	results := make([]mirrorJSONResult, len(names))
	for i, name := range names {
		results[i] = mirrorJSONResult{Name: name}
		if errs[i] != nil {
			failed++
			results[i].Error = errs[i].Error()
			continue
		}
		results[i].Dir = filepath.Join(out, name)
	}
	if a.opts.json {
		if err := writeJSON(a.stdout, results); err != nil {
			return err
		}
	} else {
		t := newTable(a.stdout)
		fmt.Fprintln(t, "REPOSITORY\tMIRROR")
		for i, r := range results {
			if errs[i] != nil {
				fmt.Fprintf(t, "%s\terror: %s\n", r.Name, termtext.Line(repo.Cause(r.Name, errs[i])))
				continue
			}
			fmt.Fprintf(t, "%s\t%s\n", r.Name, termtext.Line(r.Dir))
		}
		if err := t.Flush(); err != nil {
			return err
		}
	}
	if failed > 0 {
		return failedf("mirror failed for %d of %s", failed, count(len(names), "repository", "repositories"))
	}
	return nil
}
