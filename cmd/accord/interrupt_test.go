package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/repo"
)

// TestInterrupt sends SIGINT or SIGTERM to accord while a request hangs:
// the run ends with 130 (143 for SIGTERM) and one line on stderr saying it
// was interrupted, prints nothing else, and leaves the trust directory and
// the output as they were.
func TestInterrupt(t *testing.T) {
	bin := buildAccord(t)
	tests := []struct {
		name   string
		sig    syscall.Signal
		code   int
		line   string
		hang   []string // request path prefixes that hang
		suffix string   // …and suffix
		// publish makes ci publish a new version first, so that the run
		// is interrupted in the middle of an update.
		publish bool
		op      func(out string) []string
	}{
		{"refresh/SIGINT", syscall.SIGINT, 130, "accord: interrupted\n",
			[]string{"/ci/"}, "snapshot.json", true, func(string) []string { return []string{"refresh", "ci"} }},
		{"refresh/SIGTERM", syscall.SIGTERM, 143, "accord: terminated\n",
			[]string{"/ci/"}, "snapshot.json", true, func(string) []string { return []string{"refresh", "ci"} }},
		{"lookup/SIGINT", syscall.SIGINT, 130, "accord: interrupted\n",
			[]string{"/ci/"}, "snapshot.json", true, func(string) []string { return []string{"lookup", crashTarget} }},
		{"download/SIGINT", syscall.SIGINT, 130, "accord: interrupted\n",
			[]string{"/ci/targets/", "/qa/targets/"}, "", false, func(out string) []string { return []string{"download", crashTarget, "-o", out} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, srv, e := pinnedDemo(t, bin)
			e.must("refresh")
			if tt.publish {
				if err := w.Repos["ci"].Touch("targets"); err != nil {
					t.Fatal(err)
				}
				publishRepo(t, w, "ci")
			}
			before := trustFiles(t, e.trust)
			outDir := t.TempDir()
			out := filepath.Join(outDir, "ubuntu.img")

			for _, p := range tt.hang {
				srv.Inject(fixtures.Hang().Only(p, tt.suffix))
			}
			srv.ResetRequests()
			cmd := e.command(tt.op(out)...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			waitHanging(t, srv, tt.hang, tt.suffix)
			if err := cmd.Process.Signal(tt.sig); err != nil {
				t.Fatal(err)
			}
			code := waitExit(t, cmd)

			if code != tt.code {
				t.Errorf("exit status %d, want %d", code, tt.code)
			}
			if stderr.String() != tt.line {
				t.Errorf("stderr %q, want the one line %q", stderr.String(), tt.line)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
			after := trustFiles(t, e.trust)
			for name, data := range before {
				if after[name] != data {
					t.Errorf("%s: changed or removed by the interrupted run", name)
				}
			}
			for name := range after {
				if _, ok := before[name]; !ok {
					t.Errorf("%s: left by the interrupted run", name)
				}
			}
			if entries, _ := os.ReadDir(outDir); len(entries) != 0 {
				t.Errorf("the output's directory holds %d files, want none", len(entries))
			}

			// The next run, undisturbed, works.
			srv.ClearFaults()
			e.must(tt.op(out)...)
		})
	}
}

// trustFiles returns every regular file of the trust directory by relative
// path, but the lock files and the staging copies (metadata/.<repo>.work,
// which the next update removes).
func trustFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.IsDir() && strings.HasSuffix(d.Name(), ".work"):
			return filepath.SkipDir
		case d.IsDir(), strings.HasSuffix(d.Name(), ".lock"):
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if d.Name() == repo.RefreshRecord {
			// A refresh that completed before the signal renews its
			// record: the record must be whole, whatever its time.
			if _, err := time.Parse(time.RFC3339Nano, strings.TrimSuffix(string(data), "\n")); err != nil {
				t.Errorf("%s: %q is not a whole refresh record: %v", rel, data, err)
			}
			return nil
		}
		files[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// waitHanging waits until the server holds a request for a path that
// begins with one of prefixes and ends with suffix.
func waitHanging(t *testing.T, srv *fixtures.Server, prefixes []string, suffix string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		for _, p := range srv.Requests() {
			for _, prefix := range prefixes {
				if strings.HasPrefix(p, prefix) && strings.HasSuffix(p, suffix) {
					return
				}
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no request for %q…%q within a minute; requests: %q", prefixes, suffix, srv.Requests())
}

// waitExit waits for cmd to end and returns its exit status; a run that
// has not ended a minute after the signal is killed and fails the test.
func waitExit(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(time.Minute):
		_ = cmd.Process.Kill()
		<-done
		t.Fatal("accord did not end within a minute of the signal")
		return -1
	}
}
