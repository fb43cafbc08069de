package resolver

import (
	"testing"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

func TestAgreeContradict(t *testing.T) {
	const target = "app"
	in := newInfos(t, target)
	tests := []struct {
		name                 string
		a, b                 *metadata.TargetFiles
		agree, contradiction bool
	}{
		{"identical", in.x, in.x, true, false},
		{"one shared algorithm", in.x, in.x256, true, false},
		{"other shared algorithm", in.x512, in.x, true, false},
		{"no algorithm in common, same bytes", in.x256, in.x512, false, false},
		{"no algorithm in common, other bytes", in.x256, in.y512, false, false},
		{"shared algorithm differs", in.x, in.y, false, true},
		{"one of two shared algorithms differs", in.x, &metadata.TargetFiles{Length: in.x.Length, Hashes: metadata.Hashes{"sha256": in.x.Hashes["sha256"], "sha512": in.y.Hashes["sha512"]}}, false, true},
		{"length differs", in.x, in.z, false, true},
		{"length differs without algorithm in common", in.x256, withHashes(in.z, "sha512"), false, true},
		{"custom differs", withCustom(in.x, `{"a":1}`), withCustom(in.x, `{"a":2}`), true, false},
		{"unknown algorithm shared", &metadata.TargetFiles{Length: 1, Hashes: metadata.Hashes{"blake2b": {1}}}, &metadata.TargetFiles{Length: 1, Hashes: metadata.Hashes{"blake2b": {1}}}, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, pair := range [][2]*metadata.TargetFiles{{tc.a, tc.b}, {tc.b, tc.a}} {
				if got := agree(pair[0], pair[1]); got != tc.agree {
					t.Errorf("agree = %v, want %v", got, tc.agree)
				}
				if got := contradict(pair[0], pair[1]); got != tc.contradiction {
					t.Errorf("contradict = %v, want %v", got, tc.contradiction)
				}
			}
		})
	}
}

func TestCheckInfo(t *testing.T) {
	tests := []struct {
		name string
		info *metadata.TargetFiles
		ok   bool
	}{
		{"valid", &metadata.TargetFiles{Length: 0, Hashes: metadata.Hashes{"sha256": {1}}}, true},
		{"nil", nil, false},
		{"negative length", &metadata.TargetFiles{Length: -1, Hashes: metadata.Hashes{"sha256": {1}}}, false},
		{"no hashes", &metadata.TargetFiles{Length: 1}, false},
		{"empty digest", &metadata.TargetFiles{Length: 1, Hashes: metadata.Hashes{"sha256": {}}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := checkInfo(tc.info); (err == nil) != tc.ok {
				t.Errorf("checkInfo = %v, want ok %v", err, tc.ok)
			}
		})
	}
}
