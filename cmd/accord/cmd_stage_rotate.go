package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/theupdateframework/go-tuf/v2/metadata"
	"github.com/urfave/cli/v2"

	"github.com/accord-tuf/accord/internal/termtext"
	"github.com/accord-tuf/accord/stage"
)

func (a *accord) stageRotateCommand() *cli.Command {
	return &cli.Command{
		Name:      "rotate",
		Usage:     "change a role's keys or threshold with a new root that clients follow",
		ArgsUsage: "DIR",
		UsageText: "accord stage rotate DIR --role root|targets|snapshot|timestamp [--add-key FILE]... [--remove-key KEYID]... [--threshold N] [--key FILE]...",
		Description: "Publishes a new root version that changes the role's keys, signed by the\n" +
			"root threshold of the old root and of the new one, so that clients\n" +
			"pinned to an older root follow it; then signs anew what the new keys\n" +
			"sign (the targets for targets keys, the snapshot and the timestamp for\n" +
			"online keys) and publishes it, timestamp last. An --add-key FILE is a\n" +
			"public key, or a private key that signs now. Keys to sign with come from\n" +
			"--key (root keys, the new targets keys) and the keys folder (the online\n" +
			"key). Without --add-key, --remove-key and --threshold the root is only\n" +
			"renewed (a new expiry), as a stage with an expired root needs.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "role", Usage: "the `ROLE` whose keys change: root, targets, snapshot or timestamp"},
			&cli.StringSliceFlag{Name: "add-key", Usage: "add the key in `FILE` (public or private; repeatable)", TakesFile: true},
			&cli.StringSliceFlag{Name: "remove-key", Usage: "remove the key `KEYID` (repeatable)"},
			&cli.StringFlag{Name: "threshold", Usage: "the role's new threshold, `N` (default: unchanged)"},
			&cli.StringSliceFlag{Name: "key", Usage: "sign with the private key `FILE` (repeatable; default: the stage's keys folder)", TakesFile: true},
		},
		Action: a.stageRotate,
	}
}

// rotateJSON is the --json output of "accord stage rotate".
type rotateJSON struct {
	Stage string `json:"stage"`
	*stage.RotateResult
}

func (a *accord) stageRotate(c *cli.Context) error {
	if err := argRange(c, 1, 1); err != nil {
		return err
	}
	role := c.String("role")
	if !c.IsSet("role") {
		return usageErrorf("stage rotate: no role; give --role root, targets, snapshot or timestamp")
	}
	r := stage.Rotation{Role: role, Remove: c.StringSlice("remove-key")}
	switch role {
	case metadata.ROOT, metadata.TARGETS, metadata.SNAPSHOT, metadata.TIMESTAMP:
	default:
		return usageErrorf("--role: %q: want root, targets, snapshot or timestamp", role)
	}
	n, _, err := positiveInt(c, "threshold", 1)
	if err != nil {
		return err
	}
	r.Threshold = n
	s, err := a.openStage(c)
	if err != nil {
		return err
	}
	var added []*stage.Key
	for _, f := range c.StringSlice("add-key") {
		priv, pub, err := stage.ReadKeyFile(f, a.passphrase)
		if err != nil {
			return usageErrorf("--add-key: %v", err)
		}
		r.Add = append(r.Add, pub)
		if priv != nil {
			added = append(added, priv)
		}
	}
	roles := []string{metadata.ROOT, metadata.SNAPSHOT, metadata.TIMESTAMP}
	if role == metadata.TARGETS {
		roles = []string{metadata.ROOT, metadata.TARGETS, metadata.SNAPSHOT, metadata.TIMESTAMP}
	}
	keys, err := a.stageKeys(c, s, roles...)
	if err != nil {
		return err
	}
	res, err := s.Rotate(r, append(keys, added...))
	if err != nil {
		return stageError(err)
	}
	if role == metadata.SNAPSHOT || role == metadata.TIMESTAMP {
		a.warnOnlineKeyPlace(s, c.StringSlice("add-key"))
	}
	if a.opts.json {
		return writeJSON(a.stdout, rotateJSON{Stage: s.Name(), RotateResult: res})
	}
	fmt.Fprintf(a.stdout, "published root version %d of %s\n", res.RootVersion, termtext.Name(s.Name()))
	t := newTable(a.stdout)
	for _, id := range res.KeyIDs {
		fmt.Fprintf(t, "  %s key\t%s\n", role, id)
	}
	fmt.Fprintf(t, "  threshold\t%d\n", res.Threshold)
	if err := t.Flush(); err != nil {
		return err
	}
	if len(res.Resigned) > 0 {
		fmt.Fprintf(a.stdout, "signed anew: %s\n", strings.Join(res.Resigned, ", "))
	}
	return nil
}

// warnOnlineKeyPlace warns when a new online key is outside the keys
// folder: publish and the timestamp job look for it there.
func (a *accord) warnOnlineKeyPlace(s *stage.Stage, files []string) {
	kd, err := filepath.Abs(s.KeysDir())
	if err != nil {
		return
	}
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err == nil && filepath.Dir(abs) != kd {
			a.diag.warnf("the new online key %s is not in %s: publish and stage timestamp look for it there (or take it with --key)", f, s.KeysDir())
		}
	}
}
