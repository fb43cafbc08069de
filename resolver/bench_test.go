package resolver_test

// The benchmarks of BENCHMARKS.md. Every case runs on signed fixture
// repositories served on 127.0.0.1 by fixtures.Server, with every request
// delayed by 0 or 20 ms (sub-benchmarks delay=0ms and delay=20ms). They run
// only with -bench; `make bench` runs them and prints the ratio table.
//
//   - BenchmarkLookupCold: one target needing 4 (or 1) repositories, from a
//     fresh trust directory with the roots pinned: accord (resolver over
//     *repo.Client) and go-tuf's metadata/multirepo, side by side.
//   - BenchmarkLookupWarm: the same over a trust directory already
//     refreshed, with new clients (as a new process would), online.
//   - BenchmarkLookupOffline: the same with repo.Config.Offline.
//   - BenchmarkFloor: signature checks and JSON decoding of exactly the
//     metadata a cold lookup needs, through go-tuf's trustedmetadata, from
//     bytes read in advance: no network, no disk.
//   - BenchmarkLookups10k (throughput_bench_test.go): 10,000 lookups after
//     one refresh per repository.
//   - BenchmarkHashBins (hashbin_bench_test.go): a cold lookup in a
//     repository of 1,000,000 targets in 1,024 succinct hash bins, against
//     1,000-target repositories.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata/multirepo"
	"github.com/theupdateframework/go-tuf/v2/metadata/trustedmetadata"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/mapfile"
	"github.com/accord-tuf/accord/repo"
	"github.com/accord-tuf/accord/resolver"
)

// benchTarget is the target every lookup benchmark resolves.
const benchTarget = "library/app:1"

// benchNames are the repositories of the benchmarks, in map order.
var benchNames = []string{"ci", "qa", "staging", "prod"}

// benchDelays are the delays injected before every answer of every server.
var benchDelays = []time.Duration{0, 20 * time.Millisecond}

// benchRepoCounts are the numbers of repositories a lookup needs.
var benchRepoCounts = []int{1, 4}

// benchWorld is a set of repositories served on loopback, each signing the same
// targets with its own keys, and the map files (accord's and go-tuf
// multirepo's TAP 4 map) that require all of them for library/*.
type benchWorld struct {
	names   []string
	servers map[string]*fixtures.Server
	dirs    map[string]string // served directories
	roots   map[string][]byte // version 1 roots, to pin
	m       *mapfile.Map
	tap4    []byte
}

// newBenchWorld publishes n repositories, each signing the targets
// library/app:1 … library/app:<targets>, serves each on its own loopback
// server delaying every answer by delay, and writes the map files.
func newBenchWorld(b *testing.B, n, targets int, delay time.Duration) *benchWorld {
	b.Helper()
	w := &benchWorld{
		names:   benchNames[:n],
		servers: map[string]*fixtures.Server{},
		dirs:    map[string]string{},
		roots:   map[string][]byte{},
	}
	for _, name := range w.names {
		r, err := fixtures.New(fixtures.Options{Seed: "bench/" + name})
		if err != nil {
			b.Fatal(err)
		}
		for i := 1; i <= targets; i++ {
			if err := r.AddTarget(benchAppTarget(i), benchAppData(i)); err != nil {
				b.Fatal(err)
			}
		}
		dir := b.TempDir()
		root, err := r.Write(dir)
		if err != nil {
			b.Fatal(err)
		}
		w.add(b, name, dir, root, delay)
	}
	w.writeMaps(b, "library/*")
	return w
}

// add serves dir as the repository name, with root its root to pin.
func (w *benchWorld) add(b *testing.B, name, dir string, root []byte, delay time.Duration) {
	b.Helper()
	srv := fixtures.Serve(b, dir)
	if delay > 0 {
		srv.Inject(fixtures.Delay(delay))
	}
	w.servers[name], w.dirs[name], w.roots[name] = srv, dir, root
}

// writeMaps writes a map with one terminating mapping of pattern to every
// repository of the world, threshold all of them, in accord's format and
// in go-tuf multirepo's.
func (w *benchWorld) writeMaps(b *testing.B, pattern string) {
	b.Helper()
	type mapping struct {
		Paths        []string `json:"paths"`
		Repositories []string `json:"repositories"`
		Threshold    int      `json:"threshold"`
		Terminating  bool     `json:"terminating"`
	}
	repos := map[string][]string{}
	for _, name := range w.names {
		repos[name] = []string{w.servers[name].URL}
	}
	doc := map[string]any{
		"repositories": repos,
		"mapping":      []mapping{{Paths: []string{pattern}, Repositories: w.names, Threshold: len(w.names), Terminating: true}},
	}
	data, err := json.Marshal(doc)
	if err != nil {
		b.Fatal(err)
	}
	if w.m, err = mapfile.Parse("map.json", data); err != nil {
		b.Fatal(err)
	}
	w.tap4 = data // the same document is a valid TAP 4 map for multirepo
}

// benchAppTarget and benchAppData are the i-th target of a world and its bytes.
func benchAppTarget(i int) string { return "library/app:" + strconv.Itoa(i) }
func benchAppData(i int) []byte   { return []byte("release " + strconv.Itoa(i) + " of app\n") }

// trustDir returns a new trust directory under base with every root of
// the world pinned.
func (w *benchWorld) trustDir(b *testing.B, base string) string {
	b.Helper()
	dir, err := os.MkdirTemp(base, "trust-")
	if err != nil {
		b.Fatal(err)
	}
	for _, name := range w.names {
		if _, err := repo.Pin(dir, name, w.roots[name], repo.PinOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// opener opens the world's repositories as the command does: mirrors from
// the map, state in trustDir.
func (w *benchWorld) opener(trustDir string, offline bool) resolver.Opener {
	return func(name string) (resolver.Repository, error) {
		d, _ := w.m.Repository(name)
		var mirrors []repo.Mirror
		for _, mr := range d.Mirrors {
			mirrors = append(mirrors, repo.Mirror{Metadata: mr.Metadata, Targets: mr.Targets})
		}
		return repo.New(repo.Config{Name: name, Mirrors: mirrors, TrustDir: trustDir, Offline: offline})
	}
}

// requests returns the number of requests the world's servers answered.
func (w *benchWorld) requests() int {
	n := 0
	for _, srv := range w.servers {
		n += len(srv.Requests())
	}
	return n
}

// resetRequests forgets the requests the world's servers counted.
func (w *benchWorld) resetRequests() {
	for _, srv := range w.servers {
		srv.ResetRequests()
	}
}

// benchNewProcess drops the idle connections that both accord's and multirepo's
// default HTTP clients share, so that each iteration connects afresh as a
// new process would.
func benchNewProcess() {
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
}

// accordLookup resolves target with a new resolver over new clients of
// trustDir and fails unless the result is verified.
func (w *benchWorld) accordLookup(b *testing.B, trustDir string, offline bool, target string) {
	r := resolver.New(w.m, w.opener(trustDir, offline))
	res, err := r.Resolve(context.Background(), target, nil)
	if err != nil {
		b.Fatalf("accord: %v", err)
	}
	if len(res.Agreed) != len(w.names) {
		b.Fatalf("accord: agreed %q, want all of %q", res.Agreed, w.names)
	}
}

// multirepoLookup resolves target with go-tuf's multirepo client, its
// metadata cached under dir, and fails unless every repository agreed.
func (w *benchWorld) multirepoLookup(b *testing.B, dir, target string) {
	cfg, err := multirepo.NewConfig(w.tap4, w.roots)
	if err != nil {
		b.Fatal(err)
	}
	cfg.LocalMetadataDir = filepath.Join(dir, "metadata")
	cfg.LocalTargetsDir = filepath.Join(dir, "targets")
	c, err := multirepo.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	if err := c.Refresh(); err != nil {
		b.Fatalf("multirepo: %v", err)
	}
	_, repos, err := c.GetTargetInfo(target)
	if err != nil {
		b.Fatalf("multirepo: %v", err)
	}
	if len(repos) != len(w.names) {
		b.Fatalf("multirepo: agreed %q, want all of %q", repos, w.names)
	}
}

// forEachBenchWorld runs f in sub-benchmarks delay=…/repos=… over a world of
// that many repositories with that delay.
func forEachBenchWorld(b *testing.B, f func(b *testing.B, w *benchWorld)) {
	for _, d := range benchDelays {
		b.Run(fmt.Sprintf("delay=%dms", d.Milliseconds()), func(b *testing.B) {
			for _, n := range benchRepoCounts {
				b.Run(fmt.Sprintf("repos=%d", n), func(b *testing.B) {
					f(b, newBenchWorld(b, n, 1, d))
				})
			}
		})
	}
}

// benchReportRequests reports the requests per lookup the servers answered.
func benchReportRequests(b *testing.B, w *benchWorld) {
	b.ReportMetric(float64(w.requests())/float64(b.N), "req/op")
}

// benchClock is a benchmark's timer together with the process's CPU time
// (user and system, loopback servers included) over the same spans: the
// CPU time per operation holds still on a loaded machine, where the time
// does not.
type benchClock struct {
	b       *testing.B
	cpu     time.Duration // over the spans timed so far
	mark    time.Duration // at the start of the span under way
	running bool
	ok      bool // the platform tells the process's CPU time
}

// startClock resets b's timer and starts timing.
func startClock(b *testing.B) *benchClock {
	c := &benchClock{b: b, running: true}
	b.ResetTimer()
	c.mark, c.ok = processCPU()
	return c
}

// stop stops the timer and the CPU clock.
func (c *benchClock) stop() {
	c.b.StopTimer()
	if !c.running {
		return
	}
	c.running = false
	if now, ok := processCPU(); ok {
		c.cpu += now - c.mark
	}
}

// start starts them again.
func (c *benchClock) start() {
	c.running = true
	c.mark, _ = processCPU()
	c.b.StartTimer()
}

// done stops the clocks and reports the CPU time per operation.
func (c *benchClock) done() {
	c.stop()
	if c.ok && c.b.N > 0 {
		c.b.ReportMetric(float64(c.cpu.Nanoseconds())/float64(c.b.N), "cpu-ns/op")
	}
}

// BenchmarkLookupCold resolves one target that needs every repository,
// from a fresh trust directory with the roots pinned: accord and go-tuf
// multirepo on the same servers.
func BenchmarkLookupCold(b *testing.B) {
	forEachBenchWorld(b, func(b *testing.B, w *benchWorld) {
		b.Run("impl=accord", func(b *testing.B) {
			base := b.TempDir()
			w.resetRequests()
			clock := startClock(b)
			for range b.N {
				clock.stop()
				dir := w.trustDir(b, base)
				benchNewProcess()
				clock.start()
				w.accordLookup(b, dir, false, benchTarget)
				clock.stop()
				os.RemoveAll(dir)
				clock.start()
			}
			clock.done()
			benchReportRequests(b, w)
		})
		b.Run("impl=multirepo", func(b *testing.B) {
			base := b.TempDir()
			w.resetRequests()
			clock := startClock(b)
			for range b.N {
				clock.stop()
				dir, err := os.MkdirTemp(base, "multirepo-")
				if err != nil {
					b.Fatal(err)
				}
				benchNewProcess()
				clock.start()
				w.multirepoLookup(b, dir, benchTarget)
				clock.stop()
				os.RemoveAll(dir)
				clock.start()
			}
			clock.done()
			benchReportRequests(b, w)
		})
	})
}

// BenchmarkLookupWarm resolves the target with new clients over a trust
// directory that an earlier lookup refreshed: the metadata is cached and
// current, and the lookup still checks for a new root and timestamp.
func BenchmarkLookupWarm(b *testing.B) {
	forEachBenchWorld(b, func(b *testing.B, w *benchWorld) {
		b.Run("impl=accord", func(b *testing.B) {
			dir := w.trustDir(b, b.TempDir())
			w.accordLookup(b, dir, false, benchTarget)
			w.resetRequests()
			clock := startClock(b)
			for range b.N {
				clock.stop()
				benchNewProcess()
				clock.start()
				w.accordLookup(b, dir, false, benchTarget)
			}
			clock.done()
			benchReportRequests(b, w)
		})
		b.Run("impl=multirepo", func(b *testing.B) {
			dir := b.TempDir()
			w.multirepoLookup(b, dir, benchTarget)
			w.resetRequests()
			clock := startClock(b)
			for range b.N {
				clock.stop()
				benchNewProcess()
				clock.start()
				w.multirepoLookup(b, dir, benchTarget)
			}
			clock.done()
			benchReportRequests(b, w)
		})
	})
}

// BenchmarkLookupOffline resolves the target with new offline clients
// over a refreshed trust directory (accord --offline): no request may
// reach a server.
func BenchmarkLookupOffline(b *testing.B) {
	forEachBenchWorld(b, func(b *testing.B, w *benchWorld) {
		b.Run("impl=accord", func(b *testing.B) {
			dir := w.trustDir(b, b.TempDir())
			w.accordLookup(b, dir, false, benchTarget)
			w.resetRequests()
			clock := startClock(b)
			for range b.N {
				w.accordLookup(b, dir, true, benchTarget)
			}
			clock.done()
			if n := w.requests(); n != 0 {
				b.Fatalf("offline lookups sent %d requests", n)
			}
		})
	})
}

// benchFloorFiles are the metadata files a cold lookup verifies, in order.
type benchFloorFiles struct{ root, timestamp, snapshot, targets []byte }

// benchReadFloorFiles reads, from the directory a world's repository is served
// from, the files a cold lookup of version 1 verifies.
func benchReadFloorFiles(b *testing.B, dir string) benchFloorFiles {
	b.Helper()
	read := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			b.Fatal(err)
		}
		return data
	}
	return benchFloorFiles{read("1.root.json"), read("timestamp.json"), read("1.snapshot.json"), read("1.targets.json")}
}

// verify checks the files' signatures and decodes them as a lookup must,
// and returns the target's length.
func (f benchFloorFiles) verify(target string) (int64, error) {
	t, err := trustedmetadata.New(f.root)
	if err != nil {
		return 0, err
	}
	if _, err := t.UpdateTimestamp(f.timestamp); err != nil {
		return 0, err
	}
	if _, err := t.UpdateSnapshot(f.snapshot, false); err != nil {
		return 0, err
	}
	md, err := t.UpdateTargets(f.targets)
	if err != nil {
		return 0, err
	}
	info, ok := md.Signed.Targets[target]
	if !ok {
		return 0, fmt.Errorf("no target %q", target)
	}
	return info.Length, nil
}

// BenchmarkFloor verifies the signatures and decodes the JSON of exactly
// the metadata a cold lookup needs (root, timestamp, snapshot, targets of
// each repository, one goroutine per repository as the resolver asks
// them), from bytes read in advance: the floor under any lookup.
func BenchmarkFloor(b *testing.B) {
	for _, n := range benchRepoCounts {
		b.Run(fmt.Sprintf("repos=%d", n), func(b *testing.B) {
			w := newBenchWorld(b, n, 1, 0)
			files := make([]benchFloorFiles, n)
			for i, name := range w.names {
				files[i] = benchReadFloorFiles(b, w.dirs[name])
			}
			errs := make([]error, n)
			clock := startClock(b)
			for range b.N {
				var wg sync.WaitGroup
				for i := range files {
					wg.Go(func() { _, errs[i] = files[i].verify(benchTarget) })
				}
				wg.Wait()
				for _, err := range errs {
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			clock.done()
		})
	}
}
