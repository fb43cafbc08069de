package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/repo"
)

// crashRuns is the number of accord processes TestCrashKill kills.
const crashRuns = 100

// crashTarget is a demo target that ci and qa both sign.
const crashTarget = "library/ubuntu:24.04"

// buildAccord builds the command into a temporary directory and returns
// the binary's path.
func buildAccord(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "accord")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// crashEnv runs the built accord on one trust directory.
type crashEnv struct {
	t     *testing.T
	bin   string
	trust string
}

// run runs accord to completion and returns its stdout, stderr and exit
// status.
func (e *crashEnv) run(args ...string) (stdout, stderr string, code int) {
	e.t.Helper()
	cmd := e.command(args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		e.t.Fatalf("accord %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errb.String(), code
}

// must runs accord and fails the test unless it exits 0.
func (e *crashEnv) must(args ...string) string {
	e.t.Helper()
	out, errs, code := e.run(args...)
	if code != 0 {
		e.t.Fatalf("accord %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

// command returns an accord command on the trust directory, with a
// clean environment for the settings accord reads.
func (e *crashEnv) command(args ...string) *exec.Cmd {
	cmd := exec.Command(e.bin, append([]string{"--trust-dir", e.trust, "--timeout", "20s"}, args...)...)
	cmd.Env = append(os.Environ(), "ACCORD_GROUPS=", "HOME="+e.t.TempDir(), "XDG_DATA_HOME=")
	return cmd
}

// TestCrashKill kills accord refresh and accord download with SIGKILL at
// random moments, 100 times, while the demo world's server answers slowly
// and ci or qa publishes a new version (now and then a root rotation)
// before each run, and checks after every kill what a crash may leave:
//
//   - each repository's trusted files verify offline, or it holds only
//     its pinned root (a refresh that never committed anything);
//   - the only other files in the trust directory are the lock files,
//     the staging copies (.<repo>.work, removed by the next update) and
//     temporary files named .tmp-* (never read: no role may have that
//     name);
//   - the download's output path is absent or holds the complete,
//     verified target.
//
// At the end an online refresh succeeds, removes the staging copies, and
// an offline lookup verifies the target.
func TestCrashKill(t *testing.T) {
	bin := buildAccord(t)
	w, srv, e := pinnedDemo(t, bin)
	pinned := map[string][]byte{}
	for _, n := range fixtures.DemoRepositories {
		pinned[n] = w.Roots[n]
	}
	want := w.Signed["ci"][crashTarget]
	outDir := t.TempDir()
	out := filepath.Join(outDir, "ubuntu.img")

	// Slow every request a little, so that a kill lands mid-operation,
	// and time one undisturbed run of each operation to aim the kills.
	clearDelay := srv.Inject(fixtures.Delay(3 * time.Millisecond))
	defer clearDelay()
	ops := [][]string{{"refresh"}, {"download", crashTarget, "-o", out}}
	spans := make([]time.Duration, len(ops))
	for i, op := range ops {
		start := time.Now()
		e.must(op...)
		spans[i] = time.Since(start)
	}
	e.wipe(w) // start again from the pins: the first commit is the one at stake

	seed := uint64(time.Now().UnixNano())
	t.Logf("kill seed %d; undisturbed runs took %v", seed, spans)
	rng := rand.New(rand.NewPCG(seed, 2))
	killed := 0
	for i := range crashRuns {
		// Something new to commit at every run: a new version of ci or
		// qa, now and then a root rotation.
		publishDemo(t, w, rng, i)
		op := rng.IntN(len(ops))
		if op == 1 {
			if err := os.Remove(out); err != nil && !errors.Is(err, fs.ErrNotExist) {
				t.Fatal(err)
			}
		}
		cmd := e.command(ops[op]...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(rng.Int64N(int64(spans[op]) * 3 / 2)))
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			killed++
		}
		e.checkTrustDir(i, pinned)
		checkCrashOutput(t, i, out, want)
	}
	t.Logf("%d of %d runs killed before they ended", killed, crashRuns)

	clearDelay()
	e.must("refresh")
	e.must("--offline", "lookup", crashTarget)
	e.checkTrustDir(crashRuns, pinned)
	if entries, _ := filepath.Glob(filepath.Join(e.trust, "metadata", ".*.work")); len(entries) != 0 {
		t.Errorf("staging copies %q left after a successful refresh", entries)
	}
	e.must("download", crashTarget, "-o", out)
	checkCrashOutput(t, crashRuns, out, want)
}

// wipe puts the trust directory back to the pinned roots alone.
func (e *crashEnv) wipe(w *fixtures.World) {
	e.t.Helper()
	for _, n := range fixtures.DemoRepositories {
		if err := os.RemoveAll(filepath.Join(e.trust, "metadata", n)); err != nil {
			e.t.Fatal(err)
		}
		e.must("pin", n, w.RootPath(n))
	}
}

// publishDemo publishes a new version of ci or qa (at runs 39, 79, … a
// root rotation) and swaps it in under the server.
func publishDemo(t *testing.T, w *fixtures.World, rng *rand.Rand, i int) {
	t.Helper()
	n := fixtures.DemoRepositories[rng.IntN(2)] // ci or qa: the target's
	r := w.Repos[n]
	if i%40 == 39 {
		if err := r.RotateRoot(fmt.Sprintf("demo-%s-%d", n, i)); err != nil {
			t.Fatal(err)
		}
	} else if err := r.Touch("targets"); err != nil {
		t.Fatal(err)
	}
	publishRepo(t, w, n)
}

// pinnedDemo builds the demo world, serves it on loopback until t ends,
// and returns it with a fresh trust directory initialised with its map
// file and every repository's root pinned.
func pinnedDemo(t *testing.T, bin string) (*fixtures.World, *fixtures.Server, *crashEnv) {
	t.Helper()
	w, err := fixtures.DemoWorld(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := w.Serve()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	e := &crashEnv{t: t, bin: bin, trust: t.TempDir()}
	e.must("init", "--map", w.MapPath())
	for _, n := range fixtures.DemoRepositories {
		e.must("pin", n, w.RootPath(n))
	}
	return w, srv, e
}

// publishRepo publishes the world's repository n as it is and swaps the
// new version in under the server.
func publishRepo(t *testing.T, w *fixtures.World, n string) {
	t.Helper()
	st, err := w.Repos[n].Publish()
	if err != nil {
		t.Fatal(err)
	}
	dir := w.RepoDir(n)
	tmp := dir + ".next"
	if err := st.Write(tmp); err != nil {
		t.Fatal(err)
	}
	old := dir + ".old"
	if err := os.Rename(dir, old); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(old); err != nil {
		t.Fatal(err)
	}
}

// refreshLine is one repository of `accord refresh --json`.
type refreshLine struct {
	Name  string `json:"name"`
	Error string `json:"error"`
}

// checkTrustDir checks the trust directory after run i was killed.
func (e *crashEnv) checkTrustDir(i int, pinned map[string][]byte) {
	t := e.t
	t.Helper()
	stdout, stderr, code := e.run("--offline", "--json", "refresh")
	var lines []refreshLine
	if err := json.Unmarshal([]byte(stdout), &lines); err != nil || code > 1 {
		t.Fatalf("run %d: offline refresh: exit %d, %v\n%s%s", i, code, err, stdout, stderr)
	}
	for _, l := range lines {
		if l.Error == "" {
			continue
		}
		dir := filepath.Join(e.trust, "metadata", l.Name)
		if files := e.trusted(dir); !slices.Equal(files, []string{"root.json"}) && !slices.Equal(files, []string{"root.json", "root_history/1.root.json"}) {
			// A commit swaps the whole metadata directory in one step:
			// a kill leaves the old state or the new, never a mix that
			// offline verification would refuse.
			t.Errorf("run %d: %s neither verifies offline (%s) nor holds only its pinned root: %q", i, l.Name, l.Error, files)
			if _, stderr, code := e.run("refresh", l.Name); code != 0 {
				t.Errorf("run %d: an online refresh of %s does not recover: %s", i, l.Name, stderr)
			}
			continue
		}
		root, err := os.ReadFile(filepath.Join(dir, "root.json"))
		if err != nil || !bytes.Equal(root, pinned[l.Name]) {
			t.Errorf("run %d: %s's only root is not the pinned one (%v)", i, l.Name, err)
		}
	}
	if code == 0 {
		if _, stderr, code := e.run("--offline", "lookup", crashTarget); code != 0 {
			t.Errorf("run %d: every repository verifies offline, yet the offline lookup failed: %s", i, stderr)
		}
	}
	e.checkLeftovers(i)
}

// trusted lists the files of a repository's metadata directory that are
// not temporary files, relative and sorted.
func (e *crashEnv) trusted(dir string) []string {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".tmp-") {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files = append(files, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	slices.Sort(files)
	return files
}

// checkLeftovers checks that every file of the trust directory is a
// trusted file, a lock file, a staging copy or a .tmp-* temporary file.
func (e *crashEnv) checkLeftovers(i int) {
	t := e.t
	t.Helper()
	err := filepath.WalkDir(e.trust, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(e.trust, p)
		parts := strings.Split(filepath.ToSlash(rel), "/")
		switch {
		case d.IsDir() && len(parts) >= 2 && parts[0] == "metadata" && strings.HasSuffix(parts[1], ".work"):
			return fs.SkipDir // a staging copy: the next update removes it
		case d.IsDir():
			return nil
		case rel == "map.json":
		case strings.HasPrefix(d.Name(), ".tmp-"):
		case len(parts) == 2 && parts[0] == "metadata" && strings.HasPrefix(parts[1], ".") && strings.HasSuffix(parts[1], ".lock"):
		case len(parts) == 3 && parts[0] == "metadata" && slices.Contains([]string{"root.json", "timestamp.json", "snapshot.json", "targets.json"}, parts[2]):
		case len(parts) == 4 && parts[0] == "metadata" && parts[2] == "root_history" && strings.HasSuffix(parts[3], ".root.json"):
		case len(parts) == 3 && parts[0] == "metadata" && parts[2] == repo.RefreshRecord:
			// Committed with the metadata, or in place: never a part.
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if _, err := time.Parse(time.RFC3339Nano, strings.TrimSuffix(string(data), "\n")); err != nil {
				t.Errorf("run %d: %s holds %q, not a whole refresh record", i, rel, data)
			}
		default:
			t.Errorf("run %d: %s is neither trusted nor temporary", i, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkCrashOutput checks that the download's output path is absent or holds
// the whole target.
func checkCrashOutput(t *testing.T, i int, out string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(out)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		t.Fatal(err)
	case !bytes.Equal(got, want):
		t.Errorf("run %d: %s holds %d bytes that are not the target's %d", i, out, len(got), len(want))
	}
}
