package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/accord-tuf/accord/internal/atomicfile"
	"github.com/urfave/cli/v2"

	"github.com/accord-tuf/accord/internal/termtext"
	"github.com/accord-tuf/accord/mapfile"
)

func (a *accord) initCommand() *cli.Command {
	return &cli.Command{
		Name:      "init",
		Usage:     "validate a map file and install it in the trust directory",
		UsageText: "accord init --map FILE",
		Description: "accord init --map FILE checks FILE as \"accord map check\" does and, if it\n" +
			"is valid, installs it as <trust-dir>/map.json. An invalid file is refused\n" +
			"and nothing is written.",
		Action: a.init,
	}
}

// initJSON is the --json output of "accord init".
type initJSON struct {
	Source       string        `json:"source"`
	File         string        `json:"file"`
	Repositories []string      `json:"repositories"`
	Mappings     int           `json:"mappings"`
	Warnings     []warningJSON `json:"warnings"`
}

func (a *accord) init(c *cli.Context) error {
	if err := argRange(c, 0, 0); err != nil {
		return err
	}
	src := a.opts.mapFile
	if src == "" {
		return usageErrorf("init: missing --map FILE; usage: accord init --map FILE")
	}
	dir, err := a.trustDir()
	if err != nil {
		return err
	}
	// One byte over the limit is enough for mapfile to refuse the file.
	data, err := readAtMost(src, mapfile.MaxSize+1)
	if err != nil {
		return usageErrorf("reading map file: %v", err)
	}
	m, err := mapfile.Parse(src, data)
	if err != nil {
		return a.mapErrors(src, err)
	}
	for _, w := range m.Warnings() {
		a.diag.warnf("%s: %s", src, w)
	}

	if err := os.MkdirAll(dir, 0o700); err != nil {
		return usageErrorf("trust directory: %v", err)
	}
	dst := filepath.Join(dir, "map.json")
	if err := atomicfile.WriteFile(dst, data, 0o600); err != nil {
		return fmt.Errorf("installing map file: %w", err)
	}
	if a.opts.json {
		out := initJSON{Source: src, File: dst, Repositories: m.Names(), Mappings: len(m.Mapping), Warnings: []warningJSON{}}
		for _, w := range m.Warnings() {
			out.Warnings = append(out.Warnings, warningJSON{Path: w.Path, Message: w.Msg})
		}
		return writeJSON(a.stdout, out)
	}
	fmt.Fprintf(a.stdout, "installed %s: %s, %s\n", termtext.Line(dst), count(len(m.Repositories), "repository", "repositories"), count(len(m.Mapping), "mapping", "mappings"))
	return nil
}

// readAtMost reads the file at path, at most limit bytes.
func readAtMost(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, &fs.PathError{Op: "read", Path: path, Err: errors.New("is a directory")}
	}
	return io.ReadAll(io.LimitReader(f, limit))
}
