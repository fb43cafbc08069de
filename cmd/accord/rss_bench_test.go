//go:build linux

package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/accord-tuf/accord/fixtures"
)

// rssTargetSize is the size of the target BenchmarkDownloadPeakRSS
// downloads, and rssLimit the peak RSS it allows the accord process.
const (
	rssTargetSize = 1 << 30
	rssLimit      = 64 << 20
)

// BenchmarkDownloadPeakRSS runs the accord binary to download a 1 GiB
// target from a loopback fixtures server, with -o FILE and with -o -
// (stdout to /dev/null), and reports the process's peak resident set size
// (getrusage's ru_maxrss) as peak-RSS-MiB, the largest over the
// iterations. It fails when that exceeds 64 MiB. The target's bytes are
// fixtures.Filler's, made as they are served: nothing of it is committed
// or held in memory by the benchmark.
func BenchmarkDownloadPeakRSS(b *testing.B) {
	bin := buildAccord(b)
	r, err := fixtures.New(fixtures.Options{Seed: "big"})
	if err != nil {
		b.Fatal(err)
	}
	if err := r.AddTargetFrom("big.bin", fixtures.Filler(rssTargetSize), rssTargetSize); err != nil {
		b.Fatal(err)
	}
	st, err := r.Publish()
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	if err := st.WriteMetadata(dir); err != nil {
		b.Fatal(err)
	}
	srv := fixtures.Serve(b, dir)
	srv.Inject(fixtures.Oversize(rssTargetSize).Only("/targets/", "big.bin"))

	work := b.TempDir()
	mapFile := filepath.Join(work, "map.json")
	m := map[string]any{
		"repositories": map[string][]string{"big": {srv.URL}},
		"mapping":      []map[string]any{{"paths": []string{"**"}, "repositories": []string{"big"}}},
	}
	data, _ := json.Marshal(m)
	root, _ := r.Root(1)
	rootFile := filepath.Join(work, "root.json")
	for name, content := range map[string][]byte{mapFile: data, rootFile: root} {
		if err := os.WriteFile(name, content, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	trust := filepath.Join(work, "trust")
	for _, args := range [][]string{{"init", "--map", mapFile}, {"pin", "big", rootFile}} {
		if out, err := benchCommand(bin, trust, work, args...).CombinedOutput(); err != nil {
			b.Fatalf("accord %v: %v\n%s", args, err, out)
		}
	}

	out := filepath.Join(work, "big.bin")
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"output=file", []string{"download", "big.bin", "-o", out}},
		{"output=stdout", []string{"download", "big.bin", "-o", "-"}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var peak int64
			for b.Loop() {
				cmd := benchCommand(bin, trust, work, tc.args...)
				if err := cmd.Run(); err != nil {
					b.Fatalf("accord %v: %v", tc.args, err)
				}
				ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
				peak = max(peak, ru.Maxrss<<10) // KiB on Linux
				os.Remove(out)
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MiB")
			if peak > rssLimit {
				b.Errorf("peak RSS %d MiB, over the %d MiB allowed", peak>>20, rssLimit>>20)
			}
		})
	}
}

// benchCommand is the accord binary bin on the trust directory trust,
// run in dir with stdout and stderr discarded.
func benchCommand(bin, trust, dir string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, append([]string{"--trust-dir", trust}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "ACCORD_GROUPS=", "HOME="+dir, "XDG_DATA_HOME=")
	return cmd
}
