package service

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/mapfile"
	"github.com/accord-tuf/accord/repo"
)

// The benchmark world: benchRepos repositories that all sign the same
// benchTargets targets; one mapping requires all of them.
const (
	benchRepos   = 4
	benchTargets = 1000
	benchWorkers = 16 // concurrent clients of the load generator
)

func benchTarget(i int) string { return fmt.Sprintf("bench/app-%04d:1", i%benchTargets) }

// newBenchWorld builds, serves and pins the benchmark world and writes its
// map file to <trust>/map.json (for the command line).
func newBenchWorld(b *testing.B) *world {
	b.Helper()
	w := &world{t: b, trust: b.TempDir(), repos: map[string]*fixtures.Repo{},
		servers: map[string]*fixtures.Server{}, clock: &clock{}}
	var mirrors, names []string
	for i := range benchRepos {
		name := fmt.Sprintf("r%d", i)
		r, err := fixtures.New(fixtures.Options{Seed: "bench-" + name})
		if err != nil {
			b.Fatal(err)
		}
		for j := range benchTargets {
			if err := r.AddTarget(benchTarget(j), []byte(benchTarget(j))); err != nil {
				b.Fatal(err)
			}
		}
		dir, root := r.Dir(b)
		if _, err := repo.Pin(w.trust, name, root, repo.PinOptions{}); err != nil {
			b.Fatal(err)
		}
		w.repos[name] = r
		w.servers[name] = fixtures.Serve(b, dir)
		names = append(names, fmt.Sprintf("%q", name))
		mirrors = append(mirrors, fmt.Sprintf("%q: [%q]", name, w.servers[name].URL))
	}
	text := fmt.Sprintf(`{"repositories": {%s}, "mapping": [{"paths": ["bench/*"], "repositories": [%s]}]}`,
		strings.Join(mirrors, ", "), strings.Join(names, ", "))
	if err := os.WriteFile(filepath.Join(w.trust, "map.json"), []byte(text), 0o600); err != nil {
		b.Fatal(err)
	}
	m, err := mapfile.Parse("map.json", []byte(text))
	if err != nil {
		b.Fatal(err)
	}
	w.m = m
	return w
}

// countPacer asks for n hits as fast as the workers go.
type countPacer uint64

func (p countPacer) Pace(_ time.Duration, hits uint64) (time.Duration, bool) {
	return 0, hits >= uint64(p)
}

func (p countPacer) Rate(time.Duration) float64 { return 0 }

// attack sends n requests made by next over keep-alive connections from
// benchWorkers workers and reports throughput, p50, p99 and the errors.
func attack(b *testing.B, n int, next func(i int) vegeta.Target) vegeta.Metrics {
	b.Helper()
	i := 0
	targeter := func(t *vegeta.Target) error {
		*t = next(i) // vegeta calls the targeter under its own lock
		i++
		return nil
	}
	a := vegeta.NewAttacker(vegeta.Workers(benchWorkers), vegeta.MaxWorkers(benchWorkers), vegeta.KeepAlive(true),
		vegeta.Connections(benchWorkers), vegeta.Timeout(10*time.Second))
	var m vegeta.Metrics
	cpu0, cpuOK := processCPU()
	for res := range a.Attack(targeter, countPacer(n), 0, "bench") {
		m.Add(res)
	}
	m.Close()
	if cpu1, ok := processCPU(); ok && cpuOK && cpu1 > cpu0 {
		// Server and load generator together, per second of CPU: what
		// the process does when the machine's other work leaves it the
		// cores.
		b.ReportMetric(float64(n)/(cpu1-cpu0).Seconds(), "req/cpu-s")
	}
	b.ReportMetric(m.Throughput, "req/s")
	b.ReportMetric(float64(m.Latencies.P50.Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(m.Latencies.P99.Microseconds())/1000, "p99-ms")
	if m.Success < 1 {
		b.Errorf("%.4f%% of requests failed: %v %v", 100*(1-m.Success), m.StatusCodes, m.Errors)
	}
	return m
}

// warmService starts a service over the benchmark world, refreshed, and
// checks that every target is verified.
func warmService(b *testing.B, w *world, cfg Config) string {
	b.Helper()
	b.Cleanup(TuneGC(os.Getenv)) // as accord serve runs
	s, base := w.start(cfg)
	refresh(b, s)
	for i := range benchTargets {
		code, body := get(b, base, "/v1/lookup?target="+benchTarget(i))
		if code != http.StatusOK || !strings.Contains(body, `"status":"verified"`) {
			b.Fatalf("%s: %d %s", benchTarget(i), code, body)
		}
	}
	return base
}

func lookupTarget(base string) func(int) vegeta.Target {
	return func(i int) vegeta.Target {
		return vegeta.Target{Method: "GET", URL: base + "/v1/lookup?target=" + benchTarget(i)}
	}
}

// BenchmarkServeLookup measures GET /v1/lookup over loopback with
// keep-alive: 4 repositories × 1,000 targets, every lookup needing all
// four, warm; each iteration is one request.
func BenchmarkServeLookup(b *testing.B) {
	w := newBenchWorld(b)
	base := warmService(b, w, w.config(Validate))
	b.ResetTimer()
	attack(b, b.N, lookupTarget(base))
}

// BenchmarkServeLookupHangingRepository is BenchmarkServeLookup while one
// repository's server never answers: its background refresh (the first
// comes about a second after the start) hangs for the whole run, while
// the other repositories refresh as usual.
func BenchmarkServeLookupHangingRepository(b *testing.B) {
	w := newBenchWorld(b)
	w.timeout = time.Hour
	cfg := w.config(Validate)
	b.Cleanup(TuneGC(os.Getenv)) // as accord serve runs
	s, base := w.start(cfg)
	refresh(b, s)
	st, _ := s.Status()
	before := *st[0].LastRefresh
	w.servers["r0"].Inject(fixtures.Hang())
	ctx, cancel := context.WithCancel(context.Background())
	defer func() {
		cancel()
		s.refreshers.Wait()
	}()
	w.servers["r0"].ResetRequests()
	s.Start(ctx)
	for !firstRefreshDone(s, before) || len(w.servers["r0"].Requests()) == 0 {
		time.Sleep(time.Millisecond) // until r0's refresh hangs and the others' are done
	}
	b.ResetTimer()
	attack(b, b.N, lookupTarget(base))
	b.StopTimer()
	if st, _ := s.Status(); !st[0].LastRefresh.Equal(before) {
		b.Fatalf("r0's refresh ended during the run: %+v", st[0])
	}
}

// firstRefreshDone reports whether every repository but the first has
// finished a refresh that began after before.
func firstRefreshDone(s *Service, before time.Time) bool {
	st, _ := s.Status()
	for _, r := range st[1:] {
		if r.LastRefresh == nil || !r.LastRefresh.After(before) {
			return false
		}
	}
	return true
}

// BenchmarkServeAdmission measures POST /v1/admission of a Pod with three
// containers, in mutate mode (each image resolved, the patch made).
func BenchmarkServeAdmission(b *testing.B) {
	w := newBenchWorld(b)
	base := warmService(b, w, w.config(Mutate))
	reviews := make([][]byte, 64)
	for i := range reviews {
		spec := `{"containers":[` +
			fmt.Sprintf(`{"name":"a","image":"bench/app-%04d:1"},`, i) +
			fmt.Sprintf(`{"name":"b","image":"bench/app-%04d:1"},`, i+100) +
			fmt.Sprintf(`{"name":"c","image":"bench/app-%04d:1"}]}`, i+200)
		reviews[i] = []byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u",` +
			`"kind":{"version":"v1","kind":"Pod"},"operation":"CREATE","object":{"apiVersion":"v1","kind":"Pod","spec":` + spec + `}}}`)
	}
	code, body := post(b, base, "/v1/admission", string(reviews[0]))
	if code != http.StatusOK || !strings.Contains(body, `"allowed":true`) || !strings.Contains(body, `"patch"`) {
		b.Fatalf("admission: %d %s", code, body)
	}
	header := http.Header{"Content-Type": []string{"application/json"}}
	b.ResetTimer()
	attack(b, b.N, func(i int) vegeta.Target {
		return vegeta.Target{Method: "POST", URL: base + "/v1/admission", Body: reviews[i%len(reviews)], Header: header}
	})
}

// BenchmarkServeMemory sends b.N lookups (run it with -benchtime
// 1000000x) and reports the live heap after a GC before and after them,
// in the server's process (the load generator runs in it too, and its
// results are not kept).
func BenchmarkServeMemory(b *testing.B) {
	w := newBenchWorld(b)
	base := warmService(b, w, w.config(Validate))
	heap := func() float64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return float64(ms.HeapAlloc)
	}
	attack(b, 10000, lookupTarget(base)) // connections and pools at their working size
	before := heap()
	b.ResetTimer()
	attack(b, b.N, lookupTarget(base))
	b.StopTimer()
	after := heap()
	b.ReportMetric(before/(1<<20), "heap-before-MiB")
	b.ReportMetric(after/(1<<20), "heap-after-MiB")
}

// BenchmarkCLILookup is the command line's cost for the same lookups: one
// `accord --offline lookup` process per target, on the trust directory the
// service refreshed (offline, so that the comparison is the process and
// the verification from disk, not the network).
func BenchmarkCLILookup(b *testing.B) {
	w := newBenchWorld(b)
	warmService(b, w, w.config(Validate))
	bin := filepath.Join(b.TempDir(), "accord")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/accord").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		cmd := exec.Command(bin, "--trust-dir", w.trust, "--offline", "lookup", benchTarget(i))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			b.Fatalf("accord lookup %s: %v\n%s", benchTarget(i), err, out.Bytes())
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "lookups/s")
}
