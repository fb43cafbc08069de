// Package resolver decides whether independent TUF repositories agree on a
// target, as a map file requires (TAP 4 style multi-repository consensus).
//
// The resolver does no I/O of its own: it works over the small [Repository]
// interface (satisfied by *repo.Client), obtained lazily through an
// [Opener], with the optional [Lister] and [Downloader] for listing and
// downloading. Tests drive it with an in-memory implementation.
//
// # Resolution
//
// [Resolver.Resolve] walks the map file's mappings in order, skipping those
// whose patterns do not match the target. For a matching mapping it asks each
// of the mapping's repositories concurrently; each [Answer] is signed
// (verified target info), missing (a verified absence: errors.Is(err,
// repo.ErrNotFound)) or an error with its cause. Two target infos agree when
// their lengths are equal, they share at least one hash algorithm, and every
// shared algorithm has the same digest; they contradict when their lengths
// differ or a shared algorithm has different digests; custom is ignored.
// Candidates are taken in the mapping's repository order; a candidate's
// supporters are the repositories whose info agrees with it. The first
// candidate with at least threshold supporters is the consensus, and the
// result carries its own length and hashes. If another candidate that
// contradicts the consensus or one of its supporters also reaches the
// threshold, the result is a conflict and the walk stops. Without a
// consensus a terminating mapping stops the walk; otherwise it goes on.
//
// The decision waits for every answer of a mapping, so it does not depend on
// the order in which answers arrive.
//
// A [Result] is verified, not_found (no mapping matched, or every repository
// asked answered missing), no_consensus (anything else short of a consensus)
// or conflict. It carries every asked repository's answer, in the order
// asked, and encodes to JSON as the command prints it.
//
// # Groups
//
// Groups name declared repositories, case-insensitively; an undeclared name
// is [ErrUnknownGroup], reported before any repository is touched. Groups
// only add requirements: after a verified result every group repository must
// also sign info that agrees with the consensus, else the result is
// no_consensus and [Result.Refused] names the group repositories that did
// not. When no mapping matches, the groups alone act as one terminating
// mapping with a threshold of all of them (Result.Mapping is then -1).
// Group repositories outside the deciding mapping are asked only once a
// consensus needs them.
//
// # Repositories and refreshes
//
// A [Resolver] opens each repository (through the [Opener]) and refreshes it
// at most once, and only when a matching mapping or a group needs it: a
// target that only `prod` covers never opens `ci`. Every target resolved by
// the same Resolver shares those refreshes. The first caller's context
// governs a refresh; an open or refresh error becomes that repository's
// error answer for every later target, with its cause, except a refresh cut
// short because its caller's context ended, which the next caller retries.
//
// An open error is a configuration error of that repository (for example
// one wrapping repo.ErrNotPinned). It stays wrapped in the answer, and
// through it in the error Resolve returns, so errors.Is finds it whenever
// the result is not verified. A command that must refuse any unusable
// repository up front, before network access, calls [Resolver.Prepare]
// first: it opens, without refreshing, every repository the target could
// need.
//
// # Errors
//
// Resolve returns a non-nil [*Error] for every result but verified;
// errors.Is(err, [ErrNotFound]), [ErrNoConsensus] or [ErrConflict] tells the
// status, and the error aggregates (with go-multierror) the cause of every
// repository that failed. An invalid target path or an undeclared group is a
// usage error returned without a result. [Verify] and [Resolver.Download]
// report bytes that differ from the consensus as a [*MismatchError]
// (errors.Is(err, [ErrMismatch])) when they find the difference themselves;
// [Resolver.Download]'s [*DownloadError] carries each supporter's cause.
//
// # Listing, downloading and verifying
//
// [Resolver.List] lists every target the declared repositories sign, with
// every repository's answer and the consensus of each. [Resolver.Download]
// fetches a verified target from its supporters in turn and passes on only
// bytes that match the consensus length and every hash, without holding
// them in memory: each [Downloader] checks them before writing any (a
// failure of every supporter is a [*DownloadError]). [Verify] checks local
// bytes against a verified result.
//
// # Concurrency
//
// A [Resolver] is safe for concurrent use; the package has no mutable state
// of its own. A [Result] or [Listing] is a value that is not changed after
// it is returned. Repositories must be safe for concurrent use.
package resolver
