package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/url"
	"os"
	"path/filepath"

	"github.com/accord-tuf/accord/internal/atomicfile"
	"github.com/accord-tuf/accord/repo"
	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// targetFileName returns the name a target is stored under in the target
// directory: its path, path-escaped into one file name.
func targetFileName(target string) (string, error) {
	name := url.PathEscape(target)
	if name == "" || name == "." || name == ".." {
		return "", fmt.Errorf("target %q: cannot be stored as a file", target)
	}
	return name, nil
}

// fetchTarget resolves target in the verified metadata and stores its
// verified bytes in dir, unless a file of the same name there already
// matches. It returns the file's path and whether it was already there.
func fetchTarget(ctx context.Context, c *repo.Client, target, dir string) (string, bool, error) {
	name, err := targetFileName(target)
	if err != nil {
		return "", false, err
	}
	info, err := c.TargetInfo(ctx, target)
	if errors.Is(err, repo.ErrNotFound) {
		return "", false, fmt.Errorf("target %q: not in the repository's verified metadata", target)
	}
	if err != nil {
		return "", false, err
	}
	dest := filepath.Join(dir, name)
	if matches(dest, info) {
		return dest, true, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", false, fmt.Errorf("target directory: %w", err)
	}
	if err := writeVerified(ctx, c, info, dest); err != nil {
		return "", false, err
	}
	return dest, false, nil
}

// writeVerified downloads the target that info describes into dest,
// through a temporary file in the same directory that is renamed over dest
// only once the bytes are verified and synced. On failure nothing is left
// behind and dest keeps what it held.
func writeVerified(ctx context.Context, c *repo.Client, info *metadata.TargetFiles, dest string) error {
	var downloadErr error
	err := atomicfile.Write(dest, 0o644, func(w io.Writer) error {
		downloadErr = c.Download(ctx, info, w)
		return downloadErr
	})
	if err != nil && err != downloadErr {
		err = fmt.Errorf("target %q: %w", info.Path, err)
	}
	return err
}

// matches reports whether path is a regular file (not a link) with the
// length and every hash that info lists. Unknown hash algorithms never
// match: the file is fetched, and the download reports them.
func matches(path string, info *metadata.TargetFiles) bool {
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != info.Length || len(info.Hashes) == 0 {
		return false
	}
	hashes := map[string]hash.Hash{}
	writers := make([]io.Writer, 0, len(info.Hashes))
	for alg := range info.Hashes {
		h := newHash(alg)
		if h == nil {
			return false
		}
		hashes[alg] = h
		writers = append(writers, h)
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	n, err := io.Copy(io.MultiWriter(writers...), io.LimitReader(f, info.Length+1))
	if err != nil || n != info.Length {
		return false
	}
	for alg, h := range hashes {
		if !bytes.Equal(h.Sum(nil), info.Hashes[alg]) {
			return false
		}
	}
	return true
}

// newHash returns a hash for a TUF hash algorithm name, nil if unknown.
func newHash(alg string) hash.Hash {
	switch alg {
	case "sha256":
		return sha256.New()
	case "sha512":
		return sha512.New()
	}
	return nil
}
