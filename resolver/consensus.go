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
	n := len(infos)
	var buf [64]bool
	var agrees []bool
	if n*n <= len(buf) {
		agrees = buf[:n*n]
	} else {
		agrees = make([]bool, n*n)
	}
	// agrees[i*n+j]: infos i and j agree. agree is symmetric, and an info
	// agrees with itself when it lists a hash.
	for i, c := range infos {
		if c == nil {
			continue
		}
		agrees[i*n+i] = len(c.Hashes) > 0
		for j := i + 1; j < n; j++ {
			if o := infos[j]; o != nil && agree(c, o) {
				agrees[i*n+j], agrees[j*n+i] = true, true
			}
		}
	}
	var cbuf [8]int
	var count []int
	if n <= len(cbuf) {
		count = cbuf[:n]
	} else {
		count = make([]int, n)
	}
	for i := range infos {
		for j := range infos {
			if agrees[i*n+j] {
				count[i]++
			}
		}
		if out.consensus < 0 && infos[i] != nil && count[i] >= threshold {
			out.consensus, out.supporters = i, supportersOf(agrees, n, i, count[i])
		}
	}
	if out.consensus < 0 {
		return out
	}
	for k, c := range infos {
		if k == out.consensus || c == nil || count[k] < threshold {
			continue
		}
		if contradictsAny(infos, agrees, k, out.consensus, out.supporters) {
			out.rival, out.rivals = k, supportersOf(agrees, n, k, count[k])
			return out
		}
	}
	return out
}

// supportersOf returns the indexes of the infos that agree with info i, in
// order; there are count of them.
func supportersOf(agrees []bool, n, i, count int) []int {
	s := make([]int, 0, count)
	for j := range n {
		if agrees[i*n+j] {
			s = append(s, j)
		}
	}
	return s
}

// contradictsAny reports whether infos[k] contradicts the consensus
// infos[at] or the info of any of its supporters. Infos that agree never
// contradict, so only the pairs that do not agree are compared.
func contradictsAny(infos []*metadata.TargetFiles, agrees []bool, k, at int, supporters []int) bool {
	n := len(infos)
	if !agrees[k*n+at] && contradict(infos[k], infos[at]) {
		return true
	}
	for _, s := range supporters {
		if !agrees[k*n+s] && contradict(infos[k], infos[s]) {
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
