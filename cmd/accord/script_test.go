package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/stage"
)

// TestMain lets testscript run the real command as "accord".
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"accord": main,
	})
}

// TestScript runs every testdata/script/*.txtar: each script holds its own
// inputs and asserts the command's stdout, stderr and exit status.
func TestScript(t *testing.T) {
	testscript.Run(t, scriptParams("script", scriptCommands()))
}

// scriptParams runs the scripts of testdata/DIR with cmds, each in a
// fresh trust directory and home of its own, without $XDG_DATA_HOME or
// $ACCORD_GROUPS from the environment.
func scriptParams(dir string, cmds map[string]func(ts *testscript.TestScript, neg bool, args []string)) testscript.Params {
	return testscript.Params{
		Dir: filepath.Join("testdata", dir),
		Setup: func(env *testscript.Env) error {
			env.Setenv("ACCORD_HOME", filepath.Join(env.WorkDir, "trust"))
			env.Setenv("HOME", filepath.Join(env.WorkDir, "home"))
			env.Setenv("XDG_DATA_HOME", "")
			env.Setenv("ACCORD_GROUPS", "")
			env.Values[worldKey{}] = &scriptWorld{seen: map[string]int{}}
			return nil
		},
		Cmds: cmds,
	}
}

// scriptCommands are the custom commands the scripts use.
func scriptCommands() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"exits":            cmdExits,
		"jsonvalid":        cmdJSONValid,
		"prefixed":         cmdPrefixed,
		"bigfile":          cmdBigFile,
		"sha256env":        cmdSHA256Env,
		"fixture-world":    cmdFixtureWorld,
		"fixture-diamond":  cmdFixtureDiamond,
		"fixture-fault":    cmdFixtureFault,
		"fixture-clear":    cmdFixtureClear,
		"fixture-stop":     cmdFixtureStop,
		"fixture-requests": cmdFixtureRequests,
		"fixture-tamper":   cmdFixtureTamper,
		"fixture-sign":     cmdFixtureSign,
		"fixture-delegate": cmdFixtureDelegate,
		"fixture-hash":     cmdFixtureHash,
		"fixture-audit":    cmdFixtureAudit,
		"hostile-root":     cmdHostileRoot,
		"printable":        cmdPrintable,
		"listed":           cmdListed,
		"corrupt":          cmdCorrupt,
		"islink":           cmdIsLink,
		"lock-hold":        cmdLockHold,
		"serve-dir":        cmdServeDir,
		"expand":           cmdExpand,
		"stage-keygen":     cmdStageKeygen,
		"timeenv":          cmdTimeEnv,
		"dirsum":           cmdDirSum,
	}
}

// cmdExits runs a program as exec does, so that stdout and stderr can be
// checked after it, and checks that it exits with status CODE.
//
//	exits CODE PROGRAM [ARGS...]
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	var ee *exec.ExitError
	switch err := ts.Exec(args[1], args[2:]...); {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("%s: %v", args[1], err)
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

// cmdPrefixed checks that every line of a file (default: the last
// command's stderr) begins with PREFIX.
//
//	prefixed PREFIX [FILE]
func cmdPrefixed(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: prefixed PREFIX [FILE]")
	}
	file := "stderr"
	if len(args) == 2 {
		file = args[1]
	}
	text := strings.TrimSuffix(ts.ReadFile(file), "\n")
	for i, line := range strings.Split(text, "\n") {
		if text != "" && !strings.HasPrefix(line, args[0]) {
			ts.Fatalf("%s:%d: %q does not begin with %q", file, i+1, line, args[0])
		}
	}
}

// cmdJSONValid checks that a file (default: the last command's stdout)
// holds exactly one JSON document.
//
//	jsonvalid [FILE]
func cmdJSONValid(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) > 1 {
		ts.Fatalf("usage: jsonvalid [FILE]")
	}
	file := "stdout"
	if len(args) == 1 {
		file = args[0]
	}
	err := oneJSONDocument([]byte(ts.ReadFile(file)))
	switch {
	case err != nil && !neg:
		ts.Fatalf("%s: %v", file, err)
	case err == nil && neg:
		ts.Fatalf("%s: unexpectedly one JSON document", file)
	}
}

// oneJSONDocument reports whether data is one JSON document and nothing else.
func oneJSONDocument(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("not JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("more than one JSON document")
	}
	return nil
}

// cmdBigFile writes a JSON object of exactly SIZE bytes, padded with
// spaces.
//
//	bigfile FILE SIZE
func cmdBigFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: bigfile FILE SIZE")
	}
	size, err := strconv.Atoi(args[1])
	if err != nil || size < 2 {
		ts.Fatalf("bigfile: bad size %q", args[1])
	}
	data := "{" + strings.Repeat(" ", size-2) + "}"
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(data), 0o644))
}

// cmdSHA256Env sets the environment variable VAR to the hex SHA-256 of
// FILE.
//
//	sha256env VAR FILE
func cmdSHA256Env(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: sha256env VAR FILE")
	}
	sum := sha256.Sum256([]byte(ts.ReadFile(args[1])))
	ts.Setenv(args[0], hex.EncodeToString(sum[:]))
}

// worldKey keys a script's *scriptWorld in its testscript values.
type worldKey struct{}

// scriptWorld is the demo world one script serves.
type scriptWorld struct {
	world *fixtures.World
	srv   *fixtures.Server
	seen  map[string]int // requests by path prefix at the last check
}

func world(ts *testscript.TestScript) *scriptWorld {
	return ts.Value(worldKey{}).(*scriptWorld)
}

// server returns the running server of the script's world.
func (w *scriptWorld) server(ts *testscript.TestScript) *fixtures.Server {
	if w.srv == nil {
		ts.Fatalf("no fixture world is being served; run fixture-world first")
	}
	return w.srv
}

// cmdFixtureWorld builds the demo world (repositories ci, qa, staging and
// prod; see fixtures.World) in $WORK and serves it on loopback until the
// script ends: $WORK/map.json routes to the server, and
// $WORK/roots/<name>.root.json holds each repository's root to pin.
//
//	fixture-world
func cmdFixtureWorld(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: fixture-world")
	}
	w := world(ts)
	if w.srv != nil {
		ts.Fatalf("fixture-world: already serving")
	}
	var err error
	w.world, err = fixtures.DemoWorld(ts.MkAbs("."), nil)
	ts.Check(err)
	w.srv, err = w.world.Serve()
	ts.Check(err)
	ts.Defer(w.srv.Close)
	ts.Setenv("SERVER", w.srv.URL)
}

// cmdFixtureFault makes the server misbehave for one repository's
// requests until fixture-clear.
//
//	fixture-fault REPO status CODE | drop | oversize | trailing | hang
func cmdFixtureFault(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: fixture-fault REPO status CODE | drop | oversize | trailing | hang")
	}
	var f fixtures.Fault
	switch kind := args[1]; {
	case kind == "status" && len(args) == 3:
		code, err := strconv.Atoi(args[2])
		ts.Check(err)
		f = fixtures.Status(code)
	case kind == "drop" && len(args) == 2:
		f = fixtures.Drop()
	case kind == "oversize" && len(args) == 2:
		f = fixtures.Oversize(0)
	case kind == "trailing" && len(args) == 2:
		f = fixtures.Trailing()
	case kind == "hang" && len(args) == 2:
		f = fixtures.Hang()
	default:
		ts.Fatalf("fixture-fault: unknown fault %q", strings.Join(args[1:], " "))
	}
	world(ts).server(ts).Inject(f.Only("/"+args[0]+"/", ""))
}

// cmdFixtureClear switches every fault off.
//
//	fixture-clear
func cmdFixtureClear(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: fixture-clear")
	}
	world(ts).server(ts).ClearFaults()
}

// cmdFixtureStop stops the server: every later request fails to connect.
//
//	fixture-stop
func cmdFixtureStop(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: fixture-stop")
	}
	world(ts).server(ts).Close()
}

// cmdFixtureRequests checks that the server had N requests for paths
// beginning with /REPO/ since the last check of REPO (with "!": not N).
//
//	[!] fixture-requests REPO N
func cmdFixtureRequests(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: [!] fixture-requests REPO N")
	}
	want, err := strconv.Atoi(args[1])
	ts.Check(err)
	w := world(ts)
	prefix := "/" + args[0] + "/"
	total := w.server(ts).CountPrefix(prefix)
	n := total - w.seen[prefix]
	w.seen[prefix] = total
	switch {
	case neg && n == want:
		ts.Fatalf("%d requests for repository %s, want any other number", n, args[0])
	case !neg && n != want:
		ts.Fatalf("%d requests for repository %s, want %d", n, args[0], want)
	}
}

// cmdServeDir serves a directory of the script on loopback until the
// script ends and sets VAR to its URL.
//
//	serve-dir DIR VAR
func cmdServeDir(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: serve-dir DIR VAR")
	}
	srv, err := fixtures.NewServer(ts.MkAbs(args[0]))
	ts.Check(err)
	ts.Defer(srv.Close)
	ts.Setenv(args[1], srv.URL)
}

// cmdExpand writes OUT as IN with $VAR and ${VAR} replaced by the
// script's environment.
//
//	expand IN OUT
func cmdExpand(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: expand IN OUT")
	}
	out := os.Expand(ts.ReadFile(args[0]), ts.Getenv)
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(out), 0o644))
}

// cmdStageKeygen generates an ed25519 private key into DIR, named
// PREFIX-<key ID>.pem with its public key beside it (.pub), and sets VAR
// to the private key's path and VAR_PUB to the public key's.
//
//	stage-keygen DIR PREFIX VAR
func cmdStageKeygen(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: stage-keygen DIR PREFIX VAR")
	}
	dir := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(dir, 0o700))
	k, err := stage.GenerateKey(dir, args[1], stage.ED25519, nil)
	ts.Check(err)
	ts.Setenv(args[2], k.Source)
	ts.Setenv(args[2]+"_PUB", strings.TrimSuffix(k.Source, ".pem")+".pub")
	ts.Setenv(args[2]+"_ID", k.ID)
}

// cmdTimeEnv sets VAR to the current time plus DURATION, in RFC 3339.
//
//	timeenv VAR DURATION
func cmdTimeEnv(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: timeenv VAR DURATION")
	}
	d, err := time.ParseDuration(args[1])
	ts.Check(err)
	ts.Setenv(args[0], time.Now().Add(d).UTC().Format(time.RFC3339))
}

// cmdDirSum writes to FILE one line per file and directory under DIR
// (path, mode and, for a file, the SHA-256 of its bytes), sorted, so that
// two listings compare equal exactly when nothing under DIR changed.
//
//	dirsum DIR FILE
func cmdDirSum(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: dirsum DIR FILE")
	}
	root := ts.MkAbs(args[0])
	var lines []string
	ts.Check(filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		line := fmt.Sprintf("%s %v", filepath.ToSlash(rel), fi.Mode())
		if fi.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			line += fmt.Sprintf(" %x", sha256.Sum256(data))
		}
		lines = append(lines, line)
		return nil
	}))
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(strings.Join(lines, "\n")+"\n"), 0o644))
}
