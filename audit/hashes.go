package audit

import (
	"fmt"
	"sort"
	"strings"

	"github.com/accord-tuf/accord/repo"
	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// strongHashes are the algorithms accord checks whose collision
// resistance is at least 128 bits. Any other is weak (md5, sha1, sha224)
// or unknown to accord.
var strongHashes = map[string]bool{"sha256": true, "sha384": true, "sha512": true, "sha512_256": true}

// algorithms returns the hash algorithms that the verified targets roles
// of tr list for targets in sc.
func algorithms(tr *repo.Trusted, sc scope) map[string]bool {
	out := map[string]bool{}
	if tr.Targets == nil {
		return out
	}
	scan := func(files map[string]*metadata.TargetFiles) {
		for path, tf := range files {
			if tf == nil || !sc.matches(path) {
				continue
			}
			for alg := range tf.Hashes {
				out[alg] = true
			}
		}
	}
	scan(tr.Targets.Signed.Targets)
	for _, r := range tr.Roles {
		scan(r.Metadata.Signed.Targets)
	}
	return out
}

// hashes reports pairs of repos whose targets in sc share no hash
// algorithm, or only weak or unknown ones.
func (a *auditor) hashes(sc scope, repos []string, threshold int, loc Location) {
	if threshold < 2 {
		return
	}
	algs := make([]map[string]bool, len(repos))
	for i, r := range repos {
		algs[i] = algorithms(a.in.Trusted[r], sc)
	}
	for i := range repos {
		for j := i + 1; j < len(repos); j++ {
			if len(algs[i]) == 0 || len(algs[j]) == 0 {
				continue
			}
			var common []string
			strong := false
			for alg := range algs[i] {
				if algs[j][alg] {
					common = append(common, alg)
					strong = strong || strongHashes[alg]
				}
			}
			sort.Strings(common)
			l := loc
			l.Repository = repos[i]
			switch {
			case len(common) == 0:
				a.add(Finding{
					Severity: Warning, Check: Hashes, Code: CodeNoCommonHash, Location: l,
					Message: fmt.Sprintf("%s lists %s and %s lists %s: with no hash algorithm in common they can never agree on a target",
						repos[i], list(algs[i]), repos[j], list(algs[j])),
					Advice: "have both list a strong algorithm in common, such as sha256",
				})
			case !strong:
				a.add(Finding{
					Severity: Warning, Check: Hashes, Code: CodeWeakHash, Location: l,
					Message: fmt.Sprintf("%s and %s agree only on %s, weak or unknown to accord",
						repos[i], repos[j], strings.Join(common, ", ")),
					Advice: "have both list a strong algorithm in common, such as sha256",
				})
			}
		}
	}
}

// list writes a set of algorithms, sorted: "sha256, sha512".
func list(set map[string]bool) string {
	var s []string
	for k := range set {
		s = append(s, k)
	}
	sort.Strings(s)
	return strings.Join(s, ", ")
}
