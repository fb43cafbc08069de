// Package repo makes one TUF repository trustworthy to talk to.
//
// A [Client] holds one repository's root of trust, pinned by the user with
// [Pin], and keeps it current with go-tuf v2's metadata/updater: root
// rotation, timestamp, snapshot, top-level and delegated targets, with
// rollback, freeze and mix-and-match protection. The package knows nothing
// of other repositories or of the map file; consensus between repositories
// is the resolver's business.
//
// # Mirrors
//
// A repository has one or more [Mirror]s, tried in order, file by file. The
// next mirror is asked when one fails to answer: a connection error, a
// timeout, or any HTTP status but 200 (404 included). A file is missing when
// some mirror answered 404 and none served it; when no mirror answered at
// all, the repository is unreachable ([ErrUnreachable]). A file that a
// mirror serves but that fails verification or exceeds its length limit is
// a failure of the repository: another mirror's copy is never tried
// instead. Mirrors are http, https or file URLs. There are no retries.
//
// [Config.Timeout] bounds each metadata request, body included. For a
// target's body it is the longest silence (no byte for that long), and the
// whole body is due within the timeout plus its signed length at
// [MinTargetRate].
//
// # Trust directory
//
// A repository's state lives in <trust-dir>/metadata/<name>/ (or
// [Config.MetadataDir]): root.json (the latest trusted root),
// root_history/<N>.root.json (every root version trusted since the pin),
// timestamp.json, snapshot.json, targets.json and <role>.json for delegated
// roles (the role's name as it is, path-escaped only when it holds '/',
// '\', '%' or a control character). Mirrors know a role's file by its own
// name, which URLs escape: a file:// mirror holds N.<role>.json, as
// [Client.WriteMirror] writes it. Downloads over 1 MiB are spooled in
// <trust-dir>/targets/<name>/.tmp-download-*, locked with flock(2) while in
// use; refresh, [Client.Download] and [Client.Status] remove the unlocked
// spools a killed process left. Directories are created 0700; every file is
// written to a temporary file in the same directory, synced and renamed.
//
// An update runs in a staging copy of the metadata directory, in
// .<name>.work beside it, under an exclusive file lock (.<name>.lock, also
// beside it) that serialises all writers of that repository, in this
// process or another; a staging copy left by a killed process is removed
// by the next update. Only a fully successful update is committed, and in
// one step: a complete new metadata directory (hard links to the unchanged
// files, the new root versions in root_history, the new top-level files,
// each synced) is built beside the old one and exchanged with it
// atomically (renameat2 RENAME_EXCHANGE on Linux; elsewhere two renames,
// with the old directory restored by the next update if a crash falls
// between them). A failed or interrupted update, a crash included, leaves
// the previous trusted files byte for byte as they were (unless
// [Config.KeepVerified] asks to keep the files it verified before
// failing).
//
// A refresh ([Client.Refresh]) updates the top-level roles only; lookups
// fetch the delegated roles their search reaches. [Client.RefreshAhead],
// for a trust directory meant to serve offline lookups, also loads the
// roles delegated by name (up to 64) and brings every cached hash bin up
// to date. Either way, delegated roles reach the trust directory through
// the same lock and atomic writes.
//
// Readers take no lock: an offline Client reads root.json and the cached
// top-level files through one handle on the metadata directory, and reads
// again if a commit exchanged the directory meanwhile, so it never waits
// for a writer and never sees a mix of two commits. The metadata
// directory, and every file and directory in it, must be real: a
// symbolic link there is refused with [ErrSymlink] (links above it, such
// as a linked trust directory, are followed). The cached files other than
// root.json are a cache: one that does not load or is not signed by the
// keys that signed it is ignored and fetched again, with a warning through
// [Config.Warn] (offline, an error naming it). A root.json that does not
// load is an error naming the pin to run; it is never replaced silently.
//
// # Delegations and targets
//
// Delegated roles are walked by this package as TUF's target search says
// (specification 5.6.7: pre-order, depth first, each role's delegations
// in the order it lists them, at most 32 roles per lookup), over go-tuf's
// verification core (metadata/trustedmetadata), and a role is fetched
// only when the search reaches it: classic path_hash_prefixes delegations
// match the hex SHA-256 of the path, and a TAP 15 hash-bin delegation
// loads only the bin a path falls in. A role's metadata is trusted for a
// search only when it verifies under the delegation that led the search to
// it (that delegator's keys and threshold), whether it comes from the
// mirrors, from the trust directory or from memory: a role that two
// delegators name is not trusted through one of them because it verified
// under the other. Role names that would clash with the top-level files
// are refused. Targets are downloaded by this package too: under
// consistent snapshots each listed hash algorithm's prefixed name is tried
// in sorted order, and bytes reach the caller only once their length and
// every listed hash are checked.
//
// # Offline and reference time
//
// With [Config.Offline] a Client never touches the network: it verifies
// the cached metadata in the trust directory, delegated roles included,
// against the trusted root.
//
// Every successful online update records when it happened, by the wall
// clock ([Config.Clock]), in the file [RefreshRecord] of the metadata
// directory (not in a plain [Config.MetadataDir]), committed with the
// metadata it vouches for
// ([Client.LastRefresh], [Status].LastRefresh). With [Config.MaxAge], a
// refresh within that age of the record makes no request: it verifies the
// cached metadata as an offline Client does, expiry at the reference time
// included, and goes online only when they do not verify. [Config.At] sets the reference time for every
// expiry check, root included, for forensics on old repositories.
//
// # Errors
//
// Errors name the repository and the file first, as in
// `repository "qa": timestamp.json: expired metadata error: …`, and are
// [*Error] values wrapping the cause (go-tuf's error types, [ErrUnreachable],
// [ErrOffline], …). A verified absence of a target is [ErrNotFound]; any
// failure to verify is something else.
//
// # Concurrency
//
// A [Client] is safe for concurrent use by multiple goroutines: operations
// on one Client are serialised. Several Clients, in one process or several,
// may share a trust directory.
package repo
