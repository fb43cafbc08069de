package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal and returns its controlling side and
// the terminal a process reads from.
func openPTY(t *testing.T) (control, tty *os.File) {
	t.Helper()
	control, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { control.Close() })
	fd := int(control.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tty.Close() })
	return control, tty
}

// TestStageSignAsksOnTerminal runs accord stage sign with a terminal on
// stdin: it shows the targets the pending version adds, asks, and signs
// only on "y".
func TestStageSignAsksOnTerminal(t *testing.T) {
	bin := buildAccord(t)
	e := &crashEnv{t: t, bin: bin, trust: t.TempDir()}
	dir := filepath.Join(t.TempDir(), "prod")
	e.must("stage", "init", dir, "--name", "prod", "--targets-keys", "2", "--targets-threshold", "2")
	keys, err := filepath.Glob(filepath.Join(dir, "keys", "targets-*.pem"))
	if err != nil || len(keys) != 2 {
		t.Fatalf("targets keys %v, %v", keys, err)
	}
	// Only one of the two signs the change: it waits in pending/.
	e.must("stage", "add", dir, "library/app:1.4", "--length", "3", "--sha256", strings.Repeat("ab", 32), "--key", keys[0])

	for _, c := range []struct {
		answer string
		signed bool
	}{{"n\n", false}, {"y\n", true}} {
		control, tty := openPTY(t)
		cmd := e.command("stage", "sign", dir, "--key", keys[1])
		var out, errb bytes.Buffer
		cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, &out, &errb
		if _, err := control.WriteString(c.answer); err != nil {
			t.Fatal(err)
		}
		err := cmd.Run()
		if !strings.Contains(out.String(), "+ library/app:1.4  3 bytes sha256:"+strings.Repeat("ab", 32)) {
			t.Errorf("answer %q: the change is not shown:\n%s", c.answer, out.String())
		}
		if !strings.Contains(errb.String(), "accord: sign targets version 2 with 1 key? [y/N]") {
			t.Errorf("answer %q: no question on stderr:\n%s", c.answer, errb.String())
		}
		if (err == nil) != c.signed {
			t.Errorf("answer %q: %v\n%s%s", c.answer, err, out.String(), errb.String())
		}
		status := e.must("stage", "status", dir)
		if got := strings.Contains(status, "2 of 2 signatures"); got != c.signed {
			t.Errorf("answer %q: signed %v, want %v:\n%s", c.answer, got, c.signed, status)
		}
	}
}
