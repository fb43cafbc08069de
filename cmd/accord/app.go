package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/accord-tuf/accord/mapfile"
	"github.com/accord-tuf/accord/repo"
)

// accord is one run of the command: its input and output, the global
// options, and what it has opened so far. Methods that open repositories are
// safe for concurrent use.
type accord struct {
	stdin  io.Reader
	stdout io.Writer
	diag   *diagnostics
	getenv func(string) string

	opts options

	mapOnce sync.Once
	m       *mapfile.Map
	mapErr  error

	mu      sync.Mutex
	clients map[string]*repo.Client // by declared name
	client  *http.Client            // shared by every repository

	warnMu sync.Mutex
	warned map[string]bool // warnings printed, by message

	drained atomic.Bool // serve ended by a signal after draining its requests
}

// run runs the command line args (without the program name) and returns the
// exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &accord{
		stdin:  stdin,
		diag:   &diagnostics{w: stderr},
		getenv: os.Getenv,
	}
	a.stdout = interruptible{w: stdout, stopped: &a.diag.stopped}
	// What the standard library logs (net/http does, for one, when a server
	// sends more than it declared) is a diagnostic like any other.
	log.SetFlags(0)
	log.SetOutput(logWriter{a.diag})
	app := a.newApp()
	app.Setup()
	args, err := permute(app, args)
	if err != nil {
		return a.diag.report(usageError(err))
	}
	ctx, stop := onSignal(func() { a.diag.stopped.Store(true) })
	defer stop()
	err = app.RunContext(ctx, append([]string{"accord"}, args...))
	var intr *interruption
	if errors.As(context.Cause(ctx), &intr) {
		// Whatever the command made of the cancellation, the run was
		// interrupted: one line says so, and every write of the commands
		// was atomic, so nothing is left half-written.
		if a.drained.Load() {
			return exitOK // serve's way to stop: it drained and is done
		}
		code, line := intr.report()
		fmt.Fprintf(stderr, "accord: %s\n", line)
		return code
	}
	return a.diag.report(classify(err))
}

// classify turns the errors urfave/cli makes itself (such as "no help topic")
// into usage errors; the commands' own errors pass through.
func classify(err error) error {
	var e *exitError
	if err == nil || errors.As(err, &e) {
		return err
	}
	var coder cli.ExitCoder
	if errors.As(err, &coder) {
		msg := err.Error()
		if msg != "" {
			msg = strings.ToLower(msg[:1]) + msg[1:]
		}
		return usageErrorf("%s", msg)
	}
	return err
}

// newApp describes the command line.
func (a *accord) newApp() *cli.App {
	app := &cli.App{
		Name:      "accord",
		Usage:     "make independent TUF repositories agree before anything is trusted",
		UsageText: "accord [global flags] COMMAND [flags] [arguments]",
		Flags:     globalFlags(),
		Commands: []*cli.Command{
			a.initCommand(),
			a.mapCommand(),
			a.pinCommand(),
			a.refreshCommand(),
			a.statusCommand(),
			a.mirrorCommand(),
			a.lookupCommand(),
			a.refCommand(),
			a.imageVerifyCommand(),
			a.downloadCommand(),
			a.verifyCommand(),
			a.listCommand(),
			a.stageCommand(),
			a.auditCommand(),
			a.promoteCommand(),
			a.serveCommand(),
			a.completionCommand(),
		},
		Before:         a.before,
		Action:         a.noCommand,
		Reader:         a.stdin,
		Writer:         a.stdout,
		ErrWriter:      a.diag.w,
		HideVersion:    true,
		OnUsageError:   onUsageError,
		ExitErrHandler: func(*cli.Context, error) {},
	}
	for _, c := range app.Commands {
		setUsageErrors(c)
	}
	return app
}

// setUsageErrors makes flag errors of c and its subcommands usage errors,
// and leaves "help" to the application ("accord help COMMAND", or --help).
func setUsageErrors(c *cli.Command) {
	c.OnUsageError = onUsageError
	c.HideHelpCommand = true
	for _, sub := range c.Subcommands {
		setUsageErrors(sub)
	}
}

// onUsageError reports a flag that cannot be parsed: exit status 2, with a
// hint, and no help text on stdout.
func onUsageError(c *cli.Context, err error, isSubcommand bool) error {
	help := "accord --help"
	if isSubcommand && c.Command != nil && c.Command.HelpName != "" {
		help = c.Command.HelpName + " --help"
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		if len(name) > 1 {
			name = "-" + name
		}
		msg = "unknown flag -" + name
	}
	return usageErrorf("%s; see '%s'", msg, help)
}

// before checks the global flags, once, before any command runs.
func (a *accord) before(c *cli.Context) error {
	if c.Bool("version") {
		info, ok := debug.ReadBuildInfo()
		if _, err := io.WriteString(a.stdout, versionText(info, ok)); err != nil {
			return err
		}
		return exitStatus(exitOK) // and no command runs
	}
	o, err := parseOptions(c)
	if err != nil {
		return err
	}
	a.opts = o
	a.diag.verbose = o.verbose
	if !o.at.IsZero() {
		a.diag.warnf("verifying at %s, not the current time", o.at.UTC().Format(time.RFC3339))
	}
	return nil
}

// noCommand runs when no command was named, or an unknown one.
func (a *accord) noCommand(c *cli.Context) error {
	if c.Args().Present() {
		return usageErrorf("unknown command %q; see 'accord help'", c.Args().First())
	}
	return usageErrorf("missing command; see 'accord help'")
}

// argRange checks that c has between min and max positional arguments (max
// < 0: no limit).
func argRange(c *cli.Context, min, max int) error {
	n := c.Args().Len()
	name := strings.TrimPrefix(c.Command.HelpName, "accord ")
	usage := strings.TrimSpace(c.Command.HelpName + " " + c.Command.ArgsUsage)
	if c.Command.UsageText != "" {
		usage = c.Command.UsageText
	}
	switch {
	case n < min:
		return usageErrorf("%s: missing argument; usage: %s", name, usage)
	case max >= 0 && n > max:
		return usageErrorf("%s: unexpected argument %q; usage: %s", name, c.Args().Get(max), usage)
	}
	return nil
}

// formatTime prints t as output shows times: RFC 3339, UTC.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// count returns "1 one" or "N many".
func count(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
