package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/accord-tuf/accord/internal/termtext"
	"github.com/accord-tuf/accord/mapfile"
)

func (a *accord) mapCommand() *cli.Command {
	return &cli.Command{
		Name:  "map",
		Usage: "work with map files",
		Subcommands: []*cli.Command{{
			Name:      "check",
			Usage:     "validate a map file; print each mapping and the warnings",
			ArgsUsage: "[FILE]",
			Description: "FILE defaults to --map, else <trust-dir>/map.json. Every defect is\n" +
				"reported at once, with its place; the exit status is then 2.",
			Action: a.mapCheck,
		}},
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usageErrorf("unknown command \"map %s\"; see 'accord map --help'", c.Args().First())
			}
			return usageErrorf("map: missing command; usage: accord map check [FILE]")
		},
	}
}

// mapCheckJSON is the --json output of "accord map check" for a valid file.
type mapCheckJSON struct {
	File         string           `json:"file"`
	Repositories []repositoryJSON `json:"repositories"`
	Mapping      []mappingJSON    `json:"mapping"`
	Warnings     []warningJSON    `json:"warnings"`
}

// mapErrorsJSON is the --json output for a refused map file.
type mapErrorsJSON struct {
	File   string         `json:"file"`
	Errors []mapErrorJSON `json:"errors"`
}

type repositoryJSON struct {
	Name    string       `json:"name"`
	Mirrors []mirrorJSON `json:"mirrors"`
}

type mirrorJSON struct {
	Metadata string `json:"metadata"`
	Targets  string `json:"targets"`
}

type mappingJSON struct {
	Index        int      `json:"index"`
	Paths        []string `json:"paths"`
	Repositories []string `json:"repositories"`
	Threshold    int      `json:"threshold"`
	Terminating  bool     `json:"terminating"`
}

type warningJSON struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

type mapErrorJSON struct {
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
	Error   string `json:"error"`
}

func (a *accord) mapCheck(c *cli.Context) error {
	if err := argRange(c, 0, 1); err != nil {
		return err
	}
	path := c.Args().First()
	if path == "" {
		var err error
		if path, err = a.mapPath(); err != nil {
			return err
		}
	}
	a.diag.verbosef("map file %s", path)
	m, err := mapfile.Load(path)
	if err != nil {
		return a.mapErrors(path, err)
	}
	warnings := m.Warnings()
	for _, w := range warnings {
		a.diag.warnf("%s: %s", path, w)
	}
	if a.opts.json {
		out := mapCheckJSON{File: path, Warnings: []warningJSON{}}
		out.Repositories, out.Mapping = mapJSON(m)
		for _, w := range warnings {
			out.Warnings = append(out.Warnings, warningJSON{Path: w.Path, Message: w.Msg})
		}
		return writeJSON(a.stdout, out)
	}
	return a.printMap(path, m)
}

// mapErrors reports why the map file at path was refused: exit status 2.
func (a *accord) mapErrors(path string, err error) error {
	var list []*mapfile.Error
	var errs *mapfile.Errors
	if errors.As(err, &errs) {
		list = errs.List
	} else {
		list = []*mapfile.Error{{File: path, Msg: fmt.Sprintf("cannot read: %v", unwrapPath(err))}}
	}
	for _, e := range list {
		a.diag.errorf("%s", e)
	}
	if a.opts.json {
		out := mapErrorsJSON{File: path}
		for _, e := range list {
			out.Errors = append(out.Errors, mapErrorJSON{Line: e.Line, Column: e.Col, Path: e.Path, Message: e.Msg, Error: e.Error()})
		}
		if err := writeJSON(a.stdout, out); err != nil {
			return err
		}
	}
	return exitStatus(exitUsage)
}

// mapJSON describes m for --json output.
func mapJSON(m *mapfile.Map) ([]repositoryJSON, []mappingJSON) {
	repos := make([]repositoryJSON, 0, len(m.Repositories))
	for _, r := range m.Repositories {
		rj := repositoryJSON{Name: r.Name}
		for _, mir := range r.Mirrors {
			rj.Mirrors = append(rj.Mirrors, mirrorJSON{Metadata: mir.Metadata, Targets: mir.Targets})
		}
		repos = append(repos, rj)
	}
	mapping := make([]mappingJSON, 0, len(m.Mapping))
	for i, mp := range m.Mapping {
		mapping = append(mapping, mappingJSON{
			Index:        i,
			Paths:        mp.Paths,
			Repositories: mp.Repositories,
			Threshold:    mp.Threshold,
			Terminating:  mp.Terminating,
		})
	}
	return repos, mapping
}

// printMap prints the repositories and the mappings of m as aligned text.
func (a *accord) printMap(path string, m *mapfile.Map) error {
	fmt.Fprintf(a.stdout, "%s: %s, %s\n\n", termtext.Line(path), count(len(m.Repositories), "repository", "repositories"), count(len(m.Mapping), "mapping", "mappings"))
	t := newTable(a.stdout)
	fmt.Fprintln(t, "REPOSITORY\tMIRRORS")
	for _, r := range m.Repositories {
		mirrors := make([]string, len(r.Mirrors))
		for i, mir := range r.Mirrors {
			mirrors[i] = formatMirror(mir)
		}
		fmt.Fprintf(t, "%s\t%s\n", r.Name, termtext.Line(strings.Join(mirrors, " ")))
	}
	if err := t.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(a.stdout)
	t = newTable(a.stdout)
	fmt.Fprintln(t, "MAPPING\tPATHS\tREPOSITORIES\tTHRESHOLD\tTERMINATING")
	for i, mp := range m.Mapping {
		fmt.Fprintf(t, "%d\t%s\t%s\t%d of %d\t%s\n", i, termtext.Line(strings.Join(mp.Paths, " ")), strings.Join(mp.Repositories, ","),
			mp.Threshold, len(mp.Repositories), yesNo(mp.Terminating))
	}
	return t.Flush()
}

// formatMirror prints a string mirror as its URL, and an object mirror as
// both of its bases.
func formatMirror(m mapfile.Mirror) string {
	if !m.Object && m.Targets == m.Metadata+"/targets" {
		return m.Metadata
	}
	return "metadata=" + m.Metadata + ",targets=" + m.Targets
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
