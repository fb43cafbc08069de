package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/accord-tuf/accord/internal/termtext"
	"github.com/accord-tuf/accord/stage"
)

// passphraseEnv holds the passphrase of encrypted key files, for jobs
// without a terminal.
const passphraseEnv = "ACCORD_KEY_PASSPHRASE"

func (a *accord) stageCommand() *cli.Command {
	keyFlag := func() cli.Flag {
		return &cli.StringSliceFlag{Name: "key", Usage: "sign with the private key `FILE` (repeatable; default: the stage's keys folder)", TakesFile: true}
	}
	return &cli.Command{
		Name:  "stage",
		Usage: "create and publish a stage's own TUF repository",
		Description: "A stage directory holds stage.json, the published tree public/ (serve it\n" +
			"as a string mirror), pending/ (a targets version waiting for signatures)\n" +
			"and, by default, keys/ (the keys init generates).",
		Subcommands: []*cli.Command{
			a.stageInitCommand(),
			a.stageRotateCommand(),
			{
				Name:      "add",
				Usage:     "sign target info in the stage's next targets version",
				ArgsUsage: "DIR TARGET",
				UsageText: "accord stage add DIR TARGET (--file PATH | --length N --sha256 HEX [--sha512 HEX]) [--custom JSON] [--replace] [--key FILE]...\n" +
					"accord stage add DIR --from LIST --files ROOT [--replace] [--key FILE]...",
				Description: "--file hashes PATH and publishes its bytes under public/targets/;\n" +
					"--length and --sha256 sign info alone. --from LIST adds every target of\n" +
					"LIST (one a line, as lookup --from reads it), each hashed from ROOT/TARGET.\n" +
					"A target signed with other info is refused unless --replace; with the\n" +
					"same info it is left as it is.",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "file", Usage: "the target's bytes, in `PATH`", TakesFile: true},
					&cli.StringFlag{Name: "length", Usage: "the target's length in bytes, `N`"},
					&cli.StringFlag{Name: "sha256", Usage: "the target's SHA-256, as `HEX`"},
					&cli.StringFlag{Name: "sha512", Usage: "the target's SHA-512, as `HEX`"},
					&cli.StringFlag{Name: "custom", Usage: "custom data to sign with the target, a JSON object"},
					&cli.BoolFlag{Name: "replace", Usage: "overwrite a target signed with other info"},
					&cli.StringFlag{Name: "from", Usage: "add the targets listed in `LIST`, one a line (\"-\" is stdin)", TakesFile: true},
					&cli.StringFlag{Name: "files", Usage: "with --from: read each target's bytes from `ROOT`/TARGET", TakesFile: true},
					keyFlag(),
				},
				Action: a.stageAdd,
			},
			{
				Name:      "remove",
				Usage:     "stop signing a target",
				ArgsUsage: "DIR TARGET",
				UsageText: "accord stage remove DIR TARGET | DIR --from LIST [--key FILE]...",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "from", Usage: "remove the targets listed in `LIST`, one a line (\"-\" is stdin)", TakesFile: true},
					keyFlag(),
				},
				Action: a.stageRemove,
			},
			{
				Name:      "sign",
				Usage:     "add signatures to the pending targets version",
				ArgsUsage: "DIR",
				UsageText: "accord stage sign DIR [--key FILE]... [--yes]",
				Description: "Shows the targets the pending version adds, removes and changes since\n" +
					"the published version and asks for confirmation on a terminal; without a\n" +
					"terminal, --yes is required. Signing never publishes: run publish when\n" +
					"the threshold is met.",
				Flags: []cli.Flag{
					keyFlag(),
					&cli.BoolFlag{Name: "yes", Aliases: []string{"y"}, Usage: "sign without asking"},
				},
				Action: a.stageSign,
			},
			{
				Name:      "status",
				Usage:     "show the published roles, the pending version and who signed it",
				ArgsUsage: "DIR",
				Action:    a.stageStatus,
			},
			{
				Name:      "publish",
				Usage:     "publish the pending version once its threshold has signed",
				ArgsUsage: "DIR",
				UsageText: "accord stage publish DIR [--key FILE]...",
				Flags:     []cli.Flag{keyFlag()},
				Action:    a.stagePublish,
			},
			{
				Name:      "timestamp",
				Usage:     "re-sign the timestamp (and the snapshot near its expiry), for a periodic job",
				ArgsUsage: "DIR",
				UsageText: "accord stage timestamp DIR [--key FILE]...",
				Flags:     []cli.Flag{keyFlag()},
				Action:    a.stageTimestamp,
			},
			{
				Name:      "prune",
				Usage:     "remove old snapshot and targets versions and unreferenced target files",
				ArgsUsage: "DIR",
				UsageText: "accord stage prune DIR --keep N",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "keep", Usage: "keep the newest `N` versions (required)"},
				},
				Action: a.stagePrune,
			},
			{
				Name:      "discard",
				Usage:     "drop the pending targets version and its signatures",
				ArgsUsage: "DIR",
				Action:    a.stageDiscard,
			},
		},
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				return usageErrorf("unknown command \"stage %s\"; see 'accord stage --help'", c.Args().First())
			}
			return usageErrorf("stage: missing command; see 'accord stage --help'")
		},
	}
}

// openStage opens the stage named by the first argument.
func (a *accord) openStage(c *cli.Context) (*stage.Stage, error) {
	return a.openStageDir(c.Args().First())
}

// openStageKeys opens the stage named by the first argument and loads the
// keys the command signs with for roles (see stageKeys).
func (a *accord) openStageKeys(c *cli.Context, roles ...string) (*stage.Stage, []*stage.Key, error) {
	s, err := a.openStage(c)
	if err != nil {
		return nil, nil, err
	}
	keys, err := a.stageKeys(c, s, roles...)
	if err != nil {
		return nil, nil, err
	}
	return s, keys, nil
}

// openStageDir opens the stage in dir, its clock at --at when given.
func (a *accord) openStageDir(dir string) (*stage.Stage, error) {
	if dir == "" {
		return nil, usageErrorf("stage: empty directory name")
	}
	s, err := stage.Open(dir)
	if err != nil {
		return nil, usageError(err)
	}
	if at := a.opts.at; !at.IsZero() {
		// --at: the stage signs as of that time (expiry dates start
		// there), as it checks expiry there.
		s = s.WithClock(func() time.Time { return at })
	}
	return s, nil
}

// passphrase returns the passphrase of an encrypted key file: from
// $ACCORD_KEY_PASSPHRASE, else asked on the terminal.
func (a *accord) passphrase(file string) ([]byte, error) {
	if p := a.getenv(passphraseEnv); p != "" {
		return []byte(p), nil
	}
	f, ok := a.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, fmt.Errorf("key %s is encrypted: set %s or run on a terminal", file, passphraseEnv)
	}
	fmt.Fprintf(a.diag.w, "accord: passphrase for %s: ", termtext.Line(file))
	p, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(a.diag.w)
	return p, err
}

// stageKeys loads the keys a command signs with: those given with --key,
// each of which must be a key of one of roles, and the keys folder's. With
// --key, the folder gives only the online key (snapshot, timestamp) when
// roles need it: the offline roles sign with the keys named.
func (a *accord) stageKeys(c *cli.Context, s *stage.Stage, roles ...string) ([]*stage.Key, error) {
	var given []*stage.Key
	for _, f := range c.StringSlice("key") {
		k, err := stage.LoadKeyFile(f, a.passphrase)
		if err != nil {
			return nil, usageError(err)
		}
		given = append(given, k)
	}
	if err := s.CheckKeys(given, roles...); err != nil {
		return nil, usageError(err)
	}
	folder, err := stage.LoadKeysDir(s.KeysDir(), a.passphrase)
	if err != nil {
		return nil, usageError(err)
	}
	if len(given) > 0 {
		folder, err = s.FilterKeys(folder, metadata.SNAPSHOT, metadata.TIMESTAMP)
		if err != nil {
			return nil, usageError(err)
		}
	}
	return append(given, folder...), nil
}

// parsePeriod reads an expiry period: a Go duration (36h), or a number of
// days (90d) or years (1y, 365 days).
func parsePeriod(flag, s string) (time.Duration, error) {
	bad := usageErrorf("--%s: %q is not a period such as 1y, 90d, 7d or 36h", flag, s)
	var d time.Duration
	switch {
	case strings.HasSuffix(s, "y"), strings.HasSuffix(s, "d"):
		n, err := strconv.Atoi(s[:len(s)-1])
		if err != nil {
			return 0, bad
		}
		unit := 24 * time.Hour
		if strings.HasSuffix(s, "y") {
			unit *= 365
		}
		d = time.Duration(n) * unit
	default:
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, bad
		}
	}
	if d <= 0 {
		return 0, usageErrorf("--%s: %q is not a positive period", flag, s)
	}
	return d, nil
}

// positiveInt reads an integer flag that must be at least min.
func positiveInt(c *cli.Context, flag string, min int) (int, bool, error) {
	if !c.IsSet(flag) {
		return 0, false, nil
	}
	n, err := strconv.Atoi(c.String(flag))
	if err != nil || n < min {
		return 0, false, usageErrorf("--%s: %q is not an integer of at least %d", flag, c.String(flag), min)
	}
	return n, true, nil
}

// stageError reports what a stage operation refused, or could not do,
// as exit status 2: bad input, keys or state of the stage directory.
func stageError(err error) error {
	return usageError(err)
}

// describeInfo prints target info in one line: length and digests.
func describeInfo(info *metadata.TargetFiles) string {
	if info == nil {
		return "-"
	}
	return fmt.Sprintf("%s %s", formatSize(info.Length), fullDigest(info.Hashes))
}
