// Package audit reports what a configuration of accord really
// guarantees: whether the repositories a mapping requires are
// independent, whether they can agree at all, what is about to expire,
// and where the map file's policy is weaker than it looks.
//
// [Run] reads only what it is given: the map file and, for each
// repository, what its client trusts ([repo.Client.Trusted]: the trusted
// root, and the top-level and delegated metadata that verified against
// it). It never reads a file that did not verify and does no I/O.
//
// # Signers and the effective threshold
//
// A repository vouches for a target when its verified metadata lists it.
// For a mapping (its patterns, repositories and threshold), the signers of
// a repository are the ways a group of key holders can make it vouch for a
// target of their choosing that the mapping's patterns match:
//
//   - a threshold of its root keys: they sign a new root that names any
//     keys for every role;
//   - a threshold of its top-level targets keys: targets metadata may list
//     any target;
//   - a threshold of the keys of a delegated role whose delegation covers
//     the mapping's patterns, reached from the top-level targets role
//     through delegations that cover them too (a delegation by
//     path_hash_prefixes or to hash bins covers every pattern).
//
// The snapshot and timestamp keys are not counted: they are online keys
// that sign whatever targets metadata the repository publishes, so the
// audit assumes they sign for whoever holds a signer. This is the
// cautious reading; it can only lower the effective threshold.
//
// Keys are compared by their public value: the DER encoding of the public
// key as go-tuf reads it (ed25519 raw bytes, ECDSA and RSA PEM), so that
// one key listed under two key IDs, or in two encodings, is one key, and
// two IDs of one key in one role count once.
//
// The effective threshold of a mapping with threshold t is the least
// number of distinct keys whose holders, together, can make t of its
// repositories vouch for one target of their choosing: the minimum, over
// every choice of t repositories and of one signer for each, of the
// fewest keys that meet every chosen signer's threshold (a key that two
// chosen signers list counts once). Each key is taken to be one holder:
// the audit cannot see one person holding two keys. The search is exact:
// signers that share no key with another repository are reduced to the
// cheapest, and for each choice every subset of the shared keys is tried.
// When a choice has more than 16 shared keys, or there are more than
// 100000 choices, the search is cut short and the effective threshold is
// an upper bound, which a finding says.
//
// The effective threshold is computed for every mapping whose threshold is
// 2 or more, and for the groups (every group repository must sign every
// target). It is below the stated threshold exactly when some key holders
// fewer than the threshold can make the mapping verify a target.
//
// # Coverage
//
// A delegation's paths are TUF's shell-style patterns (matched as
// internal/fnmatch does, segment by segment); a mapping's are gobwas
// globs. A delegation covers a mapping when some target might match both.
// When either pattern is a literal path, this is decided exactly. Else it
// is approximated from above: they are taken to overlap unless the literal
// text before the first wildcard of one is not a prefix of the other's,
// the literal text after the last wildcard of one is not a suffix of the
// other's, or they match paths of different numbers of segments. The
// audit may thus count a delegated role that cannot in fact sign for a
// mapping, never miss one that can.
//
// # Findings
//
// Each [Finding] has a [Severity], the [Check] that made it, a code, a
// [Location] and one line of advice:
//
//   - policy: the map file's own warnings (as accord map check prints
//     them, [mapfile.Map.Warnings]), a mapping with threshold 1 over
//     several repositories (any one suffices), a declared repository that
//     no mapping lists;
//   - keys: two repositories of a mapping with the same pinned root
//     (error), a key that signs for two repositories of a mapping
//     (warning; keys shared only by repositories of one root are not
//     repeated), an effective threshold below the stated one (error);
//   - hashes: two repositories of a mapping whose targets in its scope
//     list no hash algorithm in common (they can never agree), or only
//     algorithms that are weak or unknown to accord (anything but
//     sha256, sha384, sha512 and sha512_256);
//   - expiry: every verified role that has expired or expires within the
//     horizon at the reference time, and every targets role that expires
//     after the root that vouches for it;
//   - metadata: top-level metadata that does not verify, delegated roles
//     that did not load (what they would have told is not audited).
//
// Every finding but an effective threshold below the stated one and a
// shared root is a warning.
//
// # Concurrency
//
// Run is safe for concurrent use; it does not modify its input.
package audit
