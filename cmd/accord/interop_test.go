package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/accord-tuf/accord/fixtures"
)

// TestScriptInterop runs testdata/interop/*.txtar: repositories shaped as
// other TUF implementations write them, through the real command.
func TestScriptInterop(t *testing.T) {
	cmds := scriptCommands()
	cmds["fixture-interop"] = cmdFixtureInterop
	cmds["static-serve"] = cmdStaticServe
	testscript.Run(t, scriptParams("interop", cmds))
}

// interopUnrecognized are fields the specification does not define, with
// integers that a float64 cannot hold.
var interopUnrecognized = map[string]any{
	"x-big": json.Number("9007199254740993"),
	"x-nested": map[string]any{
		"neg":  json.Number("-9007199254740993"),
		"list": []any{json.Number("18014398509481985")},
	},
}

// cmdFixtureInterop writes the repository ci to $WORK/repos/ci, as
// another implementation might have made it, and serves it on loopback
// until the script ends: $WORK/map.json routes every target (**) to it,
// $WORK/roots/ci.root.json is its root to pin, $SERVER its server. With
// the argument "unrecognized", every signed object carries
// interopUnrecognized. The top-level targets role signs top.txt and
// delegates
//
//	releases/v[!0]*.tar.gz  to "releases" (signing releases/v1.2.0.tar.gz
//	                        and, out of its scope, releases/v0.9.0.tar.gz)
//	b/*                     to "björn" (signing b/one.txt)
//	r/*                     to "release team" (signing r/two.txt)
//
//	fixture-interop [unrecognized]
func cmdFixtureInterop(ts *testscript.TestScript, neg bool, args []string) {
	opts := fixtures.Options{Seed: "interop-ci"}
	switch {
	case neg || len(args) > 1 || len(args) == 1 && args[0] != "unrecognized":
		ts.Fatalf("usage: fixture-interop [unrecognized]")
	case len(args) == 1:
		opts.Unrecognized = interopUnrecognized
	}
	w := world(ts)
	if w.srv != nil {
		ts.Fatalf("fixture-interop: already serving")
	}
	r, err := fixtures.New(opts)
	ts.Check(err)
	ts.Check(r.AddTarget("top.txt", []byte("top\n")))
	for _, d := range []struct {
		role, pattern string
		targets       []string
	}{
		{"releases", "releases/v[!0]*.tar.gz", []string{"releases/v1.2.0.tar.gz", "releases/v0.9.0.tar.gz"}},
		{"björn", "b/*", []string{"b/one.txt"}},
		{"release team", "r/*", []string{"r/two.txt"}},
	} {
		ts.Check(r.Delegate("targets", fixtures.Delegation{Name: d.role, Paths: []string{d.pattern}}))
		for _, p := range d.targets {
			ts.Check(r.AddTarget(p, []byte(p+"\n"), fixtures.InRole(d.role)))
		}
	}
	root, err := r.Write(ts.MkAbs("repos/ci"))
	ts.Check(err)
	ts.Check(os.MkdirAll(ts.MkAbs("roots"), 0o755))
	ts.Check(os.WriteFile(ts.MkAbs("roots/ci.root.json"), root, 0o644))
	w.srv, err = fixtures.NewServer(ts.MkAbs("repos"))
	ts.Check(err)
	ts.Defer(w.srv.Close)
	ts.Setenv("SERVER", w.srv.URL)
	writeAllToCI(ts, "map.json", w.srv.URL+"/ci")
}

// writeAllToCI writes a map file routing every target to the repository
// ci at base.
func writeAllToCI(ts *testscript.TestScript, name, base string) {
	q, err := json.Marshal(base)
	ts.Check(err)
	m := fmt.Sprintf(`{"repositories": {"ci": [%s]}, "mapping": [{"paths": ["**"], "repositories": ["ci"]}]}`+"\n", q)
	ts.Check(os.WriteFile(ts.MkAbs(name), []byte(m), 0o644))
}

// cmdStaticServe serves DIR with net/http's plain file server on loopback
// until the script ends, and writes the map file MAP routing every target
// to the repository ci at DIR/ci on that server.
//
//	static-serve DIR MAP
func cmdStaticServe(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: static-serve DIR MAP")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	srv := &http.Server{Handler: http.FileServer(http.Dir(ts.MkAbs(args[0])))}
	go srv.Serve(l)
	ts.Defer(func() { srv.Close() })
	writeAllToCI(ts, args[1], "http://"+l.Addr().String()+"/ci")
}
