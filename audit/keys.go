package audit

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// fingerprint identifies a public key by its value: the hex SHA-256 of
// its DER SubjectPublicKeyInfo when go-tuf can read it (ed25519 raw
// bytes, ECDSA and RSA PEM alike), else of its type and value as written.
// The same key under two key IDs, or written in two encodings, has one
// fingerprint.
func fingerprint(k *metadata.Key) string {
	var data []byte
	if pub, err := k.ToPublicKey(); err == nil {
		if der, err := x509.MarshalPKIXPublicKey(pub); err == nil {
			data = append([]byte("spki\x00"), der...)
		}
	}
	if data == nil {
		data = []byte("raw\x00" + k.Type + "\x00" + k.Value.PublicKey)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// KeyUse is one key as one role of one repository lists it.
type KeyUse struct {
	// Repository is the repository's name.
	Repository string
	// Role is the role ("root", "targets", or a delegated role's name).
	Role string
	// KeyID is the key's ID in that role's metadata.
	KeyID string
}

// signer is one way to sign for a repository: a role whose threshold of
// keys, all held, can make the repository vouch for a target of one's
// choosing.
type signer struct {
	role      string
	delegator string   // "" for root and targets
	threshold int      // signatures needed
	keys      []string // fingerprints, distinct, sorted
	ids       map[string]string
}

// roleSigner returns the signer of a role listed with keyIDs and
// threshold, the keys looked up in keys. Key IDs missing from keys are
// left out (they sign nothing); two IDs of one key count once.
func roleSigner(role, delegator string, threshold int, keyIDs []string, keys map[string]*metadata.Key) signer {
	s := signer{role: role, delegator: delegator, threshold: threshold, ids: map[string]string{}}
	for _, id := range keyIDs {
		k, ok := keys[id]
		if !ok || k == nil {
			continue
		}
		fp := fingerprint(k)
		if _, dup := s.ids[fp]; dup {
			continue
		}
		s.ids[fp] = id
		s.keys = append(s.keys, fp)
	}
	sortStrings(s.keys)
	return s
}

// feasible reports whether the role's keys can reach its threshold at all.
func (s signer) feasible() bool {
	return s.threshold >= 1 && len(s.keys) >= s.threshold
}
