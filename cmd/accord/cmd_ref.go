package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/accord-tuf/accord/mapfile"
	"github.com/accord-tuf/accord/resolver"
)

func (a *accord) refCommand() *cli.Command {
	return &cli.Command{
		Name:      "ref",
		Usage:     "print an image reference pinned to the digest the repositories agree on",
		ArgsUsage: "IMAGE",
		UsageText: "accord ref IMAGE [--groups G1,G2]",
		Description: "ref resolves the target that names IMAGE (normalised as Docker does:\n" +
			"ubuntu is docker.io/library/ubuntu:latest, whose target is\n" +
			"library/ubuntu:latest; see --registry-alias) and prints\n" +
			"IMAGE@sha256:<consensus digest>, so that\n" +
			"\n" +
			"    docker pull \"$(accord ref ubuntu:24.04)\"\n" +
			"\n" +
			"pulls exactly the image manifest the repositories signed. IMAGE may\n" +
			"carry a digest of its own (IMAGE:TAG@sha256:...), which must be the\n" +
			"consensus digest; a digest without a tag names no target and is refused.\n" +
			"Exit status 0 verified, 1 not verified (the reasons on stderr), 2 usage\n" +
			"or configuration error.",
		Flags:  []cli.Flag{groupsFlag()},
		Action: a.ref,
	}
}

func (a *accord) ref(c *cli.Context) error {
	if err := argRange(c, 1, 1); err != nil {
		return err
	}
	im, err := mapfile.ImageRef(c.Args().First(), a.opts.aliases)
	if err != nil {
		return usageError(err)
	}
	_, r, groups, err := a.prepare(c, []string{im.Target})
	if err != nil {
		return err
	}
	ir, err := r.ResolveImage(c.Context, im, groups)
	if err != nil {
		return err
	}
	if a.opts.json {
		if err := a.printImageJSON(c.Args().First(), ir); err != nil {
			return err
		}
	} else if ir.Err == nil {
		if _, err := fmt.Fprintln(a.stdout, ir.Ref()); err != nil {
			return err
		}
	}
	if ir.Err != nil {
		a.reportImageRefusal(ir)
		return exitStatus(exitFailed)
	}
	return nil
}

// printImageJSON prints the lookup's JSON object for the image's target,
// with "image" (the reference as given), and "ref" when allowed or
// "refused" when the target is verified but the image is not.
func (a *accord) printImageJSON(given string, ir *resolver.ImageResult) error {
	fields := []jsonField{{"image", given}}
	switch {
	case ir.Err == nil:
		fields = append(fields, jsonField{"ref", ir.Ref()})
	case ir.Result.Status == resolver.StatusVerified:
		fields = append(fields, jsonField{"refused", ir.Err.Error()})
	}
	data, err := resultJSON(ir.Result, fields...)
	if err != nil {
		return err
	}
	return writeJSON(a.stdout, data)
}

// reportImageRefusal says on stderr why an image is not allowed.
func (a *accord) reportImageRefusal(ir *resolver.ImageResult) {
	if ir.Result.Status == resolver.StatusVerified {
		a.diag.errorf("%v", ir.Err)
		return
	}
	a.reportRefusal(ir.Result)
}
