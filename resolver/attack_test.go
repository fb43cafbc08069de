package resolver_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/mapfile"
	"github.com/accord-tuf/accord/repo"
	"github.com/accord-tuf/accord/resolver"
)

// The attack tests run the resolver over *repo.Client against real signed
// repositories served on loopback, each an independent TUF repository with
// its own keys, and play an attacker who holds some of those keys, some
// mirrors or the network.

const attackTarget = "library/app:1"

var (
	goodBuild = []byte("the release the pipeline built and every stage approved\n")
	evilBuild = []byte("the release with a backdoor, of exactly the same length\n")
)

// atkWorld is a set of fixture repositories, each served by its own loopback
// server and pinned in one trust directory.
type atkWorld struct {
	t        *testing.T
	trust    string
	repos    map[string]*fixtures.Repo
	srvs     map[string]*fixtures.Server
	timeouts map[string]time.Duration // per repository; default attackTimeout
	opened   atomic.Int64             // Opener calls
}

// attackTimeout bounds each request of a test client: generous, since the
// machine running the tests may be loaded, but finite.
const attackTimeout = 30 * time.Second

// newAtkWorld creates one empty repository per name, with the name as its key
// seed. Nothing is published yet.
func newAtkWorld(t *testing.T, names ...string) *atkWorld {
	t.Helper()
	w := &atkWorld{
		t:        t,
		trust:    t.TempDir(),
		repos:    map[string]*fixtures.Repo{},
		srvs:     map[string]*fixtures.Server{},
		timeouts: map[string]time.Duration{},
	}
	for _, n := range names {
		r, err := fixtures.New(fixtures.Options{Seed: n})
		if err != nil {
			t.Fatal(err)
		}
		w.repos[n] = r
	}
	return w
}

// sign makes repository name sign data as target (not yet published).
func (w *atkWorld) sign(name, target string, data []byte) {
	w.t.Helper()
	if err := w.repos[name].AddTarget(target, data); err != nil {
		w.t.Fatal(err)
	}
}

// publish publishes repository name's changes and serves the new state.
// The first publication also pins version 1 of its root.
func (w *atkWorld) publish(name string) {
	w.t.Helper()
	st, err := w.repos[name].Publish()
	if err != nil {
		w.t.Fatal(err)
	}
	w.serve(name, st)
}

// publishAll publishes every repository.
func (w *atkWorld) publishAll() {
	w.t.Helper()
	for _, n := range slices.Sorted(maps.Keys(w.repos)) {
		w.publish(n)
	}
}

// serve makes repository name's server serve st, starting the server (and
// pinning the root) on first use.
func (w *atkWorld) serve(name string, st *fixtures.State) {
	w.t.Helper()
	dir := st.Dir(w.t)
	if srv, ok := w.srvs[name]; ok {
		srv.SetDir(dir)
		return
	}
	w.srvs[name] = fixtures.Serve(w.t, dir)
	root, err := w.repos[name].Root(1)
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := repo.Pin(w.trust, name, root, repo.PinOptions{}); err != nil {
		w.t.Fatal(err)
	}
}

// mapOf returns a map file whose repositories are the world's, each with
// its server as its only mirror unless mirrors says otherwise, and whose
// mapping is the JSON mapping list.
func (w *atkWorld) mapOf(mapping string, mirrors map[string][]string) *mapfile.Map {
	w.t.Helper()
	repos := map[string][]string{}
	for n, srv := range w.srvs {
		repos[n] = []string{srv.URL}
	}
	maps.Copy(repos, mirrors)
	data, err := json.Marshal(repos)
	if err != nil {
		w.t.Fatal(err)
	}
	m, err := mapfile.Parse("map.json", []byte(`{"repositories": `+string(data)+`, "mapping": `+mapping+`}`))
	if err != nil {
		w.t.Fatal(err)
	}
	return m
}

// config returns the repo.Config of a declared repository of m, as the
// command builds it.
func (w *atkWorld) config(m *mapfile.Map, name string) repo.Config {
	r, ok := m.Repository(name)
	if !ok {
		w.t.Fatalf("repository %q is not declared", name)
	}
	cfg := repo.Config{Name: r.Name, TrustDir: w.trust, Timeout: attackTimeout}
	if d, ok := w.timeouts[r.Name]; ok {
		cfg.Timeout = d
	}
	for _, mir := range r.Mirrors {
		cfg.Mirrors = append(cfg.Mirrors, repo.Mirror{Metadata: mir.Metadata, Targets: mir.Targets})
	}
	return cfg
}

// resolver returns a fresh Resolver over m whose repositories are
// *repo.Clients on the atkWorld's trust directory.
func (w *atkWorld) resolver(m *mapfile.Map) *resolver.Resolver {
	return resolver.New(m, func(name string) (resolver.Repository, error) {
		w.opened.Add(1)
		return repo.New(w.config(m, name))
	})
}

// requests returns the number of requests every server received.
func (w *atkWorld) requests() int {
	n := 0
	for _, srv := range w.srvs {
		n += len(srv.Requests())
	}
	return n
}

// resetRequests forgets every server's requests.
func (w *atkWorld) resetRequests() {
	for _, srv := range w.srvs {
		srv.ResetRequests()
	}
}

// atkTree returns every file under dir (relative path → SHA-256 of its
// content; directories as "dir"), to compare a directory before and after.
func atkTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			out[rel] = "dir"
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		out[rel] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// atkTrustedFiles is atkTree without the lock files, which a lookup creates
// beside each repository's metadata directory and which hold no trust.
func atkTrustedFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := atkTree(t, dir)
	for p := range out {
		if strings.HasSuffix(p, ".lock") {
			delete(out, p)
		}
	}
	return out
}

// atkSameTree fails the test when two trees differ, naming the differences.
func atkSameTree(t *testing.T, what string, before, after map[string]string) {
	t.Helper()
	for p, h := range after {
		if before[p] != h {
			t.Errorf("%s: %s was written or changed", what, p)
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			t.Errorf("%s: %s was removed", what, p)
		}
	}
}

// atkSHA256 returns the hex SHA-256 of data.
func atkSHA256(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// atkAnswer returns the answer of repository name in res.
func atkAnswer(t *testing.T, res *resolver.Result, name string) resolver.Answer {
	t.Helper()
	for _, a := range res.Answers {
		if a.Name == name {
			return a
		}
	}
	t.Fatalf("no answer of %q in %+v", name, res.Answers)
	return resolver.Answer{}
}

// atkSignedHash returns the hex SHA-256 a signed answer carries, "" for any
// other answer.
func atkSignedHash(a resolver.Answer) string {
	if a.Kind != resolver.Signed || a.Info == nil {
		return ""
	}
	return hex.EncodeToString(a.Info.Hashes["sha256"])
}

// TestAttackCompromisedRepository: the attacker holds every key of ci and
// re-signs the target with a backdoored build. Every mapping whose
// threshold needs another repository refuses it, and the result names ci
// as the repository that signed the other build.
func TestAttackCompromisedRepository(t *testing.T) {
	w := newAtkWorld(t, "ci", "qa", "staging", "prod")
	for _, n := range []string{"ci", "qa", "staging"} {
		w.sign(n, attackTarget, goodBuild)
	}
	w.publishAll() // prod never signs the target
	// A first resolution trusts every repository's current metadata.
	ctx := context.Background()
	m := w.mapOf(`[{"paths": ["**"], "repositories": ["ci", "qa", "staging"]}]`, nil)
	if _, err := w.resolver(m).Resolve(ctx, attackTarget, nil); err != nil {
		t.Fatalf("before the compromise: %v", err)
	}
	// The attacker signs the backdoored build with ci's own keys.
	w.sign("ci", attackTarget, evilBuild)
	w.publish("ci")
	good, evil := atkSHA256(goodBuild), atkSHA256(evilBuild)

	tests := []struct {
		name    string
		mapping string
		groups  []string
		status  resolver.Status
		agreed  []string // when verified: the supporters, never ci
		refused []string
	}{
		{
			name:    "ci and qa both required",
			mapping: `[{"paths": ["library/*"], "repositories": ["ci", "qa"], "threshold": 2, "terminating": true}]`,
			status:  resolver.StatusNoConsensus,
		},
		{
			name:    "2 of ci, qa, staging outvote ci",
			mapping: `[{"paths": ["library/*"], "repositories": ["ci", "qa", "staging"], "threshold": 2}]`,
			status:  resolver.StatusVerified,
			agreed:  []string{"qa", "staging"},
		},
		{
			name:    "ci and prod both required, prod never signed",
			mapping: `[{"paths": ["**"], "repositories": ["ci", "prod"], "terminating": true}]`,
			status:  resolver.StatusNoConsensus,
		},
		{
			name:    "2 of ci, qa, prod",
			mapping: `[{"paths": ["**"], "repositories": ["ci", "qa", "prod"], "threshold": 2}]`,
			status:  resolver.StatusNoConsensus,
		},
		{
			name:    "ci alone with group qa",
			mapping: `[{"paths": ["**"], "repositories": ["ci"]}]`,
			groups:  []string{"qa"},
			status:  resolver.StatusNoConsensus,
			refused: []string{"qa"},
		},
		{
			name:    "falling through never reaches ci alone after a terminating mapping",
			mapping: `[{"paths": ["library/*"], "repositories": ["ci", "qa"], "terminating": true}, {"paths": ["**"], "repositories": ["ci"]}]`,
			status:  resolver.StatusNoConsensus,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := w.mapOf(tt.mapping, nil)
			r := w.resolver(m)
			w.resetRequests()
			res, err := r.Resolve(ctx, attackTarget, tt.groups)
			if res == nil {
				t.Fatalf("no result: %v", err)
			}
			if res.Status != tt.status {
				t.Fatalf("status %s (%s), want %s", res.Status, res.Reason, tt.status)
			}
			if hex.EncodeToString(res.Hashes["sha256"]) == evil {
				t.Fatalf("the backdoored build was verified")
			}
			ci := atkAnswer(t, res, "ci")
			if atkSignedHash(ci) != evil {
				t.Errorf("ci's answer %+v does not show the build it signed", ci)
			}
			js, jerr := json.Marshal(res)
			if jerr != nil {
				t.Fatal(jerr)
			}
			if !strings.Contains(string(js), evil) {
				t.Errorf("the JSON result does not show ci's dissenting hash: %s", js)
			}
			if tt.status == resolver.StatusVerified {
				if err != nil || !slices.Equal(res.Agreed, tt.agreed) || hex.EncodeToString(res.Hashes["sha256"]) != good {
					t.Fatalf("verified by %q with %x (err %v), want %q with the good build", res.Agreed, res.Hashes["sha256"], err, tt.agreed)
				}
				var out bytes.Buffer
				if err := r.Download(ctx, res, &out); err != nil || !bytes.Equal(out.Bytes(), goodBuild) {
					t.Fatalf("Download = %q, %v; want the good build", out.Bytes(), err)
				}
				if n := w.srvs["ci"].CountPrefix("/targets/"); n != 0 {
					t.Errorf("ci, which did not support the consensus, was asked for the bytes %d times", n)
				}
				return
			}
			if !errors.Is(err, resolver.ErrNoConsensus) {
				t.Errorf("error %v, want no consensus", err)
			}
			if !slices.Equal(res.Refused, tt.refused) {
				t.Errorf("refused by %q, want %q", res.Refused, tt.refused)
			}
			if len(res.Hashes) != 0 || res.Length != 0 {
				t.Errorf("a refused result carries length %d and hashes %v", res.Length, res.Hashes)
			}
		})
	}

	// The attack itself is sound: a mapping that trusts ci alone takes the
	// backdoored build, which is why a policy needs more than one
	// repository.
	t.Run("control: ci alone is trusted alone", func(t *testing.T) {
		m := w.mapOf(`[{"paths": ["**"], "repositories": ["ci"]}]`, nil)
		res, err := w.resolver(m).Resolve(ctx, attackTarget, nil)
		if err != nil || hex.EncodeToString(res.Hashes["sha256"]) != evil {
			t.Fatalf("Resolve = %+v, %v; want ci's build verified", res, err)
		}
	})
}

// TestAttackWithholdDowngrade: the attacker holds prod's keys and signs a
// backdoored build there, then makes qa withhold the target, so that a
// non-terminating mapping that needs ci and qa falls through to a weaker
// mapping that needs prod alone. SPEC section 3 step 4 lets it (mapfile
// warns about exactly that mapping); a terminating mapping stops it.
func TestAttackWithholdDowngrade(t *testing.T) {
	w := newAtkWorld(t, "ci", "qa", "prod")
	w.sign("ci", attackTarget, goodBuild)
	w.sign("qa", attackTarget, goodBuild)
	w.sign("prod", attackTarget, evilBuild)
	w.publishAll()
	ctx := context.Background()
	evil := atkSHA256(evilBuild)

	const (
		open   = `[{"paths": ["library/*"], "repositories": ["ci", "qa"], "threshold": 2}, {"paths": ["**"], "repositories": ["prod"]}]`
		closed = `[{"paths": ["library/*"], "repositories": ["ci", "qa"], "threshold": 2, "terminating": true}, {"paths": ["**"], "repositories": ["prod"]}]`
	)
	t.Run("the map warns about exactly the open mapping", func(t *testing.T) {
		ws := w.mapOf(open, nil).Warnings()
		if len(ws) != 1 || ws[0].Path != "mapping[0]" || !strings.Contains(ws[0].Msg, "mapping[1]") || !strings.Contains(ws[0].Msg, "terminating") {
			t.Errorf("warnings %q, want one about mapping[0] falling through to mapping[1]", ws)
		}
		if ws := w.mapOf(closed, nil).Warnings(); len(ws) != 0 {
			t.Errorf("warnings %q for the terminating map, want none", ws)
		}
	})
	t.Run("control: without withholding ci and qa decide", func(t *testing.T) {
		res, err := w.resolver(w.mapOf(open, nil)).Resolve(ctx, attackTarget, nil)
		if err != nil || res.Mapping != 0 || !slices.Equal(res.Agreed, []string{"ci", "qa"}) {
			t.Fatalf("Resolve = %+v, %v; want ci and qa in mapping 0", res, err)
		}
	})

	withholding := []struct {
		name  string
		start func(t *testing.T) (stop func())
		qa    resolver.Kind
	}{
		{"qa answers missing", func(t *testing.T) func() {
			if err := w.repos["qa"].RemoveTarget(attackTarget); err != nil {
				t.Fatal(err)
			}
			w.publish("qa")
			return func() {
				w.sign("qa", attackTarget, goodBuild)
				w.publish("qa")
			}
		}, resolver.Missing},
		{"qa answers 500", func(t *testing.T) func() {
			return w.srvs["qa"].Inject(fixtures.Status(500))
		}, resolver.Failed},
		{"qa drops connections", func(t *testing.T) func() {
			return w.srvs["qa"].Inject(fixtures.Drop())
		}, resolver.Failed},
		{"qa hangs", func(t *testing.T) func() {
			w.timeouts["qa"] = 2 * time.Second
			clear := w.srvs["qa"].Inject(fixtures.Hang())
			return func() {
				clear()
				delete(w.timeouts, "qa")
			}
		}, resolver.Failed},
	}
	for _, wh := range withholding {
		t.Run(wh.name, func(t *testing.T) {
			stop := wh.start(t)
			defer stop()

			t.Run("non-terminating falls through", func(t *testing.T) {
				res, err := w.resolver(w.mapOf(open, nil)).Resolve(ctx, attackTarget, nil)
				if err != nil || res.Status != resolver.StatusVerified || res.Mapping != 1 {
					t.Fatalf("Resolve = %+v, %v; want verified by mapping 1 (SPEC: no consensus falls through)", res, err)
				}
				if !slices.Equal(res.Agreed, []string{"prod"}) || hex.EncodeToString(res.Hashes["sha256"]) != evil {
					t.Errorf("agreed %q with %x, want prod's build", res.Agreed, res.Hashes["sha256"])
				}
				if a := atkAnswer(t, res, "qa"); a.Kind != wh.qa {
					t.Errorf("qa answered %s, want %s", a.Kind, wh.qa)
				}
			})
			t.Run("terminating stops the walk", func(t *testing.T) {
				w.resetRequests()
				res, err := w.resolver(w.mapOf(closed, nil)).Resolve(ctx, attackTarget, nil)
				if res == nil || res.Status != resolver.StatusNoConsensus || res.Mapping != 0 || !errors.Is(err, resolver.ErrNoConsensus) {
					t.Fatalf("Resolve = %+v, %v; want no consensus at mapping 0", res, err)
				}
				if n := len(w.srvs["prod"].Requests()); n != 0 {
					t.Errorf("prod was asked %d times past a terminating mapping", n)
				}
				if len(res.Answers) != 2 {
					t.Errorf("answers %+v, want ci and qa only", res.Answers)
				}
			})
		})
	}
}

// TestAttackConflictOrder: ci and qa each sign a different build, and a
// mapping needs either. The result is a conflict, the same one every time
// whatever order the answers arrive in, and it never falls through to
// prod, which signs one of them.
func TestAttackConflictOrder(t *testing.T) {
	w := newAtkWorld(t, "ci", "qa", "prod")
	w.sign("ci", attackTarget, goodBuild)
	w.sign("qa", attackTarget, evilBuild)
	w.sign("prod", attackTarget, evilBuild)
	w.publishAll()
	m := w.mapOf(`[{"paths": ["library/*"], "repositories": ["ci", "qa"], "threshold": 1}, {"paths": ["**"], "repositories": ["prod"]}]`, nil)
	ctx := context.Background()
	seed := time.Now().UnixNano()
	t.Logf("delay seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	var want string
	for i := range 100 {
		var clears []func()
		for _, n := range []string{"ci", "qa"} {
			d := time.Duration(rng.IntN(5000)) * time.Microsecond
			clears = append(clears, w.srvs[n].Inject(fixtures.Delay(d)))
		}
		res, err := w.resolver(m).Resolve(ctx, attackTarget, nil)
		for _, c := range clears {
			c()
		}
		if res == nil || res.Status != resolver.StatusConflict || !errors.Is(err, resolver.ErrConflict) {
			t.Fatalf("round %d: Resolve = %+v, %v; want a conflict", i, res, err)
		}
		if res.Mapping != 0 || res.Conflict == nil || res.Conflict.Consensus.Repository != "ci" || res.Conflict.Rival.Repository != "qa" {
			t.Fatalf("round %d: conflict %+v in mapping %d, want ci's candidate against qa's in mapping 0", i, res.Conflict, res.Mapping)
		}
		if len(res.Hashes) != 0 {
			t.Fatalf("round %d: a conflict carries hashes %v", i, res.Hashes)
		}
		js, err := json.Marshal(res)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			want = string(js)
		} else if string(js) != want {
			t.Fatalf("round %d: result\n%s\ndiffers from round 0's\n%s", i, js, want)
		}
	}
	if n := len(w.srvs["prod"].Requests()); n != 0 {
		t.Errorf("prod was asked %d times: a conflict fell through", n)
	}
}

// TestAttackMirrorOfAnotherRepository: a mirror of ci serves qa's
// metadata, validly signed by qa's keys (and qa rotated its root, so
// there is a 2.root.json to offer). ci's client refuses it, keeps its
// pinned root, and never replaces the bad copy with the next mirror's.
func TestAttackMirrorOfAnotherRepository(t *testing.T) {
	w := newAtkWorld(t, "ci", "qa")
	w.sign("ci", attackTarget, goodBuild)
	w.sign("qa", attackTarget, evilBuild)
	w.publishAll()
	if err := w.repos["qa"].RotateRoot("qa-2"); err != nil {
		t.Fatal(err)
	}
	w.publish("qa")
	ctx := context.Background()
	qaURL, ciURL := w.srvs["qa"].URL, w.srvs["ci"].URL
	for _, tt := range []struct {
		name    string
		mirrors []string
	}{
		{"the only mirror", []string{qaURL}},
		{"the first of two mirrors", []string{qaURL, ciURL}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := w.mapOf(`[{"paths": ["**"], "repositories": ["ci"]}]`, map[string][]string{"ci": tt.mirrors})
			before := atkTrustedFiles(t, w.trust)
			w.resetRequests()
			res, err := w.resolver(m).Resolve(ctx, attackTarget, nil)
			if res == nil || res.Status != resolver.StatusNoConsensus || !errors.Is(err, resolver.ErrNoConsensus) {
				t.Fatalf("Resolve = %+v, %v; want no consensus", res, err)
			}
			a := atkAnswer(t, res, "ci")
			if a.Kind != resolver.Failed || !errors.Is(a.Err, &metadata.ErrUnsignedMetadata{}) {
				t.Errorf("ci answered %s (%v), want a signature failure", a.Kind, a.Err)
			}
			if !errors.Is(err, &metadata.ErrUnsignedMetadata{}) {
				t.Errorf("the error %v does not carry the signature failure", err)
			}
			atkSameTree(t, "trust directory", before, atkTrustedFiles(t, w.trust))
			if n := len(w.srvs["ci"].Requests()); n != 0 {
				t.Errorf("the genuine mirror was asked %d times after the first served a bad file", n)
			}
		})
	}
	t.Run("control: the genuine mirror verifies", func(t *testing.T) {
		m := w.mapOf(`[{"paths": ["**"], "repositories": ["ci"]}]`, nil)
		res, err := w.resolver(m).Resolve(ctx, attackTarget, nil)
		if err != nil || hex.EncodeToString(res.Hashes["sha256"]) != atkSHA256(goodBuild) {
			t.Fatalf("Resolve = %+v, %v; want ci's build", res, err)
		}
	})
}

// TestAttackRootRotation: an attacker without ci's root keys publishes a
// root version 2 signed by keys of its own, and targets signed by them.
// The rotation is refused and the trusted root, its history and the
// cached metadata stay as they were; a legitimate rotation of qa, signed
// by the old and the new keys, is followed.
func TestAttackRootRotation(t *testing.T) {
	w := newAtkWorld(t, "ci", "qa")
	w.sign("ci", attackTarget, goodBuild)
	w.sign("qa", attackTarget, goodBuild)
	w.publishAll()
	ctx := context.Background()
	one := func(name string) *mapfile.Map {
		return w.mapOf(`[{"paths": ["**"], "repositories": ["`+name+`"]}]`, nil)
	}
	for _, n := range []string{"ci", "qa"} {
		if _, err := w.resolver(one(n)).Resolve(ctx, attackTarget, nil); err != nil {
			t.Fatalf("before the rotation: %v", err)
		}
	}
	ciDir := filepath.Join(w.trust, "metadata", "ci")

	t.Run("attacker keys only", func(t *testing.T) {
		if err := w.repos["ci"].MaliciousRotateRoot("attacker"); err != nil {
			t.Fatal(err)
		}
		w.sign("ci", attackTarget, evilBuild)
		w.publish("ci")
		before := atkTrustedFiles(t, ciDir)
		res, err := w.resolver(one("ci")).Resolve(ctx, attackTarget, nil)
		if res == nil || res.Status != resolver.StatusNoConsensus {
			t.Fatalf("Resolve = %+v, %v; want no consensus", res, err)
		}
		if a := atkAnswer(t, res, "ci"); !errors.Is(a.Err, &metadata.ErrUnsignedMetadata{}) || !strings.Contains(a.Err.Error(), "2.root.json") {
			t.Errorf("ci answered %v, want 2.root.json refused for its signatures", a.Err)
		}
		atkSameTree(t, "ci's metadata", before, atkTrustedFiles(t, ciDir))
		if _, err := os.Stat(filepath.Join(ciDir, "root_history", "2.root.json")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("root_history/2.root.json: %v, want absent", err)
		}
		// The cached state still verifies offline and still names the
		// good build.
		c, err := repo.New(repo.Config{Name: "ci", TrustDir: w.trust, Offline: true})
		if err != nil {
			t.Fatal(err)
		}
		info, err := c.TargetInfo(ctx, attackTarget)
		if err != nil || hex.EncodeToString(info.Hashes["sha256"]) != atkSHA256(goodBuild) {
			t.Fatalf("offline TargetInfo = %v, %v; want the good build", info, err)
		}
		st, err := c.Status()
		if err != nil || st.Root.Version != 1 {
			t.Errorf("trusted root version %d (%v), want 1", st.Root.Version, err)
		}
	})
	t.Run("control: a rotation signed by the old keys is followed", func(t *testing.T) {
		if err := w.repos["qa"].RotateRoot("qa-2"); err != nil {
			t.Fatal(err)
		}
		w.publish("qa")
		res, err := w.resolver(one("qa")).Resolve(ctx, attackTarget, nil)
		if err != nil || res.Status != resolver.StatusVerified {
			t.Fatalf("Resolve = %+v, %v; want verified", res, err)
		}
		if _, err := os.Stat(filepath.Join(w.trust, "metadata", "qa", "root_history", "2.root.json")); err != nil {
			t.Errorf("qa's root_history/2.root.json: %v", err)
		}
	})
}

// atkBadNames are target names a lookup must refuse before any I/O.
var atkBadNames = []string{
	"",
	"../etc/passwd",
	"library/../../etc/passwd",
	"library/..",
	"/etc/passwd",
	"./library/app",
	"library/./app",
	"library//app",
	"library/app/",
	`library\app`,
	`..\..\windows\system32`,
	"library/app\x00.txt",
	"\x00",
	"library/\x1b[2Japp",
	"library/app\n",
	"library/\xff\xfe",
	strings.Repeat("a/", 2048) + "b", // 4097 bytes
	strings.Repeat("a", mapfile.MaxTargetLength+1),
}

// atkEscapes reports whether a target name could name a file outside the
// directory it is joined to: empty, absolute, with an empty, "." or ".."
// segment, a backslash or a NUL.
func atkEscapes(name string) bool {
	if name == "" || strings.ContainsAny(name, "\\\x00") {
		return true
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// TestAttackTargetNames: names with "..", absolute paths, backslashes,
// NUL, control characters, invalid UTF-8 or over 4096 bytes are refused
// before any repository is opened, any request is made or anything is
// written; names that differ only by case or Unicode normalisation are
// distinct targets, never confused.
func TestAttackTargetNames(t *testing.T) {
	w := newAtkWorld(t, "ci", "qa")
	w.sign("ci", attackTarget, goodBuild)
	w.sign("qa", attackTarget, goodBuild)
	// Distinct targets whose names differ by case or normalisation.
	variants := map[string][]byte{
		"library/App:1":   []byte("upper-case App\n"),
		"library/app:1":   []byte("lower-case app\n"),
		"pkgs/caf\u00e9":  []byte("NFC: e with acute accent\n"),
		"pkgs/cafe\u0301": []byte("NFD: e, then a combining acute\n"),
		"pkgs/\u212b":     []byte("ANGSTROM SIGN\n"),
		"pkgs/\u00c5":     []byte("A WITH RING ABOVE\n"),
	}
	for name, data := range variants {
		w.sign("ci", name, data)
		w.sign("qa", name, data)
	}
	w.publishAll()
	ctx := context.Background()
	m := w.mapOf(`[{"paths": ["**"], "repositories": ["ci", "qa"], "terminating": true}]`, nil)

	t.Run("refused before any network or disk access", func(t *testing.T) {
		r := w.resolver(m)
		before := atkTree(t, w.trust)
		w.resetRequests()
		w.opened.Store(0)
		for _, name := range atkBadNames {
			res, err := r.Resolve(ctx, name, nil)
			if res != nil || !errors.Is(err, mapfile.ErrInvalidTarget) {
				t.Errorf("Resolve(%q) = %+v, %v; want an invalid target and no result", name, res, err)
			}
			if err := r.Prepare(ctx, name, nil); !errors.Is(err, mapfile.ErrInvalidTarget) {
				t.Errorf("Prepare(%q) = %v, want an invalid target", name, err)
			}
		}
		if n := w.opened.Load(); n != 0 {
			t.Errorf("%d repositories were opened", n)
		}
		if n := w.requests(); n != 0 {
			t.Errorf("%d requests reached the servers", n)
		}
		atkSameTree(t, "trust directory", before, atkTree(t, w.trust))
	})

	t.Run("image names", func(t *testing.T) {
		for _, tc := range [][2]string{{"library/ubuntu", "../../x"}, {"../library/ubuntu", "latest"}, {"/library/ubuntu", "1"}, {"library/ubuntu", "a\x00b"}, {`library\ubuntu`, "1"}} {
			if got, err := mapfile.ImageTarget(tc[0], tc[1]); !errors.Is(err, mapfile.ErrInvalidTarget) {
				t.Errorf("ImageTarget(%q, %q) = %q, %v; want an invalid target", tc[0], tc[1], got, err)
			}
		}
	})

	t.Run("a download naming a path that escapes is refused before any request", func(t *testing.T) {
		m := w.mapOf(`[{"paths": ["**"], "repositories": ["ci"]}]`, nil)
		c, err := repo.New(w.config(m, "ci"))
		if err != nil {
			t.Fatal(err)
		}
		w.resetRequests()
		sum := sha256.Sum256(goodBuild)
		for _, name := range atkBadNames {
			if !atkEscapes(name) {
				continue // harmless on disk: the resolver refuses it first
			}
			info := &metadata.TargetFiles{Path: name, Length: int64(len(goodBuild)), Hashes: metadata.Hashes{"sha256": sum[:]}}
			var out bytes.Buffer
			if err := c.Download(ctx, info, &out); err == nil || out.Len() != 0 {
				t.Errorf("Download(%q) = %v with %d bytes, want refused", name, err, out.Len())
			}
		}
		if n := w.requests(); n != 0 {
			t.Errorf("%d requests reached the servers", n)
		}
	})

	t.Run("case and normalisation variants are distinct", func(t *testing.T) {
		r := w.resolver(m)
		for name, data := range variants {
			res, err := r.Resolve(ctx, name, nil)
			if err != nil {
				t.Errorf("Resolve(%q): %v", name, err)
				continue
			}
			if got, want := hex.EncodeToString(res.Hashes["sha256"]), atkSHA256(data); got != want || res.Length != int64(len(data)) {
				t.Errorf("Resolve(%q) = %d bytes %s, want its own %d bytes %s", name, res.Length, got, len(data), want)
			}
			var out bytes.Buffer
			if err := r.Download(ctx, res, &out); err != nil || !bytes.Equal(out.Bytes(), data) {
				t.Errorf("Download(%q) = %q, %v; want %q", name, out.Bytes(), err, data)
			}
		}
		for _, name := range []string{"LIBRARY/APP:1", "library/APP:1", "pkgs/CAF\u00c9", "pkgs/cafe"} {
			res, err := r.Resolve(ctx, name, nil)
			if res == nil || res.Status != resolver.StatusNotFound || !errors.Is(err, resolver.ErrNotFound) {
				t.Errorf("Resolve(%q) = %+v, %v; want not found", name, res, err)
			}
		}
	})

	t.Run("a repository signing a name that escapes writes nothing outside", func(t *testing.T) {
		x := newAtkWorld(t, "ci")
		x.sign("ci", "library/ok", goodBuild)
		escape := "../../../../escaped" // from <out>/ci/targets/ to out's grandparent
		tf, err := metadata.TargetFile().FromBytes(escape, evilBuild, "sha256")
		if err != nil {
			t.Fatal(err)
		}
		md, _ := x.repos["ci"].Metadata("targets")
		md.Signed.Targets[escape] = tf
		if err := x.repos["ci"].Touch("targets"); err != nil {
			t.Fatal(err)
		}
		x.publish("ci")
		// A file:// mirror deep in a directory, and the escaping
		// target's bytes where its name leads from the mirror's
		// targets directory: <base>/m1/escaped.
		base := t.TempDir()
		mdir := filepath.Join(base, "m1", "m2", "m3", "ci")
		if err := x.repos["ci"].Latest().Write(mdir); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"escaped", hex.EncodeToString(tf.Hashes["sha256"]) + ".escaped"} {
			if err := os.WriteFile(filepath.Join(base, "m1", name), evilBuild, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		mir, err := repo.DirMirror(mdir)
		if err != nil {
			t.Fatal(err)
		}
		m := x.mapOf(`[{"paths": ["**"], "repositories": ["ci"]}]`, map[string][]string{"ci": {mir.Metadata}})
		r := x.resolver(m)
		l, err := r.List(ctx, "", nil)
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		seen := false
		for _, row := range l.Rows {
			if row.Target == escape {
				seen = true
				if row.Err == nil || row.Result != nil {
					t.Errorf("listing row %q: result %+v, err %v; want refused", escape, row.Result, row.Err)
				}
			}
		}
		if !seen {
			t.Errorf("the listing has no row %q: the repository does not sign it", escape)
		}
		parent := t.TempDir()
		out := filepath.Join(parent, "a", "b", "mirror")
		c, err := repo.New(x.config(m, "ci"))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.WriteMirror(ctx, out, true); err == nil {
			t.Errorf("WriteMirror of a repository signing %q succeeded", escape)
		}
		err = filepath.WalkDir(parent, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && !strings.HasPrefix(p, out+string(filepath.Separator)) {
				t.Errorf("%s was written outside the mirror", p)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestAttackFastForwardRecovery: an attacker who held ci's online keys
// fast-forwarded its timestamp, snapshot and targets versions, and a
// client trusted them. Once the owners rotate the top-level keys (a root
// signed by the old and the new root keys), the client accepts the
// legitimate, lower versions again; without the rotation, those versions
// are refused as a rollback.
func TestAttackFastForwardRecovery(t *testing.T) {
	epoch := time.Now().UTC().Truncate(time.Second)
	clock := func() time.Time { return epoch }
	legit, err := fixtures.New(fixtures.Options{Seed: "ci", Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	attacker, err := fixtures.New(fixtures.Options{Seed: "ci", Now: clock}) // the same keys
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []*fixtures.Repo{legit, attacker} {
		if err := r.AddTarget(attackTarget, goodBuild); err != nil {
			t.Fatal(err)
		}
		if _, err := r.Publish(); err != nil {
			t.Fatal(err)
		}
	}
	if err := attacker.AddTarget(attackTarget, evilBuild); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if err := attacker.Touch("targets"); err != nil {
			t.Fatal(err)
		}
		if _, err := attacker.Publish(); err != nil {
			t.Fatal(err)
		}
	}
	w := newAtkWorld(t)
	w.repos["ci"] = attacker
	w.serve("ci", attacker.Latest())
	m := w.mapOf(`[{"paths": ["**"], "repositories": ["ci"]}]`, nil)
	ctx := context.Background()
	res, err := w.resolver(m).Resolve(ctx, attackTarget, nil)
	if err != nil || atkSHA256(evilBuild) != hex.EncodeToString(res.Hashes["sha256"]) {
		t.Fatalf("the fast-forward was not trusted: %+v, %v", res, err)
	}

	// The owners publish version 2, below the attacker's 6.
	if err := legit.Touch("targets"); err != nil {
		t.Fatal(err)
	}
	st, err := legit.Publish()
	if err != nil {
		t.Fatal(err)
	}
	w.serve("ci", st)
	t.Run("without a key rotation: a rollback", func(t *testing.T) {
		res, err := w.resolver(m).Resolve(ctx, attackTarget, nil)
		if res == nil || res.Status != resolver.StatusNoConsensus || !errors.Is(err, &metadata.ErrBadVersionNumber{}) {
			t.Fatalf("Resolve = %+v, %v; want the lower timestamp refused", res, err)
		}
	})
	t.Run("after a key rotation: recovered", func(t *testing.T) {
		if err := legit.RotateRoot("ci-recovered"); err != nil {
			t.Fatal(err)
		}
		st, err := legit.Publish()
		if err != nil {
			t.Fatal(err)
		}
		w.serve("ci", st)
		res, err := w.resolver(m).Resolve(ctx, attackTarget, nil)
		if err != nil || hex.EncodeToString(res.Hashes["sha256"]) != atkSHA256(goodBuild) {
			t.Fatalf("Resolve = %+v, %v; want the legitimate build after the rotation", res, err)
		}
	})
}
