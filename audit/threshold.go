package audit

import (
	"math/bits"
	"strconv"
)

// maxSharedSearch is the most keys shared between the chosen signers
// whose subsets are searched exactly; beyond it the shared keys are not
// pooled and the result is an upper bound.
const maxSharedSearch = 16

// maxCombinations bounds how many choices of signers one effective
// threshold looks at; beyond it the result is the best found, an upper
// bound.
const maxCombinations = 100000

// pick is one repository signed for through one of its signers.
type pick struct {
	repo string
	s    signer
}

// effect is the outcome of the search for one mapping: the least number
// of distinct keys that make threshold repositories sign, with the
// choice that achieves it.
type effect struct {
	holders int
	picks   []pick
	shared  []string // fingerprints of the keys used for more than one pick
	exact   bool     // false: the search was cut short; holders is an upper bound
	none    bool     // fewer than threshold repositories can sign at all
}

// effectiveThreshold returns the least number of distinct keys whose
// holders, together, can make threshold of the repositories sign a target
// of their choosing, each through one of its signers (signers[repo]).
func effectiveThreshold(repos []string, signers map[string][]signer, threshold int) effect {
	options := pruned(repos, signers)
	var usable []string
	for _, r := range repos {
		if len(options[r]) > 0 {
			usable = append(usable, r)
		}
	}
	best := effect{exact: true, holders: -1}
	if len(usable) < threshold || threshold < 1 {
		best.none = true
		return best
	}
	evaluated := 0
	chosen := make([]pick, threshold)
	var signWith func(depth int) bool
	var choose func(from, depth int) bool
	choose = func(from, depth int) bool {
		if depth == threshold {
			return signWith(0)
		}
		for i := from; i <= len(usable)-(threshold-depth); i++ {
			chosen[depth].repo = usable[i]
			if !choose(i+1, depth+1) {
				return false
			}
		}
		return true
	}
	signWith = func(depth int) bool {
		if depth == threshold {
			evaluated++
			if evaluated > maxCombinations {
				best.exact = false
				return false
			}
			n, shared, exact := cover(chosen)
			if n >= 0 && (best.holders < 0 || n < best.holders) {
				best.holders, best.shared = n, shared
				best.picks = append([]pick(nil), chosen...)
			}
			best.exact = best.exact && exact
			return true
		}
		for _, s := range options[chosen[depth].repo] {
			chosen[depth].s = s
			if !signWith(depth + 1) {
				return false
			}
		}
		return true
	}
	choose(0, 0)
	if best.holders < 0 {
		best.none = true
	}
	return best
}

// pruned returns each repository's feasible signers, without duplicates,
// and of those that share no key with another repository only the one
// with the lowest threshold: the others can never do better.
func pruned(repos []string, signers map[string][]signer) map[string][]signer {
	owners := map[string]map[string]bool{} // fingerprint → repositories
	for _, r := range repos {
		for _, s := range signers[r] {
			for _, k := range s.keys {
				if owners[k] == nil {
					owners[k] = map[string]bool{}
				}
				owners[k][r] = true
			}
		}
	}
	out := map[string][]signer{}
	for _, r := range repos {
		var private *signer
		seen := map[string]bool{}
		for _, s := range signers[r] {
			if !s.feasible() {
				continue
			}
			shared := false
			for _, k := range s.keys {
				shared = shared || len(owners[k]) > 1
			}
			if !shared {
				if private == nil || s.threshold < private.threshold {
					private = &s
				}
				continue
			}
			key := signerKey(s)
			if seen[key] {
				continue
			}
			seen[key] = true
			out[r] = append(out[r], s)
		}
		if private != nil {
			out[r] = append(out[r], *private)
		}
	}
	return out
}

// signerKey identifies a signer by its threshold and keys.
func signerKey(s signer) string {
	k := strconv.Itoa(s.threshold)
	for _, fp := range s.keys {
		k += "," + fp
	}
	return k
}

// cover returns the least number of distinct keys that meet every pick's
// threshold, and the keys of that choice used by more than one pick: for
// each subset S of the keys that several picks list, the keys of S plus,
// for each pick, the keys it still lacks from those only it lists. It
// returns -1 when no choice meets them all, and exact false when there
// were too many shared keys to search (then nothing is pooled).
func cover(picks []pick) (int, []string, bool) {
	count := map[string]int{}
	for _, p := range picks {
		for _, k := range p.s.keys {
			count[k]++
		}
	}
	var shared []string
	for k, n := range count {
		if n > 1 {
			shared = append(shared, k)
		}
	}
	sortStrings(shared)
	exact := len(shared) <= maxSharedSearch
	if !exact {
		shared = nil
	}
	index := map[string]int{}
	for i, k := range shared {
		index[k] = i
	}
	// For each pick: its shared keys as a bit set, and how many keys only it lists.
	masks := make([]uint32, len(picks))
	own := make([]int, len(picks))
	for i, p := range picks {
		for _, k := range p.s.keys {
			if j, ok := index[k]; ok {
				masks[i] |= 1 << j
			} else {
				own[i]++
			}
		}
	}
	best, bestSet := -1, uint32(0)
	for set := uint32(0); set < 1<<len(shared); set++ {
		n := bits.OnesCount32(set)
		for i, p := range picks {
			have := bits.OnesCount32(masks[i] & set)
			need := p.s.threshold - have
			if need > own[i] {
				n = -1
				break
			}
			if need > 0 {
				n += need
			}
		}
		if n >= 0 && (best < 0 || n < best) {
			best, bestSet = n, set
		}
	}
	var used []string
	for j, k := range shared {
		if bestSet&(1<<j) != 0 {
			used = append(used, k)
		}
	}
	return best, used, exact
}
