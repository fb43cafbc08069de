package repo_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/repo"
)

// TestKilledDuringRefresh kills a process that refreshes a trust
// directory over and over, at random points, while the repository moves
// on (with root rotations): after every kill the trust directory still
// verifies offline.
func TestKilledDuringRefresh(t *testing.T) {
	const kills = 16
	r := newRepo(t, fixtures.Options{}, nil)
	var dirs []string
	for i := 0; i <= kills; i++ {
		if err := r.AddTarget(fmt.Sprintf("v%d.txt", i), []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
		if i%3 == 2 {
			if err := r.RotateRoot(fmt.Sprintf("ci-%d", i)); err != nil {
				t.Fatal(err)
			}
		}
		dirs = append(dirs, publish(t, r))
	}
	root, _ := r.Root(1)
	srv := fixtures.Serve(t, dirs[0])
	trust := pin(t, root)
	if err := client(t, trust, srv.URL).Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 1; i <= kills; i++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), envLoop+"=1", envTrust+"="+trust, envURL+"="+srv.URL)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Time one refresh that changes nothing, then let the repository
		// move on and kill the child at a random point of the next
		// refreshes, which commit.
		lines := bufio.NewScanner(out)
		lines.Scan()
		start := time.Now()
		if !lines.Scan() {
			cmd.Wait()
			t.Fatalf("child ended early: %s", stderr.Bytes())
		}
		cycle := time.Since(start)
		srv.SetDir(dirs[i])
		time.Sleep(time.Duration(rng.Int64N(int64(3*cycle) + 1)))
		cmd.Process.Kill()
		cmd.Wait()

		off := clientWith(t, repo.Config{TrustDir: trust, Offline: true})
		if err := off.Refresh(context.Background()); err != nil {
			t.Fatalf("kill %d: the trust directory does not verify: %v", i, err)
		}
	}
	// And an online refresh picks up from there.
	if err := client(t, trust, srv.URL).Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
}
