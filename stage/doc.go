// Package stage is the publishing side of one TUF repository: a stage of a
// release pipeline (ci, qa, staging, prod) that signs targets under its own
// root of trust and publishes them as a tree any static web server can
// serve. It knows nothing of the client side but the metadata format;
// every signature and every file goes through go-tuf v2's metadata API.
//
// # The stage directory
//
//	DIR/stage.json              name, keys folder, expiry periods ([Config])
//	DIR/public/                 the published tree, a string mirror's layout:
//	DIR/public/N.root.json      every root version
//	DIR/public/N.targets.json   targets versions
//	DIR/public/N.snapshot.json  snapshot versions
//	DIR/public/timestamp.json   the newest timestamp
//	DIR/public/targets/…        target bytes, as "<dir>/<hex digest>.<base>"
//	                            (consistent snapshots), one per hash
//	DIR/pending/targets.json    a targets version waiting for signatures
//	DIR/keys/                   generated private keys (0700; files 0600)
//
// Private keys are never written under public/. Root and targets keys
// belong offline: the keys folder is where [Init] puts the keys it
// generates, and the operator moves them; the online key (snapshot and
// timestamp) stays with the stage.
//
// # Changing targets
//
// [Stage.Change] applies [Edit]s — add, replace, remove target info
// (metadata.TargetFiles: length, hashes, custom) — to one targets version:
//
//	s, err := stage.Open(dir)
//	res, err := s.Change([]stage.Edit{{Target: "app:1.4", Info: info}}, keys)
//
// The version is signed with the targets keys among keys; when they meet
// the targets threshold and keys hold the online key, it is published at
// once. Otherwise it stays in pending/ with the signatures it has; others
// add theirs with [Stage.Sign] (each holding one key, never in one place)
// and [Stage.Publish] publishes it once the threshold is met. A change to
// a pending version drops its signatures (they signed other content).
// [Stage.Pending] and [Stage.Status] say what a pending version changes
// since the published one and who signed it.
//
// # Promotion
//
// A stage that promotes what earlier stages agreed on signs exactly the
// verified consensus: the promoting command resolves the target on the
// client side (this package knows nothing of resolution) and passes each
// verified consensus as a plain [Consensus] to [Stage.Promote], which
// signs its length and sha256/sha512 digests ([PromotionEdits]) and
// nothing else through [Stage.Change]. The rules of Change apply: the
// same length and hashes again are a no-op, other info is refused
// ([ErrTargetExists]) unless replace, and a refused change writes
// nothing. Many targets go into one version in one call.
//
// # Rotation
//
// [Stage.Rotate] changes one role's keys or threshold with a new root
// signed by the root thresholds of the old and the new root, so that
// clients trusting an older root follow it, then signs anew what the new
// keys sign (targets, snapshot, timestamp) and publishes it.
//
// # Publication
//
// See the order in publish.go: targets bytes, then versioned metadata
// (root, targets, snapshot), each written atomically, and timestamp.json
// last, so that a reader at any moment sees the old or the new state. A
// sync tool copying public/ elsewhere must keep that order: timestamp.json
// last. [Stage.Timestamp] re-signs the timestamp (and the snapshot when it
// is near its expiry) for a periodic job; [Stage.Prune] removes old
// versions.
//
// # Keys
//
// A [Key] is a sigstore signature.Signer with its TUF public key; file
// keys ([LoadKeyFile], [GenerateKey]) are PKCS#8 PEM, or sigstore's
// encrypted PEM ("ENCRYPTED SIGSTORE PRIVATE KEY", as cosign writes) whose
// passphrase a [PassphraseFunc] supplies. A key file that group or others
// may read is refused ([PermissionError]). Any other signer (a KMS, a
// hardware key) becomes a Key through [NewKey].
//
// # Concurrency
//
// Every method that writes takes a lock on the directory (a file lock),
// so processes and goroutines may sign one stage at once without losing a
// signature; a [Stage] is safe for concurrent use.
package stage
