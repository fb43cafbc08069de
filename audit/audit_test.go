package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/mapfile"
	"github.com/accord-tuf/accord/repo"
	"github.com/theupdateframework/go-tuf/v2/metadata"
)

var now = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// pub returns the public key of seed and its TUF key ID.
func pub(t *testing.T, seed string) (string, *metadata.Key) {
	t.Helper()
	k, err := metadata.KeyFromPublicKey(fixtures.PrivateKey(seed).Public())
	if err != nil {
		t.Fatal(err)
	}
	return fixtures.KeyID(seed), k
}

// spec describes one repository for [trusted]: the seed of each of its
// top-level roles' one key (default "<name>/<role>"), an alias ID for the
// targets key, delegations from targets and target hash algorithms.
type spec struct {
	root, targets string
	targetsAlias  bool
	delegations   []delegation
	algs          []string
	rootSHA       string
	expires       map[string]time.Time
}

type delegation struct {
	name, seed string
	paths      []string
}

// trusted builds what a client would trust of a repository described by s.
func trusted(t *testing.T, name string, s spec) *repo.Trusted {
	t.Helper()
	exp := func(role string) time.Time {
		if e, ok := s.expires[role]; ok {
			return e
		}
		return now.Add(365 * 24 * time.Hour)
	}
	root := metadata.Root(exp("root"))
	seed := func(given, role string) string {
		if given != "" {
			return given
		}
		return name + "/" + role
	}
	for _, role := range []string{"root", "timestamp", "snapshot", "targets"} {
		sd := map[string]string{"root": s.root, "targets": s.targets}[role]
		id, k := pub(t, seed(sd, role))
		if role == "targets" && s.targetsAlias {
			id = "alias-" + id
		}
		root.Signed.Keys[id] = k
		root.Signed.Roles[role] = &metadata.Role{KeyIDs: []string{id}, Threshold: 1}
	}
	targets := metadata.Targets(exp("targets"))
	algs := s.algs
	if algs == nil {
		algs = []string{"sha256"}
	}
	tf := &metadata.TargetFiles{Length: 1, Hashes: metadata.Hashes{}}
	for _, a := range algs {
		tf.Hashes[a] = []byte{1}
	}
	targets.Signed.Targets["library/app"] = tf
	tr := &repo.Trusted{
		Root:      root,
		Timestamp: metadata.Timestamp(exp("timestamp")),
		Snapshot:  metadata.Snapshot(exp("snapshot")),
		Targets:   targets,
		RoleErrs:  map[string]error{},
	}
	if len(s.delegations) > 0 {
		targets.Signed.Delegations = &metadata.Delegations{Keys: map[string]*metadata.Key{}}
		for _, d := range s.delegations {
			id, k := pub(t, d.seed)
			targets.Signed.Delegations.Keys[id] = k
			targets.Signed.Delegations.Roles = append(targets.Signed.Delegations.Roles,
				metadata.DelegatedRole{Name: d.name, KeyIDs: []string{id}, Threshold: 1, Paths: d.paths})
			tr.Roles = append(tr.Roles, repo.TrustedRole{Name: d.name, Delegator: "targets", Metadata: metadata.Targets(exp(d.name))})
		}
	}
	tr.RootSHA256 = s.rootSHA
	if tr.RootSHA256 == "" {
		sum := sha256.Sum256([]byte(name))
		tr.RootSHA256 = hex.EncodeToString(sum[:])
	}
	return tr
}

const twoOfTwo = `{
  "repositories": {"ci": ["https://ci.example"], "qa": ["https://qa.example"]},
  "mapping": [{"paths": ["library/*"], "repositories": ["ci", "qa"], "threshold": 2, "terminating": true}]
}`

// codes lists the findings as "severity code place repository/role".
func codes(r *Report) []string {
	var out []string
	for _, f := range r.Findings {
		l := f.Location
		out = append(out, strings.Join(strings.Fields(fmt.Sprintf("%s %s %s %s/%s", f.Severity, f.Code, l.place(), l.Repository, l.Role)), " "))
	}
	return out
}

func TestRun(t *testing.T) {
	shared := delegation{name: "images", seed: "shared/images", paths: []string{"library/*"}}
	for _, tc := range []struct {
		name      string
		mapfile   string
		ci, qa    spec
		groups    []string
		want      []string
		effective int
	}{
		{name: "independent", mapfile: twoOfTwo, want: nil, effective: 2},
		{
			name: "shared targets key", mapfile: twoOfTwo,
			ci: spec{targets: "shared"}, qa: spec{targets: "shared"},
			want:      []string{"warning shared_key mapping[0] ci/targets", "error effective_threshold mapping[0] /"},
			effective: 1,
		},
		{
			name: "shared root key", mapfile: twoOfTwo,
			ci: spec{root: "shared"}, qa: spec{root: "shared"},
			want:      []string{"warning shared_key mapping[0] ci/root", "error effective_threshold mapping[0] /"},
			effective: 1,
		},
		{
			name: "root key of one is the targets key of the other", mapfile: twoOfTwo,
			ci: spec{root: "shared"}, qa: spec{targets: "shared"},
			want:      []string{"warning shared_key mapping[0] ci/root", "error effective_threshold mapping[0] /"},
			effective: 1,
		},
		{
			name: "same root", mapfile: twoOfTwo,
			ci: spec{root: "shared", targets: "shared-t", rootSHA: "same"}, qa: spec{root: "shared", targets: "shared-t", rootSHA: "same"},
			want:      []string{"error same_root mapping[0] ci/root", "error effective_threshold mapping[0] /"},
			effective: 1,
		},
		{
			name: "one key under two key IDs", mapfile: twoOfTwo,
			ci: spec{targets: "shared"}, qa: spec{targets: "shared", targetsAlias: true},
			want:      []string{"warning shared_key mapping[0] ci/targets", "error effective_threshold mapping[0] /"},
			effective: 1,
		},
		{
			name: "shared key of a delegated role that covers the mapping", mapfile: twoOfTwo,
			ci: spec{delegations: []delegation{shared}}, qa: spec{delegations: []delegation{shared}},
			want:      []string{"warning shared_key mapping[0] ci/images", "error effective_threshold mapping[0] /"},
			effective: 1,
		},
		{
			name: "shared key of a delegated role that does not", mapfile: twoOfTwo,
			ci:   spec{delegations: []delegation{{name: "charts", seed: "shared/charts", paths: []string{"charts/*"}}}},
			qa:   spec{delegations: []delegation{{name: "charts", seed: "shared/charts", paths: []string{"charts/*"}}}},
			want: nil, effective: 2,
		},
		{
			name: "disjoint hash algorithms", mapfile: twoOfTwo,
			ci: spec{algs: []string{"sha256"}}, qa: spec{algs: []string{"sha512"}},
			want: []string{"warning no_common_hash mapping[0] ci/"}, effective: 2,
		},
		{
			name: "only a weak algorithm in common", mapfile: twoOfTwo,
			ci: spec{algs: []string{"sha1", "sha256"}}, qa: spec{algs: []string{"sha1", "sha512"}},
			want: []string{"warning weak_hash mapping[0] ci/"}, effective: 2,
		},
		{
			name: "expiring timestamp", mapfile: twoOfTwo,
			qa:   spec{expires: map[string]time.Time{"timestamp": now.Add(3 * 24 * time.Hour)}},
			want: []string{"warning expires qa/timestamp"}, effective: 2,
		},
		{
			name: "root expires before targets", mapfile: twoOfTwo,
			ci:   spec{expires: map[string]time.Time{"root": now.Add(30 * 24 * time.Hour)}},
			want: []string{"warning root_expires_first ci/targets"}, effective: 2,
		},
		{
			name: "threshold 1 and an unused repository",
			mapfile: `{"repositories": {"ci": ["https://ci.example"], "qa": ["https://qa.example"], "prod": ["https://prod.example"]},
			  "mapping": [{"paths": ["**"], "repositories": ["ci", "qa"], "threshold": 1}]}`,
			want: []string{"warning any_one mapping[0] /", "warning unused_repository prod/"},
		},
		{
			name: "the map file's own warnings",
			mapfile: `{"repositories": {"ci": ["https://ci.example"], "qa": ["https://qa.example"]},
			  "mapping": [{"paths": ["**"], "repositories": ["ci", "qa"], "terminating": true},
			              {"paths": ["library/*"], "repositories": ["ci", "qa"]}]}`,
			want:      []string{"warning map_warning mapping[1] /"},
			effective: 2,
		},
		{
			name: "groups share a key", mapfile: `{"repositories": {"ci": ["https://ci.example"], "qa": ["https://qa.example"]},
			  "mapping": [{"paths": ["**"], "repositories": ["ci"]}, {"paths": ["x"], "repositories": ["qa"]}]}`,
			ci: spec{targets: "shared"}, qa: spec{targets: "shared"}, groups: []string{"ci", "qa"},
			want: []string{"warning shared_key groups ci/targets", "error effective_threshold groups /"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := mapfile.Parse("map.json", []byte(tc.mapfile))
			if err != nil {
				t.Fatal(err)
			}
			in := Input{Map: m, At: now, Groups: tc.groups, Trusted: map[string]*repo.Trusted{
				"ci": trusted(t, "ci", tc.ci), "qa": trusted(t, "qa", tc.qa),
			}}
			rep, err := Run(in)
			if err != nil {
				t.Fatal(err)
			}
			if got := codes(rep); !slices.Equal(got, tc.want) {
				t.Errorf("findings\n%q\nwant\n%q", got, tc.want)
			}
			if tc.effective != 0 && rep.Mappings[0].Effective != tc.effective {
				t.Errorf("effective threshold %d, want %d", rep.Mappings[0].Effective, tc.effective)
			}
			wantErrors := 0
			for _, w := range tc.want {
				if strings.HasPrefix(w, "error") {
					wantErrors++
				}
			}
			if rep.Errors() != wantErrors {
				t.Errorf("%d errors, want %d", rep.Errors(), wantErrors)
			}
		})
	}
}

// TestRunNeedsEveryListedRepository checks that a repository a mapping
// lists but that has nothing trusted is an error, not a silent pass.
func TestRunNeedsEveryListedRepository(t *testing.T) {
	m, err := mapfile.Parse("map.json", []byte(twoOfTwo))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(Input{Map: m, Trusted: map[string]*repo.Trusted{"ci": trusted(t, "ci", spec{})}})
	if err == nil || !strings.Contains(err.Error(), `repository "qa"`) {
		t.Fatalf("Run without qa: %v", err)
	}
}

// TestRunGroupsOnce checks that a group named twice counts once: it is
// not one repository signing twice.
func TestRunGroupsOnce(t *testing.T) {
	m, err := mapfile.Parse("map.json", []byte(twoOfTwo))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(Input{Map: m, At: now, Groups: []string{"ci", "ci", "qa"}, Trusted: map[string]*repo.Trusted{
		"ci": trusted(t, "ci", spec{}), "qa": trusted(t, "qa", spec{}),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if g := rep.Groups; g == nil || g.Threshold != 2 || g.Effective != 2 || len(rep.Findings) != 0 {
		t.Fatalf("groups %+v, findings %q; want ci and qa, 2 of 2, no findings", rep.Groups, codes(rep))
	}
}

// TestRunOddMetadata checks that metadata a client verified but that is
// odd (a root without a targets role, a delegation naming keys it does not
// list, a threshold above its keys, hash bins) gives findings, not a
// panic.
func TestRunOddMetadata(t *testing.T) {
	m, err := mapfile.Parse("map.json", []byte(twoOfTwo))
	if err != nil {
		t.Fatal(err)
	}
	ci := trusted(t, "ci", spec{})
	delete(ci.Root.Signed.Roles, "targets")
	ci.Targets.Signed.Delegations = &metadata.Delegations{
		Roles: []metadata.DelegatedRole{
			{Name: "ghost", KeyIDs: []string{"nowhere"}, Threshold: 1, Paths: []string{"library/*"}},
			{Name: "greedy", KeyIDs: []string{"nowhere"}, Threshold: 5, Paths: []string{"**"}},
		},
	}
	qa := trusted(t, "qa", spec{})
	qa.Targets.Signed.Delegations = &metadata.Delegations{
		Keys:          map[string]*metadata.Key{},
		SuccinctRoles: &metadata.SuccinctRoles{KeyIDs: []string{"x"}, Threshold: 1, BitLength: 8, NamePrefix: "bins"},
	}
	qa.RoleErrs["bins-00"] = fmt.Errorf("not cached")
	rep, err := Run(Input{Map: m, At: now, Trusted: map[string]*repo.Trusted{"ci": ci, "qa": qa}})
	if err != nil {
		t.Fatal(err)
	}
	if got := codes(rep); !slices.Equal(got, []string{"warning incomplete qa/bins-00"}) || rep.Mappings[0].Effective != 2 {
		t.Errorf("findings %q, effective %d", got, rep.Mappings[0].Effective)
	}
}
