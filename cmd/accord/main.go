// Command accord makes independent TUF repositories agree before anything is
// trusted, in the style of TAP 4 multi-repository consensus.
//
// A map file routes target path patterns to TUF repositories (for a release
// pipeline: ci, qa, staging, prod) with thresholds; a target is trusted only
// when the required repositories each sign the identical length and hashes.
//
// Usage:
//
//	accord [global flags] COMMAND [flags] [arguments]
//
//	accord init --map FILE                     install a validated map file
//	accord map check [FILE]                    validate a map file and print what it means
//	accord pin REPO ROOT.json [--sha256 HEX] [--force]
//	                                           pin a repository's trusted root
//	accord refresh [REPO...]                   update repositories' metadata
//	accord status                              print what the trust directory holds
//	accord mirror OUT [REPO...] [--targets]    write verified metadata as a mirror
//	accord lookup TARGET | GUN TAG             resolve a target across repositories
//	accord download TARGET -o FILE             resolve and fetch a target
//	accord verify FILE TARGET                  check a local file against the consensus
//	accord list [PATTERN]                      every target the repositories sign
//
// Global flags, accepted before or after the command and its arguments
// (`--` ends the flags):
//
//	-d, --trust-dir DIR   trust directory (default $ACCORD_HOME, else
//	                      $XDG_DATA_HOME/accord, else ~/.local/share/accord)
//	-m, --map FILE        map file (default <trust-dir>/map.json)
//	--json                print one JSON document on stdout
//	--offline             no network: verify from cached metadata alone
//	--mirror DIR          use DIR/<repo>/ as every repository's only remote
//	--at TIME             RFC 3339 reference time for every expiry check
//	--timeout DURATION    limit for each network request (default 30s)
//	-v, --verbose         say more on stderr
//
// Results go to stdout; diagnostics, warnings included, go to stderr prefixed
// with "accord: ". The exit status is 0 on success, 1 when verification
// failed, and 2 for a usage or configuration error.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
