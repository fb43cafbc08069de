package main

import (
	"encoding/json"
	"os"

	"github.com/gofrs/flock"
	"github.com/rogpeppe/go-internal/testscript"
)

// cmdCorrupt damages a metadata file in place: empties it, cuts it in
// half, breaks its JSON, or changes its first signature (still JSON).
//
//	corrupt FILE empty|truncated|json|signature
func cmdCorrupt(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: corrupt FILE empty|truncated|json|signature")
	}
	path := ts.MkAbs(args[0])
	data, err := os.ReadFile(path)
	ts.Check(err)
	switch args[1] {
	case "empty":
		data = nil
	case "truncated":
		data = data[:len(data)/2]
	case "json":
		data = append([]byte("x"), data[1:]...)
	case "signature":
		var md map[string]json.RawMessage
		ts.Check(json.Unmarshal(data, &md))
		var sigs []map[string]string
		ts.Check(json.Unmarshal(md["signatures"], &sigs))
		if len(sigs) == 0 {
			ts.Fatalf("corrupt: %s has no signature", args[0])
		}
		sig := []byte(sigs[0]["sig"])
		sig[0] = "01"[sig[0]&1^1]
		sigs[0]["sig"] = string(sig)
		md["signatures"], err = json.Marshal(sigs)
		ts.Check(err)
		data, err = json.Marshal(md)
		ts.Check(err)
	default:
		ts.Fatalf("corrupt: unknown corruption %q", args[1])
	}
	ts.Check(os.WriteFile(path, data, 0o600))
}

// cmdIsLink checks that FILE is a symbolic link (with "!": that it is
// not).
//
//	[!] islink FILE
func cmdIsLink(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: [!] islink FILE")
	}
	fi, err := os.Lstat(ts.MkAbs(args[0]))
	ts.Check(err)
	if link := fi.Mode()&os.ModeSymlink != 0; link == neg {
		ts.Fatalf("%s: symbolic link %v, want %v", args[0], link, !neg)
	}
}

// cmdLockHold takes the exclusive lock FILE, as a refresh does, and holds
// it until the script ends.
//
//	lock-hold FILE
func cmdLockHold(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: lock-hold FILE")
	}
	l := flock.New(ts.MkAbs(args[0]))
	ts.Check(l.Lock())
	ts.Defer(func() { l.Unlock() })
}
