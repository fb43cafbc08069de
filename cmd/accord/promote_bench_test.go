package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/stage"
)

// promoteBenchTargets is how many targets BenchmarkPromote1000 moves from
// ci to qa.
const promoteBenchTargets = 1000

// BenchmarkPromote1000 moves 1,000 targets that a ci stage signs (served
// on loopback, pinned in a trust directory) into a new qa stage and
// publishes them, through the command as a user runs it (in process):
//
//   - mode=from: one "accord promote --from LIST --to qa": 1,000 lookups
//     sharing one refresh of ci, one targets version, one publication;
//   - mode=add-each: 1,000 "accord stage add qa TARGET --length --sha256",
//     each a publication and no lookup (what a team copying digests by
//     hand would run).
//
// Each operation starts from a new, empty qa stage (made untimed).
func BenchmarkPromote1000(b *testing.B) {
	work := b.TempDir()
	ci := filepath.Join(work, "ci")
	res, err := stage.Init(ci, stage.InitOptions{Name: "ci"})
	if err != nil {
		b.Fatal(err)
	}
	keys, err := stage.LoadKeysDir(res.Stage.KeysDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	var edits []stage.Edit
	var list strings.Builder
	for i := range promoteBenchTargets {
		name := fmt.Sprintf("library/app%04d:1.0", i)
		sum := sha256.Sum256([]byte(name))
		edits = append(edits, stage.Edit{Target: name, Info: &metadata.TargetFiles{Length: int64(100 + i), Hashes: metadata.Hashes{"sha256": sum[:]}}})
		fmt.Fprintln(&list, name)
	}
	if _, err := res.Stage.Change(edits, keys); err != nil {
		b.Fatal(err)
	}
	srv := fixtures.Serve(b, res.Stage.PublicDir())
	listFile := filepath.Join(work, "list.txt")
	mapFile := filepath.Join(work, "map.json")
	m, _ := json.Marshal(map[string]any{
		"repositories": map[string][]string{"ci": {srv.URL}},
		"mapping":      []map[string]any{{"paths": []string{"**"}, "repositories": []string{"ci"}}},
	})
	for name, data := range map[string][]byte{listFile: []byte(list.String()), mapFile: m} {
		if err := os.WriteFile(name, data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	trust := filepath.Join(work, "trust")
	accord := func(args ...string) {
		b.Helper()
		var stderr strings.Builder
		if code := run(append([]string{"--trust-dir", trust}, args...), nil, io.Discard, &stderr); code != 0 {
			b.Fatalf("accord %s: exit %d: %s", strings.Join(args[:min(len(args), 3)], " "), code, stderr.String())
		}
	}
	accord("init", "--map", mapFile)
	accord("pin", "ci", res.RootFile)
	accord("refresh")

	newQA := func(b *testing.B) string {
		b.StopTimer()
		defer b.StartTimer()
		dir, err := os.MkdirTemp(work, "qa-")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := stage.Init(filepath.Join(dir, "qa"), stage.InitOptions{Name: "qa"}); err != nil {
			b.Fatal(err)
		}
		return filepath.Join(dir, "qa")
	}
	check := func(b *testing.B, qa string) {
		b.StopTimer()
		defer b.StartTimer()
		s, err := stage.Open(qa)
		if err != nil {
			b.Fatal(err)
		}
		st, err := s.Status()
		if err != nil || st.Targets != promoteBenchTargets || st.Pending != nil {
			b.Fatalf("qa after the run: %+v, %v", st, err)
		}
	}
	b.Run("mode=from", func(b *testing.B) {
		for range b.N {
			qa := newQA(b)
			accord("promote", "--from", listFile, "--to", qa)
			check(b, qa)
		}
	})
	b.Run("mode=add-each", func(b *testing.B) {
		for range b.N {
			qa := newQA(b)
			for _, e := range edits {
				accord("stage", "add", qa, e.Target, "--length", fmt.Sprint(e.Info.Length), "--sha256", hex.EncodeToString(e.Info.Hashes["sha256"]))
			}
			check(b, qa)
		}
	})
}
