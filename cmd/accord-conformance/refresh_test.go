package main

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/accord-tuf/accord/fixtures"
)

// jsonFiles returns the names of the .json files directly in dir, sorted:
// what the conformance suite takes for the trusted roles.
func jsonFiles(m map[string]string) []string {
	var names []string
	for name := range m {
		if !strings.Contains(name, "/") && strings.HasSuffix(name, ".json") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

func TestRefreshStoresPlainNames(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fixtures.Options{}, map[string]string{"a.txt": "a"})
	w.init(t)
	wantCode(t, w.refresh(t), 0)
	st := w.r.Latest()
	got := files(t, w.mdir)
	if names := jsonFiles(got); fmt.Sprint(names) != "[root.json snapshot.json targets.json timestamp.json]" {
		t.Errorf("metadata files %q, want the four top-level roles under plain names", names)
	}
	for name, want := range map[string]string{
		"root.json":      stateFile(t, st, "1.root.json"),
		"timestamp.json": stateFile(t, st, "timestamp.json"),
		"snapshot.json":  stateFile(t, st, "1.snapshot.json"),
		"targets.json":   stateFile(t, st, "1.targets.json"),
	} {
		if got[name] != want {
			t.Errorf("%s does not hold the served metadata", name)
		}
	}
	if reqs := w.srv.CountPrefix("/targets/"); reqs != 0 {
		t.Errorf("refresh fetched %d targets", reqs)
	}
}

func TestRefreshFollowsRootRotation(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fixtures.Options{}, map[string]string{"a.txt": "a"})
	w.init(t)
	wantCode(t, w.refresh(t), 0)
	if err := w.r.RotateRoot("ci-2"); err != nil {
		t.Fatal(err)
	}
	w.publish(t)
	if err := w.r.RotateRoot("ci-3"); err != nil {
		t.Fatal(err)
	}
	st := w.publish(t)
	if st.RootVersion != 3 {
		t.Fatalf("fixture root version %d, want 3", st.RootVersion)
	}
	wantCode(t, w.refresh(t), 0)
	got := files(t, w.mdir)
	if got["root.json"] != stateFile(t, st, "3.root.json") {
		t.Errorf("root.json is not the newest root, version 3")
	}
	if got["timestamp.json"] != stateFile(t, st, "timestamp.json") {
		t.Errorf("timestamp.json is not the one signed by the rotated keys")
	}
	for v := 1; v <= 3; v++ {
		name := fmt.Sprintf("%d.root.json", v)
		if got["root_history/"+name] != stateFile(t, st, name) {
			t.Errorf("root_history/%s does not hold root version %d", name, v)
		}
	}
}

func TestRefreshTakesNewVersion(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fixtures.Options{}, map[string]string{"a.txt": "a"})
	w.init(t)
	wantCode(t, w.refresh(t), 0)
	if err := w.r.AddTarget("b.txt", []byte("b")); err != nil {
		t.Fatal(err)
	}
	st := w.publish(t)
	res := w.refresh(t)
	wantCode(t, res, 0)
	got := files(t, w.mdir)
	for name, want := range map[string]string{
		"timestamp.json": stateFile(t, st, "timestamp.json"),
		"snapshot.json":  stateFile(t, st, "2.snapshot.json"),
		"targets.json":   stateFile(t, st, "2.targets.json"),
	} {
		if got[name] != want {
			t.Errorf("%s is not version 2 after a second refresh", name)
		}
	}
	if !strings.Contains(res.stdout, "timestamp 2") {
		t.Errorf("stdout %q does not report timestamp version 2", res.stdout)
	}
}

func TestRefreshRefusesExpiredTimestamp(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fixtures.Options{}, map[string]string{"a.txt": "a"})
	w.init(t)
	wantCode(t, w.refresh(t), 0)
	before := files(t, w.mdir)
	if err := w.r.SetExpires("timestamp", time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	w.publish(t)
	res := w.refresh(t)
	wantCode(t, res, 1)
	wantStderr(t, res, "refresh: ", "timestamp.json", "expired")
	sameFiles(t, before, files(t, w.mdir))
}

func TestRefreshRefusesRollback(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fixtures.Options{}, map[string]string{"a.txt": "a"})
	w.init(t)
	if err := w.r.AddTarget("b.txt", []byte("b")); err != nil {
		t.Fatal(err)
	}
	w.publish(t)
	wantCode(t, w.refresh(t), 0)
	before := files(t, w.mdir)
	w.serveState(t, w.r.States()[0])
	res := w.refresh(t)
	wantCode(t, res, 1)
	wantStderr(t, res, "refresh: ", "timestamp.json")
	sameFiles(t, before, files(t, w.mdir))
}

func TestRefreshRefusesTamperedSnapshot(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fixtures.Options{}, map[string]string{"a.txt": "a"})
	w.init(t)
	wantCode(t, w.refresh(t), 0)
	before := files(t, w.mdir)
	st := w.publish(t).Clone()
	if err := st.EditFile("2.snapshot.json", func(b []byte) []byte {
		return []byte(strings.Replace(string(b), `"version":2`, `"version":9`, 1))
	}); err != nil {
		t.Fatal(err)
	}
	w.serveState(t, st)
	res := w.refresh(t)
	wantCode(t, res, 1)
	wantStderr(t, res, "refresh: ", "snapshot")
	// TUF's workflow keeps the timestamp it verified before the snapshot
	// failed (the suite's test_new_snapshot_version_mismatch); nothing else
	// changes.
	ts, _ := st.File("timestamp.json")
	before["timestamp.json"] = string(ts)
	sameFiles(t, before, files(t, w.mdir))
}

func TestRefreshKeepsVerifiedRootWhenTimestampExpired(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fixtures.Options{}, map[string]string{"a.txt": "a"})
	w.init(t)
	wantCode(t, w.refresh(t), 0)
	if err := w.r.RotateRoot("rotated"); err != nil {
		t.Fatal(err)
	}
	if err := w.r.SetExpires("timestamp", time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	w.publish(t)
	res := w.refresh(t)
	wantCode(t, res, 1)
	wantStderr(t, res, "refresh: ", "timestamp.json", "expired")
	root2, _ := w.r.Root(2)
	if got := files(t, w.mdir)["root.json"]; got != string(root2) {
		t.Errorf("root.json is not the verified root version 2")
	}
}

func TestRefreshWithoutInit(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fixtures.Options{}, nil)
	res := w.refresh(t)
	wantCode(t, res, 1)
	wantStderr(t, res, "refresh: ", "run init first")
	if reqs := w.srv.Requests(); len(reqs) != 0 {
		t.Errorf("refresh without a root made requests: %q", reqs)
	}
}

// TestRefreshRequestOrder checks the requests of a refresh, in order, as
// the suite's test_basic_refresh_requests does: TUF's workflow, one file
// after another.
func TestRefreshRequestOrder(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fixtures.Options{}, map[string]string{"a.txt": "a"})
	w.init(t)
	wantCode(t, w.refresh(t), 0)
	want := []string{"/2.root.json", "/timestamp.json", "/1.snapshot.json", "/1.targets.json"}
	if got := w.srv.Requests(); !slices.Equal(got, want) {
		t.Errorf("requests %q, want %q", got, want)
	}
}
