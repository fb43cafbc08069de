package audit

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"testing"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// TestFingerprint checks that a key is known by its public value: the
// same key under another key type name or another PEM encoding is one
// key; two keys are two.
func TestFingerprint(t *testing.T) {
	ed := fixtures.PrivateKey("fingerprint").Public()
	edKey, err := metadata.KeyFromPublicKey(ed)
	if err != nil {
		t.Fatal(err)
	}
	other, err := metadata.KeyFromPublicKey(fixtures.PrivateKey("other").Public())
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	ec1 := &metadata.Key{Type: metadata.KeyTypeECDSA_SHA2_P256, Scheme: metadata.KeySchemeECDSA_SHA2_P256, Value: metadata.KeyVal{PublicKey: pemKey}}
	ec2 := &metadata.Key{Type: metadata.KeyTypeECDSA_SHA2_P256_COMPAT, Scheme: metadata.KeySchemeECDSA_SHA2_P256, Value: metadata.KeyVal{PublicKey: "\n" + pemKey}}
	unknown := &metadata.Key{Type: "x-unknown", Value: metadata.KeyVal{PublicKey: hex.EncodeToString([]byte("k"))}}
	switch {
	case fingerprint(ec1) != fingerprint(ec2):
		t.Error("one ECDSA key under two key types differs")
	case fingerprint(edKey) == fingerprint(other):
		t.Error("two ed25519 keys are one")
	case fingerprint(edKey) == fingerprint(ec1):
		t.Error("an ed25519 and an ECDSA key are one")
	case fingerprint(unknown) == "" || fingerprint(unknown) == fingerprint(edKey):
		t.Error("a key of an unknown type has no fingerprint of its own")
	}
	s := roleSigner("targets", "", 1, []string{"a", "b", "missing"}, map[string]*metadata.Key{"a": edKey, "b": edKey})
	if len(s.keys) != 1 {
		t.Errorf("one key under two IDs in one role counts %d times", len(s.keys))
	}
}
