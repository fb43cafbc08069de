package audit

import (
	"testing"

	"github.com/accord-tuf/accord/mapfile"
	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// sig is a signer over keys named by letters.
func sig(role string, threshold int, keys ...string) signer {
	s := signer{role: role, threshold: threshold, ids: map[string]string{}}
	for _, k := range keys {
		s.keys = append(s.keys, k)
		s.ids[k] = "id-" + k
	}
	return s
}

func TestEffectiveThreshold(t *testing.T) {
	for _, tc := range []struct {
		name      string
		signers   map[string][]signer
		threshold int
		want      int // 0: no way to sign
	}{
		{"independent", map[string][]signer{"ci": {sig("targets", 1, "a")}, "qa": {sig("targets", 1, "b")}}, 2, 2},
		{"one shared key", map[string][]signer{"ci": {sig("root", 1, "r1"), sig("targets", 1, "x")}, "qa": {sig("root", 1, "r2"), sig("targets", 1, "x")}}, 2, 1},
		{"2-of-2 keys overlapping in one", map[string][]signer{"ci": {sig("targets", 2, "a", "b")}, "qa": {sig("targets", 2, "b", "c")}}, 2, 3},
		{"2-of-3 keys overlapping in two", map[string][]signer{"ci": {sig("targets", 2, "a", "b", "c")}, "qa": {sig("targets", 2, "a", "b", "d")}}, 2, 2},
		{"two of three repositories share a key", map[string][]signer{"ci": {sig("targets", 1, "x")}, "qa": {sig("targets", 1, "x")}, "prod": {sig("targets", 1, "y")}}, 2, 1},
		{"all three needed", map[string][]signer{"ci": {sig("targets", 1, "x")}, "qa": {sig("targets", 1, "x")}, "prod": {sig("targets", 1, "y")}}, 3, 2},
		{"the cheapest signer of each", map[string][]signer{"ci": {sig("root", 3, "a", "b", "c"), sig("images", 1, "d")}, "qa": {sig("root", 1, "e")}}, 2, 2},
		{"a role that cannot reach its threshold", map[string][]signer{"ci": {sig("targets", 2, "a")}, "qa": {sig("targets", 1, "b")}}, 2, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var repos []string
			for _, r := range []string{"ci", "qa", "prod"} {
				if _, ok := tc.signers[r]; ok {
					repos = append(repos, r)
				}
			}
			e := effectiveThreshold(repos, tc.signers, tc.threshold)
			got := e.holders
			if e.none {
				got = 0
			}
			if got != tc.want || !e.exact {
				t.Errorf("effective threshold %d (exact %v), want %d", got, e.exact, tc.want)
			}
		})
	}
}

func TestCovers(t *testing.T) {
	for _, tc := range []struct {
		mapping, delegated string
		want               bool
	}{
		{"library/*", "library/*", true},
		{"library/*", "charts/*", false},
		{"library/*", "library/*/*", false},
		{"**", "charts/*", true},
		{"library/ubuntu*", "library/alpine", false},
		{"library/ubuntu*", "library/ubuntu:24.04", true},
		{"library/ubuntu", "library/u*", true},
		{"library/ubuntu", "library/a*", false},
		{"**.tgz", "*.zip", false},
		{"library/{a,b}*", "library/c*", true}, // over-approximated
	} {
		m, err := mapfile.Parse("map.json", []byte(`{"repositories": {"ci": ["https://ci.example"]},
			"mapping": [{"paths": [`+quoteJSON(tc.mapping)+`], "repositories": ["ci"]}]}`))
		if err != nil {
			t.Fatal(err)
		}
		sc := scope{m: m, mapping: 0, paths: []string{tc.mapping}}
		if got := sc.covers(metadata.DelegatedRole{Name: "r", Paths: []string{tc.delegated}}); got != tc.want {
			t.Errorf("%q covers %q: %v, want %v", tc.delegated, tc.mapping, got, tc.want)
		}
	}
	sc := scope{mapping: 0, paths: []string{"library/*"}}
	if !sc.covers(metadata.DelegatedRole{Name: "r", PathHashPrefixes: []string{"ab"}}) {
		t.Error("a delegation by path_hash_prefixes does not cover library/*")
	}
}

func quoteJSON(s string) string { return `"` + s + `"` }
