package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/accord-tuf/accord/internal/termtext"
	"github.com/accord-tuf/accord/resolver"
)

func (a *accord) verifyCommand() *cli.Command {
	return &cli.Command{
		Name:      "verify",
		Usage:     "check a local file against the consensus on a target",
		ArgsUsage: "FILE TARGET | FILE GUN TAG",
		UsageText: "accord verify FILE TARGET | FILE GUN TAG [--groups G1,G2]",
		Description: "The target is resolved as \"accord lookup\" does; FILE must then have the\n" +
			"consensus length and every consensus hash. Exit status 0 when it\n" +
			"matches, 1 when it does not (saying how) or the target is not\n" +
			"verified, 2 when FILE cannot be read.",
		Flags:  []cli.Flag{groupsFlag()},
		Action: a.verify,
	}
}

func (a *accord) verify(c *cli.Context) error {
	if err := argRange(c, 2, 3); err != nil {
		return err
	}
	file := c.Args().First()
	target, err := targetArgs(c.Args().Slice()[1:])
	if err != nil {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return usageErrorf("%s: %v", file, unwrapPath(err))
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return usageErrorf("%s: %v", file, unwrapPath(err))
	} else if fi.IsDir() {
		return usageErrorf("%s: is a directory", file)
	}

	_, res, err := a.resolveVerified(c, target, nil, func(res *resolver.Result) error {
		return a.writeVerifyJSON(res, file, nil)
	})
	if err != nil {
		return err
	}

	src := &readErrors{r: f}
	err = resolver.Verify(res, src)
	var mismatch *resolver.MismatchError
	switch {
	case src.err != nil:
		return usageErrorf("%s: %v", file, unwrapPath(src.err))
	case errors.As(err, &mismatch):
		a.diag.errorf("%s: does not match %s: %s", file, target, describeMismatch(mismatch))
	case err != nil:
		return failed(fmt.Errorf("%s: %w", file, err))
	}
	if a.opts.json {
		if err := a.writeVerifyJSON(res, file, mismatch); err != nil {
			return err
		}
	} else if mismatch == nil {
		fmt.Fprintf(a.stdout, "%s: matches %s (%d bytes, %s), agreed by %s\n",
			termtext.Line(file), termtext.Name(target), res.Length, fullDigest(res.Hashes), joinOrNone(res.Agreed))
	}
	if mismatch != nil {
		return exitStatus(exitFailed)
	}
	return nil
}

// describeMismatch says how a file differs from the consensus: "length
// 10, the consensus is 4096" or "sha256 ab…, the consensus is cd…".
func describeMismatch(m *resolver.MismatchError) string {
	what := "length"
	if m.Algorithm != "" {
		what = m.Algorithm
	}
	return fmt.Sprintf("%s is %s, the consensus is %s", termtext.Name(what), m.Got, m.Want)
}

// writeVerifyJSON prints the result with the file and whether it matched:
// "file", "match" and, on a mismatch, "mismatch" (length or the hash
// algorithm that differs).
func (a *accord) writeVerifyJSON(res *resolver.Result, file string, mismatch *resolver.MismatchError) error {
	fields := []jsonField{{"file", file}, {"match", res.Status == resolver.StatusVerified && mismatch == nil}}
	if mismatch != nil {
		what := "length"
		if mismatch.Algorithm != "" {
			what = mismatch.Algorithm
		}
		fields = append(fields, jsonField{"mismatch", what})
	}
	data, err := resultJSON(res, fields...)
	if err != nil {
		return err
	}
	return writeJSON(a.stdout, data)
}

// readErrors remembers the error of a failed read, so that a file that
// cannot be read is told apart from one that does not match.
type readErrors struct {
	r   io.Reader
	err error
}

func (r *readErrors) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		r.err = err
	}
	return n, err
}
