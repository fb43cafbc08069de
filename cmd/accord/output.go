package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"text/tabwriter"

	"github.com/accord-tuf/accord/internal/termtext"
)

// Exit statuses, as SPEC section 5 promises them.
const (
	exitOK     = 0 // success
	exitFailed = 1 // verification failed
	exitUsage  = 2 // usage or configuration error
)

// exitError is an error that carries the exit status the command ends with.
// A nil err means the command already said everything it had to say, and
// only the status remains.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// usageErrorf reports a usage or configuration error: exit status 2.
func usageErrorf(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// usageError marks err as a usage or configuration error: exit status 2.
func usageError(err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: exitUsage, err: err}
}

// failedf reports a failed verification: exit status 1.
func failedf(format string, args ...any) error {
	return &exitError{code: exitFailed, err: fmt.Errorf(format, args...)}
}

// failed marks err as a failed verification: exit status 1.
func failed(err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: exitFailed, err: err}
}

// exitStatus ends the command with code and no further message, for a
// command that already printed why.
func exitStatus(code int) error {
	return &exitError{code: code}
}

// exitCode is the status err ends the command with. An error that does not
// say otherwise is a failure (1).
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var e *exitError
	if errors.As(err, &e) {
		return e.code
	}
	return exitFailed
}

// diagnostics writes the "accord: " prefixed lines that go to stderr.
type diagnostics struct {
	w       io.Writer
	verbose bool
	stopped atomic.Bool // set when the run is interrupted: nothing more is printed
}

// errorf prints one diagnostic line.
func (d *diagnostics) errorf(format string, args ...any) {
	d.line(fmt.Sprintf(format, args...))
}

// warnf prints a warning line.
func (d *diagnostics) warnf(format string, args ...any) {
	d.line("warning: " + fmt.Sprintf(format, args...))
}

// verbosef prints a line only with --verbose.
func (d *diagnostics) verbosef(format string, args ...any) {
	if d.verbose {
		d.line(fmt.Sprintf(format, args...))
	}
}

// line prints msg as one line prefixed "accord: ". Messages quote names
// and answers that repositories supply, so whatever in msg could change the
// terminal or start another line, a newline included, is escaped
// ([termtext.Line]): one call prints one line, and nothing else can.
func (d *diagnostics) line(msg string) {
	if d.stopped.Load() {
		return
	}
	msg = strings.TrimRight(msg, "\n")
	fmt.Fprintf(d.w, "accord: %s\n", termtext.Line(msg))
}

// logWriter writes what the standard log package prints as diagnostics:
// each message is one or more "accord: " prefixed lines.
type logWriter struct{ d *diagnostics }

func (w logWriter) Write(p []byte) (int, error) {
	w.d.line(string(p))
	return len(p), nil
}

// report prints err, if it has anything to say, and returns the exit status.
func (d *diagnostics) report(err error) int {
	code := exitCode(err)
	if err == nil {
		return code
	}
	var e *exitError
	if errors.As(err, &e) {
		if e.err == nil {
			return code
		}
		err = e.err
	}
	for _, msg := range messages(err) {
		d.line(msg)
	}
	return code
}

// messages returns err's message as the lines report prints: an error that
// is nothing but its parts one a line (errors.Join, a map file's defects)
// gives a line per part; any other error one line, whatever its message
// holds.
func messages(err error) []string {
	many, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []string{err.Error()}
	}
	var parts, lines []string
	for _, e := range many.Unwrap() {
		parts = append(parts, e.Error())
		lines = append(lines, messages(e)...)
	}
	if strings.Join(parts, "\n") != err.Error() {
		return []string{err.Error()}
	}
	return lines
}

// writeJSON writes v as the one JSON document of the command's output. The
// document holds printable characters only: what encoding/json leaves raw
// in a string (DEL, C1 controls, format characters such as U+202E) is
// written as a \u escape, which decodes to the same string
// ([termtext.JSON]).
func writeJSON(w io.Writer, v any) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(termtext.JSON(b.Bytes()))
	return err
}

// newTable returns a writer that aligns tab-separated columns; Flush it.
func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
}
