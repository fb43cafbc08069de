package resolver

import (
	"context"
	"testing"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

func TestErrorMessages(t *testing.T) {
	const target = "app/1"
	in := newInfos(t, target)
	tests := []struct {
		name    string
		mapping string
		groups  []string
		signs   map[string]*metadata.TargetFiles
		fails   map[string]error
		want    string
	}{
		{
			name:    "conflict",
			mapping: `[{"paths": ["**"], "repositories": ["ci", "qa"], "threshold": 1}]`,
			signs:   map[string]*metadata.TargetFiles{"ci": in.x256, "qa": in.y256},
			want:    `target "app/1": conflict: mapping 0 (threshold 1) has two contradicting candidates: length 24 sha256:4eb734712026… (ci) and length 24 sha256:c2dc95909f53… (qa)`,
		},
		{
			name:    "terminating",
			mapping: `[{"paths": ["**"], "repositories": ["ci", "qa"], "terminating": true}, {"paths": ["**"], "repositories": ["prod"]}]`,
			signs:   map[string]*metadata.TargetFiles{"ci": in.x},
			want:    `target "app/1": no consensus: mapping 0 needs 2 of 2 repositories to agree, at most 1 did; mapping 0 is terminating`,
		},
		{
			name:    "fell through",
			mapping: `[{"paths": ["**"], "repositories": ["ci", "qa"]}, {"paths": ["**"], "repositories": ["prod"]}]`,
			signs:   map[string]*metadata.TargetFiles{"ci": in.x},
			fails:   map[string]error{"prod": errBoom},
			want:    `target "app/1": no consensus: mapping 0 needs 2 of 2 repositories to agree, at most 1 did; mapping 1 needs 1 of 1 repositories to agree, at most 0 did; repository "prod": timestamp.json: expired`,
		},
		{
			name:    "refused by groups",
			mapping: `[{"paths": ["**"], "repositories": ["ci"]}]`,
			groups:  []string{"qa", "prod"},
			signs:   map[string]*metadata.TargetFiles{"ci": in.x, "qa": in.y},
			fails:   map[string]error{"prod": errBoom},
			want:    `target "app/1": no consensus: refused by group repository "qa" (signs target info that does not agree), "prod" (failed to answer); repository "prod": timestamp.json: expired`,
		},
		{
			name:    "groups alone",
			mapping: `[{"paths": ["x"], "repositories": ["ci"]}]`,
			groups:  []string{"qa", "prod"},
			signs:   map[string]*metadata.TargetFiles{"qa": in.x},
			want:    `target "app/1": no consensus: the groups need all 2 repositories to agree, at most 1 did`,
		},
		{
			name:    "no mapping",
			mapping: `[{"paths": ["x"], "repositories": ["ci"]}]`,
			want:    `target "app/1": not found: no mapping matches the target`,
		},
		{
			name:    "every answer missing",
			mapping: `[{"paths": ["**"], "repositories": ["ci", "qa"]}]`,
			want:    `target "app/1": not found: every repository asked answered missing`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld()
			for _, name := range []string{"ci", "qa", "staging", "prod"} {
				r := repoOf(name)
				if info, ok := tc.signs[name]; ok {
					r.sign(info, nil)
				}
				r.infoErr = tc.fails[name]
				w.repos[name] = r
			}
			_, err := New(mapOf(t, tc.mapping), w.open).Resolve(context.Background(), target, tc.groups)
			if err == nil || err.Error() != tc.want {
				t.Errorf("error = %v\nwant    %s", err, tc.want)
			}
		})
	}
}
