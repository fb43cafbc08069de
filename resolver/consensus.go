package resolver

import "github.com/theupdateframework/go-tuf/v2/metadata"

// outcome is the decision over one mapping's signed answers.
type outcome struct {
	consensus  int   // index of the consensus candidate, or -1
	supporters []int // indexes that agree with the consensus, in order
	rival      int   // index of a candidate in conflict with it, or -1
	rivals     []int // indexes that agree with the rival, in order
}

// decide applies SPEC section 3, step 3, to the infos a mapping's
// repositories signed, in the mapping's order (nil for a repository that did
// not sign). The first candidate with at least threshold supporters is the
// consensus; if another candidate that contradicts the consensus or any of
// its supporters also reaches the threshold, the outcome is a conflict.
//
// decide looks at every answer at once, so the order in which the answers
// arrived cannot change it.
func decide(infos []*metadata.TargetFiles, threshold int) outcome {
	out := outcome{consensus: -1, rival: -1}
	supporters := make([][]int, len(infos))
	for i, c := range infos {
		if c == nil {
			continue
		}
		for j, o := range infos {
			if o != nil && agree(c, o) {
				supporters[i] = append(supporters[i], j)
			}
		}
		if out.consensus < 0 && len(supporters[i]) >= threshold {
			out.consensus, out.supporters = i, supporters[i]
		}
	}
	if out.consensus < 0 {
		return out
	}
	for k, c := range infos {
		if k == out.consensus || c == nil || len(supporters[k]) < threshold {
			continue
		}
		if contradictsAny(c, infos, out.consensus, out.supporters) {
			out.rival, out.rivals = k, supporters[k]
			return out
		}
	}
	return out
}

// contradictsAny reports whether c contradicts the consensus infos[at] or the
// info of any of its supporters.
func contradictsAny(c *metadata.TargetFiles, infos []*metadata.TargetFiles, at int, supporters []int) bool {
	if contradict(c, infos[at]) {
		return true
	}
	for _, s := range supporters {
		if contradict(c, infos[s]) {
			return true
		}
	}
	return false
}

// effectiveThreshold is a mapping's threshold over n distinct repositories:
// an unset (non-positive) threshold means every repository must sign.
func effectiveThreshold(threshold, n int) int {
	if threshold < 1 {
		return n
	}
	return threshold
}
