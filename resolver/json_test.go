package resolver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

func TestResultJSON(t *testing.T) {
	const target = "library/ubuntu:latest"
	x := targetInfo(t, target, bytesX, "sha256")
	y := targetInfo(t, target, bytesY, "sha256")
	empty := targetInfo(t, target, nil, "sha256")
	mapping := `[{"paths": ["library/ubuntu*"], "repositories": ["ci", "qa"], "threshold": 2, "terminating": true},
	             {"paths": ["**"], "repositories": ["prod"]}]`
	tests := []struct {
		name   string
		target string
		groups []string
		signs  map[string]*metadata.TargetFiles
		fails  map[string]error
	}{
		{name: "verified_groups", groups: []string{"CI", "qa"}, signs: map[string]*metadata.TargetFiles{"ci": x, "qa": x}},
		{name: "verified_empty", target: "tools/empty", signs: map[string]*metadata.TargetFiles{"prod": empty}},
		{name: "no_consensus_error", signs: map[string]*metadata.TargetFiles{"ci": x}, fails: map[string]error{"qa": errBoom}},
		{name: "no_consensus_group", target: "tools/cli", groups: []string{"staging"}, signs: map[string]*metadata.TargetFiles{"prod": x, "staging": y}},
		{name: "not_found", target: "tools/cli"},
		{name: "conflict", signs: map[string]*metadata.TargetFiles{"ci": x, "qa": y}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tgt := target
			if tc.target != "" {
				tgt = tc.target
			}
			w := pipelineWorld(tgt, tc.signs, tc.fails)
			m := mapOf(t, mapping)
			if tc.name == "conflict" {
				m = mapOf(t, `[{"paths": ["**"], "repositories": ["ci", "qa"], "threshold": 1}]`)
			}
			res, _ := New(m, w.open).Resolve(context.Background(), tgt, tc.groups)
			data, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := json.Indent(&out, data, "", "  "); err != nil {
				t.Fatal(err)
			}
			out.WriteByte('\n')
			golden(t, filepath.Join("testdata", "json", tc.name+".json"), out.Bytes())
		})
	}
}

func TestResultJSONFields(t *testing.T) {
	res := &Result{Target: "a", Status: StatusNotFound, Mapping: -1}
	data, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"target":"a","status":"not_found","mapping":-1,"threshold":0,"agreed":[],"repositories":[]}`
	if string(data) != want {
		t.Errorf("JSON = %s\nwant   %s", data, want)
	}
}

// golden compares got with the golden file at path, or rewrites it with
// -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file: %v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// TestRowJSONInvalid checks the encoding of a listed target whose name is
// not a valid target path: never resolved, status "invalid", its error.
func TestRowJSONInvalid(t *testing.T) {
	row := Row{Target: "../x", Err: errors.New(`invalid target "../x": has a ".." segment`)}
	got, err := json.Marshal(row)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"target":"../x","status":"invalid","error":"invalid target \"../x\": has a \"..\" segment","mapping":-1,"threshold":0,"agreed":[],"repositories":[]}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
