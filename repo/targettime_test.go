package repo_test

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/repo"
)

// trickleClient serves a repository signing "slow.bin", size bytes of
// fixtures.Filler, its target bodies sent as fault says, to a Client
// whose timeout is timeout.
func trickleClient(t *testing.T, size int64, timeout time.Duration, fault fixtures.Fault) *repo.Client {
	t.Helper()
	r := newRepo(t, fixtures.Options{}, nil)
	data, err := io.ReadAll(fixtures.Filler(size))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.AddTarget("slow.bin", data); err != nil {
		t.Fatal(err)
	}
	dir, root := r.Dir(t)
	srv := fixtures.Serve(t, dir)
	srv.Inject(fault.Only("/targets/", ""))
	return clientWith(t, repo.Config{TrustDir: pin(t, root), Mirrors: mirrors(srv.URL), Timeout: timeout})
}

// TestDownloadTrickleWithinSilenceLimit: a target whose bytes keep coming
// downloads although it takes longer than the timeout, which limits only
// silence for a target body.
func TestDownloadTrickleWithinSilenceLimit(t *testing.T) {
	const size = 256 << 10 // the minimum rate allows the timeout + 4s
	c := trickleClient(t, size, time.Second, fixtures.Trickle(size, 16<<10, 100*time.Millisecond))
	got, err := download(t, c, "slow.bin")
	want, _ := io.ReadAll(fixtures.Filler(size))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("download = %d bytes, %v; want the %d bytes trickled over 1.6s", len(got), err, size)
	}
}

// TestDownloadSilentTarget: a body that falls silent for longer than the
// timeout fails, naming the silence.
func TestDownloadSilentTarget(t *testing.T) {
	const size = 256 << 10
	c := trickleClient(t, size, 300*time.Millisecond, fixtures.Trickle(size, 16<<10, 0).StallAfter(32<<10))
	got, err := download(t, c, "slow.bin")
	wantErr(t, err, `repository "ci"`, "slow.bin", "no byte received for 300ms")
	if len(got) != 0 {
		t.Errorf("%d unverified bytes written", len(got))
	}
}

// TestDownloadBelowMinimumRate: a body that never falls silent for the
// timeout but comes slower than the minimum rate fails once the timeout
// plus its length at that rate has passed.
func TestDownloadBelowMinimumRate(t *testing.T) {
	const size = 2 << 10 // the minimum rate allows the timeout + 31ms
	c := trickleClient(t, size, time.Second, fixtures.Trickle(size, 128, 200*time.Millisecond))
	got, err := download(t, c, "slow.bin")
	wantErr(t, err, `repository "ci"`, "slow.bin", "2048 bytes not received within 1.031s", "minimum rate of 64 KiB/s")
	if len(got) != 0 {
		t.Errorf("%d unverified bytes written", len(got))
	}
}
