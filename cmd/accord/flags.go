package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/accord-tuf/accord/mapfile"
)

// defaultTimeout is the limit for each metadata request, and the longest
// silence of a target's body, without --timeout.
const defaultTimeout = 30 * time.Second

// globalFlags are accepted before the command, after it, and after its
// arguments; see permute.
func globalFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "trust-dir", Aliases: []string{"d"}, Usage: "the trust directory `DIR` (default $ACCORD_HOME, else $XDG_DATA_HOME/accord if absolute, else ~/.local/share/accord)", TakesFile: true},
		&cli.StringFlag{Name: "map", Aliases: []string{"m"}, Usage: "the map `FILE` (default <trust-dir>/map.json)", TakesFile: true},
		&cli.BoolFlag{Name: "json", Usage: "print one JSON document on stdout"},
		&cli.BoolFlag{Name: "offline", Usage: "no network: verify from the trust directory's cached metadata alone"},
		&cli.StringFlag{Name: "mirror", Usage: "use `DIR`/<repo>/ as every repository's only remote", TakesFile: true},
		&cli.StringFlag{Name: "at", Usage: "RFC 3339 reference `TIME` for every expiry check"},
		// A string, parsed by parseOptions, so that a bad value is named
		// with the form it should have.
		&cli.StringFlag{Name: "timeout", DefaultText: defaultTimeout.String(), Usage: "the limit for each metadata request, body included, as a `DURATION`; a target's body may fall silent (no byte) for at most DURATION and is due within DURATION plus its signed length at 64 KiB/s"},
		&cli.StringFlag{Name: "max-age", Usage: "use a repository's trust directory state without a request when it refreshed online within `DURATION` (expiry is still checked); older, it is refreshed"},
		&cli.GenericFlag{Name: "registry-alias", Value: &aliasFlag{}, Usage: "give the images of registry HOST target names under PREFIX: `HOST=PREFIX` (\"registry.example.com=\" drops the host; repeatable; docker.io is dropped unless mapped)"},
		&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "say more on stderr"},
		&cli.BoolFlag{Name: "version", Usage: "print accord's version and go-tuf's, and exit"},
	}
}

// options are the global flags, checked.
type options struct {
	trustDir string // as given; see resolveTrustDir
	mapFile  string // as given; empty means <trust-dir>/map.json
	json     bool
	offline  bool
	mirror   string    // absolute, or empty
	at       time.Time // zero means now
	timeout  time.Duration
	// timeoutSet is true when --timeout was given.
	timeoutSet bool
	maxAge     time.Duration // zero: always refresh
	aliases    mapfile.RegistryAliases
	verbose    bool
}

// aliasFlag collects --registry-alias values, each checked as it is
// given. Unlike a string slice flag, it does not split values on commas.
type aliasFlag struct {
	aliases mapfile.RegistryAliases
	given   []string
}

// Set adds one HOST=PREFIX alias.
func (f *aliasFlag) Set(v string) error {
	if f.aliases == nil {
		f.aliases = mapfile.RegistryAliases{}
	}
	if err := f.aliases.Set(v); err != nil {
		return err
	}
	f.given = append(f.given, v)
	return nil
}

// String returns the aliases as given.
func (f *aliasFlag) String() string { return strings.Join(f.given, " ") }

// parseOptions checks the global flags of c.
func parseOptions(c *cli.Context) (options, error) {
	o := options{
		trustDir: c.String("trust-dir"),
		mapFile:  c.String("map"),
		json:     c.Bool("json"),
		offline:  c.Bool("offline"),
		timeout:  defaultTimeout,
		verbose:  c.Bool("verbose"),
	}
	if c.IsSet("trust-dir") && o.trustDir == "" {
		return o, usageErrorf("--trust-dir: empty directory name")
	}
	if c.IsSet("map") && o.mapFile == "" {
		return o, usageErrorf("--map: empty file name")
	}
	if c.IsSet("timeout") {
		d, err := time.ParseDuration(c.String("timeout"))
		if err != nil {
			return o, usageErrorf("--timeout: invalid duration %q: want e.g. 30s or 2m", c.String("timeout"))
		}
		o.timeout = d
	}
	o.timeoutSet = c.IsSet("timeout")
	if c.IsSet("max-age") {
		d, err := time.ParseDuration(c.String("max-age"))
		if err != nil {
			return o, usageErrorf("--max-age: invalid duration %q: want e.g. 5m or 1h", c.String("max-age"))
		}
		if d < 0 {
			return o, usageErrorf("--max-age: %v is negative", d)
		}
		o.maxAge = d
	}
	if f, ok := c.Generic("registry-alias").(*aliasFlag); ok {
		o.aliases = f.aliases
	}
	if o.timeout <= 0 {
		return o, usageErrorf("--timeout: %v is not a positive duration", o.timeout)
	}
	if c.IsSet("at") {
		at, err := time.Parse(time.RFC3339, c.String("at"))
		if err != nil {
			return o, usageErrorf("--at: %q is not an RFC 3339 time such as 2024-01-02T15:04:05Z", c.String("at"))
		}
		o.at = at
	}
	if c.IsSet("mirror") {
		if c.String("mirror") == "" {
			return o, usageErrorf("--mirror: empty directory name")
		}
		dir, err := filepath.Abs(c.String("mirror"))
		if err != nil {
			return o, usageErrorf("--mirror: %v", err)
		}
		o.mirror = dir
	}
	return o, nil
}

// resolveTrustDir finds the trust directory: --trust-dir, else $ACCORD_HOME,
// else $XDG_DATA_HOME/accord, else ~/.local/share/accord. A relative
// $XDG_DATA_HOME is ignored, as the XDG Base Directory specification says.
func resolveTrustDir(flag string, getenv func(string) string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if d := getenv("ACCORD_HOME"); d != "" {
		return d, nil
	}
	if d := getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "accord"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return "", usageErrorf("no trust directory: set --trust-dir or $ACCORD_HOME")
	}
	return filepath.Join(home, ".local", "share", "accord"), nil
}

// errMissingValue is returned by permute for a flag at the end of the
// arguments that needs a value.
var errMissingValue = errors.New("flag needs an argument")

// permute reorders args (without the program name) for urfave/cli, which
// stops parsing flags at the first positional argument: global flags come
// first, then each command name followed by its own flags, then "--" and the
// positional arguments in their order. A flag belongs to the deepest command
// on the path that defines it, else to the application; an unknown flag goes
// to the deepest command, so that parsing reports it. A flag that takes a
// value keeps it, in "--flag value" as in "--flag=value" form. "--" ends the
// flags: everything after it is positional. With --help after a command,
// the positional arguments are dropped: the command's help is shown.
func permute(app *cli.App, args []string) ([]string, error) {
	var (
		global     []string
		path       []*cli.Command
		names      []string   // names[i] is path[i] as given
		flagsAt    [][]string // flagsAt[i] belongs to path[i]
		positional []string
		help       bool
		commands   = app.Commands
	)
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if len(arg) > 1 && arg[0] == '-' {
			name, inline := flagName(arg)
			help = help || name == "help" || name == "h"
			level, takesValue := flagOwner(app, path, name)
			tokens := []string{arg}
			if takesValue && !inline {
				if i+1 >= len(args) {
					return nil, fmt.Errorf("%w: %s", errMissingValue, arg)
				}
				tokens = append(tokens, args[i+1])
				i++
			}
			if level < 0 {
				global = append(global, tokens...)
			} else {
				flagsAt[level] = append(flagsAt[level], tokens...)
			}
			continue
		}
		if len(positional) == 0 {
			if cmd := findCommand(commands, arg); cmd != nil {
				path = append(path, cmd)
				names = append(names, arg)
				flagsAt = append(flagsAt, nil)
				commands = cmd.Subcommands
				continue
			}
		}
		positional = append(positional, arg)
	}
	out := append([]string{}, global...)
	for i := range path {
		out = append(out, names[i])
		out = append(out, flagsAt[i]...)
	}
	if len(positional) > 0 && !(help && len(path) > 0) {
		out = append(out, "--")
		out = append(out, positional...)
	}
	return out, nil
}

// flagName returns the name of the flag arg ("-v", "--map=x") and whether
// its value is inline.
func flagName(arg string) (name string, inline bool) {
	name = strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-")
	name, _, inline = strings.Cut(name, "=")
	return name, inline
}

// flagOwner returns the index in path of the command that defines the flag
// name (-1 for the application) and whether the flag takes a value.
func flagOwner(app *cli.App, path []*cli.Command, name string) (level int, takesValue bool) {
	for i := len(path) - 1; i >= 0; i-- {
		if f := findFlag(path[i].Flags, name); f != nil {
			return i, flagTakesValue(f)
		}
	}
	if name == "help" || name == "h" {
		return len(path) - 1, false
	}
	if f := findFlag(app.Flags, name); f != nil {
		return -1, flagTakesValue(f)
	}
	return len(path) - 1, false
}

func findFlag(flags []cli.Flag, name string) cli.Flag {
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

func flagTakesValue(f cli.Flag) bool {
	if v, ok := f.(cli.DocGenerationFlag); ok {
		return v.TakesValue()
	}
	return false
}

func findCommand(commands []*cli.Command, name string) *cli.Command {
	for _, c := range commands {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}
