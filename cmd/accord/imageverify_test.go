package main

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"testing"
)

// TestImageVerifyStdinNeverEnds runs the verifier as containerd would, but
// with a stdin that is never closed: the judgement cannot come, so the
// pull is blocked when --timeout passes, and the process ends.
func TestImageVerifyStdinNeverEnds(t *testing.T) {
	bin := buildAccord(t)
	cmd := exec.Command(bin, "--trust-dir", t.TempDir(), "--timeout", "100ms", "image-verify",
		"-name", "docker.io/library/ubuntu:24.04",
		"-digest", "sha256:"+strings.Repeat("ab", 32),
		"-stdin-media-type", "application/vnd.oci.descriptor.v1+json")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Half a descriptor, and then nothing.
	if _, err := stdin.Write([]byte(`{"mediaType": "application/vnd.oci.image.index.v1+json",`)); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitFailed {
		t.Fatalf("exit: %v, want status 1; stderr %q", err, stderr.String())
	}
	const want = "blocked: no judgement within 100ms (--timeout): failing closed\n"
	if stdout.String() != want {
		t.Errorf("stdout %q, want %q", stdout.String(), want)
	}
}
