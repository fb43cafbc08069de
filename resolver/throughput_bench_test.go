package resolver_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/accord-tuf/accord/resolver"
)

// benchLookupBatch is the number of lookups of one BenchmarkLookups10k
// iteration.
const benchLookupBatch = 10000

// benchThroughputTargets is the number of targets each repository signs in
// BenchmarkLookups10k; the lookups cycle through them.
const benchThroughputTargets = 1000

// BenchmarkLookups10k resolves 10,000 targets, each needing the 4
// repositories, with one resolver after one refresh per repository (the
// refresh is not timed), and reports lookups per second of time and of
// process CPU time: with GOMAXPROCS=1 (procs=1: one core, lookups one after
// another) and with every core (procs=N: one goroutine per core sharing the
// resolver).
func BenchmarkLookups10k(b *testing.B) {
	for _, d := range benchDelays {
		b.Run(fmt.Sprintf("delay=%dms", d.Milliseconds()), func(b *testing.B) {
			w := newBenchWorld(b, len(benchNames), benchThroughputTargets, d)
			r := resolver.New(w.m, w.opener(w.trustDir(b, b.TempDir()), false))
			ctx := context.Background()
			if _, err := r.Resolve(ctx, benchTarget, nil); err != nil {
				b.Fatal(err)
			}
			procs := []int{1}
			if n := runtime.NumCPU(); n > 1 {
				procs = append(procs, n)
			}
			for _, p := range procs {
				b.Run(fmt.Sprintf("procs=%d", p), func(b *testing.B) {
					defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(p))
					w.resetRequests()
					clock := startClock(b)
					for range b.N {
						benchLookups(b, r, p)
					}
					clock.done()
					n := float64(b.N * benchLookupBatch)
					b.ReportMetric(n/b.Elapsed().Seconds(), "lookups/s")
					if clock.ok && clock.cpu > 0 {
						b.ReportMetric(n/clock.cpu.Seconds(), "lookups/cpu-s")
					}
					if n := w.requests(); n != 0 {
						b.Fatalf("lookups after the refresh sent %d requests", n)
					}
				})
			}
		})
	}
}

// lookups resolves benchLookupBatch targets with workers goroutines and fails
// unless each is verified.
func benchLookups(b *testing.B, r *resolver.Resolver, workers int) {
	ctx := context.Background()
	var wg sync.WaitGroup
	for g := range workers {
		wg.Go(func() {
			for i := g; i < benchLookupBatch; i += workers {
				res, err := r.Resolve(ctx, benchAppTarget(1+i%benchThroughputTargets), nil)
				if err != nil || res.Status != resolver.StatusVerified {
					b.Errorf("lookup %d: %v", i, err)
					return
				}
			}
		})
	}
	wg.Wait()
}
