package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDeployContainerd checks deploy/containerd against the command: the
// wrapper is three lines that exec accord's image-verify with global
// flags the command accepts, and the configuration names containerd's
// bindir plugin with a per_verifier_timeout above image-verify's default
// --timeout, so that accord answers first.
func TestDeployContainerd(t *testing.T) {
	dir := filepath.Join("..", "..", "deploy", "containerd")
	script, err := os.ReadFile(filepath.Join(dir, "accord-image-verify"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(script), "\n"), "\n")
	if len(lines) != 3 || lines[0] != "#!/bin/sh" || !strings.HasPrefix(lines[1], "# ") {
		t.Fatalf("wrapper: want #!/bin/sh, a comment and the exec line; got %q", lines)
	}
	const want = `exec accord --trust-dir /var/lib/accord --max-age 5m image-verify "$@"`
	if lines[2] != want {
		t.Fatalf("wrapper exec line %q, want %q", lines[2], want)
	}
	if fi, err := os.Stat(filepath.Join(dir, "accord-image-verify")); err != nil || fi.Mode().Perm()&0o111 == 0 {
		t.Errorf("wrapper is not executable: %v, %v", fi.Mode(), err)
	}
	// The wrapper's flags, with containerd's arguments, are accepted: on
	// an empty trust directory the pull is blocked for want of a map file,
	// not for a flag.
	trust := t.TempDir()
	cmdline := strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(lines[2], "exec accord "), ` "$@"`), "/var/lib/accord", trust)
	args := append(strings.Fields(cmdline), "-name", "docker.io/library/ubuntu:24.04", "-digest", "sha256:"+strings.Repeat("0", 64), "-stdin-media-type", "application/vnd.oci.descriptor.v1+json")
	var stdout, stderr strings.Builder
	code := run(args, strings.NewReader(`{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"sha256:`+strings.Repeat("0", 64)+`","size":1}`), &stdout, &stderr)
	wantOut := "blocked: no map file at " + filepath.Join(trust, "map.json") + "; run: accord init --map FILE\n"
	if code != exitFailed || stdout.String() != wantOut {
		t.Errorf("wrapper %q: exit %d, stdout %q, stderr %q; want exit 1, %q", args, code, stdout.String(), stderr.String(), wantOut)
	}

	config, err := os.ReadFile(filepath.Join(dir, "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(config)
	for _, key := range []string{
		`[plugins."io.containerd.image-verifier.v1.bindir"]`,
		`bin_dir = "/opt/containerd/image-verifier/bin"`,
		`max_verifiers = `,
	} {
		if !strings.Contains(text, key) {
			t.Errorf("config.toml does not hold %q", key)
		}
	}
	m := regexp.MustCompile(`(?m)^\s*per_verifier_timeout = "([^"]+)"$`).FindStringSubmatch(text)
	if m == nil {
		t.Fatal("config.toml sets no per_verifier_timeout")
	}
	d, err := time.ParseDuration(m[1])
	if err != nil || d <= imageVerifyTimeout {
		t.Errorf("per_verifier_timeout %q: want a duration above image-verify's default --timeout %v", m[1], imageVerifyTimeout)
	}
}
