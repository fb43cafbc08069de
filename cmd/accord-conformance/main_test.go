package main

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accord-tuf/accord/fixtures"
)

// runEnv, set to 1, makes the test binary run the adapter's main instead of
// the tests: the tests run the real command in a child process.
const runEnv = "ACCORD_CONFORMANCE_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runEnv) == "1" {
		main()
	}
	os.Exit(m.Run())
}

// result is what one run of the adapter did.
type result struct {
	code           int
	stdout, stderr string
}

// adapter runs the adapter with args, the environment of the test without
// FAKETIME, TZ=UTC, and env (NAME=VALUE) on top.
func adapter(t *testing.T, env []string, args ...string) result {
	t.Helper()
	// A bound against a hung child, not a timing assertion.
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	gorace := "atexit_sleep_ms=0" // the race detector's pause at exit
	for _, kv := range os.Environ() {
		switch {
		case strings.HasPrefix(kv, "FAKETIME="), strings.HasPrefix(kv, "TZ="):
		case strings.HasPrefix(kv, "GORACE="):
			gorace = strings.TrimPrefix(kv, "GORACE=") + " " + gorace
		default:
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, runEnv+"=1", "TZ=UTC", "GORACE="+gorace)
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := result{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ee.Exited():
		res.code = ee.ExitCode()
	default:
		t.Fatalf("run adapter %q: %v\nstderr: %s", args, err, res.stderr)
	}
	return res
}

// wantCode fails the test unless res ended with code.
func wantCode(t *testing.T, res result, code int) {
	t.Helper()
	if res.code != code {
		t.Fatalf("exit status %d, want %d\nstdout: %s\nstderr: %s", res.code, code, res.stdout, res.stderr)
	}
}

// wantStderr fails the test unless stderr has the adapter's prefix and
// every part.
func wantStderr(t *testing.T, res result, parts ...string) {
	t.Helper()
	if !strings.HasPrefix(res.stderr, "accord-conformance: ") {
		t.Errorf("stderr %q lacks the prefix \"accord-conformance: \"", res.stderr)
	}
	for _, p := range parts {
		if !strings.Contains(res.stderr, p) {
			t.Errorf("stderr %q does not contain %q", res.stderr, p)
		}
	}
}

// world is one fixture repository served on loopback, and a client's
// metadata and target directories.
type world struct {
	r    *fixtures.Repo
	srv  *fixtures.Server
	root []byte // version 1 of root
	mdir string // --metadata-dir
	tdir string // --target-dir
}

// newWorld publishes a repository with seed "ci", opts and targets (path →
// content) and serves it.
func newWorld(t *testing.T, opts fixtures.Options, targets map[string]string) *world {
	t.Helper()
	if opts.Seed == "" {
		opts.Seed = "ci"
	}
	r, err := fixtures.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	for p, data := range targets {
		if err := r.AddTarget(p, []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	return serveRepo(t, r)
}

// serveRepo publishes r if it changed and serves its latest state.
func serveRepo(t *testing.T, r *fixtures.Repo) *world {
	t.Helper()
	dir, root := r.Dir(t)
	base := t.TempDir()
	return &world{
		r:    r,
		srv:  fixtures.Serve(t, dir),
		root: root,
		mdir: filepath.Join(base, "metadata"),
		tdir: filepath.Join(base, "targets"),
	}
}

// publish publishes the repository's changes and serves the new state.
func (w *world) publish(t *testing.T) *fixtures.State {
	t.Helper()
	st, err := w.r.Publish()
	if err != nil {
		t.Fatal(err)
	}
	w.srv.SetDir(st.Dir(t))
	return st
}

// serveState serves a state, such as an altered copy or an older one.
func (w *world) serveState(t *testing.T, st *fixtures.State) {
	t.Helper()
	w.srv.SetDir(st.Dir(t))
}

// init runs init with the repository's first root and expects success.
func (w *world) init(t *testing.T) {
	t.Helper()
	wantCode(t, adapter(t, nil, "--metadata-dir", w.mdir, "init", rootFile(t, w.root)), 0)
}

// rootFile writes root to a new file and returns its path.
func rootFile(t *testing.T, root []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "root.json")
	if err := os.WriteFile(path, root, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// refresh runs refresh with env.
func (w *world) refresh(t *testing.T, env ...string) result {
	t.Helper()
	return adapter(t, env, "--metadata-url", w.srv.URL, "--metadata-dir", w.mdir, "refresh")
}

// download runs download of names, in order.
func (w *world) download(t *testing.T, names ...string) result {
	t.Helper()
	args := []string{"--metadata-url", w.srv.URL, "--metadata-dir", w.mdir}
	for _, n := range names {
		args = append(args, "--target-name", n)
	}
	args = append(args, "--target-dir", w.tdir, "--target-base-url", w.srv.URL+"/targets", "download")
	return adapter(t, nil, args...)
}

// files returns every file under dir by slash-separated relative path.
func files(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == dir {
			return fs.SkipAll
		}
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameFiles fails the test unless two snapshots of a directory are equal.
func sameFiles(t *testing.T, before, after map[string]string) {
	t.Helper()
	for name, data := range before {
		if got, ok := after[name]; !ok {
			t.Errorf("%s: removed", name)
		} else if got != data {
			t.Errorf("%s: changed", name)
		}
	}
	for name := range after {
		if _, ok := before[name]; !ok {
			t.Errorf("%s: added", name)
		}
	}
}

// stateFile returns a metadata file of a published state.
func stateFile(t *testing.T, st *fixtures.State, name string) string {
	t.Helper()
	data, ok := st.File(name)
	if !ok {
		t.Fatalf("state has no %s", name)
	}
	return string(data)
}
