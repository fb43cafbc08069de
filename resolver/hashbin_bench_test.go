package resolver_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"github.com/accord-tuf/accord/fixtures"
)

// benchHashBinBits is the bit length of the benchmarks' succinct hash bins:
// 1,024 bins.
const benchHashBinBits = 10

// benchHashBinExpiry keeps a cached hash-bin repository valid across runs.
const benchHashBinExpiry = 10 * 365 * 24 * time.Hour

// benchHashBinDir returns the directory holding the metadata of a repository of
// n targets in hash bins (fixtures.HashBinRepo), building it on first use
// in the OS temporary directory, where later runs find it.
func benchHashBinDir(b *testing.B, n int) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "accord-bench", fmt.Sprintf("hash-bins-%d-%d", n, benchHashBinBits))
	key := fmt.Sprintf("accord bench: hash bins, %d targets, %d bits, seed bench/bulk, expiry %v, v1", n, benchHashBinBits, benchHashBinExpiry)
	err := fixtures.BuildOnce(dir, key, func(out string) error {
		r, err := fixtures.HashBinRepo(fixtures.Options{Seed: "bench/bulk", Expiry: benchHashBinExpiry}, n, benchHashBinBits)
		if err != nil {
			return err
		}
		return r.Latest().WriteMetadata(out)
	})
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC() // drop the repository built in memory, if any
	return dir
}

// benchBulkWorld serves a hash-bin repository of n targets as the only
// repository "bulk", mapped for bulk/**.
func benchBulkWorld(b *testing.B, n int, delay time.Duration) *benchWorld {
	b.Helper()
	dir := benchHashBinDir(b, n)
	root, err := os.ReadFile(filepath.Join(dir, "1.root.json"))
	if err != nil {
		b.Fatal(err)
	}
	w := &benchWorld{
		names:   []string{"bulk"},
		servers: map[string]*fixtures.Server{},
		dirs:    map[string]string{},
		roots:   map[string][]byte{},
	}
	w.add(b, "bulk", dir, root, delay)
	w.writeMaps(b, "bulk/**")
	return w
}

// binRequests returns how many hash bins the world's servers served.
func (w *benchWorld) binRequests() int {
	n := 0
	for _, srv := range w.servers {
		for _, p := range srv.Requests() {
			if strings.Contains(p, ".bins-") {
				n++
			}
		}
	}
	return n
}

// BenchmarkHashBins resolves one target, cold (fresh trust directory, root
// pinned), in a repository of 1,000,000 targets in 1,024 succinct hash
// bins, and for comparison in repositories of 1,000 targets, in the same
// 1,024 bins (layout=bins) and in the top-level targets role (layout=flat).
// It fails if a lookup fetches more than one bin, and reports the peak heap
// of one more lookup, measured apart from the timed ones.
func BenchmarkHashBins(b *testing.B) {
	cases := []struct {
		name  string
		n     int
		flat  bool
		serve func(b *testing.B, d time.Duration) *benchWorld
	}{
		{"targets=1000000/layout=bins", 1000000, false, func(b *testing.B, d time.Duration) *benchWorld { return benchBulkWorld(b, 1000000, d) }},
		{"targets=1000/layout=bins", 1000, false, func(b *testing.B, d time.Duration) *benchWorld { return benchBulkWorld(b, 1000, d) }},
		{"targets=1000/layout=flat", 1000, true, func(b *testing.B, d time.Duration) *benchWorld { return newBenchWorld(b, 1, 1000, d) }},
	}
	for _, d := range benchDelays {
		b.Run(fmt.Sprintf("delay=%dms", d.Milliseconds()), func(b *testing.B) {
			for _, c := range cases {
				b.Run(c.name, func(b *testing.B) {
					w := c.serve(b, d)
					target := func(i int) string {
						if c.flat {
							return benchAppTarget(1 + i*7919%c.n)
						}
						return fixtures.HashBinTarget(i * 7919 % c.n)
					}
					base := b.TempDir()
					requests := 0
					// lookup resolves the i-th target from a fresh trust
					// directory and checks that one bin was fetched; only
					// the lookup itself runs on clock, when there is one.
					lookup := func(i int, clock *benchClock) {
						dir := w.trustDir(b, base)
						benchNewProcess()
						w.resetRequests()
						if clock != nil {
							clock.start()
						}
						w.accordLookup(b, dir, false, target(i))
						if clock != nil {
							clock.stop()
						}
						if got := w.binRequests(); !c.flat && got != 1 {
							b.Fatalf("lookup of %s fetched %d hash bins, want 1", target(i), got)
						}
						if clock != nil {
							requests += w.requests()
						}
						os.RemoveAll(dir)
					}
					clock := startClock(b)
					clock.stop()
					for i := range b.N {
						lookup(i, clock)
					}
					clock.done()
					b.ReportMetric(float64(requests)/float64(b.N), "req/op")
					peak, base0 := benchPeakHeap(func() { lookup(b.N, nil) })
					b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
					b.ReportMetric(float64(peak-min(peak, base0))/(1<<20), "heap-growth-MB")
				})
			}
		})
	}
}

// benchHeapMetric is the runtime/metrics name of the bytes of heap objects,
// live or not yet swept.
const benchHeapMetric = "/memory/classes/heap/objects:bytes"

// benchPeakHeap runs f after a collection, sampling the heap every 100µs
// meanwhile, and returns the largest heap seen and the heap before f.
func benchPeakHeap(f func()) (peak, before uint64) {
	sample := []metrics.Sample{{Name: benchHeapMetric}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	runtime.GC()
	before = read()
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		peak := read()
		t := time.NewTicker(100 * time.Microsecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				done <- max(peak, read())
				return
			case <-t.C:
				peak = max(peak, read())
			}
		}
	}()
	f()
	close(stop)
	return <-done, before
}
