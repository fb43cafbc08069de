package main

import (
	"context"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/accord-tuf/accord/internal/imageverify"
	"github.com/accord-tuf/accord/internal/termtext"
	"github.com/accord-tuf/accord/mapfile"
)

// imageVerifyTimeout bounds a whole image-verify run without --timeout:
// below containerd's default per_verifier_timeout of 10s.
const imageVerifyTimeout = 5 * time.Second

func (a *accord) imageVerifyCommand() *cli.Command {
	return &cli.Command{
		Name:      "image-verify",
		Usage:     "judge an image pull for containerd's image verifier (bindir)",
		UsageText: "accord image-verify -name REF -digest DIGEST -stdin-media-type " + imageverify.DescriptorMediaType + " < DESCRIPTOR",
		Description: "image-verify implements containerd 2.x's image verifier contract: it\n" +
			"reads the OCI descriptor of the image on stdin and exits 0, allowing the\n" +
			"pull, only when REF's target is verified and its consensus sha256 is\n" +
			"DIGEST (the image manifest's digest) and the descriptor's; anything else\n" +
			"exits non-zero, blocking it. The reason is printed on stdout either way.\n" +
			"Flags take one dash or two. --timeout bounds the whole run (default 5s),\n" +
			"network and locks included, after which it blocks the pull: set it below\n" +
			"containerd's per_verifier_timeout. Use it with --max-age, so that most\n" +
			"pulls are judged from the trust directory without a request.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "name", Usage: "the image reference being pulled, `REF`"},
			&cli.StringFlag{Name: "digest", Usage: "the digest containerd resolved, `sha256:HEX`"},
			&cli.StringFlag{Name: "stdin-media-type", Usage: "the media type of stdin, `TYPE` (" + imageverify.DescriptorMediaType + ")"},
			groupsFlag(),
		},
		Action: a.imageVerify,
	}
}

func (a *accord) imageVerify(c *cli.Context) error {
	timeout := imageVerifyTimeout
	if a.opts.timeoutSet {
		timeout = a.opts.timeout
	}
	var j imageverify.Judgement
	if c.Args().Present() {
		j = imageverify.Block(fmt.Errorf("unexpected argument %q: image-verify takes only -name, -digest and -stdin-media-type", c.Args().First()))
	} else {
		j = imageverify.Within(c.Context, timeout, func(ctx context.Context) imageverify.Judgement {
			return a.judgePull(ctx, c)
		})
	}
	// The reason is one line: what a repository supplies in it is
	// escaped, as in every human output.
	reason := termtext.Line(j.Reason)
	if _, err := fmt.Fprintln(a.stdout, reason); err != nil {
		return err
	}
	if !j.Allow {
		a.diag.errorf("%s", reason)
		return exitStatus(exitFailed)
	}
	return nil
}

// judgePull reads the request and judges it.
func (a *accord) judgePull(ctx context.Context, c *cli.Context) imageverify.Judgement {
	req, err := imageverify.ReadRequest(c.String("name"), c.String("digest"), c.String("stdin-media-type"), a.stdin)
	if err != nil {
		return imageverify.Block(err)
	}
	im, err := mapfile.ImageRef(req.Name, a.opts.aliases)
	if err != nil {
		return imageverify.Block(err)
	}
	_, r, groups, err := a.prepare(c, []string{im.Target})
	if err != nil {
		return imageverify.Block(err)
	}
	return imageverify.Decide(ctx, r, req, im, groups)
}
