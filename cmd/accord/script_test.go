package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run the real command as "accord".
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"accord": main,
	})
}

// TestScript runs every testdata/script/*.txtar: each script holds its own
// inputs and asserts the command's stdout, stderr and exit status.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "script"),
		Setup: func(env *testscript.Env) error {
			env.Setenv("ACCORD_HOME", filepath.Join(env.WorkDir, "trust"))
			env.Setenv("HOME", filepath.Join(env.WorkDir, "home"))
			env.Setenv("XDG_DATA_HOME", "")
			env.Setenv("ACCORD_GROUPS", "")
			return nil
		},
		Cmds: scriptCommands(),
	})
}

// scriptCommands are the custom commands the scripts use.
func scriptCommands() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"jsonvalid": cmdJSONValid,
		"bigfile":   cmdBigFile,
	}
}

// cmdJSONValid checks that a file (default: the last command's stdout)
// holds exactly one JSON document.
//
//	jsonvalid [FILE]
func cmdJSONValid(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) > 1 {
		ts.Fatalf("usage: jsonvalid [FILE]")
	}
	file := "stdout"
	if len(args) == 1 {
		file = args[0]
	}
	err := oneJSONDocument([]byte(ts.ReadFile(file)))
	switch {
	case err != nil && !neg:
		ts.Fatalf("%s: %v", file, err)
	case err == nil && neg:
		ts.Fatalf("%s: unexpectedly one JSON document", file)
	}
}

// oneJSONDocument reports whether data is one JSON document and nothing else.
func oneJSONDocument(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("not JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("more than one JSON document")
	}
	return nil
}

// cmdBigFile writes a JSON object of exactly SIZE bytes, padded with
// spaces.
//
//	bigfile FILE SIZE
func cmdBigFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: bigfile FILE SIZE")
	}
	size, err := strconv.Atoi(args[1])
	if err != nil || size < 2 {
		ts.Fatalf("bigfile: bad size %q", args[1])
	}
	data := "{" + strings.Repeat(" ", size-2) + "}"
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(data), 0o644))
}
