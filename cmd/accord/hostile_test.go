package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/secure-systems-lab/go-securesystemslib/cjson"
	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/accord-tuf/accord/fixtures"
)

// unquoteArg reads a script argument written in Go's escape notation
// (library/x\x1b[2J, \u202e, \n), so that a script can name what it cannot
// hold.
func unquoteArg(ts *testscript.TestScript, arg string) string {
	s, err := strconv.Unquote(`"` + strings.ReplaceAll(arg, `"`, `\"`) + `"`)
	if err != nil {
		ts.Fatalf("argument %q: %v", arg, err)
	}
	return s
}

// republish writes repository name of the script's world again, with its
// changes published as a new version.
func republish(ts *testscript.TestScript, w *scriptWorld, name string, r *fixtures.Repo) {
	if _, err := r.Publish(); err != nil {
		ts.Fatalf("publish %s: %v", name, err)
	}
	dir := w.world.RepoDir(name)
	tmp := dir + ".new"
	ts.Check(os.RemoveAll(tmp))
	ts.Check(r.Latest().Write(tmp))
	ts.Check(os.RemoveAll(dir))
	ts.Check(os.Rename(tmp, dir))
}

// worldRepo returns repository name of the script's world.
func worldRepo(ts *testscript.TestScript, cmd, name string) (*scriptWorld, *fixtures.Repo) {
	w := world(ts)
	w.server(ts)
	r, ok := w.world.Repos[name]
	if !ok {
		ts.Fatalf("%s: no repository %q", cmd, name)
	}
	return w, r
}

// cmdFixtureSign makes repository REPO of the script's world sign more
// targets, named in Go's escape notation, and publishes them.
//
//	fixture-sign REPO NAME...
func cmdFixtureSign(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: fixture-sign REPO NAME...")
	}
	w, r := worldRepo(ts, "fixture-sign", args[0])
	for _, arg := range args[1:] {
		name := unquoteArg(ts, arg)
		ts.Check(r.AddTarget(name, fixtures.DemoImage(name, "")))
	}
	republish(ts, w, args[0], r)
}

// cmdFixtureDelegate makes the targets role of repository REPO delegate
// PATTERN to a new role named ROLE (Go's escape notation), whose metadata
// has expired, and publishes it: a search that reaches the role fails with
// an error naming it.
//
//	fixture-delegate REPO ROLE PATTERN
func cmdFixtureDelegate(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: fixture-delegate REPO ROLE PATTERN")
	}
	w, r := worldRepo(ts, "fixture-delegate", args[0])
	role := unquoteArg(ts, args[1])
	ts.Check(r.Delegate("targets", fixtures.Delegation{Name: role, Paths: []string{args[2]}}))
	ts.Check(r.SetExpires(role, time.Now().Add(-time.Hour)))
	republish(ts, w, args[0], r)
}

// cmdPrintable checks that FILE (stdout or stderr of the last command, or a
// file) is valid UTF-8 and holds, besides newlines, only runes Go calls
// printable: no control character (C0, DEL, C1), no format character
// (U+202E, a zero-width space, a BOM, …), no line or paragraph separator.
//
//	printable FILE
func cmdPrintable(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: printable FILE")
	}
	data := ts.ReadFile(args[0])
	if !utf8.ValidString(data) {
		ts.Fatalf("%s: not valid UTF-8: %q", args[0], data)
	}
	for i, r := range data {
		if r == '\n' {
			continue
		}
		if !strconv.IsPrint(r) || unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) {
			line := strings.Count(data[:i], "\n") + 1
			ts.Fatalf("%s:%d: holds %U: %q", args[0], line, r, strings.Split(data, "\n")[line-1])
		}
	}
}

// cmdListed checks that FILE (default stdout), the output of "accord list
// --json", has a row for each TARGET, named in Go's escape notation,
// exactly.
//
//	listed FILE TARGET...
func cmdListed(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: listed FILE TARGET...")
	}
	var rows []struct {
		Target string `json:"target"`
	}
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[0])), &rows))
	var targets []string
	for _, row := range rows {
		targets = append(targets, row.Target)
	}
	for _, arg := range args[1:] {
		if want := unquoteArg(ts, arg); !slices.Contains(targets, want) {
			ts.Fatalf("%s: no row for %q; rows: %q", args[0], want, targets)
		}
	}
}

// cmdFixtureHash makes repository REPO of the script's world list, for
// TARGET, one more hash whose algorithm is named ALG (Go's escape
// notation), and publishes it. Consensus compares shared algorithms only,
// so the target still agrees with the other repositories.
//
//	fixture-hash REPO TARGET ALG
func cmdFixtureHash(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: fixture-hash REPO TARGET ALG")
	}
	w, r := worldRepo(ts, "fixture-hash", args[0])
	md, _ := r.Metadata("targets")
	tf, ok := md.Signed.Targets[args[1]]
	if !ok {
		ts.Fatalf("fixture-hash: %s does not sign %q", args[0], args[1])
	}
	tf.Hashes[unquoteArg(ts, args[2])] = bytes.Repeat([]byte{0xab}, 32)
	ts.Check(r.Touch("targets"))
	republish(ts, w, args[0], r)
}

// cmdHostileRoot writes FILE, a version 1 root whose one key, for every
// role, has the ID KEYID (Go's escape notation) and which that key signs:
// TUF does not tie a key ID to its key, so a root file may name its keys
// as it likes.
//
//	hostile-root FILE KEYID
func cmdHostileRoot(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: hostile-root FILE KEYID")
	}
	id := unquoteArg(ts, args[1])
	priv := fixtures.PrivateKey("hostile-root")
	key, err := metadata.KeyFromPublicKey(priv.Public())
	ts.Check(err)
	root := metadata.Root(time.Now().Add(24 * time.Hour))
	root.Signed.Keys[id] = key
	for _, role := range root.Signed.Roles {
		role.KeyIDs = []string{id}
	}
	payload, err := cjson.EncodeCanonical(root.Signed)
	ts.Check(err)
	root.Signatures = []metadata.Signature{{KeyID: id, Signature: ed25519.Sign(priv, payload)}}
	data, err := root.ToBytes(true)
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), data, 0o644))
}
