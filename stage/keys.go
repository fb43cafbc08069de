package stage

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/accord-tuf/accord/internal/atomicfile"
)

// KeyType names the kind of key [GenerateKey] makes.
type KeyType string

// The key types a stage generates.
const (
	ED25519 KeyType = "ed25519"
	ECDSA   KeyType = "ecdsa" // P-256
)

// Key is one signing key: a sigstore [signature.Signer], which signs, and
// its public form as TUF metadata lists it. A key held in a KMS or on
// hardware is a Key made by [NewKey] from that service's signer; the stage
// never sees more than the signer. A Key is safe for concurrent use when
// its signer is.
type Key struct {
	signature.Signer
	// Public is the public key as metadata lists it.
	Public *metadata.Key
	// ID is the TUF key ID of Public.
	ID string
	// Source says where the key came from (a file name), for messages.
	Source string
}

// NewKey wraps signer as a Key, source naming it in messages.
func NewKey(signer signature.Signer, source string) (*Key, error) {
	pub, err := signer.PublicKey()
	if err != nil {
		return nil, fmt.Errorf("key %s: public key: %w", source, err)
	}
	tk, err := metadata.KeyFromPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", source, err)
	}
	id, err := tk.ID()
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", source, err)
	}
	return &Key{Signer: signer, Public: tk, ID: id, Source: source}, nil
}

// PublicKey is a public key read from a file: a key a role lists without
// the stage holding its private half (someone else signs with it).
type PublicKey struct {
	Public *metadata.Key
	ID     string
	Source string
}

// PassphraseFunc returns the passphrase of the encrypted key file it is
// asked about.
type PassphraseFunc func(file string) ([]byte, error)

// ErrPassphraseNeeded is returned, wrapped, for an encrypted key file when
// no [PassphraseFunc] was given.
var ErrPassphraseNeeded = errors.New("encrypted key: no passphrase")

// Private key PEM block types.
const (
	pemPrivate   = "PRIVATE KEY" // PKCS#8
	pemPublic    = "PUBLIC KEY"  // PKIX
	pemEncrypted = string(cryptoutils.EncryptedSigstorePrivateKeyPEMType)
)

// CheckKeyFile refuses a private key file that group or others may read or
// write: it names the chmod that fixes it.
func CheckKeyFile(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("key %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("key %s: not a regular file", path)
	}
	// Windows keeps no Unix permission bits (every file reads as 0666):
	// access there is the ACL's business.
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return &PermissionError{File: path, Mode: fi.Mode().Perm()}
	}
	return nil
}

// PermissionError is a private key file that others than its owner may
// read or write.
type PermissionError struct {
	File string
	Mode fs.FileMode
}

func (e *PermissionError) Error() string {
	return fmt.Sprintf("key %s: mode %04o lets group or others read it; run: chmod 600 %s", e.File, e.Mode, e.File)
}

// LoadKeyFile reads a private key file (PKCS#8 PEM, or an encrypted
// sigstore PEM whose passphrase pass returns) and returns it as a [Key].
// A file that group or others may read is refused ([PermissionError]).
func LoadKeyFile(path string, pass PassphraseFunc) (*Key, error) {
	if err := CheckKeyFile(path); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", path, err)
	}
	return parsePrivate(path, data, pass)
}

// parsePrivate parses one private key PEM named path.
func parsePrivate(path string, data []byte, pass PassphraseFunc) (*Key, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("key %s: not a PEM file", path)
	}
	var pf cryptoutils.PassFunc
	if block.Type == pemEncrypted {
		if pass == nil {
			return nil, fmt.Errorf("key %s: %w", path, ErrPassphraseNeeded)
		}
		pf = func(bool) ([]byte, error) { return pass(path) }
	}
	priv, err := cryptoutils.UnmarshalPEMToPrivateKey(data, pf)
	if err != nil {
		if block.Type == pemEncrypted {
			return nil, fmt.Errorf("key %s: wrong passphrase or damaged file: %w", path, err)
		}
		return nil, fmt.Errorf("key %s: %w", path, err)
	}
	signer, err := loadSigner(priv)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", path, err)
	}
	return NewKey(signer, path)
}

// loadSigner makes the sigstore signer of an ed25519 or ECDSA P-256 key,
// the key types TUF metadata lists (as go-tuf's KeyFromPublicKey does).
func loadSigner(priv crypto.PrivateKey) (signature.Signer, error) {
	switch k := priv.(type) {
	case ed25519.PrivateKey:
		return signature.LoadED25519Signer(k)
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("ECDSA key on %s: only P-256 is supported", k.Curve.Params().Name)
		}
		return signature.LoadECDSASigner(k, crypto.SHA256)
	default:
		return nil, fmt.Errorf("unsupported key type %T: want ed25519 or ECDSA P-256", priv)
	}
}

// ReadKeyFile reads a key file given for a role: a private key (then priv
// is set, see [LoadKeyFile]) or a PKIX public key PEM (then only pub).
func ReadKeyFile(path string, pass PassphraseFunc) (priv *Key, pub *PublicKey, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("key %s: %w", path, err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, nil, fmt.Errorf("key %s: not a PEM file", path)
	}
	if block.Type == pemPublic {
		k, err := cryptoutils.UnmarshalPEMToPublicKey(data)
		if err != nil {
			return nil, nil, fmt.Errorf("key %s: %w", path, err)
		}
		tk, err := metadata.KeyFromPublicKey(k)
		if err != nil {
			return nil, nil, fmt.Errorf("key %s: %w", path, err)
		}
		id, err := tk.ID()
		if err != nil {
			return nil, nil, fmt.Errorf("key %s: %w", path, err)
		}
		return nil, &PublicKey{Public: tk, ID: id, Source: path}, nil
	}
	if err := CheckKeyFile(path); err != nil {
		return nil, nil, err
	}
	k, err := parsePrivate(path, data, pass)
	if err != nil {
		return nil, nil, err
	}
	return k, &PublicKey{Public: k.Public, ID: k.ID, Source: path}, nil
}

// GenerateKey makes a new private key of type t and writes it into dir as
// "<prefix>-<first 16 hex digits of its key ID>.pem" (PKCS#8 PEM, mode
// 0600; encrypted with passphrase unless it is nil), and its public key
// beside it as the same name ending in ".pub".
func GenerateKey(dir, prefix string, t KeyType, passphrase []byte) (*Key, error) {
	var priv crypto.Signer
	switch t {
	case ED25519, "":
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		priv = k
	case ECDSA:
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		priv = k
	default:
		return nil, fmt.Errorf("key type %q: want ed25519 or ecdsa", t)
	}
	signer, err := loadSigner(priv)
	if err != nil {
		return nil, err
	}
	key, err := NewKey(signer, "")
	if err != nil {
		return nil, err
	}
	var data []byte
	if passphrase == nil {
		der, err := cryptoutils.MarshalPrivateKeyToDER(priv)
		if err != nil {
			return nil, err
		}
		data = pem.EncodeToMemory(&pem.Block{Type: pemPrivate, Bytes: der})
	} else {
		der, err := cryptoutils.MarshalPrivateKeyToEncryptedDER(priv, cryptoutils.StaticPasswordFunc(passphrase))
		if err != nil {
			return nil, err
		}
		data = pem.EncodeToMemory(&pem.Block{Type: pemEncrypted, Bytes: der})
	}
	base := filepath.Join(dir, prefix+"-"+key.ID[:16])
	key.Source = base + ".pem"
	if _, err := os.Lstat(key.Source); err == nil {
		return nil, fmt.Errorf("key %s: already exists", key.Source)
	}
	if err := atomicfile.WriteFile(key.Source, data, 0o600); err != nil {
		return nil, fmt.Errorf("key %s: %w", key.Source, err)
	}
	pubPEM, err := cryptoutils.MarshalPublicKeyToPEM(priv.Public())
	if err != nil {
		return nil, err
	}
	if err := atomicfile.WriteFile(base+".pub", pubPEM, 0o644); err != nil {
		return nil, fmt.Errorf("public key of %s: %w", key.Source, err)
	}
	return key, nil
}

// LoadKeysDir loads every private key file (*.pem) of dir; a missing dir
// holds none. Each file is checked as [LoadKeyFile] checks it.
func LoadKeysDir(dir string, pass PassphraseFunc) ([]*Key, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("keys folder %s: %w", dir, err)
	}
	var keys []*Key
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".pem") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		k, err := LoadKeyFile(filepath.Join(dir, e.Name()), pass)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}
