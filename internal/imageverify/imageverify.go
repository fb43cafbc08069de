// Package imageverify decides containerd's image pulls: it implements the
// judgement of containerd 2.x's "bindir" image verifier, which runs every
// executable in its bin_dir as
//
//	NAME -name REF -digest DIGEST -stdin-media-type MEDIATYPE
//
// with the OCI content descriptor of the image about to be pulled as JSON
// on stdin (media type [DescriptorMediaType]); exit status 0 allows the
// pull, any other blocks it, and stdout is the reason.
//
// A pull is allowed only when the reference's target (see
// mapfile.ImageRef) is verified, its consensus sha256 is DIGEST, and the
// descriptor on stdin names DIGEST and the consensus length. Everything
// else blocks, with a reason: a media type other than
// [DescriptorMediaType] (containerd may change the payload; an unknown one
// is not guessed at), a descriptor that is not one JSON object of at most
// [MaxDescriptorSize] bytes, a reference that names no target, a result
// that is not verified, a digest or size that differs from the consensus
// (naming both), and a deadline reached ([Within]).
//
// The package is safe for concurrent use: it has no state.
package imageverify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/accord-tuf/accord/mapfile"
	"github.com/accord-tuf/accord/resolver"
)

// DescriptorMediaType is the media type of the payload containerd writes
// on the verifier's stdin: an OCI content descriptor.
const DescriptorMediaType = "application/vnd.oci.descriptor.v1+json"

// MaxDescriptorSize bounds the descriptor read from stdin, in bytes.
const MaxDescriptorSize = 1 << 20

// ErrBlocked is the category of every reason to block a pull that is not
// the resolver's: errors.Is(err, ErrBlocked).
var ErrBlocked = errors.New("blocked")

// Descriptor is the part of an OCI content descriptor the verifier reads
// (other fields, such as annotations, platform or urls, are allowed and
// ignored).
type Descriptor struct {
	MediaType string `json:"mediaType"`
	Digest    string `json:"digest"`
	Size      int64  `json:"size"`
}

// Request is one call of the verifier: its three arguments and the
// descriptor read from stdin.
type Request struct {
	Name       string // -name: the reference being pulled
	Digest     string // -digest: the digest containerd resolved, "sha256:<hex>"
	MediaType  string // -stdin-media-type
	Descriptor Descriptor
}

// Judgement is the verifier's answer: Allow, and the reason printed on
// stdout either way.
type Judgement struct {
	Allow  bool
	Reason string
}

// Block returns a judgement that blocks the pull, for err.
func Block(err error) Judgement {
	return Judgement{Reason: "blocked: " + err.Error()}
}

// blocked returns an error of category [ErrBlocked].
func blocked(format string, args ...any) error {
	return &blockError{msg: fmt.Sprintf(format, args...)}
}

// blockError is a reason to block of category [ErrBlocked].
type blockError struct{ msg string }

func (e *blockError) Error() string        { return e.msg }
func (e *blockError) Is(target error) bool { return target == ErrBlocked }

// sha256Digest is a digest the verifier accepts.
var sha256Digest = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// ReadRequest checks the arguments and reads the descriptor from stdin,
// at most [MaxDescriptorSize] bytes. Every error is of category
// [ErrBlocked]. It reads stdin to its end: the caller bounds the time it
// may take ([Within]).
func ReadRequest(name, digest, mediaType string, stdin io.Reader) (Request, error) {
	req := Request{Name: name, Digest: digest, MediaType: mediaType}
	switch {
	case name == "":
		return req, blocked("no -name: the image reference is required")
	case digest == "":
		return req, blocked("no -digest: the resolved digest is required")
	case !sha256Digest.MatchString(digest):
		return req, blocked("-digest %q is not sha256: and 64 lowercase hex digits", digest)
	case mediaType != DescriptorMediaType:
		return req, blocked("-stdin-media-type %q: only %s is understood", mediaType, DescriptorMediaType)
	}
	data, err := io.ReadAll(io.LimitReader(stdin, MaxDescriptorSize+1))
	if err != nil {
		return req, blocked("reading the descriptor on stdin: %v", err)
	}
	if len(data) > MaxDescriptorSize {
		return req, blocked("the descriptor on stdin is larger than %d bytes", MaxDescriptorSize)
	}
	d, err := parseDescriptor(data)
	if err != nil {
		return req, blocked("the descriptor on stdin: %v", err)
	}
	if d.Digest != digest {
		return req, blocked("the descriptor on stdin has digest %s, -digest is %s", quoteIfOdd(d.Digest), digest)
	}
	req.Descriptor = d
	return req, nil
}

// parseDescriptor parses one JSON object with a media type, a digest and a
// size, and nothing after it.
func parseDescriptor(data []byte) (Descriptor, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var raw map[string]json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return Descriptor{}, fmt.Errorf("not a JSON object: %v", err)
	}
	if raw == nil {
		return Descriptor{}, errors.New("not a JSON object: null")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Descriptor{}, errors.New("data after the JSON object")
	}
	var d Descriptor
	for _, f := range []struct {
		name string
		into any
	}{{"mediaType", &d.MediaType}, {"digest", &d.Digest}, {"size", &d.Size}} {
		v, ok := raw[f.name]
		if !ok {
			return Descriptor{}, fmt.Errorf("no %q", f.name)
		}
		if err := json.Unmarshal(v, f.into); err != nil {
			return Descriptor{}, fmt.Errorf("%q: %v", f.name, err)
		}
	}
	switch {
	case d.MediaType == "":
		return Descriptor{}, errors.New(`empty "mediaType"`)
	case d.Size < 0:
		return Descriptor{}, fmt.Errorf(`negative "size" %d`, d.Size)
	}
	return d, nil
}

// quoteIfOdd quotes s unless it is a well-formed sha256 digest, so that a
// hostile value prints on one line.
func quoteIfOdd(s string) string {
	if sha256Digest.MatchString(s) {
		return s
	}
	return fmt.Sprintf("%q", s)
}

// Decide resolves the image of req (im is mapfile.ImageRef of req.Name)
// with r and groups, and judges the pull.
func Decide(ctx context.Context, r *resolver.Resolver, req Request, im mapfile.Image, groups []string) Judgement {
	ir, err := r.ResolveImage(ctx, im, groups)
	if err != nil {
		return Block(err)
	}
	if err := ir.Check(req.Digest); err != nil {
		return Block(err)
	}
	if req.Descriptor.Size != ir.Result.Length {
		return Block(blocked("image %q (target %q): the descriptor's size %d is not the consensus length %d", im.Name, im.Target, req.Descriptor.Size, ir.Result.Length))
	}
	return Judgement{Allow: true, Reason: fmt.Sprintf("allowed: %s is target %s, verified by %s, digest %s",
		req.Name, im.Target, strings.Join(ir.Result.Agreed, ", "), ir.Digest)}
}

// Within runs judge with a context that ends after timeout and returns
// its judgement, or, once the timeout passes, a judgement that blocks the
// pull at once, without waiting for judge to return: a repository's
// network, a lock held by another process or a stdin that never ends
// never hold the pull past the timeout. The caller should end the process
// soon after, leaving judge behind.
func Within(ctx context.Context, timeout time.Duration, judge func(context.Context) Judgement) Judgement {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	done := make(chan Judgement, 1)
	go func() { done <- judge(ctx) }()
	select {
	case j := <-done:
		return j
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return Block(blocked("no judgement within %v (--timeout): failing closed", timeout))
		}
		return Block(blocked("%v: failing closed", ctx.Err()))
	}
}
