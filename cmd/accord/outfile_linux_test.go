package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDownloadFIFOWithoutReaderInterrupted: download -o FIFO waits for a
// reader once the lookup is verified; an interrupt while it waits ends the
// command, which leaves the FIFO as it was.
func TestDownloadFIFOWithoutReaderInterrupted(t *testing.T) {
	e, _, _ := demoEnv(t)
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := e.command("download", outputTarget, "-o", fifo)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	// Wait until one of its threads waits in the kernel for a FIFO reader.
	for !waitsForFIFO(cmd.Process.Pid) {
		select {
		case err := <-exited:
			t.Fatalf("accord exited before opening the FIFO: %v", err)
		case <-time.After(5 * time.Millisecond):
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err == nil {
			t.Error("interrupted download exited 0")
		}
	case <-time.After(time.Minute): // a hang guard, far beyond any run
		cmd.Process.Kill()
		t.Fatal("an interrupt did not end a download waiting for a FIFO reader")
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
		t.Errorf("the FIFO is now %v, %v", fi.Mode(), err)
	}
}

// waitsForFIFO reports whether a thread of process pid sleeps in the
// kernel's wait for the other end of a FIFO.
func waitsForFIFO(pid int) bool {
	tasks, _ := filepath.Glob(filepath.Join("/proc", strconv.Itoa(pid), "task", "*", "wchan"))
	for _, p := range tasks {
		if b, err := os.ReadFile(p); err == nil && strings.Contains(string(b), "wait_for_partner") {
			return true
		}
	}
	return false
}
