package main

import (
	"os"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdFixtureTamper makes the script's world serve other bytes, under every
// file name, for one target of one repository, while its metadata still
// signs the original: a mirror with a corrupted copy.
//
//	fixture-tamper REPO TARGET
func cmdFixtureTamper(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: fixture-tamper REPO TARGET")
	}
	w := world(ts)
	w.server(ts)
	if w.world == nil {
		ts.Fatalf("fixture-tamper: no fixture world; run fixture-world first")
	}
	r, ok := w.world.Repos[args[0]]
	if !ok {
		ts.Fatalf("fixture-tamper: no repository %q", args[0])
	}
	st := r.Latest().Clone()
	orig := w.world.Signed[args[0]][args[1]]
	bad := append([]byte(nil), orig...)
	if len(bad) > 0 {
		bad[len(bad)/2] ^= 1 // same length, other hashes
	}
	ts.Check(st.TamperTarget(args[1], bad))
	dir := w.world.RepoDir(args[0])
	tmp := dir + ".tampered"
	ts.Check(os.RemoveAll(tmp))
	ts.Check(st.Write(tmp))
	ts.Check(os.RemoveAll(dir))
	ts.Check(os.Rename(tmp, dir))
}
