package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accord-tuf/accord/fixtures"
)

// TestProgressBar fetches a 2 MiB file from a loopback server through the
// counting transport: the bar draws only once started, and ends at 100%.
func TestProgressBar(t *testing.T) {
	dir := t.TempDir()
	const size = 2 << 20
	if err := os.WriteFile(filepath.Join(dir, "big"), bytes.Repeat([]byte("x"), size), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := fixtures.Serve(t, dir)

	var out bytes.Buffer
	bar := &progressBar{w: &out, shown: -1}
	client := &http.Client{Transport: &countingTransport{base: http.DefaultTransport, bar: bar}}
	get := func() {
		t.Helper()
		resp, err := client.Get(srv.URL + "/big")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if n, err := io.Copy(io.Discard, resp.Body); err != nil || n != size {
			t.Fatalf("read %d bytes, %v; want %d", n, err, size)
		}
	}

	get()
	if out.Len() != 0 {
		t.Fatalf("bar drew before it was started: %q", out.String())
	}

	bar.start("big", size)
	get()
	bar.stop()
	got := out.String()
	if !strings.Contains(got, "accord: big [") || !strings.HasSuffix(got, "100% of 2.0 MiB\n") {
		t.Errorf("bar output ends %q, want a bar for big ending at 100%% of 2.0 MiB and a newline", got[max(0, len(got)-80):])
	}
	if n := strings.Count(got, "\r"); n < 2 || n > 101 {
		t.Errorf("bar drew %d times, want one draw per percentage reached", n)
	}

	// A restart, for the next repository, counts from zero again.
	out.Reset()
	bar.start("big", size)
	bar.add(size / 2)
	bar.restart()
	bar.add(size / 4)
	bar.stop()
	if got := out.String(); !strings.Contains(got, " 25% of") || strings.Contains(got, " 75% of") {
		t.Errorf("after a restart the bar shows %q, want 25%% and never 75%%", got)
	}
}
