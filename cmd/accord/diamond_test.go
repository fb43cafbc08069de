package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/accord-tuf/accord/fixtures"
)

// cmdFixtureDiamond builds fixtures.DiamondRepo as repository ci in
// $WORK/repos/ci and serves it on loopback until the script ends:
// $WORK/map.json routes every target (**) to ci alone, and
// $WORK/roots/ci.root.json holds its root to pin. In ci, the role
// "release" is named by two delegators, parent-a (team-a/*) and parent-b
// (team-b/*), and signed by parent-a's keys for it only; it lists
// team-a/app and team-b/app.
//
//	fixture-diamond
func cmdFixtureDiamond(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: fixture-diamond")
	}
	w := world(ts)
	if w.srv != nil {
		ts.Fatalf("fixture-diamond: already serving")
	}
	r, err := fixtures.DiamondRepo(fixtures.Options{Seed: "ci"})
	ts.Check(err)
	repos := ts.MkAbs("repos")
	root, err := r.Write(filepath.Join(repos, "ci"))
	ts.Check(err)
	ts.Check(os.MkdirAll(ts.MkAbs("roots"), 0o755))
	ts.Check(os.WriteFile(ts.MkAbs("roots/ci.root.json"), root, 0o644))
	w.srv, err = fixtures.NewServer(repos)
	ts.Check(err)
	ts.Defer(w.srv.Close)
	mirror, err := json.Marshal(w.srv.URL + "/ci")
	ts.Check(err)
	m := fmt.Sprintf(`{"repositories": {"ci": [%s]}, "mapping": [{"paths": ["**"], "repositories": ["ci"]}]}`+"\n", mirror)
	ts.Check(os.WriteFile(ts.MkAbs("map.json"), []byte(m), 0o644))
	ts.Setenv("SERVER", w.srv.URL)
}
