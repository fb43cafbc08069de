package mapfile

import (
	"errors"
	"fmt"
	"strings"
)

// Error is one defect of a map file.
type Error struct {
	// File is the name the file was parsed under.
	File string
	// Line and Col locate the defect, 1-based, columns counted in bytes;
	// both are 0 when the defect has no place in the file (a file too
	// large).
	Line, Col int
	// Path is the JSON path of the value at fault, such as
	// "mapping[1].threshold"; empty for a syntax error or a defect of the
	// top-level object.
	Path string
	// Msg says what is wrong.
	Msg string

	off int // byte offset of the defect, for ordering
}

// Error formats the defect as "FILE:LINE:COL: PATH: MSG", leaving out the
// parts that are unknown.
func (e *Error) Error() string {
	var b strings.Builder
	switch {
	case e.Line > 0 && e.File != "":
		fmt.Fprintf(&b, "%s:%d:%d: ", e.File, e.Line, e.Col)
	case e.Line > 0:
		fmt.Fprintf(&b, "%d:%d: ", e.Line, e.Col)
	case e.File != "":
		b.WriteString(e.File + ": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors holds every defect found in one map file, in file order. It is the
// error [Parse], [ParseReader] and [Load] return for a file they refuse.
type Errors struct {
	// List holds the defects, never empty.
	List []*Error
}

// Error prints one defect a line.
func (e *Errors) Error() string {
	lines := make([]string, len(e.List))
	for i, err := range e.List {
		lines[i] = err.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap returns the defects, so that [errors.As] finds an [*Error].
func (e *Errors) Unwrap() []error {
	out := make([]error, len(e.List))
	for i, err := range e.List {
		out[i] = err
	}
	return out
}

// ErrInvalidTarget is the category of every [*TargetError]:
// errors.Is(err, ErrInvalidTarget) tells a refused target name.
var ErrInvalidTarget = errors.New("invalid target")

// TargetError is the error [ValidateTarget] and [ImageTarget] return for a
// refused target name.
type TargetError struct {
	// Target is the refused name, as given.
	Target string
	// Msg says what is wrong with it.
	Msg string
}

// Error formats the error as `invalid target "NAME": MSG`.
func (e *TargetError) Error() string {
	return fmt.Sprintf("invalid target %q: %s", e.Target, e.Msg)
}

// Unwrap returns [ErrInvalidTarget].
func (e *TargetError) Unwrap() error { return ErrInvalidTarget }
