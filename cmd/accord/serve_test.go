package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startServe starts `accord serve --listen 127.0.0.1:0 ARGS` on the trust
// directory and returns the process and its base URL, read from the line
// it prints on stderr; the rest of stderr goes to the returned channel
// when the process ends.
func startServe(t *testing.T, e *crashEnv, args ...string) (*exec.Cmd, string, <-chan string) {
	t.Helper()
	cmd := e.command(append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	r := bufio.NewReader(stderr)
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("serve printed %q: %v", line, err)
	}
	base, ok := strings.CutPrefix(strings.TrimSpace(line), "accord: serving on ")
	if !ok {
		t.Fatalf("serve's first line is %q, want where it serves", line)
	}
	rest := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(r)
		rest <- string(b)
	}()
	return cmd, base, rest
}

// podReview is the AdmissionReview of creating a Pod running image.
func podReview(image string) string {
	return `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u-1",` +
		`"kind":{"group":"","version":"v1","kind":"Pod"},"operation":"CREATE",` +
		`"object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"` + image + `"}]}}}}`
}

// TestServeBinary runs the real `accord serve` on the demo world: it
// becomes ready after its first background refresh, answers lookups and
// admission reviews as a webhook would (an allowed Pod, pinned by the
// mutate patch, and a denied one), commits its state so that an offline
// run sees it, and on SIGTERM drains and exits 0.
func TestServeBinary(t *testing.T) {
	e, _, _ := demoEnv(t)
	cmd, base, rest := startServe(t, e, "--admission", "mutate", "--refresh", "1h")
	for {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			break
		}
		time.Sleep(20 * time.Millisecond) // until the first background refresh
	}
	resp, err := http.Get(base + "/v1/lookup?target=library/ubuntu:24.04")
	if err != nil {
		t.Fatal(err)
	}
	var res struct{ Status string }
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil || res.Status != "verified" {
		t.Errorf("lookup: %+v, %v; want verified", res, err)
	}
	resp.Body.Close()

	for _, c := range []struct {
		image   string
		allowed bool
		want    string
	}{
		{"ubuntu:24.04", true, `"patch":`},
		{"redis:7.4", false, `redis:7.4`},
	} {
		resp, err := http.Post(base+"/v1/admission", "application/json", strings.NewReader(podReview(c.image)))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var review struct {
			Response struct{ Allowed bool } `json:"response"`
		}
		if err := json.Unmarshal(body, &review); err != nil || review.Response.Allowed != c.allowed || !strings.Contains(string(body), c.want) {
			t.Errorf("admission of %s: %s, want allowed=%v mentioning %s", c.image, body, c.allowed, c.want)
		}
	}
	e.must("--offline", "lookup", "library/ubuntu:24.04")

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	if err != nil {
		t.Errorf("serve after SIGTERM: %v, want exit status 0; stderr: %s", err, <-rest)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("serve still answers after SIGTERM")
	}
}

// TestServeConfigErrors checks that serve refuses to start, with exit
// status 2 and the reason, on each configuration error.
func TestServeConfigErrors(t *testing.T) {
	e, w, _ := demoEnv(t)
	unpinned := &crashEnv{t: t, bin: e.bin, trust: t.TempDir()}
	unpinned.must("init", "--map", w.MapPath())
	cert := filepath.Join(t.TempDir(), "tls.crt")
	if err := os.WriteFile(cert, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		env  *crashEnv
		args []string
		want string
	}{
		{unpinned, nil, "accord pin ci ROOT.json"},
		{e, []string{"--admission", "block"}, "--admission"},
		{e, []string{"--refresh", "0s"}, "--refresh"},
		{e, []string{"--tls-cert", cert}, "--tls-cert and --tls-key"},
		{e, []string{"--tls-cert", cert, "--tls-key", cert}, "tls:"},
		{e, []string{"--at", "2024-01-01T00:00:00Z"}, "--at"},
		{e, []string{"--listen", "256.0.0.1:0"}, "--listen"},
		{e, []string{"extra"}, "serve"},
	} {
		args := append([]string{"serve", "--listen", "127.0.0.1:0"}, c.args...)
		_, stderr, code := c.env.run(args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("accord %s: exit %d, stderr %q; want 2 mentioning %q", strings.Join(args, " "), code, stderr, c.want)
		}
	}
}
