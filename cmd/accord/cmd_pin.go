package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/accord-tuf/accord/internal/termtext"
	"github.com/accord-tuf/accord/repo"
)

func (a *accord) pinCommand() *cli.Command {
	return &cli.Command{
		Name:      "pin",
		Usage:     "check a root and install it as a repository's trusted root",
		ArgsUsage: "REPO ROOT.json",
		UsageText: "accord pin REPO ROOT.json [--sha256 HEX] [--force]",
		Description: "ROOT.json must be root metadata signed by a threshold of its own root\n" +
			"keys and, with --sha256, have that SHA-256. REPO must be declared in the\n" +
			"map file. An existing pin is replaced, with the repository's cached\n" +
			"metadata, only with --force. A root expired at the reference time is\n" +
			"pinned with a warning: rotation may lead past it.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "sha256", Usage: "the expected SHA-256 of ROOT.json, as `HEX`"},
			&cli.BoolFlag{Name: "force", Usage: "replace an existing pin and the repository's cached metadata"},
		},
		Action: a.pin,
	}
}

// pinJSON is the --json output of "accord pin".
type pinJSON struct {
	Repository string    `json:"repository"`
	File       string    `json:"file"`
	Version    int64     `json:"version"`
	Expires    time.Time `json:"expires"`
	Expired    bool      `json:"expired"`
	KeyIDs     []string  `json:"key_ids"`
	SHA256     string    `json:"sha256"`
	Replaced   bool      `json:"replaced"`
}

func (a *accord) pin(c *cli.Context) error {
	if err := argRange(c, 2, 2); err != nil {
		return err
	}
	sum := c.String("sha256")
	if c.IsSet("sha256") {
		if b, err := hex.DecodeString(sum); err != nil || len(b) != 32 {
			return usageErrorf("--sha256: %q is not a SHA-256 digest in hex (64 characters)", sum)
		}
	}
	m, err := a.loadMap()
	if err != nil {
		return err
	}
	names, err := a.declared(m, c.Args().Slice()[:1])
	if err != nil {
		return err
	}
	name, file := names[0], c.Args().Get(1)
	dir, err := a.trustDir()
	if err != nil {
		return err
	}
	root, err := readAtMost(file, repo.DefaultRootMaxLength+1)
	if err != nil {
		return usageErrorf("reading root: %v", err)
	}
	_, statErr := os.Stat(filepath.Join(dir, "metadata", name, "root.json"))
	replaced := statErr == nil && c.Bool("force")

	if err := os.MkdirAll(dir, 0o700); err != nil {
		return usageErrorf("trust directory: %v", err)
	}
	res, err := repo.Pin(dir, name, root, repo.PinOptions{
		SHA256: sum,
		Force:  c.Bool("force"),
		At:     a.opts.at,
	})
	switch {
	case errors.Is(err, repo.ErrAlreadyPinned):
		return usageErrorf("repository %q already has a pinned root; to replace it and discard its cached metadata, run: accord pin %s %s --force", name, name, file)
	case err != nil:
		var re *repo.Error
		if errors.As(err, &re) && re.File == "root.json" {
			return usageErrorf("repository %q: %s: %v", name, file, re.Err)
		}
		return usageError(err)
	}

	if res.Expired {
		a.diag.warnf("root version %d of %q expired at %s; pinned anyway: rotation may lead past it", res.Version, name, formatTime(res.Expires))
	}
	if replaced {
		a.diag.errorf("replaced the pinned root of %q and discarded its cached metadata", name)
	}
	if a.opts.json {
		return writeJSON(a.stdout, pinJSON{
			Repository: name,
			File:       file,
			Version:    res.Version,
			Expires:    res.Expires.UTC(),
			Expired:    res.Expired,
			KeyIDs:     res.KeyIDs,
			SHA256:     res.SHA256,
			Replaced:   replaced,
		})
	}
	fmt.Fprintf(a.stdout, "pinned the root of %s\n", name)
	t := newTable(a.stdout)
	fmt.Fprintf(t, "  version\t%d\n", res.Version)
	expires := formatTime(res.Expires)
	if res.Expired {
		expires += " (expired)"
	}
	fmt.Fprintf(t, "  expires\t%s\n", expires)
	fmt.Fprintf(t, "  sha256\t%s\n", res.SHA256)
	for _, id := range res.KeyIDs {
		fmt.Fprintf(t, "  key\t%s\n", termtext.Name(id))
	}
	return t.Flush()
}
