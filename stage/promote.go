package stage

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// Consensus is a target's verified consensus, as a client resolved it
// across the stages before this one: the length and hashes the required
// repositories agree on. The stage does not resolve it; the caller
// promotes only a consensus its own resolution verified.
type Consensus struct {
	Target string
	Length int64
	Hashes metadata.Hashes
}

// Promotion is what promoting one consensus signs: its length and the
// digests of the algorithms a stage signs (sha256, sha512); Omitted lists
// the consensus's other algorithms, which are not signed.
type Promotion struct {
	Target  string          `json:"target"`
	Length  int64           `json:"length"`
	Hashes  metadata.Hashes `json:"hashes"`
	Omitted []string        `json:"omitted,omitempty"`
}

// ErrUnpromotable is matched (errors.Is) by the error of [PromotionEdits]
// and [Stage.Promote] for a consensus that carries no digest a stage
// signs.
var ErrUnpromotable = errors.New("no sha256 or sha512 digest to sign")

// PromoteResult is what [Stage.Promote] signed and what the change did.
type PromoteResult struct {
	// Signed lists, in the order given, the info signed for each target.
	Signed []Promotion `json:"signed"`
	*ChangeResult
}

// PromotionEdits turns verified consensuses into the edits that sign
// exactly their length and hashes: the sha256 and sha512 digests each
// carries (the algorithms go-tuf's clients verify), and nothing else — no
// custom data, no bytes. A consensus with neither is refused
// ([ErrUnpromotable]); so is one whose digests have the wrong size. All
// are checked before any edit is returned.
func PromotionEdits(cs []Consensus, replace bool) ([]Edit, []Promotion, error) {
	var errs []error
	edits := make([]Edit, 0, len(cs))
	proms := make([]Promotion, 0, len(cs))
	for _, c := range cs {
		p := Promotion{Target: c.Target, Length: c.Length, Hashes: metadata.Hashes{}}
		for _, alg := range slices.Sorted(maps.Keys(c.Hashes)) {
			if _, ok := digestSize(alg); ok {
				p.Hashes[alg] = bytes.Clone(c.Hashes[alg])
			} else {
				p.Omitted = append(p.Omitted, alg)
			}
		}
		if len(p.Hashes) == 0 {
			errs = append(errs, fmt.Errorf("target %q: the consensus has %w (it has %v)", c.Target, ErrUnpromotable, p.Omitted))
			continue
		}
		info := &metadata.TargetFiles{Length: p.Length, Hashes: p.Hashes}
		if err := CheckInfo(info); err != nil {
			errs = append(errs, fmt.Errorf("target %q: %w", c.Target, err))
			continue
		}
		edits = append(edits, Edit{Target: c.Target, Info: cloneInfo(info), Replace: replace})
		proms = append(proms, p)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	return edits, proms, nil
}

// Promote signs every consensus of cs in one targets version, as
// [Stage.Change] signs edits (see [PromotionEdits] for what is signed):
// all or none; a target already signed with the same length and hashes
// is unchanged; other info is refused ([ErrTargetExists]) unless replace.
// The version is published when keys meet the targets threshold and hold
// the online key, else left pending.
func (s *Stage) Promote(cs []Consensus, replace bool, keys []*Key) (*PromoteResult, error) {
	edits, proms, err := PromotionEdits(cs, replace)
	if err != nil {
		return nil, fmt.Errorf("stage %s: %w", s.dir, err)
	}
	res, err := s.Change(edits, keys)
	if err != nil {
		return nil, err
	}
	return &PromoteResult{Signed: proms, ChangeResult: res}, nil
}
