// Command accord-conformance drives accord's single-repository TUF client,
// [github.com/accord-tuf/accord/repo.Client], through the command-line
// protocol of the public tuf-conformance suite (its CLIENT-CLI.md), so that
// the suite can check accord's TUF verification: root rotation, timestamp,
// snapshot, targets and delegations, with rollback, freeze and
// mix-and-match protection. It adds no verification of its own.
//
// # Protocol
//
//	accord-conformance --metadata-dir DIR init ROOT_FILE
//	accord-conformance --metadata-url URL --metadata-dir DIR refresh
//	accord-conformance --metadata-url URL --metadata-dir DIR \
//	    --target-name NAME [--target-name NAME...] \
//	    --target-dir TDIR --target-base-url TURL download
//
// init stores ROOT_FILE as the trusted root, DIR/root.json, in place of
// the metadata DIR held. It makes no request. The file must be root
// metadata signed by a threshold of its own root keys; an expired root is
// stored with a warning, since rotation may lead past it. DIR must be
// missing, empty or a metadata directory (root.json, other .json files,
// root_history/): init refuses to replace a directory holding anything
// else.
//
// refresh runs a full TUF update of the top-level roles from URL, the
// repository's only mirror. The trusted metadata is kept in DIR under
// plain names: root.json, timestamp.json, snapshot.json, targets.json and
// <role>.json for delegated roles (the role name path-escaped). Besides
// these, DIR holds root_history/<N>.root.json, every root version trusted
// since init, and accord keeps a lock file and a short-lived staging
// directory beside DIR (.<base>.lock and .<base>.work in DIR's parent), as
// for any metadata directory. Only a fully successful update changes DIR.
//
// download refreshes, then takes each NAME in order: it resolves the
// target in the verified metadata (delegations included), fetches it from
// TURL, checks its length and every listed hash, and stores it as
// TDIR/<NAME path-escaped> (url.PathEscape: "a/b.txt" becomes
// "a%2Fb.txt"), through a temporary file that is renamed into place only
// once verified. A file already in TDIR under that name whose length and
// hashes match the target info is kept and not fetched again. The first
// NAME that fails stops the command; the names after it are not fetched.
//
// Flags may stand before or after the command word, as --flag VALUE or
// --flag=VALUE (one or two dashes); "--" ends the flags. Flags that a
// command does not use are ignored. The exit status is 0 on success and 1
// on any failure, bad usage included. Errors go to stderr, prefixed
// "accord-conformance: ".
//
// # Reference time: FAKETIME
//
// The suite runs the client under faketime, which fakes the clock of C
// programs through the dynamic loader and cannot reach a Go program. So
// the reference time of every expiry check, root included, is taken from
// the FAKETIME environment variable when it is set and not empty, in
// libfaketime's notation:
//
//	@2024-01-02 03:04:05   start the clock at that time
//	2024-01-02 03:04:05    the clock stands at that time
//	+2d  -1h  +10m  +30s   an offset from the system clock, with unit
//	+2,5y  -86400          s, m, h, d or y (365 days), seconds without one;
//	                       a fraction takes "." or ","
//
// Absolute times are in the local time zone (TZ), as libfaketime reads
// them; an RFC 3339 time is accepted too. The faketime wrapper itself
// passes an absolute time on as an offset in seconds ("+86400"). Clock
// speed modifiers ("x2", "i1") are refused, as is anything else FAKETIME
// may hold: an unparseable FAKETIME is exit status 1. Without FAKETIME the
// system clock is the reference.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv("FAKETIME"), os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
