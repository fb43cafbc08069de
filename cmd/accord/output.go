package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"text/tabwriter"
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

// line prints msg, one "accord: " prefix on each of its lines, without a
// trailing period.
func (d *diagnostics) line(msg string) {
	if d.stopped.Load() {
		return
	}
	msg = strings.TrimRight(msg, "\n")
	for _, l := range strings.Split(msg, "\n") {
		fmt.Fprintf(d.w, "accord: %s\n", l)
	}
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
	if errors.As(err, &e) && e.err == nil {
		return code
	}
	d.line(err.Error())
	return code
}

// writeJSON writes v as the one JSON document of the command's output.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// newTable returns a writer that aligns tab-separated columns; Flush it.
func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
}
