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
	loadRounds  = 10
	loadTimeout = time.Second
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

// loadFault is one misbehaviour a server may show for a round.
type loadFault struct {
	name   string
	inject func(srv *fixtures.Server, scope [2]string, rng *rand.Rand) (clear func())
}

var loadFaults = []loadFault{
	{"delay", func(srv *fixtures.Server, s [2]string, rng *rand.Rand) func() {
		return srv.Inject(fixtures.Delay(time.Duration(rng.IntN(20))*time.Millisecond).Only(s[0], s[1]))
	}},
	{"500", func(srv *fixtures.Server, s [2]string, _ *rand.Rand) func() {
		return srv.Inject(fixtures.Status(500).Only(s[0], s[1]))
	}},
	{"drop", func(srv *fixtures.Server, s [2]string, _ *rand.Rand) func() {
		return srv.Inject(fixtures.Drop().Only(s[0], s[1]))
	}},
	{"endless", func(srv *fixtures.Server, s [2]string, _ *rand.Rand) func() {
		return srv.Inject(fixtures.Endless().Only(s[0], s[1]))
	}},
	{"oversize", func(srv *fixtures.Server, s [2]string, _ *rand.Rand) func() {
		return srv.Inject(fixtures.Oversize(8<<20).Only(s[0], s[1]))
	}},
}

// loadScopes are the request paths a fault applies to: all, metadata
// only, targets only, timestamp only.
var loadScopes = [][2]string{{"", ""}, {"", ".json"}, {"/targets/", ""}, {"/timestamp.json", ""}}

// truncated writes a copy of st whose every file (metadata and targets)
// is cut to a random part of its length: a mirror serving partial files.
func truncated(t *testing.T, st *fixtures.State, rng *rand.Rand) string {
	t.Helper()
	dir := st.Dir(t)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil || len(data) == 0 {
			return err
		}
		return os.WriteFile(p, data[:rng.IntN(len(data))], 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestFaultsUnderLoad runs 32 concurrent lookups, each followed by a
// download, through one resolver per round, while each repository's
// server randomly delays, answers 500, drops connections, sends endless or
// oversized bodies, or serves truncated files. Every result is either
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
	dirs := map[string]string{}
	for _, n := range names {
		states[n] = w.repos[n].Latest()
		dirs[n] = w.srvs[n].Dir()
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
		for _, n := range names {
			srv := w.srvs[n]
			srv.SetDir(dirs[n])
			switch k := rng.IntN(len(loadFaults) + 2); {
			case clean || k == len(loadFaults):
				plan = append(plan, n+":none")
			case k == len(loadFaults)+1:
				srv.SetDir(truncated(t, states[n], rng))
				plan = append(plan, n+":truncated")
			default:
				scope := loadScopes[rng.IntN(len(loadScopes))]
				clears = append(clears, loadFaults[k].inject(srv, scope, rng))
				plan = append(plan, fmt.Sprintf("%s:%s%q", n, loadFaults[k].name, scope))
			}
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
	for _, n := range names {
		w.srvs[n].SetDir(dirs[n])
	}
	t.Logf("%d lookups verified, %d failed cleanly", verified, failed)
	checkTrustDir(t, w.trust, names, good)
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
			ok := lookupOnce(t, ctx, r, target, good[target])
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

// lookupOnce resolves and downloads target and checks the outcome: the
// signed hash and bytes, or a clean error. It reports whether both
// succeeded.
func lookupOnce(t *testing.T, ctx context.Context, r *resolver.Resolver, target, want string) bool {
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

// checkTrustDir checks, after the faults, that each repository's trust
// directory verifies offline and names the signed targets, and that no
// temporary or staging file is left among its trusted files.
func checkTrustDir(t *testing.T, trust string, names []string, good map[string]string) {
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
		if !trustedFile(p) {
			t.Errorf("%s is left in the trust directory", p)
		}
	}
}

// trustedFile reports whether a path relative to the trust directory is
// one the trust directory may hold at rest (SPEC section 4, and the lock
// files beside each metadata directory): no temporary file, staging copy
// or download spool.
func trustedFile(p string) bool {
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
		case "root.json", "timestamp.json", "snapshot.json", "targets.json", "root_history":
			return true
		}
		return false
	case len(parts) == 4 && parts[2] == "root_history":
		v, ok := strings.CutSuffix(parts[3], ".root.json")
		return ok && v != "" && strings.Trim(v, "0123456789") == ""
	}
	return false
}
