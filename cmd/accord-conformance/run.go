package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/accord-tuf/accord/repo"
)

// repoName names the one repository in errors: `repository "conformance":
// timestamp.json: …`.
const repoName = "conformance"

// Exit statuses of the protocol.
const (
	exitOK     = 0
	exitFailed = 1
)

// run executes one command line with faketime as the FAKETIME value and
// returns the exit status.
func run(ctx context.Context, args []string, faketime string, stdout, stderr io.Writer) int {
	inv, err := parseArgs(args)
	if errors.Is(err, errHelp) {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "accord-conformance: %v\n%s", err, usage)
		return exitFailed
	}
	var at time.Time // zero: the system clock
	if faketime != "" {
		at, err = parseFaketime(faketime, time.Now(), time.Local)
		if err != nil {
			fmt.Fprintf(stderr, "accord-conformance: %v\n", err)
			return exitFailed
		}
	}
	switch inv.command {
	case "init":
		err = initRoot(inv, at, stdout, stderr)
	case "refresh":
		err = refresh(ctx, inv, at, stdout)
	case "download":
		err = download(ctx, inv, at, stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "accord-conformance: %s: %v\n", inv.command, err)
		return exitFailed
	}
	return exitOK
}

// initRoot stores the root file as the trusted root of the metadata
// directory, replacing what it held.
func initRoot(inv *invocation, at time.Time, stdout, stderr io.Writer) error {
	root, err := readRootFile(inv.args[0])
	if err != nil {
		return err
	}
	if err := checkReplaceable(inv.metadataDir); err != nil {
		return err
	}
	res, err := repo.Pin("", repoName, root, repo.PinOptions{
		Force:       true,
		At:          at,
		MetadataDir: inv.metadataDir,
	})
	if err != nil {
		return err
	}
	if res.Expired {
		fmt.Fprintf(stderr, "accord-conformance: warning: root version %d expired at %s; stored anyway, as rotation may lead past it\n",
			res.Version, res.Expires.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(stdout, "trusted root version %d (sha256 %s)\n", res.Version, res.SHA256)
	return nil
}

// checkReplaceable refuses to let init replace a directory that is not a
// metadata directory: replacing it discards everything it holds. dir may
// be missing, empty, or hold root.json beside other metadata files
// (*.json), root_history/ and temporary files the client leaves when
// killed.
func checkReplaceable(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) || (err == nil && len(entries) == 0) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("metadata directory: %w", err)
	}
	hasRoot := false
	for _, e := range entries {
		name := e.Name()
		switch {
		case name == "root.json" && e.Type().IsRegular():
			hasRoot = true
		case name == "root_history" && e.IsDir():
		case strings.HasSuffix(name, ".json") && e.Type().IsRegular():
		case (strings.HasPrefix(name, ".tmp-") || strings.HasPrefix(name, ".download-")) && e.Type().IsRegular():
		default:
			return fmt.Errorf("refusing to replace %s: it holds %q, which is not TUF metadata", dir, name)
		}
	}
	if !hasRoot {
		return fmt.Errorf("refusing to replace %s: it is not empty and holds no root.json", dir)
	}
	return nil
}

// readRootFile reads a root file, refusing one larger than any root the
// client would accept.
func readRootFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, repo.DefaultRootMaxLength+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, unwrapPath(err))
	}
	if len(data) > repo.DefaultRootMaxLength {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, repo.DefaultRootMaxLength)
	}
	return data, nil
}

// newClient returns the client of the repository at the metadata URL,
// with its metadata in the metadata directory.
func newClient(inv *invocation, at time.Time) (*repo.Client, error) {
	targets := inv.targetBaseURL
	if targets == "" {
		targets = inv.metadataURL // refresh fetches no target
	}
	c, err := repo.New(repo.Config{
		Name:        repoName,
		MetadataDir: inv.metadataDir,
		Mirrors:     []repo.Mirror{{Metadata: inv.metadataURL, Targets: targets}},
		At:          at,
		// The suite checks TUF's client workflow to the letter: each
		// file is persisted as soon as it is verified, also when a later
		// step of the same refresh fails.
		KeepVerified: true,
		// The suite also checks the order of the requests a refresh
		// makes, which TUF's workflow fixes.
		Sequential: true,
	})
	if errors.Is(err, repo.ErrNotPinned) {
		return nil, fmt.Errorf("%s has no root.json: run init first", inv.metadataDir)
	}
	return c, err
}

// refresh updates the top-level metadata.
func refresh(ctx context.Context, inv *invocation, at time.Time, stdout io.Writer) error {
	c, err := newClient(inv, at)
	if err != nil {
		return err
	}
	if err := c.Refresh(ctx); err != nil {
		return err
	}
	return printStatus(c, stdout)
}

// printStatus prints the trusted versions.
func printStatus(c *repo.Client, stdout io.Writer) error {
	st, err := c.Status()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "root %d", st.Root.Version)
	for _, r := range []struct {
		name string
		st   *repo.RoleStatus
	}{{"timestamp", st.Timestamp}, {"snapshot", st.Snapshot}, {"targets", st.Targets}} {
		if r.st != nil {
			fmt.Fprintf(stdout, ", %s %d", r.name, r.st.Version)
		}
	}
	fmt.Fprintln(stdout)
	return nil
}

// download refreshes, then fetches each target in order, stopping at the
// first failure.
func download(ctx context.Context, inv *invocation, at time.Time, stdout io.Writer) error {
	c, err := newClient(inv, at)
	if err != nil {
		return err
	}
	if err := c.Refresh(ctx); err != nil {
		return err
	}
	for _, name := range inv.targetNames {
		path, cached, err := fetchTarget(ctx, c, name, inv.targetDir)
		if err != nil {
			return err
		}
		if cached {
			fmt.Fprintf(stdout, "%s: already in %s\n", name, path)
		} else {
			fmt.Fprintf(stdout, "%s: downloaded to %s\n", name, path)
		}
	}
	return nil
}

// unwrapPath drops the operation and path of a *fs.PathError, for messages
// that already name the file.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
