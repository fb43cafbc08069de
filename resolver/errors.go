package resolver

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/go-multierror"
)

// Sentinel errors, one per category. Test with errors.Is.
var (
	// ErrNotFound: the result is not_found.
	ErrNotFound = errors.New("not found")
	// ErrNoConsensus: the result is no_consensus.
	ErrNoConsensus = errors.New("no consensus")
	// ErrConflict: the result is conflict.
	ErrConflict = errors.New("conflict")
	// ErrUnknownGroup: a group names no declared repository (a usage
	// error, reported before any repository is touched).
	ErrUnknownGroup = errors.New("unknown group")
	// ErrNotVerified: Download or Verify was given a result that is not
	// verified.
	ErrNotVerified = errors.New("target not verified")
	// ErrMismatch: bytes do not match the consensus length or hashes.
	ErrMismatch = errors.New("does not match the consensus")
)

// Error is the error [Resolver.Resolve] returns with every result but
// verified. It carries the [Result]; errors.Is(err, ErrNotFound),
// ErrNoConsensus or ErrConflict tells the status, and errors.Is / errors.As
// also reach the cause of every repository that failed (for example
// repo.ErrNotPinned).
type Error struct {
	Result *Result
	// Causes aggregates the failed repositories' errors, each prefixed with
	// the repository's name; nil when no repository failed.
	Causes *multierror.Error
}

// newError returns the error for a result that is not verified, or nil.
func newError(r *Result) error {
	if r.Status == StatusVerified {
		return nil
	}
	e := &Error{Result: r}
	for _, a := range r.Answers {
		if a.Kind == Failed {
			e.Causes = multierror.Append(e.Causes, named(a.Name, a.Err))
		}
	}
	if e.Causes != nil {
		e.Causes.ErrorFormat = joinErrors
	}
	return e
}

// Error reads `target "T": no consensus: <reason>; repository "qa": <cause>`.
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "target %q: %s", e.Result.Target, e.sentinel())
	if e.Result.Reason != "" {
		b.WriteString(": " + e.Result.Reason)
	}
	if e.Causes != nil {
		b.WriteString("; " + e.Causes.Error())
	}
	return b.String()
}

// Unwrap returns the status's sentinel error and the aggregated causes.
func (e *Error) Unwrap() []error {
	errs := []error{e.sentinel()}
	if e.Causes != nil {
		errs = append(errs, e.Causes)
	}
	return errs
}

func (e *Error) sentinel() error {
	switch e.Result.Status {
	case StatusNotFound:
		return ErrNotFound
	case StatusConflict:
		return ErrConflict
	default:
		return ErrNoConsensus
	}
}

func joinErrors(errs []error) string {
	s := make([]string, len(errs))
	for i, err := range errs {
		s[i] = err.Error()
	}
	return strings.Join(s, "; ")
}

// MismatchError says how bytes differ from a verified result: their length,
// or the digest of one hash algorithm. errors.Is(err, ErrMismatch) holds.
type MismatchError struct {
	Target    string
	Algorithm string // "" for the length
	Want, Got string // lengths in decimal, digests in hex
}

// Error reads `target "T": sha256 a1b2… does not match the consensus c3d4…`.
func (e *MismatchError) Error() string {
	what := "length"
	if e.Algorithm != "" {
		what = e.Algorithm
	}
	return fmt.Sprintf("target %q: %s %s %s %s", e.Target, what, e.Got, ErrMismatch, e.Want)
}

// Unwrap returns ErrMismatch.
func (e *MismatchError) Unwrap() error { return ErrMismatch }
