package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
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
		{"a newline inside a message cannot start a line",
			failedf("role %s is expired", "x\nlibrary/ubuntu:24.04  verified"),
			"accord: role x\\nlibrary/ubuntu:24.04  verified is expired\n", exitFailed},
		{"terminal escapes and format characters print escaped",
			fmt.Errorf("got - %s", "t\x1b[2J\u202e\u200b\ufeff\x7f\u0085\xff"),
			"accord: got - t\\x1b[2J\\u202e\\u200b\\ufeff\\x7f\\u0085\\xff\n", exitFailed},
		{"names already quoted print once escaped",
			usageErrorf("invalid target %q: contains a backslash", `a\b`+"\x1b"),
			"accord: invalid target \"a\\\\b\\x1b\": contains a backslash\n", exitUsage},
		{"joined errors escape each line",
			usageError(errors.Join(errors.New("first\x1b"), fmt.Errorf("second: %w", errors.New("a\nb")))),
			"accord: first\\x1b\naccord: second: a\\nb\n", exitUsage},
		{"two wrapped causes stay one line",
			fmt.Errorf("%w: %w", errors.New("spool"), errors.New("disk full")),
			"accord: spool: disk full\n", exitFailed},
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

// TestWriteJSONPrintable checks that a JSON document holds no raw format
// or C1 control character and still decodes to the exact names.
func TestWriteJSONPrintable(t *testing.T) {
	names := []string{"library/\u202egpj.exe", "ubu\u200bntu\ufeff", "x\x1b[2J\x7f\u0085\n\u2028"}
	var buf bytes.Buffer
	if err := writeJSON(&buf, names); err != nil {
		t.Fatal(err)
	}
	for _, r := range buf.String() {
		if r != '\n' && !strconv.IsPrint(r) {
			t.Fatalf("document holds %U: %s", r, buf.String())
		}
	}
	var back []string
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil || !slices.Equal(back, names) {
		t.Fatalf("document %s decodes to %q (%v), want %q", buf.String(), back, err, names)
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
