package resolver

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/accord-tuf/accord/mapfile"
)

// ErrNoImageDigest: a verified image target whose consensus has no sha256
// hash, so no manifest digest to pull by.
var ErrNoImageDigest = errors.New("the consensus has no sha256 hash")

// ErrDigestMismatch: an image's digest (in its reference, or the one a
// runtime is about to pull) is not the consensus sha256.
var ErrDigestMismatch = errors.New("image digest does not match the consensus")

// ImageResult is the resolution of an image reference: the target that names
// it, the [Result], and when allowed the consensus digest to pull by.
//
// The consensus sha256 of an image's target is the digest of the image's
// manifest (an image index or manifest, as a registry serves it), as in
// Docker Content Trust: `docker pull IMAGE@sha256:<digest>` pulls exactly
// what the repositories signed.
type ImageResult struct {
	// Image is the reference and its target.
	Image mapfile.Image
	// Result is the resolution of Image.Target; nil only when Resolve
	// returned no result (a usage error).
	Result *Result
	// Digest is "sha256:" and the consensus sha256 in hex when the result
	// is verified and has one; otherwise "".
	Digest string
	// Err is nil when the image is allowed: verified, with a sha256, equal
	// to the reference's own digest if it has one. Otherwise it says why
	// not: the resolver's [*Error], [ErrNoImageDigest] or a
	// [*DigestMismatchError].
	Err error
}

// Ref returns the reference to pull, IMAGE@sha256:<consensus digest> with
// IMAGE as given (without its own digest), or "" when the image is not
// allowed.
func (r *ImageResult) Ref() string {
	if r.Err != nil {
		return ""
	}
	return r.Image.Name + "@" + r.Digest
}

// Check returns nil when the image is allowed and its consensus digest is
// digest (as a runtime reports the manifest it resolved, "sha256:<hex>"),
// else an error saying why: r.Err, or a [*DigestMismatchError] naming both
// digests.
func (r *ImageResult) Check(digest string) error {
	if r.Err != nil {
		return r.Err
	}
	if digest != r.Digest {
		return &DigestMismatchError{Image: r.Image.Name, Target: r.Image.Target, Consensus: r.Digest, Got: digest, Source: "resolved"}
	}
	return nil
}

// DigestMismatchError is an image digest that is not the consensus sha256.
// errors.Is(err, ErrDigestMismatch) holds.
type DigestMismatchError struct {
	Image     string // the reference, without its digest
	Target    string // its target
	Consensus string // "sha256:<hex>"
	Got       string // the other digest, as given
	Source    string // where Got comes from: "the reference's", "resolved"
}

// Error reads `image "ubuntu:24.04" (target "library/ubuntu:24.04"): resolved
// digest sha256:… does not match the consensus sha256:…`.
func (e *DigestMismatchError) Error() string {
	return fmt.Sprintf("image %q (target %q): %s digest %s does not match the consensus %s", e.Image, e.Target, e.Source, e.Got, e.Consensus)
}

// Unwrap returns [ErrDigestMismatch].
func (e *DigestMismatchError) Unwrap() error { return ErrDigestMismatch }

// ResolveImage resolves an image reference's target (see
// [mapfile.ImageRef]) with the group repositories groups, and decides
// whether the image may be pulled: only a verified target with a sha256 in
// its consensus, equal to the reference's own digest when it has one. It
// returns an error only when Resolve returns no result (a usage error: an
// undeclared group); every refusal is in [ImageResult.Err].
func (r *Resolver) ResolveImage(ctx context.Context, im mapfile.Image, groups []string) (*ImageResult, error) {
	res, err := r.Resolve(ctx, im.Target, groups)
	if res == nil {
		return nil, err
	}
	out := &ImageResult{Image: im, Result: res, Err: err}
	if err != nil {
		return out, nil
	}
	sum := res.Hashes["sha256"]
	if len(sum) != 32 {
		out.Err = fmt.Errorf("image %q (target %q): %w", im.Name, im.Target, ErrNoImageDigest)
		return out, nil
	}
	out.Digest = "sha256:" + hex.EncodeToString(sum)
	if im.Digest != "" && im.Digest != out.Digest {
		out.Err = &DigestMismatchError{Image: im.Name, Target: im.Target, Consensus: out.Digest, Got: im.Digest, Source: "the reference's"}
	}
	return out, nil
}
