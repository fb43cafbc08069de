package main

import (
	"fmt"
	"os"
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
			"online keys), with the old keys too when at hand, and publishes it,\n" +
			"the new root last. An --add-key FILE is a\n" +
			"public key, or a private key that signs now. Keys to sign with come from\n" +
			"--key (root keys, the new targets keys) and the keys folder (the online\n" +
			"key). --generate N makes N new keys for the role into the keys folder\n" +
			"(removed again when the rotation is refused). Without --add-key,\n" +
			"--generate, --remove-key and --threshold the root is only renewed (a\n" +
			"new expiry), as a stage with an expired root needs.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "role", Usage: "the `ROLE` whose keys change: root, targets, snapshot or timestamp"},
			&cli.StringSliceFlag{Name: "add-key", Usage: "add the key in `FILE` (public or private; repeatable)", TakesFile: true},
			&cli.StringFlag{Name: "generate", Usage: "generate `N` new keys for the role into the keys folder and add them"},
			&cli.StringFlag{Name: "key-type", Value: "ed25519", Usage: "generated keys' `TYPE`: ed25519 or ecdsa (P-256)"},
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
	Generated []string `json:"generated"`
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
	gen, err := a.generateRotationKeys(c, s, role)
	if err != nil {
		return err
	}
	for _, k := range gen.keys {
		r.Add = append(r.Add, &stage.PublicKey{Public: k.Public, ID: k.ID, Source: k.Source})
		added = append(added, k)
	}
	res, err := s.Rotate(r, append(keys, added...))
	if err != nil {
		gen.discard()
		return stageError(err)
	}
	generated := gen.files()
	if role == metadata.SNAPSHOT || role == metadata.TIMESTAMP {
		a.warnOnlineKeyPlace(s, c.StringSlice("add-key"))
	}
	if !res.Bridged {
		a.diag.warnf("the %s keys being replaced were not at hand: what was signed anew verifies under the new root only, which was published before the new timestamp; a client that fetched between the two refused that update and succeeds on its next", role)
	}
	if a.opts.json {
		return writeJSON(a.stdout, rotateJSON{Stage: s.Name(), RotateResult: res, Generated: generated})
	}
	fmt.Fprintf(a.stdout, "published root version %d of %s\n", res.RootVersion, termtext.Name(s.Name()))
	t := newTable(a.stdout)
	for _, id := range res.KeyIDs {
		fmt.Fprintf(t, "  %s key\t%s\n", role, id)
	}
	fmt.Fprintf(t, "  threshold\t%d\n", res.Threshold)
	for _, f := range generated {
		fmt.Fprintf(t, "  generated\t%s\n", termtext.Name(filepath.ToSlash(f)))
	}
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

// rotationKeys are keys generated for a rotation, in the keys folder: a
// rotation killed after it published the new root must not leave its new
// keys anywhere the commands do not look. A refused rotation removes
// them; one killed before it published leaves unused keys, which no
// command signs with.
type rotationKeys struct {
	keys []*stage.Key
}

// generateRotationKeys generates the --generate keys of role.
func (a *accord) generateRotationKeys(c *cli.Context, s *stage.Stage, role string) (*rotationKeys, error) {
	g := &rotationKeys{}
	n, _, err := positiveInt(c, "generate", 1)
	if err != nil || n == 0 {
		return g, err
	}
	t := stage.KeyType(c.String("key-type"))
	if t != stage.ED25519 && t != stage.ECDSA {
		return nil, usageErrorf("--key-type: %q: want ed25519 or ecdsa", c.String("key-type"))
	}
	kd := s.KeysDir()
	if err := os.MkdirAll(kd, 0o700); err != nil {
		return nil, usageErrorf("keys folder %s: %v", kd, err)
	}
	prefix := role
	if role == metadata.SNAPSHOT || role == metadata.TIMESTAMP {
		prefix = "online"
	}
	for range n {
		k, err := stage.GenerateKey(kd, prefix, t, nil)
		if err != nil {
			g.discard()
			return nil, usageErrorf("--generate: %v", err)
		}
		g.keys = append(g.keys, k)
	}
	return g, nil
}

// discard removes the generated keys and their public keys.
func (g *rotationKeys) discard() {
	for _, k := range g.keys {
		os.Remove(k.Source)
		os.Remove(strings.TrimSuffix(k.Source, ".pem") + ".pub")
	}
}

// files returns the generated private keys' names.
func (g *rotationKeys) files() []string {
	var out []string
	for _, k := range g.keys {
		out = append(out, k.Source)
	}
	return out
}
