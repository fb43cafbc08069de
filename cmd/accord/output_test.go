package main

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
)

func TestExitCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, exitOK},
		{"plain error fails", errors.New("boom"), exitFailed},
		{"usage", usageErrorf("bad flag"), exitUsage},
		{"failed", failedf("no consensus"), exitFailed},
		{"wrapped usage", fmt.Errorf("context: %w", usageErrorf("bad")), exitUsage},
		{"status only", exitStatus(exitUsage), exitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exitCode(tt.err); got != tt.want {
				t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestReport(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
		code int
	}{
		{"nil says nothing", nil, "", exitOK},
		{"one line", usageErrorf("unknown command %q", "x"), "accord: unknown command \"x\"\n", exitUsage},
		{"every line prefixed", usageError(errors.Join(errors.New("first"), errors.New("second"))), "accord: first\naccord: second\n", exitUsage},
		{"status only says nothing", exitStatus(exitFailed), "", exitFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			d := &diagnostics{w: &buf}
			if code := d.report(tt.err); code != tt.code {
				t.Errorf("report = %d, want %d", code, tt.code)
			}
			if buf.String() != tt.want {
				t.Errorf("report wrote %q, want %q", buf.String(), tt.want)
			}
		})
	}
}

func TestDiagnostics(t *testing.T) {
	var buf bytes.Buffer
	d := &diagnostics{w: &buf}
	d.warnf("root of %q expires soon", "ci")
	d.verbosef("not shown")
	d.verbose = true
	d.verbosef("map file %s", "m.json")
	want := "accord: warning: root of \"ci\" expires soon\naccord: map file m.json\n"
	if buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
}

func TestOneJSONDocument(t *testing.T) {
	for doc, ok := range map[string]bool{
		"{}\n":          true,
		"[1, 2]":        true,
		"{} {}":         false,
		"":              false,
		"{":             false,
		"{}\naccord: x": false,
	} {
		if err := oneJSONDocument([]byte(doc)); (err == nil) != ok {
			t.Errorf("oneJSONDocument(%q) = %v, want ok=%v", doc, err, ok)
		}
	}
}
