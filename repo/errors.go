package repo

import (
	"errors"
	"fmt"
)

var (
	// ErrNotFound reports the verified absence of a target: the
	// repository's verified metadata does not list it.
	ErrNotFound = errors.New("not found")

	// ErrNotPinned reports that a repository has no trusted root in the
	// trust directory.
	ErrNotPinned = errors.New("no pinned root")

	// ErrAlreadyPinned reports that [Pin] would replace an existing pin
	// without [PinOptions.Force].
	ErrAlreadyPinned = errors.New("already pinned")

	// ErrOffline reports that an offline Client was asked for something
	// that is not in the trust directory.
	ErrOffline = errors.New("offline")

	// ErrUnreachable reports that no mirror answered a request for a file.
	ErrUnreachable = errors.New("unreachable")
)

// Error is a failure concerning one repository, and usually one of its
// files. It wraps the cause.
type Error struct {
	Repo string // repository name
	File string // file or role concerned, such as "timestamp.json"; may be empty
	Err  error  // the cause
}

// Error returns `repository "NAME": FILE: CAUSE`.
func (e *Error) Error() string {
	if e.File == "" {
		return fmt.Sprintf("repository %q: %v", e.Repo, e.Err)
	}
	return fmt.Sprintf("repository %q: %s: %v", e.Repo, e.File, e.Err)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Cause returns err's message without the `repository "NAME": ` prefix,
// for a line that already names the repository: `FILE: CAUSE` when err is
// exactly an *Error of repository name, else err's whole message.
func Cause(name string, err error) string {
	var re *Error
	if errors.As(err, &re) && re.Repo == name && err.Error() == re.Error() {
		if re.File != "" {
			return re.File + ": " + re.Err.Error()
		}
		return re.Err.Error()
	}
	return err.Error()
}
