package audit

import (
	"fmt"
	"sort"
	"time"

	"github.com/accord-tuf/accord/repo"
	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// expiry reports, for repository name: top-level metadata that does not
// verify, delegated roles that did not load, every verified role that
// has expired or expires within the horizon, and targets roles that
// outlive the root that vouches for them.
func (a *auditor) expiry(name string, tr *repo.Trusted) {
	loc := Location{Mapping: -1, Repository: name}
	if tr.TopErr != nil {
		a.add(Finding{
			Severity: Warning, Check: Metadata, Code: CodeUnverified, Location: loc,
			Message: fmt.Sprintf("no verified metadata beyond the root (%v): delegated roles, target hashes and expiries beyond the root were not checked", repo.Cause(name, tr.TopErr)),
			Advice:  "run: accord refresh " + name,
		})
	}
	type role struct {
		name    string
		expires time.Time
	}
	roles := []role{{metadata.ROOT, tr.Root.Signed.Expires}}
	if tr.TopErr == nil {
		roles = append(roles,
			role{metadata.TIMESTAMP, tr.Timestamp.Signed.Expires},
			role{metadata.SNAPSHOT, tr.Snapshot.Signed.Expires},
			role{metadata.TARGETS, tr.Targets.Signed.Expires})
		for _, r := range tr.Roles {
			roles = append(roles, role{r.Name, r.Metadata.Signed.Expires})
		}
	}
	at := a.rep.At
	for _, r := range roles {
		l := loc
		l.Role = r.name
		left := r.expires.Sub(at)
		switch {
		case left <= 0:
			a.add(Finding{
				Severity: Warning, Check: Expiry, Code: CodeExpires, Location: l,
				Message: fmt.Sprintf("%s expired at %s", r.name, r.expires.UTC().Format(time.RFC3339)),
				Advice:  "the repository must sign it again; then run: accord refresh " + name,
			})
		case left <= a.rep.Within:
			a.add(Finding{
				Severity: Warning, Check: Expiry, Code: CodeExpires, Location: l,
				Message: fmt.Sprintf("%s expires at %s, within %s (in %s)", r.name, r.expires.UTC().Format(time.RFC3339),
					human(a.rep.Within), human(left)),
				Advice: "make sure the repository signs it again before then, and run: accord refresh " + name,
			})
		}
	}
	rootExpires := tr.Root.Signed.Expires
	for _, r := range roles {
		if r.name == metadata.ROOT || r.name == metadata.TIMESTAMP || r.name == metadata.SNAPSHOT {
			continue
		}
		if rootExpires.Before(r.expires) {
			l := loc
			l.Role = r.name
			a.add(Finding{
				Severity: Warning, Check: Expiry, Code: CodeRootExpiresFirst, Location: l,
				Message: fmt.Sprintf("the root expires at %s, before %s (%s), which it vouches for",
					rootExpires.UTC().Format(time.RFC3339), r.name, r.expires.UTC().Format(time.RFC3339)),
				Advice: "have the repository sign a new root that outlives its targets metadata",
			})
		}
	}
	if len(tr.RoleErrs) > 0 {
		names := make([]string, 0, len(tr.RoleErrs))
		for n := range tr.RoleErrs {
			names = append(names, n)
		}
		sort.Strings(names)
		l := loc
		l.Role = names[0]
		a.add(Finding{
			Severity: Warning, Check: Metadata, Code: CodeIncomplete, Location: l,
			Message: fmt.Sprintf("%s did not load (%s: %v): the keys they delegate to and their targets were not checked",
				count(len(names), "delegated role", "delegated roles"), names[0], repo.Cause(name, tr.RoleErrs[names[0]])),
			Advice: "run: accord refresh " + name,
		})
	}
}

// human writes a duration in days and hours ("7d", "1d23h", "5h", "12m").
func human(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		days, hours := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour)
		if hours == 0 {
			return fmt.Sprintf("%dd", days)
		}
		return fmt.Sprintf("%dd%dh", days, hours)
	case d >= time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	case d >= time.Minute:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	}
	return fmt.Sprintf("%ds", int(d/time.Second))
}
