package service

import (
	"net/http"
	"time"

	"github.com/accord-tuf/accord/repo"
)

// RepoStatus is one repository's state as /v1/status and /readyz report
// it. Times are RFC 3339, UTC.
type RepoStatus struct {
	Name string `json:"name"`
	// Ready is true when the repository has verified, unexpired state.
	Ready bool `json:"ready"`
	// Error says why the repository is not ready.
	Error string `json:"error,omitempty"`
	// Expires is the earliest expiry of its verified metadata in memory.
	Expires *time.Time `json:"expires,omitempty"`
	// Loaded is when the state in memory was loaded.
	Loaded *time.Time `json:"loaded,omitempty"`
	// Versions of the trusted metadata in memory.
	Root      int64 `json:"root_version,omitempty"`
	Timestamp int64 `json:"timestamp_version,omitempty"`
	Snapshot  int64 `json:"snapshot_version,omitempty"`
	Targets   int64 `json:"targets_version,omitempty"`
	// LastRefresh and LastSuccess are the starts of the last background
	// refresh and of the last successful one; LastError is the last
	// refresh's failure (an attack refused, an unreachable mirror), kept
	// until a refresh succeeds, and Failures counts them.
	LastRefresh *time.Time `json:"last_refresh,omitempty"`
	LastSuccess *time.Time `json:"last_success,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
	Failures    int        `json:"consecutive_failures"`
}

// Status returns every repository's state, in declared order, and whether
// all are ready.
func (s *Service) Status() (repos []RepoStatus, ready bool) {
	ready = true
	for _, r := range s.repos {
		st := r.status()
		ready = ready && st.Ready
		repos = append(repos, st)
	}
	return repos, ready
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC().Truncate(time.Second)
	return &t
}

func (r *repository) status() RepoStatus {
	st := RepoStatus{Name: r.name}
	_, err := r.check()
	if err != nil {
		st.Error = err.Error()
	} else {
		st.Ready = true
	}
	if s := r.snap.Load(); s != nil {
		if exp, ok := s.client.Expires(); ok {
			st.Expires = timePtr(exp)
		}
		st.Loaded = timePtr(s.loadedAt)
		if rs, err := s.client.Status(); err == nil {
			st.Root = rs.Root.Version
			st.Timestamp = version(rs.Timestamp)
			st.Snapshot = version(rs.Snapshot)
			st.Targets = version(rs.Targets)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	st.LastRefresh = timePtr(r.lastAttempt)
	st.LastSuccess = timePtr(r.lastSuccess)
	if r.lastErr != nil {
		st.LastError = r.lastErr.Error()
	}
	st.Failures = r.failures
	return st
}

func version(rs *repo.RoleStatus) int64 {
	if rs == nil {
		return 0
	}
	return rs.Version
}

func (s *Service) getStatus(w http.ResponseWriter, _ *http.Request) {
	repos, ready := s.Status()
	writeJSON(w, http.StatusOK, map[string]any{"ready": ready, "repositories": repos})
}

// getReadyz is 200 when every repository has verified, unexpired state,
// else 503; the body names each repository's state either way, a refused
// refresh included.
func (s *Service) getReadyz(w http.ResponseWriter, _ *http.Request) {
	repos, ready := s.Status()
	code := http.StatusOK
	if !ready {
		code = http.StatusServiceUnavailable
	}
	writeJSON(w, code, map[string]any{"ready": ready, "repositories": repos})
}
