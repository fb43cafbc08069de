package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata/config"
	"github.com/theupdateframework/go-tuf/v2/metadata/updater"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/stage"
)

// stageCrashRuns is the number of accord stage processes
// TestStagePublishCrash kills.
const stageCrashRuns = 60

// TestStagePublishCrash kills accord stage add (which publishes: target
// bytes, targets, snapshot, timestamp) and accord stage timestamp with
// SIGKILL at random moments, 60 times, and checks after every kill that
// public/, served on loopback, verifies with go-tuf's updater from root 1
// as the old or the new version: the targets version is the last one
// seen or the next, and a new version's target downloads with its bytes.
func TestStagePublishCrash(t *testing.T) {
	e, dir := newCrashStage(t)
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
	url, root := serveStage(t, dir)
	seen := checkStage(t, url, root, -1, 2)

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
		if killAfter(t, cmd, time.Duration(rng.Int64N(int64(span)*3/2))) {
			killed++
		}
		seen = checkStage(t, url, root, i, seen)
	}
	t.Logf("%d of %d runs killed before they ended", killed, stageCrashRuns)
	// The stage goes on: the next change publishes.
	e.must("stage", "add", dir, "t/last", "--file", write(stageCrashRuns+1))
	checkStage(t, url, root, stageCrashRuns+1, seen)
	e.must("stage", "prune", dir, "--keep", "2")
	checkStage(t, url, root, stageCrashRuns+1, seen+1)
}

// newCrashStage builds accord and inits a stage named ci with it.
func newCrashStage(t *testing.T) (*crashEnv, string) {
	e := &crashEnv{t: t, bin: buildAccord(t), trust: t.TempDir()}
	dir := filepath.Join(t.TempDir(), "ci")
	e.must("stage", "init", dir, "--name", "ci")
	return e, dir
}

// serveStage serves the stage's public/ on loopback and returns its URL
// and root version 1.
func serveStage(t *testing.T, dir string) (url string, root []byte) {
	t.Helper()
	srv := fixtures.Serve(t, filepath.Join(dir, "public"))
	root, err := os.ReadFile(filepath.Join(dir, "public", "1.root.json"))
	if err != nil {
		t.Fatal(err)
	}
	return srv.URL, root
}

// killAfter starts cmd, kills it with SIGKILL after d and reports
// whether the kill ended it (rather than it ending first).
func killAfter(t *testing.T, cmd *exec.Cmd, d time.Duration) bool {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(d)
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled()
}

// refreshStage refreshes a fresh go-tuf updater from root on the stage
// at url, failing run i when public/ does not verify. It returns the
// updater and its local directory.
func refreshStage(t *testing.T, url string, root []byte, i int) (*updater.Updater, string) {
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
	return up, local
}

// checkStage verifies the stage at url from root with a fresh go-tuf
// updater, and checks that its targets version is last or last+1; when it
// is last+1, the target of run i ("t/i", or "t/last") is signed and
// downloads. It returns the version seen.
func checkStage(t *testing.T, url string, root []byte, i int, last int64) int64 {
	t.Helper()
	up, local := refreshStage(t, url, root, i)
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

// stageRotateCrashRuns is the number of accord stage rotate processes
// TestStageRotateCrash kills.
const stageRotateCrashRuns = 30

// TestStageRotateCrash kills accord stage rotate, replacing the targets
// key or the online (timestamp) key with a generated one, the old keys at
// hand in the keys folder, with SIGKILL at random moments, 30 times, and
// checks after every kill that public/, served on loopback, verifies
// with go-tuf's updater from root 1 and still signs t/0: every state a
// rotation leaves on its way verifies under the root a reader sees.
func TestStageRotateCrash(t *testing.T) {
	e, dir := newCrashStage(t)
	file := filepath.Join(t.TempDir(), "t0")
	if err := os.WriteFile(file, []byte("target 0"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.must("stage", "add", dir, "t/0", "--file", file)
	url, root := serveStage(t, dir)
	checkStage(t, url, root, -1, -1)
	// keyID returns the one key ID role lists now.
	keyID := func(role string) string {
		t.Helper()
		s, err := stage.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		st, err := s.Status()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range st.Roles {
			if r.Role == role && len(r.KeyIDs) == 1 {
				return r.KeyIDs[0]
			}
		}
		t.Fatalf("role %s: not one key", role)
		return ""
	}
	rotate := func(role string) []string {
		return []string{"stage", "rotate", dir, "--role", role, "--generate", "1", "--remove-key", keyID(role)}
	}
	start := time.Now()
	e.must(rotate("targets")...)
	span := time.Since(start)
	checkStage(t, url, root, -1, -1)

	seed := uint64(time.Now().UnixNano())
	t.Logf("kill seed %d; an undisturbed rotation took %v", seed, span)
	rng := rand.New(rand.NewPCG(seed, 4))
	killed := 0
	for i := 1; i <= stageRotateCrashRuns; i++ {
		role := "targets"
		if rng.IntN(2) == 0 {
			role = "timestamp"
		}
		cmd := e.command(rotate(role)...)
		if killAfter(t, cmd, time.Duration(rng.Int64N(int64(span)*3/2))) {
			killed++
		}
		checkRotated(t, url, root, i)
	}
	t.Logf("%d of %d runs killed before they ended", killed, stageRotateCrashRuns)
	// The stage goes on: a change and a timestamp publish.
	e.must("stage", "add", dir, "t/last", "--length", "1", "--sha256", strings.Repeat("ab", 32))
	e.must("stage", "timestamp", dir)
	checkRotated(t, url, root, stageRotateCrashRuns+1)
}

// checkRotated verifies the stage at url from root with a fresh go-tuf
// updater and checks that it signs t/0.
func checkRotated(t *testing.T, url string, root []byte, i int) {
	t.Helper()
	up, _ := refreshStage(t, url, root, i)
	if _, err := up.GetTargetInfo("t/0"); err != nil {
		t.Fatalf("run %d: t/0: %v", i, err)
	}
}
