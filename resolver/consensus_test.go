package resolver

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// infosFrom turns fuzz bytes into up to 8 answers: each byte is a nil
// answer, or an info with one of two lengths and, for sha256 and sha512,
// absent or one of two digests.
func infosFrom(data []byte) []*metadata.TargetFiles {
	var infos []*metadata.TargetFiles
	for _, b := range data[:min(len(data), 8)] {
		if b&1 == 0 {
			infos = append(infos, nil)
			continue
		}
		info := &metadata.TargetFiles{Length: int64(b>>1) & 1, Hashes: metadata.Hashes{}}
		for i, alg := range []string{"sha256", "sha512"} {
			if d := (b >> (2 + 2*i)) & 3; d != 0 {
				info.Hashes[alg] = metadata.HexBytes{d}
			}
		}
		infos = append(infos, info)
	}
	return infos
}

// FuzzDecide checks the rules of SPEC section 3, step 3, over every outcome.
func FuzzDecide(f *testing.F) {
	f.Add([]byte{0x15, 0x25, 0x35}, 1)
	f.Add([]byte{0x05, 0x11, 0x15}, 2)
	f.Add([]byte{0x05, 0x17, 0x2d}, 1)
	f.Fuzz(func(t *testing.T, data []byte, threshold int) {
		infos := infosFrom(data)
		threshold = 1 + abs(threshold)%max(len(infos), 1)
		out := decide(infos, threshold)
		reaches := func(c int) []int {
			var s []int
			for j, o := range infos {
				if o != nil && agree(infos[c], o) {
					s = append(s, j)
				}
			}
			return s
		}
		first := -1
		for i, c := range infos {
			if c != nil && len(reaches(i)) >= threshold {
				first = i
				break
			}
		}
		if out.consensus != first {
			t.Fatalf("consensus %d, want the first candidate to reach the threshold, %d", out.consensus, first)
		}
		if first < 0 {
			if out.rival >= 0 {
				t.Fatalf("rival %d without a consensus", out.rival)
			}
			return
		}
		if !slices.Equal(out.supporters, reaches(first)) {
			t.Fatalf("supporters %v, want %v", out.supporters, reaches(first))
		}
		conflict := false
		for k, c := range infos {
			if k == first || c == nil || len(reaches(k)) < threshold {
				continue
			}
			if contradict(c, infos[first]) {
				conflict = true
			}
			for _, s := range out.supporters {
				conflict = conflict || contradict(c, infos[s])
			}
		}
		if conflict != (out.rival >= 0) {
			t.Fatalf("rival %d, want a conflict: %v", out.rival, conflict)
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// TestDecideIgnoresArrival checks that a conflict is found whatever the
// order the repositories are listed in, as long as both sides reach the
// threshold.
func TestDecideIgnoresArrival(t *testing.T) {
	in := newInfos(t, "app")
	base := []*metadata.TargetFiles{in.x, in.x256, in.y, in.y512, nil}
	for range 100 {
		infos := slices.Clone(base)
		rand.Shuffle(len(infos), func(i, j int) { infos[i], infos[j] = infos[j], infos[i] })
		if out := decide(infos, 2); out.consensus < 0 || out.rival < 0 {
			t.Fatalf("order %v: consensus %d rival %d; want a conflict", infos, out.consensus, out.rival)
		}
	}
}
