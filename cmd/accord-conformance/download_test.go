package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/accord-tuf/accord/fixtures"
)

// targetRequests returns the target paths requested, in order.
func targetRequests(srv *fixtures.Server) []string {
	var out []string
	for _, p := range srv.Requests() {
		if strings.HasPrefix(p, "/targets/") {
			out = append(out, p)
		}
	}
	return out
}

func TestDownloadNamesInOrder(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fixtures.Options{}, map[string]string{
		"z/last one.txt": "last",
		"a.txt":          "first",
	})
	w.init(t)
	res := w.download(t, "z/last one.txt", "a.txt")
	wantCode(t, res, 0)
	got := files(t, w.tdir)
	want := map[string]string{"z%2Flast%20one.txt": "last", "a.txt": "first"}
	sameFiles(t, want, got)
	reqs := targetRequests(w.srv)
	if len(reqs) != 2 || !strings.HasSuffix(reqs[0], ".last one.txt") || !strings.HasSuffix(reqs[1], ".a.txt") {
		t.Errorf("target requests %q, want z/last one.txt then a.txt", reqs)
	}
	meta := files(t, w.mdir)
	for _, name := range []string{"root.json", "timestamp.json", "snapshot.json", "targets.json"} {
		if _, ok := meta[name]; !ok {
			t.Errorf("download left no %s in the metadata directory", name)
		}
	}
}

func TestDownloadDelegatedTarget(t *testing.T) {
	t.Parallel()
	r, err := fixtures.New(fixtures.Options{Seed: "ci"})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Delegate("targets", fixtures.Delegation{Name: "releases", Paths: []string{"releases/*"}}); err != nil {
		t.Fatal(err)
	}
	if err := r.AddTarget("releases/v1.tar", []byte("v1"), fixtures.InRole("releases")); err != nil {
		t.Fatal(err)
	}
	w := serveRepo(t, r)
	w.init(t)
	wantCode(t, w.download(t, "releases/v1.tar"), 0)
	sameFiles(t, map[string]string{"releases%2Fv1.tar": "v1"}, files(t, w.tdir))
	meta := files(t, w.mdir)
	if names := jsonFiles(meta); !slices.Contains(names, "releases.json") || len(names) != 5 {
		t.Errorf("metadata files %q, want the top-level roles and releases.json", names)
	}
	if meta["releases.json"] != stateFile(t, r.Latest(), "1.releases.json") {
		t.Errorf("releases.json does not hold the served role")
	}
}

func TestDownloadStopsAtUnknownTarget(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fixtures.Options{}, map[string]string{"a.txt": "a", "b.txt": "b"})
	w.init(t)
	res := w.download(t, "a.txt", "missing.txt", "b.txt")
	wantCode(t, res, 1)
	wantStderr(t, res, "download: ", `"missing.txt"`)
	sameFiles(t, map[string]string{"a.txt": "a"}, files(t, w.tdir))
	for _, p := range w.srv.Requests() {
		if strings.HasSuffix(p, "b.txt") || strings.HasSuffix(p, "missing.txt") {
			t.Errorf("request %q after the unknown target", p)
		}
	}
}

func TestDownloadRefusesTamperedTarget(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fixtures.Options{}, map[string]string{"a.txt": "the signed bytes"})
	w.init(t)
	st := w.r.Latest().Clone()
	if err := st.TamperTarget("a.txt", []byte("the attacker's bytes")); err != nil {
		t.Fatal(err)
	}
	w.serveState(t, st)
	res := w.download(t, "a.txt")
	wantCode(t, res, 1)
	wantStderr(t, res, "download: ", `"a.txt"`)
	if n := len(targetRequests(w.srv)); n != 1 {
		t.Errorf("%d target requests, want 1", n)
	}
	entries, err := os.ReadDir(w.tdir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("target directory holds %v after a refused download", entries)
	}
}

func TestDownloadKeepsVerifiedCopy(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fixtures.Options{}, map[string]string{"a.txt": "version 1"})
	w.init(t)
	wantCode(t, w.download(t, "a.txt"), 0)

	// The same file again: no request for it.
	w.srv.ResetRequests()
	res := w.download(t, "a.txt")
	wantCode(t, res, 0)
	if reqs := targetRequests(w.srv); len(reqs) != 0 {
		t.Errorf("cached target fetched again: %q", reqs)
	}
	if !strings.Contains(res.stdout, "already") {
		t.Errorf("stdout %q does not say the target was already there", res.stdout)
	}

	// The mirror now serves other bytes under the same signed info: the
	// verified copy stays, and no request is made.
	st := w.r.Latest().Clone()
	if err := st.TamperTarget("a.txt", []byte("malicious")); err != nil {
		t.Fatal(err)
	}
	w.serveState(t, st)
	wantCode(t, w.download(t, "a.txt"), 0)
	sameFiles(t, map[string]string{"a.txt": "version 1"}, files(t, w.tdir))
	if reqs := targetRequests(w.srv); len(reqs) != 0 {
		t.Errorf("cached target fetched again: %q", reqs)
	}

	// A new signed version replaces the file, under the same name.
	if err := w.r.AddTarget("a.txt", []byte("version 2")); err != nil {
		t.Fatal(err)
	}
	w.publish(t)
	wantCode(t, w.download(t, "a.txt"), 0)
	sameFiles(t, map[string]string{"a.txt": "version 2"}, files(t, w.tdir))
	if reqs := targetRequests(w.srv); len(reqs) != 1 {
		t.Errorf("target requests %q, want one for the new version", reqs)
	}
}

func TestDownloadReplacesMismatchedLocalFile(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fixtures.Options{}, map[string]string{"a.txt": "signed"})
	w.init(t)
	if err := os.MkdirAll(w.tdir, 0o700); err != nil {
		t.Fatal(err)
	}
	// Same length, other bytes: only the hashes tell them apart.
	if err := os.WriteFile(filepath.Join(w.tdir, "a.txt"), []byte("forged"), 0o600); err != nil {
		t.Fatal(err)
	}
	wantCode(t, w.download(t, "a.txt"), 0)
	sameFiles(t, map[string]string{"a.txt": "signed"}, files(t, w.tdir))
	if reqs := targetRequests(w.srv); len(reqs) != 1 {
		t.Errorf("target requests %q, want one", reqs)
	}
}

func TestDownloadRefusesUnstorableName(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fixtures.Options{}, map[string]string{"a.txt": "a"})
	w.init(t)
	for _, name := range []string{".", ".."} {
		res := w.download(t, name)
		wantCode(t, res, 1)
		wantStderr(t, res, "download: ", "cannot be stored")
	}
	if got := files(t, w.tdir); len(got) != 0 {
		t.Errorf("files in the target directory: %v", got)
	}
	entries, err := os.ReadDir(filepath.Dir(w.tdir))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "metadata" && e.Name() != ".metadata.lock" {
			t.Errorf("%s written beside the target directory", e.Name())
		}
	}
}
