package resolver

import (
	"bytes"
	"crypto/sha512"
	"encoding/json"
	"errors"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// agree reports whether two target infos agree: equal lengths, at least one
// hash algorithm in common, and the same digest for every shared algorithm.
// custom is not compared.
func agree(a, b *metadata.TargetFiles) bool {
	if a.Length != b.Length {
		return false
	}
	shared := 0
	for alg, da := range a.Hashes {
		db, ok := b.Hashes[alg]
		if !ok {
			continue
		}
		if !bytes.Equal(da, db) {
			return false
		}
		shared++
	}
	return shared > 0
}

// contradict reports whether two target infos contradict: their lengths
// differ, or a shared hash algorithm has different digests. Infos with no
// algorithm in common and equal lengths neither agree nor contradict.
func contradict(a, b *metadata.TargetFiles) bool {
	if a.Length != b.Length {
		return true
	}
	for alg, da := range a.Hashes {
		if db, ok := b.Hashes[alg]; ok && !bytes.Equal(da, db) {
			return true
		}
	}
	return false
}

// checkInfo refuses target info that cannot take part in a consensus: a
// negative length, no hashes, or an empty digest.
func checkInfo(info *metadata.TargetFiles) error {
	switch {
	case info == nil:
		return errors.New("no target info")
	case info.Length < 0:
		return errors.New("target info has a negative length")
	case len(info.Hashes) == 0:
		return errors.New("target info has no hashes")
	}
	for alg, d := range info.Hashes {
		if len(d) == 0 {
			return errors.New("target info has an empty " + alg + " digest")
		}
	}
	return nil
}

// cloneInfo copies the parts of info a result keeps, so that a repository
// that reuses its values cannot change a result afterwards.
func cloneInfo(info *metadata.TargetFiles) *metadata.TargetFiles {
	c := &metadata.TargetFiles{
		Length: info.Length,
		Hashes: cloneHashes(info.Hashes),
		Path:   info.Path,
	}
	if info.Custom != nil {
		custom := append(json.RawMessage(nil), *info.Custom...)
		c.Custom = &custom
	}
	return c
}

// cloneHashes copies h, its digests in one allocation (each capped, so
// that an append to one cannot overwrite the next).
func cloneHashes(h metadata.Hashes) metadata.Hashes {
	c := make(metadata.Hashes, len(h))
	buf := make([]byte, 0, sha512.Size*len(h))
	for alg, d := range h {
		if len(d) == 0 {
			c[alg] = nil
			continue
		}
		start := len(buf)
		buf = append(buf, d...)
		c[alg] = metadata.HexBytes(buf[start:len(buf):len(buf)])
	}
	return c
}
