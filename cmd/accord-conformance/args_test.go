package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/accord-tuf/accord/fixtures"
)

func TestParseArgs(t *testing.T) {
	t.Parallel()
	inv, err := parseArgs([]string{
		"--metadata-url", "http://127.0.0.1:1/m", "download", "-metadata-dir=/m",
		"--target-name", "a", "--target-name=b/c", "--target-dir", "/t",
		"--target-base-url", "http://127.0.0.1:1/t",
	})
	if err != nil {
		t.Fatal(err)
	}
	if inv.command != "download" || inv.metadataDir != "/m" || inv.metadataURL != "http://127.0.0.1:1/m" ||
		!slices.Equal(inv.targetNames, []string{"a", "b/c"}) || inv.targetDir != "/t" ||
		inv.targetBaseURL != "http://127.0.0.1:1/t" || len(inv.args) != 0 {
		t.Errorf("parsed %+v", inv)
	}
	inv, err = parseArgs([]string{"--metadata-dir", "/m", "init", "--", "-root.json"})
	if err != nil {
		t.Fatal(err)
	}
	if inv.command != "init" || !slices.Equal(inv.args, []string{"-root.json"}) {
		t.Errorf("parsed %+v", inv)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "no command"},
		{[]string{"--metadata-dir", "/m"}, "no command"},
		{[]string{"--metadata-dir", "/m", "fetch"}, `unknown command "fetch"`},
		{[]string{"--metadata-dir", "/m", "--verbose", "refresh"}, "unknown flag --verbose"},
		{[]string{"refresh", "--metadata-dir"}, "flag --metadata-dir needs a value"},
		{[]string{"--metadata-dir=", "init", "r"}, "flag --metadata-dir: empty value"},
		{[]string{"--metadata-dir", "/a", "--metadata-dir", "/b", "init", "r"}, "given twice"},
		{[]string{"--metadata-dir", "/m", "init"}, "init: want one argument"},
		{[]string{"--metadata-dir", "/m", "init", "a", "b"}, "init: want one argument"},
		{[]string{"init", "r"}, "init: flag --metadata-dir is required"},
		{[]string{"--metadata-dir", "/m", "refresh"}, "refresh: flag --metadata-url is required"},
		{[]string{"--metadata-dir", "/m", "--metadata-url", "http://x", "refresh", "extra"}, `refresh: unexpected argument "extra"`},
		{[]string{"--metadata-dir", "/m", "--metadata-url", "http://x", "--target-dir", "/t", "--target-base-url", "http://x/t", "download"}, "download: flag --target-name is required"},
		{[]string{"--metadata-dir", "/m", "--metadata-url", "http://x", "--target-name", "a", "--target-base-url", "http://x/t", "download"}, "download: flag --target-dir is required"},
		{[]string{"--metadata-dir", "/m", "--metadata-url", "http://x", "--target-name", "a", "--target-dir", "/t", "download"}, "download: flag --target-base-url is required"},
	} {
		_, err := parseArgs(tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parseArgs(%q) = %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"--help"}, "", &stdout, &stderr); code != 0 {
		t.Errorf("--help: exit status %d", code)
	}
	if !strings.HasPrefix(stdout.String(), "usage:") || stderr.Len() != 0 {
		t.Errorf("--help: stdout %q, stderr %q", stdout.String(), stderr.String())
	}
	res := adapter(t, nil, "--metadata-dir", t.TempDir(), "fetch")
	wantCode(t, res, 1)
	wantStderr(t, res, `unknown command "fetch"`, "usage:")
}

func TestFlagsAfterCommandWord(t *testing.T) {
	t.Parallel()
	w := newWorld(t, fixtures.Options{}, map[string]string{"a.txt": "a"})
	wantCode(t, adapter(t, nil, "init", rootFile(t, w.root), "--metadata-dir="+w.mdir), 0)
	wantCode(t, adapter(t, nil, "refresh", "--metadata-url", w.srv.URL, "--metadata-dir", w.mdir), 0)
	wantCode(t, adapter(t, nil, "download", "--metadata-url="+w.srv.URL, "--metadata-dir", w.mdir,
		"--target-name", "a.txt", "--target-dir", w.tdir, "--target-base-url", w.srv.URL+"/targets"), 0)
	sameFiles(t, map[string]string{"a.txt": "a"}, files(t, w.tdir))
}
