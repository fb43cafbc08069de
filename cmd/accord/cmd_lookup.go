package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"

	"github.com/accord-tuf/accord/mapfile"
	"github.com/accord-tuf/accord/resolver"
)

// lookupWorkers bounds how many targets of a --from list are resolved at
// once; they share one resolver, so each repository is refreshed once.
const lookupWorkers = 4

// maxFromSize bounds a --from list, in bytes.
const maxFromSize = 16 << 20

func (a *accord) lookupCommand() *cli.Command {
	return &cli.Command{
		Name:      "lookup",
		Usage:     "resolve a target across the repositories the map file requires",
		ArgsUsage: "TARGET | GUN TAG",
		UsageText: "accord lookup TARGET | GUN TAG | --from FILE [--groups G1,G2]",
		Description: "TARGET is a target path, such as charts/web:1.0, or a container image\n" +
			"tag given as GUN TAG or GUN:TAG. The target is verified when the\n" +
			"repositories of the first deciding mapping sign identical length and\n" +
			"hashes (and every group repository agrees). --from FILE reads one\n" +
			"target per line (\"-\" is stdin), skipping blank lines and # comments;\n" +
			"CRLF line ends and a UTF-8 byte order mark are accepted.\n" +
			"Exit status 0 verified, 1 not verified, 2 usage or configuration error.",
		Flags: []cli.Flag{
			groupsFlag(),
			&cli.StringFlag{Name: "from", Usage: "read the targets from `FILE`, one a line (\"-\" is stdin)", TakesFile: true},
		},
		Action: a.lookup,
	}
}

// groupsFlag is the --groups flag of the commands that resolve targets.
func groupsFlag() cli.Flag {
	return &cli.StringFlag{Name: "groups", Usage: "also require the repositories `G1,G2` to sign the same target (default $ACCORD_GROUPS; an empty value is an error)"}
}

func (a *accord) lookup(c *cli.Context) error {
	targets, err := a.commandTargets(c, "lookup")
	if err != nil {
		return err
	}
	m, r, groups, err := a.prepare(c, targets)
	if err != nil {
		return err
	}

	results, err := resolveAll(c.Context, r, targets, groups)
	if err != nil {
		return err
	}
	if err := a.printResults(m, results, c.IsSet("from")); err != nil {
		return err
	}
	failed := false
	for _, res := range results {
		if res.Status != resolver.StatusVerified {
			failed = true
			a.reportRefusal(res)
		}
	}
	if failed {
		return exitStatus(exitFailed)
	}
	return nil
}

// printResults prints the results as text, or with --json as one object
// (one target) or an array (--from).
func (a *accord) printResults(m *mapfile.Map, results []*resolver.Result, list bool) error {
	if a.opts.json {
		if list {
			return writeJSON(a.stdout, results)
		}
		return writeJSON(a.stdout, results[0])
	}
	for i, res := range results {
		if i > 0 {
			fmt.Fprintln(a.stdout)
		}
		if err := printResult(a.stdout, m, res); err != nil {
			return err
		}
	}
	return nil
}

// targetArgs reads the target of the command line: TARGET, or GUN TAG
// (the target GUN:TAG). An invalid target is a usage error.
func targetArgs(args []string) (string, error) {
	switch len(args) {
	case 1:
		if err := mapfile.ValidateTarget(args[0]); err != nil {
			return "", usageError(err)
		}
		return args[0], nil
	case 2:
		t, err := mapfile.ImageTarget(args[0], args[1])
		if err != nil {
			return "", usageError(err)
		}
		return t, nil
	}
	return "", usageErrorf("expected TARGET or GUN TAG, got %d arguments", len(args))
}

// readTargets reads a --from list: one target per line, GUN:TAG or a
// path; blank lines and lines beginning with # are skipped; CRLF and a
// leading UTF-8 byte order mark are accepted. Every line is checked before
// anything else happens: an invalid line (named FILE:LINE) or an empty list
// is a usage error.
func (a *accord) readTargets(file string) ([]string, error) {
	name := file
	var r io.Reader
	switch file {
	case "":
		return nil, usageErrorf("--from: empty file name")
	case "-":
		name, r = "stdin", a.stdin
	default:
		f, err := os.Open(file)
		if err != nil {
			return nil, usageErrorf("--from: %v", err)
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.IsDir() {
			return nil, usageErrorf("--from: %s: is a directory", file)
		}
		r = f
	}
	targets, err := parseTargets(name, io.LimitReader(r, maxFromSize+1))
	if err != nil {
		return nil, err
	}
	if len(targets) == 0 {
		return nil, usageErrorf("--from: %s: no targets", name)
	}
	return targets, nil
}

// parseTargets reads the lines of a --from list named name.
func parseTargets(name string, r io.Reader) ([]string, error) {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 0, 4096), mapfile.MaxTargetLength+2)
	var targets []string
	total, line := 0, 0
	for s.Scan() {
		line++
		total += len(s.Bytes()) + 1
		if total > maxFromSize {
			return nil, usageErrorf("--from: %s: larger than %d bytes", name, maxFromSize)
		}
		text := s.Text()
		if line == 1 {
			// A UTF-8 byte order mark, as some editors write, is not part
			// of the first target.
			text = strings.TrimPrefix(text, "\uFEFF")
		}
		text = strings.TrimSpace(strings.TrimSuffix(text, "\r"))
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if err := mapfile.ValidateTarget(text); err != nil {
			return nil, usageErrorf("%s:%d: %v", name, line, err)
		}
		targets = append(targets, text)
	}
	switch err := s.Err(); {
	case errors.Is(err, bufio.ErrTooLong):
		return nil, usageErrorf("%s:%d: line longer than %d bytes", name, line+1, mapfile.MaxTargetLength)
	case err != nil:
		return nil, usageErrorf("--from: %s: %v", name, err)
	}
	return targets, nil
}

// groupsOption returns the groups: --groups, else $ACCORD_GROUPS, as a
// list of names, and where they came from. A --groups that names no
// repository is a usage error: it would silently drop $ACCORD_GROUPS.
func (a *accord) groupsOption(c *cli.Context) (groups []string, source string, err error) {
	value, source := c.String("groups"), "--groups"
	if !c.IsSet("groups") {
		value, source = a.getenv("ACCORD_GROUPS"), "$ACCORD_GROUPS"
	}
	groups = mapfile.SplitGroups(value)
	if c.IsSet("groups") && len(groups) == 0 {
		return nil, source, usageErrorf("--groups: %q names no repository; name at least one, or leave the flag out", value)
	}
	return groups, source, nil
}

// prepare loads the map file, checks the groups, makes the resolver for
// targets and opens every repository they could need, before any network
// access: an undeclared group or a repository without a pinned root is a
// configuration error (exit status 2).
func (a *accord) prepare(c *cli.Context, targets []string) (*mapfile.Map, *resolver.Resolver, []string, error) {
	m, err := a.loadMap()
	if err != nil {
		return nil, nil, nil, err
	}
	groups, err := a.checkGroups(c, m)
	if err != nil {
		return nil, nil, nil, err
	}
	r := a.newResolver(m, nil)
	for _, t := range targets {
		if err := r.Prepare(c.Context, t, groups); err != nil {
			return nil, nil, nil, a.openErrors(err)
		}
	}
	return m, r, groups, nil
}

// checkGroups returns the groups of the command line or the environment;
// a name that m does not declare is a usage error.
func (a *accord) checkGroups(c *cli.Context, m *mapfile.Map) ([]string, error) {
	groups, source, err := a.groupsOption(c)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		if _, ok := m.Repository(g); !ok {
			return nil, usageErrorf("%s: repository %q is not declared in the map file; declared: %s", source, g, joinNames(m.Names()))
		}
	}
	return groups, nil
}

// newResolver returns a resolver over m that opens repositories as the run
// does; wrap, when not nil, stands between the resolver and each
// repository.
func (a *accord) newResolver(m *mapfile.Map, wrap func(resolver.Repository) resolver.Repository) *resolver.Resolver {
	return resolver.New(m, func(name string) (resolver.Repository, error) {
		c, err := a.repository(name)
		if err != nil {
			return nil, err
		}
		if wrap != nil {
			return wrap(c), nil
		}
		return c, nil
	})
}

// openErrors reports the repositories that could not be opened, one a
// line, as a configuration error (exit status 2).
func (a *accord) openErrors(err error) error {
	var many interface{ WrappedErrors() []error }
	if !errors.As(err, &many) || len(many.WrappedErrors()) < 2 {
		return usageError(err)
	}
	errs := many.WrappedErrors()
	for _, e := range errs[:len(errs)-1] {
		a.diag.errorf("%v", e)
	}
	return usageError(errs[len(errs)-1])
}

// resolveAll resolves every target with one resolver, a few at a time, and
// returns the results in the targets' order. Only an error that leaves no
// result (a cancelled context, for one) is returned.
func resolveAll(ctx context.Context, r *resolver.Resolver, targets []string, groups []string) ([]*resolver.Result, error) {
	results := make([]*resolver.Result, len(targets))
	errs := make([]error, len(targets))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(lookupWorkers, len(targets)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i], errs[i] = r.Resolve(ctx, targets[i], groups)
			}
		}()
	}
	for i := range targets {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, res := range results {
		if res == nil {
			return nil, fmt.Errorf("%s: %w", targets[i], errs[i])
		}
	}
	return results, nil
}

// commandTargets reads the targets of a command that resolves them, as
// lookup reads them: TARGET, GUN TAG, or --from FILE; every one is checked
// before anything else happens.
func (a *accord) commandTargets(c *cli.Context, cmd string) ([]string, error) {
	if c.IsSet("from") {
		if c.Args().Present() {
			return nil, usageErrorf("%s: --from and a target on the command line; give one or the other", cmd)
		}
		return a.readTargets(c.String("from"))
	}
	if err := argRange(c, 1, 2); err != nil {
		return nil, err
	}
	t, err := targetArgs(c.Args().Slice())
	if err != nil {
		return nil, err
	}
	return []string{t}, nil
}
