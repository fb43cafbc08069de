package audit

import (
	"fmt"
	"time"
)

// Severity is how bad a finding is.
type Severity string

// The severities: [Error] for a configuration that guarantees less than
// the map file states (an effective threshold below the stated one, two
// repositories with one root), [Warning] for everything else.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Check names the check that made a finding.
type Check string

// The checks, in the order a report lists their findings.
const (
	Policy Check = "policy"
	Keys   Check = "keys"
	Hashes Check = "hashes"
	Expiry Check = "expiry"
	// Metadata findings say what could not be audited: metadata that
	// does not verify, delegated roles that did not load.
	Metadata Check = "metadata"
)

// The codes of findings, one per kind.
const (
	CodeMapWarning         = "map_warning"         // a warning of the map file's own check
	CodeAnyOne             = "any_one"             // threshold 1 over several repositories
	CodeUnusedRepository   = "unused_repository"   // a declared repository no mapping uses
	CodeSameRoot           = "same_root"           // two repositories with one pinned root
	CodeSharedKey          = "shared_key"          // a key that signs for two repositories
	CodeEffectiveThreshold = "effective_threshold" // fewer key holders than the stated threshold
	CodeSearchCutShort     = "search_cut_short"    // the effective threshold is an upper bound
	CodeNoCommonHash       = "no_common_hash"      // two repositories with no hash algorithm in common
	CodeWeakHash           = "weak_hash"           // two repositories that share only weak or unknown algorithms
	CodeExpires            = "expires"             // a role expires within the horizon, or has expired
	CodeRootExpiresFirst   = "root_expires_first"  // the root expires before a targets role it vouches for
	CodeUnverified         = "unverified"          // the top-level metadata does not verify
	CodeIncomplete         = "incomplete"          // delegated roles that did not load
)

// Location is where a finding is. Empty fields do not apply.
type Location struct {
	// Mapping is the index of the mapping concerned, -1 for none.
	Mapping int
	// Groups is true when the finding concerns the --groups requirement.
	Groups bool
	// Path is a place in the map file, as map check names it
	// ("mapping[1].paths[0]").
	Path string
	// Repository, Role and KeyID name a repository, one of its roles and
	// one of that role's keys.
	Repository string
	Role       string
	KeyID      string
}

// Finding is one thing the audit found.
type Finding struct {
	Severity Severity
	Check    Check
	Code     string
	Location Location
	// Keys lists, for a shared key, every use of it by the repositories
	// concerned; for an effective threshold, the keys shared by the
	// cheapest choice of signers.
	Keys []KeyUse
	// Message says what was found; Advice, in one line, what to do.
	Message string
	Advice  string
}

// Summary is what a mapping (or the groups) requires and what its keys
// make of it.
type Summary struct {
	// Mapping is the mapping's index, -1 for the groups.
	Mapping      int
	Paths        []string
	Repositories []string
	// Threshold is the stated threshold.
	Threshold int
	// Effective is the effective threshold: the least number of distinct
	// key holders who could make the mapping verify a target of their
	// choosing; 0 when not computed (a threshold of 1, or a repository
	// that cannot sign at all).
	Effective int
	// Exact is false when the search was cut short: Effective is then an
	// upper bound.
	Exact bool
}

// Report is the result of [Run].
type Report struct {
	// At is the reference time; Within the expiry horizon.
	At     time.Time
	Within time.Duration
	// Mappings summarises each mapping of the map file, in order.
	Mappings []Summary
	// Groups summarises the groups' requirement; nil without groups.
	Groups *Summary
	// Findings, by check, then as the map file lists mappings and
	// repositories.
	Findings []Finding
}

// Errors returns how many findings are at [Error].
func (r *Report) Errors() int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == Error {
			n++
		}
	}
	return n
}

// place names a location's scope: "mapping[0]", "groups", a map file path
// or "".
func (l Location) place() string {
	switch {
	case l.Path != "":
		return l.Path
	case l.Groups:
		return "groups"
	case l.Mapping >= 0:
		return fmt.Sprintf("mapping[%d]", l.Mapping)
	}
	return ""
}
