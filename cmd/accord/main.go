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
//	accord ref IMAGE                           print IMAGE@sha256:<consensus digest>, for docker pull
//	accord download TARGET -o FILE             resolve and fetch a target
//	accord verify FILE TARGET                  check a local file against the consensus
//	accord list [PATTERN]                      every target the repositories sign
//	accord audit [--within DURATION] [--refresh] [--groups G1,G2]
//	                                           what the configuration really guarantees
//	accord serve [--listen ADDR] [--admission validate|mutate|warn] [--tls-cert F --tls-key F]
//	                                           answer lookups and Kubernetes admission
//	                                           reviews over HTTP from verified state in memory
//	accord completion bash|zsh|fish            print a shell completion script
//	accord --version                           print accord's, go-tuf's and Go's versions
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
//	--max-age DURATION    use a repository's trust directory state without a
//	                      request when it refreshed online within DURATION
//	                      (expiry is still checked); older, refresh it
//	--registry-alias HOST=PREFIX
//	                      map an image registry to a target-name prefix
//	                      (repeatable; "HOST=" drops the host; docker.io is
//	                      dropped unless mapped)
//	--timeout DURATION    limit for each metadata request (default 30s); for
//	                      a target's body, the longest silence, the body
//	                      being due within DURATION plus its length at 64 KiB/s
//	-v, --verbose         say more on stderr
//
// HTTP requests use the proxies that $HTTPS_PROXY, $HTTP_PROXY and
// $NO_PROXY name; redirects are followed to other hosts, at most 5 a
// request, never from https to http, and without a Referer header.
//
// Results go to stdout; diagnostics, warnings included, go to stderr prefixed
// with "accord: ". The exit status is 0 on success, 1 when verification
// failed, and 2 for a usage or configuration error. A run interrupted by
// SIGINT (Ctrl-C) exits 130, one ended by SIGTERM 143, after one line
// ("accord: interrupted", "accord: terminated") and nothing else; a second
// signal ends the process at once. Every write is atomic, so an
// interrupted run leaves nothing half-written.
//
// Whatever a repository supplies (target, role and hash algorithm names,
// messages quoting its servers or metadata) prints escaped in human output,
// in Go's notation (\x1b, \n, \u202e), so that it can neither change the
// terminal nor forge a line; each diagnostic is one line. JSON keeps the
// exact strings, with such characters as \u escapes.
//
// # Repositories and the trust directory
//
// A command opens only the repositories it needs. One that has no pinned
// root is a configuration error (exit 2) naming the command to run, before
// any network access. "accord status" is the exception: it describes every
// declared repository, pinned or not, and says "not pinned" for the others.
// "accord init" replaces an installed map file; "accord pin" replaces a pin
// only with --force, and then discards the repository's cached metadata.
//
// # Audit
//
// "accord audit" reads the map file, the pinned roots and the verified
// metadata cached in the trust directory (offline; --refresh refreshes the
// repositories first, as "accord refresh" does) and reports what they
// guarantee (package audit defines each check). Each finding has a
// severity, a check, a code, a location and one line of advice:
//
//	severity  error (an effective threshold below the stated one, two
//	          repositories with one pinned root) or warning (all else)
//	check     policy, keys, hashes, expiry or metadata
//	code      map_warning, any_one, unused_repository (policy);
//	          same_root, shared_key, effective_threshold,
//	          search_cut_short (keys); no_common_hash, weak_hash
//	          (hashes); expires, root_expires_first (expiry);
//	          unverified, incomplete (metadata)
//
// The effective threshold of a mapping is the least number of distinct
// key holders who could make it verify a target of their choosing; a key
// holder who controls two keys counts as two, which no audit can see.
// --within DURATION (default 7d; days or a Go duration such as 36h) is the
// expiry horizon at the reference time (--at). The exit status is 0 when
// no finding is an error, 1 otherwise, and 2 for a configuration error (an
// invalid map file, a listed repository without a pinned root, a bad
// flag). The codes, fields and exit statuses are stable: new codes may be
// added, none is renamed.
//
// # JSON output
//
// With --json each command prints one JSON document on stdout; times are
// RFC 3339, UTC. A usage or configuration error prints no document, only the
// diagnostic on stderr, except "map check" and "init", which print the
// refused file's defects:
//
//	map check, valid:    {"file", "repositories": [{"name", "mirrors": [{"metadata", "targets"}]}],
//	                      "mapping": [{"index", "paths", "repositories", "threshold", "terminating"}],
//	                      "warnings": [{"path", "message"}]}
//	map check, invalid:  {"file", "errors": [{"line", "column", "path", "message", "error"}]}
//	init:                {"source", "file", "repositories": [names], "mappings", "warnings"}
//	pin:                 {"repository", "file", "version", "expires", "expired", "key_ids",
//	                      "sha256", "replaced"}
//	refresh:             [{"name", "root", "timestamp", "snapshot", "targets", "expires"} or
//	                      {"name", "error"}], each role {"version", "expires", "expired"},
//	                      "expires" the earliest
//	status:              [{"name", "mirrors", "pinned", "root": {"version", "expires",
//	                      "expired", "sha256"}, "timestamp", "snapshot", "targets",
//	                      "last_refresh"}], roles absent when not cached,
//	                      last_refresh absent when never refreshed online
//	mirror:              [{"name", "dir"} or {"name", "error"}]
//	download:            lookup's document, then "output" (the FILE of -o)
//	                      and "downloaded" (true or false); when false,
//	                      also "error" and "attempts": [{"name", "error"}],
//	                      each supporting repository's cause, in the order
//	                      asked (empty when the failure was not one of
//	                      theirs, such as a write to FILE)
//	audit:               {"reference_time", "within", "mappings": [summary], "groups": summary,
//	                      "findings": [finding], "errors", "warnings"}, where
//	                      summary is {"index", "paths", "repositories", "threshold",
//	                      "effective_threshold", "exact"} ("index" and "paths" absent
//	                      for the groups, "groups" absent without --groups,
//	                      "effective_threshold" absent when not computed) and finding
//	                      is {"severity", "check", "code", "location": {"mapping",
//	                      "groups", "path", "repository", "role", "key_id"},
//	                      "keys": [{"repository", "role", "key_id"}], "message", "advice"}
//	                      (location fields and "keys" absent when they do not apply)
//
//	ref:                 lookup's document for the image's target, then "image"
//	                      (as given) and "ref" when allowed, or "refused" (why)
//	                      when the target is verified but the image is not
//
// lookup's document is in SPEC section 5. A download refused by the lookup
// prints the lookup's document alone.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
