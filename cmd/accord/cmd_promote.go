package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/theupdateframework/go-tuf/v2/metadata"
	"github.com/urfave/cli/v2"

	"github.com/accord-tuf/accord/internal/termtext"
	"github.com/accord-tuf/accord/resolver"
	"github.com/accord-tuf/accord/stage"
)

func (a *accord) promoteCommand() *cli.Command {
	return &cli.Command{
		Name:      "promote",
		Usage:     "sign in a stage exactly what the stages before it agreed on",
		ArgsUsage: "TARGET | GUN TAG",
		UsageText: "accord promote TARGET | GUN TAG | --from FILE --to DIR [--groups G1,G2] [--replace] [--key FILE]...",
		Description: "Resolves each target as lookup does (the map file and pins of the trust\n" +
			"directory, --groups, --offline, --mirror, --at) and, only when every one\n" +
			"is verified, signs the consensus's length and sha256/sha512 digests in the\n" +
			"stage DIR, all in one targets version. A refused lookup writes nothing to\n" +
			"DIR and exits 1 with lookup's reasons. A target the stage signs with the\n" +
			"same length and hashes is left as it is; with others it is refused unless\n" +
			"--replace. Published at once when the keys meet the targets threshold,\n" +
			"else left pending for accord stage sign.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "to", Usage: "the stage directory `DIR` that signs (required)", TakesFile: true},
			groupsFlag(),
			&cli.StringFlag{Name: "from", Usage: "promote the targets listed in `FILE`, one a line (\"-\" is stdin)", TakesFile: true},
			&cli.BoolFlag{Name: "replace", Usage: "overwrite a target the stage signs with other info"},
			&cli.StringSliceFlag{Name: "key", Usage: "sign with the private key `FILE` (repeatable; default: the stage's keys folder)", TakesFile: true},
		},
		Action: a.promote,
	}
}

// promoteJSON is the --json output of "accord promote": the lookup results
// (SPEC section 5's objects) and what was signed.
type promoteJSON struct {
	Stage     string               `json:"stage"`
	Promoted  bool                 `json:"promoted"`
	Lookups   []*resolver.Result   `json:"lookups"`
	Signed    []stage.Promotion    `json:"signed"`
	Targets   []stage.TargetChange `json:"targets"`
	Version   int64                `json:"version"`
	Published bool                 `json:"published"`
	Pending   *stage.Pending       `json:"pending"`
}

func (a *accord) promote(c *cli.Context) error {
	targets, err := a.commandTargets(c, "promote")
	if err != nil {
		return err
	}
	// The stage and its keys first: a mistake there is found before any
	// network access.
	if !c.IsSet("to") {
		return usageErrorf("promote: no stage; give its directory with --to DIR")
	}
	s, err := a.openStageDir(c.String("to"))
	if err != nil {
		return err
	}
	keys, err := a.stageKeys(c, s, metadata.TARGETS, metadata.SNAPSHOT, metadata.TIMESTAMP)
	if err != nil {
		return err
	}
	_, r, groups, err := a.prepare(c, targets)
	if err != nil {
		return err
	}
	results, err := resolveAll(c.Context, r, targets, groups)
	if err != nil {
		return err
	}
	out := promoteJSON{Stage: s.Name(), Lookups: results, Signed: []stage.Promotion{}, Targets: []stage.TargetChange{}}
	if refused := a.refusedLookups(results); refused > 0 {
		a.diag.errorf("promote: %s not verified; nothing written to %s", count(refused, "target", "targets"), s.Dir())
		return a.promoteRefused(out)
	}
	cs := make([]stage.Consensus, len(results))
	for i, res := range results {
		cs[i] = stage.Consensus{Target: res.Target, Length: res.Length, Hashes: res.Hashes}
	}
	pr, err := s.Promote(cs, c.Bool("replace"), keys)
	switch {
	case errors.Is(err, stage.ErrUnpromotable), errors.Is(err, stage.ErrTargetExists):
		// The stage cannot sign the consensus as it is: a refused
		// promotion, as a refused lookup is.
		a.diag.errorf("%v", err)
		a.diag.errorf("promote: nothing written to %s", s.Dir())
		return a.promoteRefused(out)
	case err != nil:
		return stageError(err)
	}
	for _, p := range pr.Signed {
		if len(p.Omitted) > 0 {
			a.diag.warnf("%s: the consensus's %s not signed: a stage signs sha256 and sha512 digests only", p.Target, strings.Join(p.Omitted, ", "))
		}
	}
	if a.opts.json {
		out.Promoted, out.Signed, out.Targets = true, pr.Signed, pr.Targets
		out.Version, out.Published, out.Pending = pr.Version, pr.Published, pr.Pending
		return writeJSON(a.stdout, out)
	}
	for i, t := range pr.Targets {
		fmt.Fprintf(a.stdout, "%s %s (%s), verified by %s\n", t.Action, termtext.Name(t.Target),
			describeInfo(t.New), joinOrNone(results[i].Agreed))
	}
	switch {
	case pr.Published:
		fmt.Fprintf(a.stdout, "published targets version %d of %s\n", pr.Version, termtext.Name(s.Name()))
	case pr.Pending != nil:
		a.printPendingState(s, pr.Pending)
	}
	return nil
}

// refusedLookups reports every result that is not verified, as lookup
// reports it, and returns how many there are.
func (a *accord) refusedLookups(results []*resolver.Result) int {
	n := 0
	for _, res := range results {
		if res.Status != resolver.StatusVerified {
			n++
			a.reportRefusal(res)
		}
	}
	return n
}

// promoteRefused ends a refused promotion: with --json, the lookups and
// nothing signed on stdout; exit status 1.
func (a *accord) promoteRefused(out promoteJSON) error {
	if a.opts.json {
		if err := writeJSON(a.stdout, out); err != nil {
			return err
		}
	}
	return exitStatus(exitFailed)
}
