//go:build unix

package main

import (
	"bytes"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/accord-tuf/accord/fixtures"
)

// outputTarget is a demo target that ci and qa both sign.
const outputTarget = "library/ubuntu:24.04"

// demoEnv builds accord, serves the demo world and pins its repositories
// in a fresh trust directory.
func demoEnv(t *testing.T) (*crashEnv, *fixtures.World, *fixtures.Server) {
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
	e := &crashEnv{t: t, bin: buildAccord(t), trust: t.TempDir()}
	e.must("init", "--map", w.MapPath())
	for _, n := range fixtures.DemoRepositories {
		e.must("pin", n, w.RootPath(n))
	}
	return e, w, srv
}

// TestDownloadOutputKinds: download -o writes a regular file (or a new
// one) atomically, keeping its mode; writes a character device or a FIFO
// in place; and refuses a symbolic link, before any network access,
// leaving the link as it was.
func TestDownloadOutputKinds(t *testing.T) {
	e, w, srv := demoEnv(t)
	want := w.Signed["ci"][outputTarget]
	dir := t.TempDir()

	t.Run("regular file keeps its mode", func(t *testing.T) {
		out := filepath.Join(dir, "kept.img")
		if err := os.WriteFile(out, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(out, 0o640); err != nil {
			t.Fatal(err)
		}
		e.must("download", outputTarget, "-o", out)
		fi, err := os.Lstat(out)
		if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o640 {
			t.Fatalf("after download: %v, %v; want a regular file with mode 0640", fi.Mode(), err)
		}
		if got, _ := os.ReadFile(out); !bytes.Equal(got, want) {
			t.Fatal("the file does not hold the target")
		}
	})

	t.Run("symbolic links are refused and kept", func(t *testing.T) {
		other := filepath.Join(dir, "other.txt")
		if err := os.WriteFile(other, []byte("other"), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, dest := range []string{other, "/proc/self/fd/1", filepath.Join(dir, "nothing-there")} {
			link := filepath.Join(dir, "link")
			os.Remove(link)
			if err := os.Symlink(dest, link); err != nil {
				t.Fatal(err)
			}
			before := len(srv.Requests())
			out, errs, code := e.run("download", outputTarget, "-o", link)
			if code != 2 || out != "" || !strings.Contains(errs, "accord: -o "+link+": is a symbolic link to \""+dest+"\"") {
				t.Errorf("-o link to %s: exit %d, stdout %q, stderr %q; want exit 2 naming the link", dest, code, out, errs)
			}
			if got, err := os.Readlink(link); err != nil || got != dest {
				t.Errorf("-o link to %s: the link is now %q, %v", dest, got, err)
			}
			if n := len(srv.Requests()); n != before {
				t.Errorf("-o link to %s: %d requests before refusing", dest, n-before)
			}
		}
		if got, _ := os.ReadFile(other); string(got) != "other" {
			t.Errorf("the file behind the link was changed: %q", got)
		}
	})

	t.Run("socket is refused", func(t *testing.T) {
		sock := filepath.Join(dir, "sock")
		l, err := net.Listen("unix", sock)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		before := len(srv.Requests())
		_, errs, code := e.run("download", outputTarget, "-o", sock)
		if code != 2 || !strings.Contains(errs, "accord: -o "+sock+": is a socket; give a regular file, a character device or a FIFO") {
			t.Errorf("-o socket: exit %d, stderr %q", code, errs)
		}
		if fi, err := os.Lstat(sock); err != nil || fi.Mode()&fs.ModeSocket == 0 {
			t.Errorf("-o socket: now %v, %v", fi.Mode(), err)
		}
		if n := len(srv.Requests()); n != before {
			t.Errorf("-o socket: %d requests before refusing", n-before)
		}
	})

	t.Run("FIFO is written in place", func(t *testing.T) {
		fifo := filepath.Join(dir, "fifo")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Fatal(err)
		}
		// A second name for the FIFO, to release the reader should
		// accord never open it.
		keep := filepath.Join(dir, "fifo-keep")
		if err := os.Link(fifo, keep); err != nil {
			t.Fatal(err)
		}
		read := make(chan []byte, 1)
		go func() {
			f, err := os.Open(fifo) // waits for a writer
			if err != nil {
				read <- nil
				return
			}
			defer f.Close()
			data, _ := io.ReadAll(f)
			read <- data
		}()
		_, errs, code := e.run("download", outputTarget, "-o", fifo)
		if f, err := os.OpenFile(keep, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.Close()
		}
		got := <-read
		if code != 0 || !bytes.Equal(got, want) {
			t.Errorf("-o FIFO: exit %d, the reader got %d bytes, want %d; stderr %q", code, len(got), len(want), errs)
		}
		if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
			t.Errorf("-o FIFO: now %v, %v; want the FIFO kept", fi.Mode(), err)
		}
	})

	t.Run("character device is written in place", func(t *testing.T) {
		dev := nullDevice(t, dir)
		before, err := os.Lstat(dev)
		if err != nil {
			t.Fatal(err)
		}
		e.must("download", outputTarget, "-o", dev)
		after, err := os.Lstat(dev)
		if err != nil || after.Mode()&fs.ModeCharDevice == 0 || !os.SameFile(before, after) {
			t.Fatalf("-o %s: now %v, %v; want the same character device", dev, after.Mode(), err)
		}
	})
}

// nullDevice returns a character device that discards what is written to
// it and that the test may lose: as root, a copy of /dev/null's node made
// with mknod (root could replace /dev/null itself); otherwise /dev/null,
// which only root can replace.
func nullDevice(t *testing.T, dir string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		return "/dev/null"
	}
	fi, err := os.Stat("/dev/null")
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	dev := filepath.Join(dir, "null")
	if err := syscall.Mknod(dev, syscall.S_IFCHR|0o666, int(st.Rdev)); err != nil {
		t.Fatal(err)
	}
	return dev
}
