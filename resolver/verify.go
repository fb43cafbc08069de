package resolver

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"slices"
	"strconv"
)

// hashFuncs are the hash algorithms accord can check. A consensus naming
// another algorithm cannot be checked, so bytes are never accepted for it.
var hashFuncs = map[string]func() hash.Hash{
	"sha224":     sha256.New224,
	"sha256":     sha256.New,
	"sha384":     sha512.New384,
	"sha512":     sha512.New,
	"sha512_256": sha512.New512_256,
}

// Verify checks the bytes read from r against a verified result: the
// consensus length and every consensus hash. It stops reading as soon as
// more bytes than the length have arrived. A difference is a [*MismatchError] (errors.Is(err,
// ErrMismatch)); a result that is not verified is [ErrNotVerified]; a read
// failure is wrapped as is.
func Verify(res *Result, r io.Reader) error {
	c, err := newChecker(res)
	if err != nil {
		return err
	}
	if _, err := io.Copy(c, r); err != nil {
		if errors.Is(err, ErrMismatch) {
			return err
		}
		return fmt.Errorf("target %q: read: %w", res.Target, err)
	}
	return c.check()
}

// checker hashes bytes as they are written and refuses more than the
// consensus length.
type checker struct {
	target string
	length int64
	want   map[string][]byte
	algs   []string // sorted
	hashes []hash.Hash
	n      int64
}

// newChecker returns a checker for a verified result, or an error when the
// result is not verified or names a hash algorithm that cannot be checked.
func newChecker(res *Result) (*checker, error) {
	if res == nil {
		return nil, ErrNotVerified
	}
	if res.Status != StatusVerified {
		return nil, fmt.Errorf("target %q: %w (%s)", res.Target, ErrNotVerified, res.Status)
	}
	if len(res.Hashes) == 0 {
		return nil, fmt.Errorf("target %q: %w (no hashes)", res.Target, ErrNotVerified)
	}
	c := &checker{target: res.Target, length: res.Length, want: make(map[string][]byte)}
	for alg, d := range res.Hashes {
		if hashFuncs[alg] == nil {
			return nil, fmt.Errorf("target %q: cannot check hash algorithm %q", res.Target, alg)
		}
		c.algs = append(c.algs, alg)
		c.want[alg] = d
	}
	slices.Sort(c.algs)
	for _, alg := range c.algs {
		c.hashes = append(c.hashes, hashFuncs[alg]())
	}
	return c, nil
}

// Write hashes p, or fails with a length mismatch when p would take the
// total past the consensus length.
func (c *checker) Write(p []byte) (int, error) {
	if int64(len(p)) > c.length-c.n {
		return 0, &MismatchError{
			Target: c.target,
			Want:   strconv.FormatInt(c.length, 10),
			Got:    "more than " + strconv.FormatInt(c.length, 10),
		}
	}
	for _, h := range c.hashes {
		h.Write(p)
	}
	c.n += int64(len(p))
	return len(p), nil
}

// check compares what was written with the consensus: the length, then each
// algorithm in name order.
func (c *checker) check() error {
	if c.n != c.length {
		return &MismatchError{Target: c.target, Want: strconv.FormatInt(c.length, 10), Got: strconv.FormatInt(c.n, 10)}
	}
	for i, alg := range c.algs {
		got := c.hashes[i].Sum(nil)
		if !bytes.Equal(got, c.want[alg]) {
			return &MismatchError{Target: c.target, Algorithm: alg, Want: hex.EncodeToString(c.want[alg]), Got: hex.EncodeToString(got)}
		}
	}
	return nil
}
