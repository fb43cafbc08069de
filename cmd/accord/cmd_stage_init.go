package main

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
	"github.com/urfave/cli/v2"

	"github.com/accord-tuf/accord/internal/termtext"
	"github.com/accord-tuf/accord/mapfile"
	"github.com/accord-tuf/accord/stage"
)

func (a *accord) stageInitCommand() *cli.Command {
	return &cli.Command{
		Name:      "init",
		Usage:     "create a stage's TUF repository and its keys",
		ArgsUsage: "DIR",
		UsageText: "accord stage init DIR --name NAME [--key-type ed25519|ecdsa] [--keys-dir DIR]\n" +
			"  [--root-key FILE]... [--root-threshold N] [--root-keys N]\n" +
			"  [--targets-key FILE]... [--targets-threshold N] [--targets-keys N]\n" +
			"  [--online-key FILE] [--encrypt]\n" +
			"  [--root-expiry 1y] [--targets-expiry 90d] [--snapshot-expiry 7d] [--timestamp-expiry 1d]",
		Description: "Keys not given are generated into DIR/keys (or --keys-dir): --root-keys\n" +
			"and --targets-keys of them (default: the threshold). A --root-key or\n" +
			"--targets-key FILE is a private key (it signs now) or a public key (its\n" +
			"holder signs later). Root version 1 must be signed by its threshold now;\n" +
			"targets version 1 is published when its threshold signs, else pending.\n" +
			"--encrypt encrypts generated keys with $ACCORD_KEY_PASSPHRASE or a\n" +
			"passphrase asked on the terminal.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "name", Usage: "the repository's `NAME`, as clients declare it (required)"},
			&cli.StringFlag{Name: "key-type", Value: "ed25519", Usage: "generated keys' `TYPE`: ed25519 or ecdsa (P-256)"},
			&cli.StringFlag{Name: "keys-dir", Usage: "generate keys into `DIR` (default DIR/keys)", TakesFile: true},
			&cli.StringSliceFlag{Name: "root-key", Usage: "a root key `FILE` (repeatable)", TakesFile: true},
			&cli.StringSliceFlag{Name: "targets-key", Usage: "a targets key `FILE` (repeatable)", TakesFile: true},
			&cli.StringFlag{Name: "online-key", Usage: "the snapshot and timestamp private key `FILE`", TakesFile: true},
			&cli.StringFlag{Name: "root-threshold", Usage: "root signatures needed, `N` (default 1)"},
			&cli.StringFlag{Name: "targets-threshold", Usage: "targets signatures needed, `N` (default 1)"},
			&cli.StringFlag{Name: "root-keys", Usage: "root keys to generate, `N`"},
			&cli.StringFlag{Name: "targets-keys", Usage: "targets keys to generate, `N`"},
			&cli.BoolFlag{Name: "encrypt", Usage: "encrypt generated private keys with a passphrase"},
			&cli.StringFlag{Name: "root-expiry", Usage: "root's expiry `PERIOD` (default 1y)"},
			&cli.StringFlag{Name: "targets-expiry", Usage: "targets' expiry `PERIOD` (default 90d)"},
			&cli.StringFlag{Name: "snapshot-expiry", Usage: "snapshot's expiry `PERIOD` (default 7d)"},
			&cli.StringFlag{Name: "timestamp-expiry", Usage: "timestamp's expiry `PERIOD` (default 1d)"},
		},
		Action: a.stageInit,
	}
}

// stageInitJSON is the --json output of "accord stage init".
type stageInitJSON struct {
	Name       string              `json:"name"`
	Dir        string              `json:"dir"`
	RootFile   string              `json:"root_file"`
	RootSHA256 string              `json:"root_sha256"`
	KeyIDs     map[string][]string `json:"key_ids"`
	Generated  map[string][]string `json:"generated"`
	Published  bool                `json:"published"`
	Pin        string              `json:"pin"`
}

func (a *accord) stageInit(c *cli.Context) error {
	if err := argRange(c, 1, 1); err != nil {
		return err
	}
	if !c.IsSet("name") {
		return usageErrorf("stage init: no name; give the repository's name with --name NAME")
	}
	dir := c.Args().First()
	opts := stage.InitOptions{
		Name:    c.String("name"),
		KeysDir: c.String("keys-dir"),
		Expiry:  map[string]time.Duration{},
	}
	if at := a.opts.at; !at.IsZero() {
		opts.Now = func() time.Time { return at }
	}
	if err := checkStageName(opts.Name); err != nil {
		return err
	}
	if opts.KeysDir != "" {
		// Relative to where the command runs, as every file name is.
		abs, err := filepath.Abs(opts.KeysDir)
		if err != nil {
			return usageErrorf("--keys-dir: %v", err)
		}
		opts.KeysDir = abs
	} else if c.IsSet("keys-dir") {
		return usageErrorf("--keys-dir: empty directory name")
	}
	switch t := stage.KeyType(c.String("key-type")); t {
	case stage.ED25519, stage.ECDSA:
		opts.KeyType = t
	default:
		return usageErrorf("--key-type: %q: want ed25519 or ecdsa", c.String("key-type"))
	}
	for _, role := range stage.Roles() {
		flag := role + "-expiry"
		if c.IsSet(flag) {
			d, err := parsePeriod(flag, c.String(flag))
			if err != nil {
				return err
			}
			opts.Expiry[role] = d
		}
	}
	for _, r := range []struct {
		role string
		keys *stage.RoleKeys
	}{{metadata.ROOT, &opts.Root}, {metadata.TARGETS, &opts.Targets}} {
		n, _, err := positiveInt(c, r.role+"-threshold", 1)
		if err != nil {
			return err
		}
		r.keys.Threshold = n
		if r.keys.Generate, _, err = positiveInt(c, r.role+"-keys", 0); err != nil {
			return err
		}
		for _, f := range c.StringSlice(r.role + "-key") {
			priv, pub, err := stage.ReadKeyFile(f, a.passphrase)
			if err != nil {
				return usageErrorf("--%s-key: %v", r.role, err)
			}
			if priv != nil {
				r.keys.Keys = append(r.keys.Keys, priv)
			} else {
				r.keys.Public = append(r.keys.Public, pub)
			}
		}
	}
	if f := c.String("online-key"); f != "" {
		k, err := stage.LoadKeyFile(f, a.passphrase)
		if err != nil {
			return usageErrorf("--online-key: %v", err)
		}
		opts.Online = k
	}
	if c.Bool("encrypt") {
		p, err := a.newPassphrase()
		if err != nil {
			return err
		}
		opts.Passphrase = p
	}
	res, err := stage.Init(dir, opts)
	if err != nil {
		return stageError(err)
	}
	pin := fmt.Sprintf("accord pin %s %s --sha256 %s", opts.Name, res.RootFile, res.RootSHA256)
	if len(res.Generated) > 0 {
		kd := res.Stage.KeysDir()
		a.diag.warnf("root and targets keys belong offline: move them out of %s to where their holders keep them, and sign with --key", kd)
	}
	if a.opts.json {
		return writeJSON(a.stdout, stageInitJSON{
			Name: opts.Name, Dir: dir, RootFile: res.RootFile, RootSHA256: res.RootSHA256,
			KeyIDs: res.KeyIDs, Generated: res.Generated, Published: res.Published, Pin: pin,
		})
	}
	fmt.Fprintf(a.stdout, "created stage %s in %s\n", termtext.Name(opts.Name), termtext.Name(dir))
	t := newTable(a.stdout)
	for _, role := range stage.Roles() {
		for _, id := range res.KeyIDs[role] {
			fmt.Fprintf(t, "  %s key\t%s\n", role, id)
		}
	}
	for _, role := range []string{metadata.ROOT, metadata.TARGETS, "online"} {
		for _, f := range res.Generated[role] {
			fmt.Fprintf(t, "  generated\t%s\n", termtext.Name(filepath.ToSlash(f)))
		}
	}
	fmt.Fprintf(t, "  root\t%s\n", termtext.Name(res.RootFile))
	fmt.Fprintf(t, "  sha256\t%s\n", res.RootSHA256)
	if err := t.Flush(); err != nil {
		return err
	}
	if !res.Published {
		fmt.Fprintf(a.stdout, "targets version 1 is pending: sign it with accord stage sign %s --key FILE\n", termtext.Name(dir))
	}
	fmt.Fprintf(a.stdout, "clients pin it with:\n  %s\n", termtext.Line(pin))
	return nil
}

// checkStageName checks a stage's name as the map file checks repository
// names.
func checkStageName(name string) error {
	if !mapfile.ValidRepositoryName(name) {
		return usageErrorf("--name: %q is not a repository name: must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}", name)
	}
	return nil
}

// newPassphrase returns the passphrase to encrypt new keys with.
func (a *accord) newPassphrase() ([]byte, error) {
	p, err := a.passphrase("the new keys")
	if err != nil {
		return nil, usageError(err)
	}
	if len(p) == 0 {
		return nil, usageErrorf("--encrypt: empty passphrase")
	}
	return p, nil
}
