package resolver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

var (
	bytesX = []byte("release 1.0 built by ci\n")
	bytesY = []byte("release 1.0 built by ??\n") // same length as bytesX
	bytesZ = []byte("release 1.0\n")             // another length
)

// infos is a set of target infos of one target: x, y (same length, other
// bytes) and z (another length) with various hash algorithms.
type infos struct {
	x, x256, x512, y, y256, y512, z *metadata.TargetFiles
}

func newInfos(t *testing.T, target string) infos {
	t.Helper()
	x := targetInfo(t, target, bytesX, "sha256", "sha512")
	y := targetInfo(t, target, bytesY, "sha256", "sha512")
	return infos{
		x: x, x256: withHashes(x, "sha256"), x512: withHashes(x, "sha512"),
		y: y, y256: withHashes(y, "sha256"), y512: withHashes(y, "sha512"),
		z: targetInfo(t, target, bytesZ, "sha256", "sha512"),
	}
}

// withCustom returns a copy of info with the given custom field.
func withCustom(info *metadata.TargetFiles, custom string) *metadata.TargetFiles {
	c := cloneInfo(info)
	raw := json.RawMessage(custom)
	c.Custom = &raw
	return c
}

var errBoom = errors.New("timestamp.json: expired")

// answersString writes a result's answers as "ci=signed qa=missing".
func answersString(res *Result) string {
	s := make([]string, len(res.Answers))
	for i, a := range res.Answers {
		s[i] = a.Name + "=" + string(a.Kind)
	}
	return strings.Join(s, " ")
}

func TestResolve(t *testing.T) {
	const target = "library/app:1.0"
	in := newInfos(t, target)

	type want struct {
		status    Status
		mapping   int
		threshold int
		agreed    []string
		refused   []string
		consensus *metadata.TargetFiles // the result's length and hashes, when verified
		answers   string
		rival     string // the conflicting candidate's repository
	}
	tests := []struct {
		name    string
		mapping string
		target  string // default target
		groups  []string
		signs   map[string]*metadata.TargetFiles
		fails   map[string]error
		want    want
	}{
		{
			name:    "first matching mapping decides",
			mapping: `[{"paths": ["library/*"], "repositories": ["ci"]}, {"paths": ["**"], "repositories": ["prod"]}]`,
			signs:   map[string]*metadata.TargetFiles{"ci": in.x, "prod": in.y},
			want:    want{status: StatusVerified, mapping: 0, threshold: 1, agreed: []string{"ci"}, consensus: in.x, answers: "ci=signed"},
		},
		{
			name:    "a mapping without consensus falls through to the next",
			mapping: `[{"paths": ["library/*"], "repositories": ["ci", "qa"]}, {"paths": ["**"], "repositories": ["prod"]}]`,
			signs:   map[string]*metadata.TargetFiles{"ci": in.x, "prod": in.x},
			want:    want{status: StatusVerified, mapping: 1, threshold: 1, agreed: []string{"prod"}, consensus: in.x, answers: "ci=signed qa=missing prod=signed"},
		},
		{
			name:    "a repository shared by two mappings is asked once",
			mapping: `[{"paths": ["library/*"], "repositories": ["ci", "qa"]}, {"paths": ["**"], "repositories": ["qa", "prod"], "threshold": 1}]`,
			signs:   map[string]*metadata.TargetFiles{"qa": in.x},
			want:    want{status: StatusVerified, mapping: 1, threshold: 1, agreed: []string{"qa"}, consensus: in.x, answers: "ci=missing qa=signed prod=missing"},
		},
		{
			name:    "default threshold is every repository",
			mapping: `[{"paths": ["**"], "repositories": ["ci", "qa", "prod"]}]`,
			signs:   map[string]*metadata.TargetFiles{"ci": in.x, "qa": in.x},
			want:    want{status: StatusNoConsensus, mapping: -1, answers: "ci=signed qa=signed prod=missing"},
		},
		{
			name:    "default threshold met",
			mapping: `[{"paths": ["**"], "repositories": ["ci", "qa", "prod"]}]`,
			signs:   map[string]*metadata.TargetFiles{"ci": in.x, "qa": in.x, "prod": in.x},
			want:    want{status: StatusVerified, mapping: 0, threshold: 3, agreed: []string{"ci", "qa", "prod"}, consensus: in.x, answers: "ci=signed qa=signed prod=signed"},
		},
		{
			name:    "2 of 3 with a dissenter listed first",
			mapping: `[{"paths": ["**"], "repositories": ["staging", "ci", "qa"], "threshold": 2}]`,
			signs:   map[string]*metadata.TargetFiles{"staging": in.y, "ci": in.x, "qa": in.x},
			want:    want{status: StatusVerified, mapping: 0, threshold: 2, agreed: []string{"ci", "qa"}, consensus: in.x, answers: "staging=signed ci=signed qa=signed"},
		},
		{
			name:    "2 of 3 with a dissenter of another length",
			mapping: `[{"paths": ["**"], "repositories": ["ci", "qa", "staging"], "threshold": 2}]`,
			signs:   map[string]*metadata.TargetFiles{"ci": in.x, "qa": in.z, "staging": in.x},
			want:    want{status: StatusVerified, mapping: 0, threshold: 2, agreed: []string{"ci", "staging"}, consensus: in.x, answers: "ci=signed qa=signed staging=signed"},
		},
		{
			name:    "conflict at threshold 1",
			mapping: `[{"paths": ["**"], "repositories": ["ci", "qa"], "threshold": 1}]`,
			signs:   map[string]*metadata.TargetFiles{"ci": in.x, "qa": in.y},
			want:    want{status: StatusConflict, mapping: 0, threshold: 1, answers: "ci=signed qa=signed", rival: "qa"},
		},
		{
			name:    "conflict on length at threshold 1",
			mapping: `[{"paths": ["**"], "repositories": ["ci", "qa"], "threshold": 1}]`,
			signs:   map[string]*metadata.TargetFiles{"ci": in.x, "qa": in.z},
			want:    want{status: StatusConflict, mapping: 0, threshold: 1, answers: "ci=signed qa=signed", rival: "qa"},
		},
		{
			name:    "conflict never falls through",
			mapping: `[{"paths": ["**"], "repositories": ["ci", "qa"], "threshold": 1}, {"paths": ["**"], "repositories": ["prod"]}]`,
			signs:   map[string]*metadata.TargetFiles{"ci": in.x, "qa": in.y, "prod": in.x},
			want:    want{status: StatusConflict, mapping: 0, threshold: 1, answers: "ci=signed qa=signed", rival: "qa"},
		},
		{
			name:    "conflict beats a verified group",
			mapping: `[{"paths": ["**"], "repositories": ["ci", "qa"], "threshold": 1}]`,
			groups:  []string{"prod"},
			signs:   map[string]*metadata.TargetFiles{"ci": in.x, "qa": in.y, "prod": in.x},
			want:    want{status: StatusConflict, mapping: 0, threshold: 1, answers: "ci=signed qa=signed", rival: "qa"},
		},
		{
			name:    "same bytes, non-transitive hash sets, threshold 2",
			mapping: `[{"paths": ["**"], "repositories": ["ci", "qa", "staging"], "threshold": 2}]`,
			signs:   map[string]*metadata.TargetFiles{"ci": in.x256, "qa": in.x512, "staging": in.x},
			want:    want{status: StatusVerified, mapping: 0, threshold: 2, agreed: []string{"ci", "staging"}, consensus: in.x256, answers: "ci=signed qa=signed staging=signed"},
		},
		{
			name:    "same bytes, non-transitive hash sets, threshold 3",
			mapping: `[{"paths": ["**"], "repositories": ["ci", "qa", "staging"]}]`,
			signs:   map[string]*metadata.TargetFiles{"ci": in.x256, "qa": in.x512, "staging": in.x},
			want:    want{status: StatusVerified, mapping: 0, threshold: 3, agreed: []string{"ci", "qa", "staging"}, consensus: in.x, answers: "ci=signed qa=signed staging=signed"},
		},
		{
			name:    "same bytes, no algorithm in common, threshold 1",
			mapping: `[{"paths": ["**"], "repositories": ["ci", "qa"], "threshold": 1}]`,
			signs:   map[string]*metadata.TargetFiles{"ci": in.x256, "qa": in.x512},
			want:    want{status: StatusVerified, mapping: 0, threshold: 1, agreed: []string{"ci"}, consensus: in.x256, answers: "ci=signed qa=signed"},
		},
		{
			name:    "no algorithm in common never agrees",
			mapping: `[{"paths": ["**"], "repositories": ["ci", "qa"]}]`,
			signs:   map[string]*metadata.TargetFiles{"ci": in.x256, "qa": in.x512},
			want:    want{status: StatusNoConsensus, mapping: -1, answers: "ci=signed qa=signed"},
		},
		{
			name:    "different bytes, non-transitive hash sets, threshold 2",
			mapping: `[{"paths": ["**"], "repositories": ["ci", "qa", "staging"], "threshold": 2}]`,
			signs:   map[string]*metadata.TargetFiles{"ci": in.x256, "qa": in.y512, "staging": in.x},
			want:    want{status: StatusVerified, mapping: 0, threshold: 2, agreed: []string{"ci", "staging"}, consensus: in.x256, answers: "ci=signed qa=signed staging=signed"},
		},
		{
			name:    "different bytes contradicting a supporter, threshold 1",
			mapping: `[{"paths": ["**"], "repositories": ["ci", "qa", "staging"], "threshold": 1}]`,
			signs:   map[string]*metadata.TargetFiles{"ci": in.x256, "qa": in.y512, "staging": in.x},
			want:    want{status: StatusConflict, mapping: 0, threshold: 1, answers: "ci=signed qa=signed staging=signed", rival: "qa"},
		},
		{
			name:    "different bytes, no algorithm in common, threshold 1",
			mapping: `[{"paths": ["**"], "repositories": ["ci", "qa"], "threshold": 1}]`,
			signs:   map[string]*metadata.TargetFiles{"ci": in.x256, "qa": in.y512},
			want:    want{status: StatusVerified, mapping: 0, threshold: 1, agreed: []string{"ci"}, consensus: in.x256, answers: "ci=signed qa=signed"},
		},
		{
			name:    "custom is not compared",
			mapping: `[{"paths": ["**"], "repositories": ["ci", "qa"]}]`,
			signs:   map[string]*metadata.TargetFiles{"ci": withCustom(in.x, `{"built":"ci"}`), "qa": withCustom(in.x, `{"built":"qa"}`)},
			want:    want{status: StatusVerified, mapping: 0, threshold: 2, agreed: []string{"ci", "qa"}, consensus: in.x, answers: "ci=signed qa=signed"},
		},
		{
			name:    "terminating mapping stops the walk",
			mapping: `[{"paths": ["library/*"], "repositories": ["ci", "qa"], "terminating": true}, {"paths": ["**"], "repositories": ["prod"]}]`,
			signs:   map[string]*metadata.TargetFiles{"ci": in.x, "prod": in.x},
			want:    want{status: StatusNoConsensus, mapping: 0, threshold: 2, answers: "ci=signed qa=missing"},
		},
		{
			name:    "terminating mapping with every answer missing",
			mapping: `[{"paths": ["library/*"], "repositories": ["ci", "qa"], "terminating": true}, {"paths": ["**"], "repositories": ["prod"]}]`,
			signs:   map[string]*metadata.TargetFiles{"prod": in.x},
			want:    want{status: StatusNotFound, mapping: 0, threshold: 2, answers: "ci=missing qa=missing"},
		},
		{
			name:    "terminating mapping that does not match is skipped",
			mapping: `[{"paths": ["other/*"], "repositories": ["ci"], "terminating": true}, {"paths": ["**"], "repositories": ["prod"]}]`,
			signs:   map[string]*metadata.TargetFiles{"prod": in.x},
			want:    want{status: StatusVerified, mapping: 1, threshold: 1, agreed: []string{"prod"}, consensus: in.x, answers: "prod=signed"},
		},
		{
			name:    "star does not match across a slash",
			mapping: `[{"paths": ["*"], "repositories": ["ci"]}, {"paths": ["**"], "repositories": ["prod"]}]`,
			signs:   map[string]*metadata.TargetFiles{"ci": in.x, "prod": in.y},
			want:    want{status: StatusVerified, mapping: 1, threshold: 1, agreed: []string{"prod"}, consensus: in.y, answers: "prod=signed"},
		},
		{
			name:    "star matches a single segment",
			mapping: `[{"paths": ["*"], "repositories": ["ci"]}, {"paths": ["**"], "repositories": ["prod"]}]`,
			target:  "app:1.0",
			signs:   map[string]*metadata.TargetFiles{"ci": in.x, "prod": in.y},
			want:    want{status: StatusVerified, mapping: 0, threshold: 1, agreed: []string{"ci"}, consensus: in.x, answers: "ci=signed"},
		},
		{
			name:    "no mapping matches",
			mapping: `[{"paths": ["*"], "repositories": ["ci"]}]`,
			signs:   map[string]*metadata.TargetFiles{"ci": in.x},
			want:    want{status: StatusNotFound, mapping: -1, answers: ""},
		},
		{
			name:    "every repository missing is not_found",
			mapping: `[{"paths": ["library/*"], "repositories": ["ci"]}, {"paths": ["**"], "repositories": ["qa", "prod"]}]`,
			want:    want{status: StatusNotFound, mapping: -1, answers: "ci=missing qa=missing prod=missing"},
		},
		{
			name:    "the resolver's own not-found sentinel is missing too",
			mapping: `[{"paths": ["**"], "repositories": ["staging", "prod"], "threshold": 1}]`,
			signs:   map[string]*metadata.TargetFiles{"prod": in.x},
			want:    want{status: StatusVerified, mapping: 0, threshold: 1, agreed: []string{"prod"}, consensus: in.x, answers: "staging=missing prod=signed"},
		},
		{
			name:    "a failure is no_consensus, not not_found",
			mapping: `[{"paths": ["**"], "repositories": ["ci", "qa"], "threshold": 1}]`,
			fails:   map[string]error{"qa": errBoom},
			want:    want{status: StatusNoConsensus, mapping: -1, answers: "ci=missing qa=error"},
		},
		{
			name:    "an erroring repository does not sign",
			mapping: `[{"paths": ["**"], "repositories": ["ci", "qa"]}]`,
			signs:   map[string]*metadata.TargetFiles{"ci": in.x},
			fails:   map[string]error{"qa": errBoom},
			want:    want{status: StatusNoConsensus, mapping: -1, answers: "ci=signed qa=error"},
		},
		{
			name:    "an erroring repository below the threshold",
			mapping: `[{"paths": ["**"], "repositories": ["ci", "qa", "prod"], "threshold": 2}]`,
			signs:   map[string]*metadata.TargetFiles{"ci": in.x, "prod": in.x},
			fails:   map[string]error{"qa": errBoom},
			want:    want{status: StatusVerified, mapping: 0, threshold: 2, agreed: []string{"ci", "prod"}, consensus: in.x, answers: "ci=signed qa=error prod=signed"},
		},
		{
			name:    "group signs the consensus",
			mapping: `[{"paths": ["**"], "repositories": ["prod"]}]`,
			groups:  []string{"qa", "ci"},
			signs:   map[string]*metadata.TargetFiles{"prod": in.x, "ci": in.x, "qa": in.x256},
			want:    want{status: StatusVerified, mapping: 0, threshold: 1, agreed: []string{"prod", "qa", "ci"}, consensus: in.x, answers: "prod=signed qa=signed ci=signed"},
		},
		{
			name:    "group names are case-insensitive and counted once",
			mapping: `[{"paths": ["**"], "repositories": ["ci", "prod"]}]`,
			groups:  []string{"CI", "Qa", "ci"},
			signs:   map[string]*metadata.TargetFiles{"prod": in.x, "ci": in.x, "qa": in.x},
			want:    want{status: StatusVerified, mapping: 0, threshold: 2, agreed: []string{"ci", "prod", "qa"}, consensus: in.x, answers: "ci=signed prod=signed qa=signed"},
		},
		{
			name:    "group missing refuses the consensus",
			mapping: `[{"paths": ["**"], "repositories": ["prod"]}]`,
			groups:  []string{"ci", "qa"},
			signs:   map[string]*metadata.TargetFiles{"prod": in.x, "ci": in.x},
			want:    want{status: StatusNoConsensus, mapping: 0, threshold: 1, agreed: []string{"prod", "ci"}, refused: []string{"qa"}, answers: "prod=signed ci=signed qa=missing"},
		},
		{
			name:    "group signing other bytes refuses the consensus",
			mapping: `[{"paths": ["**"], "repositories": ["prod"]}]`,
			groups:  []string{"ci"},
			signs:   map[string]*metadata.TargetFiles{"prod": in.x, "ci": in.y},
			want:    want{status: StatusNoConsensus, mapping: 0, threshold: 1, agreed: []string{"prod"}, refused: []string{"ci"}, answers: "prod=signed ci=signed"},
		},
		{
			name:    "group with no algorithm in common refuses the consensus",
			mapping: `[{"paths": ["**"], "repositories": ["prod"]}]`,
			groups:  []string{"ci"},
			signs:   map[string]*metadata.TargetFiles{"prod": in.x256, "ci": in.x512},
			want:    want{status: StatusNoConsensus, mapping: 0, threshold: 1, agreed: []string{"prod"}, refused: []string{"ci"}, answers: "prod=signed ci=signed"},
		},
		{
			name:    "group outside the consensus within the mapping refuses it",
			mapping: `[{"paths": ["**"], "repositories": ["ci", "qa", "prod"], "threshold": 2}]`,
			groups:  []string{"qa"},
			signs:   map[string]*metadata.TargetFiles{"ci": in.x, "qa": in.y, "prod": in.x},
			want:    want{status: StatusNoConsensus, mapping: 0, threshold: 2, agreed: []string{"ci", "prod"}, refused: []string{"qa"}, answers: "ci=signed qa=signed prod=signed"},
		},
		{
			name:    "group failing refuses the consensus",
			mapping: `[{"paths": ["**"], "repositories": ["prod"]}]`,
			groups:  []string{"ci"},
			signs:   map[string]*metadata.TargetFiles{"prod": in.x},
			fails:   map[string]error{"ci": errBoom},
			want:    want{status: StatusNoConsensus, mapping: 0, threshold: 1, agreed: []string{"prod"}, refused: []string{"ci"}, answers: "prod=signed ci=error"},
		},
		{
			name:    "groups are not asked without a consensus",
			mapping: `[{"paths": ["**"], "repositories": ["prod"]}]`,
			groups:  []string{"ci"},
			signs:   map[string]*metadata.TargetFiles{"ci": in.x},
			want:    want{status: StatusNotFound, mapping: -1, answers: "prod=missing"},
		},
		{
			name:    "groups alone when no mapping matches",
			mapping: `[{"paths": ["other/**"], "repositories": ["prod"]}]`,
			groups:  []string{"qa", "ci"},
			signs:   map[string]*metadata.TargetFiles{"ci": in.x, "qa": in.x},
			want:    want{status: StatusVerified, mapping: -1, threshold: 2, agreed: []string{"qa", "ci"}, consensus: in.x, answers: "qa=signed ci=signed"},
		},
		{
			name:    "groups alone need every group",
			mapping: `[{"paths": ["other/**"], "repositories": ["prod"]}]`,
			groups:  []string{"ci", "qa"},
			signs:   map[string]*metadata.TargetFiles{"ci": in.x},
			want:    want{status: StatusNoConsensus, mapping: -1, threshold: 2, answers: "ci=signed qa=missing"},
		},
		{
			name:    "groups alone, every group missing",
			mapping: `[{"paths": ["other/**"], "repositories": ["prod"]}]`,
			groups:  []string{"ci", "qa"},
			want:    want{status: StatusNotFound, mapping: -1, threshold: 2, answers: "ci=missing qa=missing"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tgt := target
			if tc.target != "" {
				tgt = tc.target
			}
			w := pipelineWorld(tgt, tc.signs, tc.fails)
			res, err := New(mapOf(t, tc.mapping), w.open).Resolve(context.Background(), tgt, tc.groups)
			if res == nil {
				t.Fatalf("Resolve returned no result: %v", err)
			}
			checkResult(t, res, err)
			got := want{
				status: res.Status, mapping: res.Mapping, threshold: res.Threshold,
				agreed: res.Agreed, refused: res.Refused, answers: answersString(res),
			}
			if res.Status == StatusVerified {
				got.consensus = &metadata.TargetFiles{Path: tgt, Length: res.Length, Hashes: res.Hashes}
			}
			if res.Conflict != nil {
				got.rival = res.Conflict.Rival.Repository
			}
			if diff := compareWant(got.status, tc.want.status, got.mapping, tc.want.mapping, got.threshold, tc.want.threshold); diff != "" {
				t.Errorf("%s; reason: %s", diff, res.Reason)
			}
			if !slices.Equal(got.agreed, tc.want.agreed) {
				t.Errorf("agreed = %q, want %q", got.agreed, tc.want.agreed)
			}
			if !slices.Equal(got.refused, tc.want.refused) {
				t.Errorf("refused = %q, want %q", got.refused, tc.want.refused)
			}
			if got.answers != tc.want.answers {
				t.Errorf("answers = %q, want %q", got.answers, tc.want.answers)
			}
			if got.rival != tc.want.rival {
				t.Errorf("rival = %q, want %q", got.rival, tc.want.rival)
			}
			if tc.want.consensus != nil {
				if got.consensus == nil || got.consensus.Length != tc.want.consensus.Length || !got.consensus.Hashes.Equal(tc.want.consensus.Hashes) {
					t.Errorf("consensus = %+v, want length %d hashes %v", got.consensus, tc.want.consensus.Length, tc.want.consensus.Hashes)
				}
			}
			for _, a := range res.Answers {
				if a.Kind != Failed {
					continue
				}
				if !errors.Is(a.Err, tc.fails[a.Name]) {
					t.Errorf("answer of %s: error %v, want its cause %v", a.Name, a.Err, tc.fails[a.Name])
				}
				if res.Status != StatusVerified && !errors.Is(err, tc.fails[a.Name]) {
					t.Errorf("error %v does not wrap the cause of %s", err, a.Name)
				}
			}
		})
	}
}

// compareWant compares status, mapping and threshold, and says how they
// differ.
func compareWant(status, wantStatus Status, mapping, wantMapping, threshold, wantThreshold int) string {
	if status == wantStatus && mapping == wantMapping && threshold == wantThreshold {
		return ""
	}
	return fmt.Sprintf("status, mapping, threshold = %s, %d, %d; want %s, %d, %d",
		status, mapping, threshold, wantStatus, wantMapping, wantThreshold)
}

// checkResult checks what every result must satisfy: the error matches the
// status, length and hashes only when verified, each repository answered
// once.
func checkResult(t *testing.T, res *Result, err error) {
	t.Helper()
	sentinels := map[Status]error{StatusNotFound: ErrNotFound, StatusNoConsensus: ErrNoConsensus, StatusConflict: ErrConflict}
	switch {
	case res.Status == StatusVerified && err != nil:
		t.Errorf("verified with error %v", err)
	case res.Status != StatusVerified && !errors.Is(err, sentinels[res.Status]):
		t.Errorf("status %s with error %v", res.Status, err)
	}
	if res.Status != StatusVerified {
		var re *Error
		if !errors.As(err, &re) || re.Result != res {
			t.Errorf("error %v does not carry the result", err)
		}
		if res.Length != 0 || res.Hashes != nil {
			t.Errorf("%s result has length %d hashes %v", res.Status, res.Length, res.Hashes)
		}
	}
	if res.Status == StatusConflict && res.Conflict == nil {
		t.Errorf("conflict without evidence")
	}
	seen := map[string]bool{}
	for _, a := range res.Answers {
		if seen[a.Name] {
			t.Errorf("repository %s answered twice", a.Name)
		}
		seen[a.Name] = true
	}
}
