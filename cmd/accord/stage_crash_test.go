package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata/config"
	"github.com/theupdateframework/go-tuf/v2/metadata/updater"

	"github.com/accord-tuf/accord/fixtures"
)

// stageCrashRuns is the number of accord stage processes
// TestStageCrashPublish kills.
const stageCrashRuns = 60

// TestStagePublishCrash kills accord stage add (which publishes: target
// bytes, targets, snapshot, timestamp) and accord stage timestamp with
// SIGKILL at random moments, 60 times, and checks after every kill that
// public/, served on loopback, verifies with go-tuf's updater from root 1
// as the old or the new version: the targets version is the last one
// seen or the next, and a new version's target downloads with its bytes.
func TestStagePublishCrash(t *testing.T) {
	bin := buildAccord(t)
	e := &crashEnv{t: t, bin: bin, trust: t.TempDir()}
	dir := filepath.Join(t.TempDir(), "ci")
	e.must("stage", "init", dir, "--name", "ci")
	files := t.TempDir()
	write := func(i int) string {
		f := filepath.Join(files, fmt.Sprintf("t%d", i))
		if err := os.WriteFile(f, fmt.Appendf(nil, "target %d", i), 0o644); err != nil {
			t.Fatal(err)
		}
		return f
	}
	start := time.Now()
	e.must("stage", "add", dir, "t/0", "--file", write(0))
	span := time.Since(start)
	srv := fixtures.Serve(t, filepath.Join(dir, "public"))
	root, err := os.ReadFile(filepath.Join(dir, "public", "1.root.json"))
	if err != nil {
		t.Fatal(err)
	}
	seen := checkStage(t, srv.URL, root, -1, 2)

	seed := uint64(time.Now().UnixNano())
	t.Logf("kill seed %d; an undisturbed add took %v", seed, span)
	rng := rand.New(rand.NewPCG(seed, 3))
	killed := 0
	for i := 1; i <= stageCrashRuns; i++ {
		args := []string{"stage", "add", dir, fmt.Sprintf("t/%d", i), "--file", write(i)}
		if rng.IntN(4) == 0 {
			args = []string{"stage", "timestamp", dir}
		}
		cmd := e.command(args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.Int64N(int64(span) * 3 / 2)))
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			killed++
		}
		seen = checkStage(t, srv.URL, root, i, seen)
	}
	t.Logf("%d of %d runs killed before they ended", killed, stageCrashRuns)
	// The stage goes on: the next change publishes.
	e.must("stage", "add", dir, "t/last", "--file", write(stageCrashRuns+1))
	checkStage(t, srv.URL, root, stageCrashRuns+1, seen)
	e.must("stage", "prune", dir, "--keep", "2")
	checkStage(t, srv.URL, root, stageCrashRuns+1, seen+1)
}

// checkStage verifies the stage at url from root with a fresh go-tuf
// updater, and checks that its targets version is last or last+1; when it
// is last+1, the target of run i ("t/i", or "t/last") is signed and
// downloads. It returns the version seen.
func checkStage(t *testing.T, url string, root []byte, i int, last int64) int64 {
	t.Helper()
	cfg, err := config.New(url, root)
	if err != nil {
		t.Fatal(err)
	}
	local := t.TempDir()
	cfg.LocalMetadataDir = filepath.Join(local, "metadata")
	cfg.LocalTargetsDir = filepath.Join(local, "targets")
	up, err := updater.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := up.Refresh(); err != nil {
		t.Fatalf("run %d: public/ does not verify: %v", i, err)
	}
	v := up.GetTrustedMetadataSet().Targets["targets"].Signed.Version
	if last >= 0 && v != last && v != last+1 {
		t.Fatalf("run %d: targets version %d, want %d or %d", i, v, last, last+1)
	}
	if last >= 0 && v == last+1 && i >= 0 {
		name := fmt.Sprintf("t/%d", i)
		if i > stageCrashRuns {
			name = "t/last"
		}
		info, err := up.GetTargetInfo(name)
		if err != nil {
			t.Fatalf("run %d: targets version %d without %s: %v", i, v, name, err)
		}
		_, data, err := up.DownloadTarget(info, filepath.Join(local, "out"), "")
		if err != nil || !strings.HasPrefix(string(data), "target ") {
			t.Fatalf("run %d: download %s: %q, %v", i, name, data, err)
		}
	}
	return v
}
