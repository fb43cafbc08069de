package resolver

import (
	"encoding/json"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// Status is the outcome of a resolution (SPEC section 3, step 5).
type Status string

// The statuses of a [Result].
const (
	// StatusVerified: the required repositories agree; the result's length
	// and hashes are trusted.
	StatusVerified Status = "verified"
	// StatusNotFound: no mapping matched the target, or every repository
	// asked answered missing.
	StatusNotFound Status = "not_found"
	// StatusNoConsensus: anything else short of a consensus: something was
	// signed, or a repository failed, or a group repository refused.
	StatusNoConsensus Status = "no_consensus"
	// StatusConflict: two candidates that contradict each other both reached
	// the threshold of one mapping.
	StatusConflict Status = "conflict"
)

// Kind is the kind of one repository's answer.
type Kind string

// The kinds of an [Answer].
const (
	// Signed: the repository signs verified target info.
	Signed Kind = "signed"
	// Missing: the repository's verified metadata has no such target.
	Missing Kind = "missing"
	// Failed: the repository could not answer (not opened, refresh failed,
	// unreachable, expired, bad signature, …); Err says why.
	Failed Kind = "error"
)

// Answer is one repository's answer about one target.
type Answer struct {
	Name string                // the repository's declared name
	Kind Kind                  // Signed, Missing or Failed
	Info *metadata.TargetFiles // the signed info, when Kind is Signed
	Err  error                 // the cause, when Kind is Failed
}

// Candidate is one signed answer considered as the target's info, with the
// repositories whose info agrees with it.
type Candidate struct {
	Repository string          // the repository that signed it
	Length     int64           // its signed length
	Hashes     metadata.Hashes // its signed hashes
	Supporters []string        // repositories that agree with it, in mapping order
}

// Conflict is the evidence of a conflict: the consensus candidate and a
// rival that contradicts it or one of its supporters and also reached the
// threshold.
type Conflict struct {
	Consensus Candidate
	Rival     Candidate
}

// Result is the outcome of resolving one target, with the evidence: every
// repository asked and its answer. Its JSON encoding is SPEC section 5's.
//
// A Result is a value: the resolver does not change it after returning it.
type Result struct {
	Target string
	Status Status

	// Length and Hashes are the consensus info; set only when verified.
	Length int64
	Hashes metadata.Hashes

	// Mapping is the index of the mapping whose evaluation gave the result:
	// the consensus (also when groups then refused it), the conflict, or a
	// terminating mapping that stopped the walk; -1 when no mapping matched
	// or every matching one fell through (and when the groups alone decided).
	Mapping int
	// Threshold is that mapping's threshold (len(Groups) when the groups
	// alone decided; 0 when Mapping is -1 otherwise).
	Threshold int
	// Agreed lists the consensus supporters in the deciding mapping's order,
	// then the group repositories that agree, in the order given, each once.
	Agreed []string
	// Groups lists the group repositories by their declared names, in the
	// order given, each once; nil without groups.
	Groups []string
	// Answers holds each asked repository's answer, once, in the order
	// asked: the mappings' order, then the groups.
	Answers []Answer

	// Refused lists the group repositories that did not sign info agreeing
	// with the consensus, when they turned it into no_consensus.
	Refused []string
	// Conflict is the evidence when Status is conflict.
	Conflict *Conflict
	// Reason says in one line why the status is what it is.
	Reason string
}

// Answer returns the answer of the named repository (declared name), if it
// was asked.
func (r *Result) Answer(name string) (Answer, bool) {
	for _, a := range r.Answers {
		if a.Name == name {
			return a, true
		}
	}
	return Answer{}, false
}

// Info returns the consensus as target info (path, length and hashes), or nil
// unless the result is verified.
func (r *Result) Info() *metadata.TargetFiles {
	if r.Status != StatusVerified {
		return nil
	}
	return &metadata.TargetFiles{Path: r.Target, Length: r.Length, Hashes: cloneHashes(r.Hashes)}
}

type resultJSON struct {
	Target       string            `json:"target"`
	Status       Status            `json:"status"`
	Error        string            `json:"error,omitempty"`
	Length       *int64            `json:"length,omitempty"`
	Hashes       map[string]string `json:"hashes,omitempty"`
	Mapping      int               `json:"mapping"`
	Threshold    int               `json:"threshold"`
	Agreed       []string          `json:"agreed"`
	Groups       []string          `json:"groups,omitempty"`
	Repositories []Answer          `json:"repositories"`
}

// MarshalJSON encodes the result as SPEC section 5 describes: length and
// hashes (hex) only when verified, groups only with groups, agreed and
// repositories always (possibly empty).
func (r *Result) MarshalJSON() ([]byte, error) {
	return json.Marshal(r.encode())
}

// encode returns the result's JSON form.
func (r *Result) encode() resultJSON {
	j := resultJSON{
		Target:       r.Target,
		Status:       r.Status,
		Mapping:      r.Mapping,
		Threshold:    r.Threshold,
		Agreed:       nonNil(r.Agreed),
		Groups:       r.Groups,
		Repositories: r.Answers,
	}
	if j.Repositories == nil {
		j.Repositories = []Answer{}
	}
	if r.Status == StatusVerified {
		length := r.Length
		j.Length = &length
		j.Hashes = hexHashes(r.Hashes)
	}
	if len(j.Groups) == 0 {
		j.Groups = nil
	}
	return j
}

type answerJSON struct {
	Name   string            `json:"name"`
	Answer Kind              `json:"answer"`
	Length *int64            `json:"length,omitempty"`
	Hashes map[string]string `json:"hashes,omitempty"`
	Error  string            `json:"error,omitempty"`
}

// MarshalJSON encodes the answer as SPEC section 5 describes: name, answer,
// then length and hashes (hex) when signed, or error when failed.
func (a Answer) MarshalJSON() ([]byte, error) {
	j := answerJSON{Name: a.Name, Answer: a.Kind}
	switch a.Kind {
	case Signed:
		if a.Info != nil {
			length := a.Info.Length
			j.Length = &length
			j.Hashes = hexHashes(a.Info.Hashes)
		}
	case Failed:
		j.Error = "unknown error"
		if a.Err != nil {
			j.Error = a.Err.Error()
		}
	}
	return json.Marshal(j)
}

func hexHashes(h metadata.Hashes) map[string]string {
	m := make(map[string]string, len(h))
	for alg, d := range h {
		m[alg] = d.String()
	}
	return m
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
