package resolver_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/repo"
	"github.com/accord-tuf/accord/resolver"
)

// Bounds of TestFaultsUnderLoad: lookups at once, rounds of faults, and the
// limit of each request.
const (
	loadLookups = 32
	loadRounds  = 10              // the first and the last without faults
	loadTimeout = 5 * time.Second // short, yet long enough for a loaded machine
	loadTargets = 6
)

// loadTargetName and loadTargetData are target i of the load test; the
// last one is over 1 MiB, so that its download is spooled to disk.
func loadTargetName(i int) string { return fmt.Sprintf("library/app:%d", i) }

func loadTargetData(i int) []byte {
	size := 512 + 97*i
	if i == loadTargets-1 {
		size = 3 << 19 // 1.5 MiB
	}
	b := bytes.Repeat([]byte(fmt.Sprintf("target %d ", i)), size/9+1)
	return b[:size]
}

// loadEnv is what a fault needs: the server, the state it serves, the
// request paths concerned ([prefix, suffix]) and randomness.
type loadEnv struct {
	t     *testing.T
	srv   *fixtures.Server
	st    *fixtures.State
	scope [2]string
	rng   *rand.Rand
}

// loadFault is one misbehaviour a server may show for a round.
type loadFault struct {
	name   string
	inject func(e loadEnv) (clear func())
}

var loadFaults = []loadFault{
	{"delay", func(e loadEnv) func() {
		return e.srv.Inject(fixtures.Delay(time.Duration(e.rng.IntN(20))*time.Millisecond).Only(e.scope[0], e.scope[1]))
	}},
	{"500", func(e loadEnv) func() { return e.srv.Inject(fixtures.Status(500).Only(e.scope[0], e.scope[1])) }},
	{"drop", func(e loadEnv) func() { return e.srv.Inject(fixtures.Drop().Only(e.scope[0], e.scope[1])) }},
	{"endless", func(e loadEnv) func() { return e.srv.Inject(fixtures.Endless().Only(e.scope[0], e.scope[1])) }},
	{"oversize", func(e loadEnv) func() { return e.srv.Inject(fixtures.Oversize(8<<20).Only(e.scope[0], e.scope[1])) }},
	{"hang", func(e loadEnv) func() { return e.srv.Inject(fixtures.Hang().Only(e.scope[0], e.scope[1])) }},
	{"truncated", func(e loadEnv) func() { return loadSwapDir(e.srv, loadTruncated(e)) }},
	{"tampered", func(e loadEnv) func() { return loadSwapDir(e.srv, loadTampered(e)) }},
}

// loadScopes are the request paths a fault applies to: all, metadata
// only, targets only, timestamp only.
var loadScopes = [][2]string{{"", ""}, {"", ".json"}, {"/targets/", ""}, {"/timestamp.json", ""}}

// loadSwapDir makes srv serve dir until the returned function is called.
func loadSwapDir(srv *fixtures.Server, dir string) (restore func()) {
	old := srv.Dir()
	srv.SetDir(dir)
	return func() { srv.SetDir(old) }
}

// loadTruncated writes a copy of the state whose files in scope are each cut
// to a random part of their length: a mirror serving partial files.
func loadTruncated(e loadEnv) string {
	e.t.Helper()
	dir := e.st.Dir(e.t)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel = "/" + filepath.ToSlash(rel); !strings.HasPrefix(rel, e.scope[0]) || !strings.HasSuffix(rel, e.scope[1]) {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil || len(data) == 0 {
			return err
		}
		return os.WriteFile(p, data[:e.rng.IntN(len(data))], 0o644)
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return dir
}

// loadTampered writes a copy of the state that serves every target with one
// bit flipped: the signed length, other bytes.
func loadTampered(e loadEnv) string {
	e.t.Helper()
	st := e.st.Clone()
	for i := range loadTargets {
		data := loadTargetData(i)
		data[e.rng.IntN(len(data))] ^= 1
		if err := st.TamperTarget(loadTargetName(i), data); err != nil {
			e.t.Fatal(err)
		}
	}
	return st.Dir(e.t)
}

// TestFaultsUnderLoad runs 32 concurrent lookups, each followed by a
// download, through one resolver per round, while each repository's
// server randomly delays, answers 500, drops connections, sends endless or
// oversized bodies, hangs, or serves truncated files or tampered targets
// (ci shows each of these on its targets in turn). Every result is either
// verified with the signed length and hashes (and downloads to the signed
// bytes) or a clean error; nothing panics or hangs; afterwards the trust
// directory verifies offline and holds no temporary file.
func TestFaultsUnderLoad(t *testing.T) {
	names := []string{"ci", "qa", "staging"}
	w := newAtkWorld(t, names...)
	for _, n := range names {
		for i := range loadTargets {
			w.sign(n, loadTargetName(i), loadTargetData(i))
		}
	}
	w.publishAll()
	for _, n := range names {
		w.timeouts[n] = loadTimeout
	}
	good := map[string]string{}
	for i := range loadTargets {
		good[loadTargetName(i)] = atkSHA256(loadTargetData(i))
	}
	states := map[string]*fixtures.State{}
	for _, n := range names {
		states[n] = w.repos[n].Latest()
	}
	m := w.mapOf(`[{"paths": ["**"], "repositories": ["ci", "qa", "staging"], "threshold": 2}]`, nil)

	seed := uint64(time.Now().UnixNano())
	t.Logf("fault seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	verified, failed := 0, 0
	for round := range loadRounds {
		// The first and the last round are fault-free: every lookup then
		// verifies, so that the test cannot pass by failing everything.
		clean := round == 0 || round == loadRounds-1
		var clears []func()
		var plan []string
		for j, n := range names {
			k := rng.IntN(len(loadFaults) + 1) // len(loadFaults): none
			e := loadEnv{t: t, srv: w.srvs[n], st: states[n], scope: loadScopes[rng.IntN(len(loadScopes))], rng: rng}
			switch {
			case clean:
			case j == 0:
				// ci, asked first for the bytes, shows every fault in
				// turn on its targets, its metadata being sound.
				k, e.scope = (round-1)%len(loadFaults), [2]string{"/targets/", ""}
			case n == "staging":
				// staging's metadata stays sound too, so that ci and
				// staging agree and the downloads meet ci's faults.
				e.scope = [2]string{"/targets/", ""}
			}
			if clean || k == len(loadFaults) {
				plan = append(plan, n+":none")
				continue
			}
			clears = append(clears, loadFaults[k].inject(e))
			plan = append(plan, fmt.Sprintf("%s:%s%q", n, loadFaults[k].name, e.scope))
		}
		v, f := loadRound(t, w.resolver(m), good, rng)
		verified, failed = verified+v, failed+f
		if clean && f != 0 {
			t.Errorf("round %d without faults: %d lookups failed", round, f)
		}
		t.Logf("round %d %s: %d verified, %d failed", round, strings.Join(plan, " "), v, f)
		for _, c := range clears {
			c()
		}
	}
	t.Logf("%d lookups verified, %d failed cleanly", verified, failed)
	loadCheckTrustDir(t, w.trust, names, good)
}

// loadRound runs the concurrent lookups of one round and returns how many
// verified and how many failed.
func loadRound(t *testing.T, r *resolver.Resolver, good map[string]string, rng *rand.Rand) (verified, failed int) {
	t.Helper()
	targets := make([]string, loadLookups)
	for i := range targets {
		targets[i] = loadTargetName(rng.IntN(loadTargets))
	}
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, target := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok := loadLookupOnce(ctx, t, r, target, good[target])
			mu.Lock()
			defer mu.Unlock()
			if ok {
				verified++
			} else {
				failed++
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		t.Fatalf("the round's lookups did not end within their context: %v", ctx.Err())
	}
	return verified, failed
}

// loadLookupOnce resolves and downloads target and checks the outcome: the
// signed hash and bytes, or a clean error. It reports whether both
// succeeded.
func loadLookupOnce(ctx context.Context, t *testing.T, r *resolver.Resolver, target, want string) bool {
	res, err := r.Resolve(ctx, target, nil)
	if res == nil {
		t.Errorf("%s: no result: %v", target, err)
		return false
	}
	if err != nil {
		var re *resolver.Error
		if res.Status == resolver.StatusVerified || !errors.As(err, &re) || len(res.Hashes) != 0 {
			t.Errorf("%s: status %s with error %v and hashes %v, want a clean refusal", target, res.Status, err, res.Hashes)
		}
		return false
	}
	if got := hex.EncodeToString(res.Hashes["sha256"]); res.Status != resolver.StatusVerified || got != want {
		t.Errorf("%s: %s with sha256 %s, want verified %s", target, res.Status, got, want)
		return false
	}
	var out bytes.Buffer
	if err := r.Download(ctx, res, &out); err != nil {
		if out.Len() != 0 {
			t.Errorf("%s: a failed download passed on %d bytes", target, out.Len())
		}
		return false
	}
	if sum := sha256.Sum256(out.Bytes()); hex.EncodeToString(sum[:]) != want {
		t.Errorf("%s: downloaded bytes with sha256 %x, want %s", target, sum, want)
		return false
	}
	return true
}

// loadCheckTrustDir checks, after the faults, that each repository's trust
// directory verifies offline and names the signed targets, and that no
// temporary or staging file is left among its trusted files.
func loadCheckTrustDir(t *testing.T, trust string, names []string, good map[string]string) {
	t.Helper()
	ctx := context.Background()
	for _, n := range names {
		c, err := repo.New(repo.Config{Name: n, TrustDir: trust, Offline: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Refresh(ctx); err != nil {
			t.Errorf("offline refresh of %s: %v", n, err)
			continue
		}
		for target, want := range good {
			info, err := c.TargetInfo(ctx, target)
			if err != nil || hex.EncodeToString(info.Hashes["sha256"]) != want {
				t.Errorf("offline %s %s: %v, %v; want sha256 %s", n, target, info, err, want)
			}
		}
	}
	for p := range atkTree(t, trust) {
		if !loadTrustedFile(p) {
			t.Errorf("%s is left in the trust directory", p)
		}
	}
}

// loadTrustedFile reports whether a path relative to the trust directory is
// one the trust directory may hold at rest (SPEC section 4, and the lock
// files beside each metadata directory): no temporary file, staging copy
// or download spool.
func loadTrustedFile(p string) bool {
	parts := strings.Split(filepath.ToSlash(p), "/")
	switch {
	case p == ".", p == "metadata", p == "targets":
		return true
	case parts[0] == "targets" && len(parts) == 2:
		return !strings.HasPrefix(parts[1], ".") // a repository's empty spool
	case parts[0] != "metadata":
		return false
	case len(parts) == 2:
		return !strings.HasPrefix(parts[1], ".") || strings.HasSuffix(parts[1], ".lock")
	case len(parts) == 3:
		switch parts[2] {
		case "root.json", "timestamp.json", "snapshot.json", "targets.json", "root_history", repo.RefreshRecord:
			return true
		}
		return false
	case len(parts) == 4 && parts[2] == "root_history":
		v, ok := strings.CutSuffix(parts[3], ".root.json")
		return ok && v != "" && strings.Trim(v, "0123456789") == ""
	}
	return false
}
