package resolver

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

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
	return JudgeImage(im, res), nil
}

// JudgeImage decides, from the result of resolving im.Target, whether the
// image may be pulled, as [Resolver.ResolveImage] does: only a verified
// result with a sha256 in its consensus, equal to the reference's own
// digest when it has one. A result that is not verified is refused with
// the error [Resolver.Resolve] returns for it.
func JudgeImage(im mapfile.Image, res *Result) *ImageResult {
	out := &ImageResult{Image: im, Result: res}
	if err := newError(res); err != nil {
		out.Err = err
		return out
	}
	sum := res.Hashes["sha256"]
	if len(sum) != 32 {
		out.Err = fmt.Errorf("image %q (target %q): %w", im.Name, im.Target, ErrNoImageDigest)
		return out
	}
	out.Digest = "sha256:" + hex.EncodeToString(sum)
	if im.Digest != "" && im.Digest != out.Digest {
		out.Err = &DigestMismatchError{Image: im.Name, Target: im.Target, Consensus: out.Digest, Got: im.Digest, Source: "the reference's"}
	}
	return out
}

// ErrNoTagForDigest: a reference that names a digest but no tag, and no
// verified tag of its image has that digest.
var ErrNoTagForDigest = errors.New("no verified tag of the image has this digest")

// ResolveImageDigest is [Resolver.ResolveImage] for any reference from
// mapfile.ImageRefOrDigest. A reference with a tag is resolved by it. One
// with a digest and no tag (as containerd's CRI plugin passes an image
// pinned by digest) is allowed when a tag of its image, a target
// Repository:TAG, is verified with that digest as its consensus sha256:
// the targets of every declared repository are listed ([Resolver.List],
// so each is refreshed) and each Repository:* target resolved with groups;
// the first such target, in sorted order, is the result's. When none is,
// [ImageResult.Err] wraps [ErrNoTagForDigest], and Result is nil.
func (r *Resolver) ResolveImageDigest(ctx context.Context, im mapfile.Image, groups []string) (*ImageResult, error) {
	if im.Target != "" {
		return r.ResolveImage(ctx, im, groups)
	}
	l, err := r.List(ctx, escapeGlob(im.Repository)+":*", groups)
	if l == nil {
		return nil, err
	}
	for _, row := range l.Rows {
		res := row.Result
		if res == nil || res.Status != StatusVerified || len(res.Hashes["sha256"]) != 32 {
			continue
		}
		if d := "sha256:" + hex.EncodeToString(res.Hashes["sha256"]); d == im.Digest {
			found := im
			found.Target = row.Target
			return &ImageResult{Image: found, Result: res, Digest: d}, nil
		}
	}
	e := fmt.Errorf("image %q: %w %s (among %d targets %s:*)", im.Name, ErrNoTagForDigest, im.Digest, len(l.Rows), im.Repository)
	if err != nil {
		e = fmt.Errorf("%w; %w", e, err)
	}
	return &ImageResult{Image: im, Err: e}, nil
}

// escapeGlob escapes the characters that are special in a map-file
// pattern, so that the pattern matches s literally.
func escapeGlob(s string) string {
	var b strings.Builder
	for _, c := range s {
		if strings.ContainsRune(`*?[]{},!\`, c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}
