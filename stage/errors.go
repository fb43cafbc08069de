package stage

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNotStage is matched (errors.Is) by a [NotStageError].
var ErrNotStage = errors.New("not a stage repository")

// NotStageError is a directory that holds no stage (no stage.json).
type NotStageError struct{ Dir string }

func (e *NotStageError) Error() string {
	return fmt.Sprintf("%s: not a stage repository (no %s; create one with: accord stage init %s --name NAME)", e.Dir, ConfigFile, e.Dir)
}

// Is makes errors.Is(err, ErrNotStage) true.
func (e *NotStageError) Is(target error) bool { return target == ErrNotStage }

// ErrExists is returned by [Init] for a directory that already holds a
// stage, or published metadata.
var ErrExists = errors.New("already holds a repository")

// ErrStale is matched (errors.Is) by a [StaleError].
var ErrStale = errors.New("pending version is stale")

// StaleError is a pending version that another change made stale: the
// published targets moved past the version it was built on, or its
// content changed since the signer looked at it.
type StaleError struct {
	Dir    string
	Reason string
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("stage %s: pending targets: %s", e.Dir, e.Reason)
}

// Is makes errors.Is(err, ErrStale) true.
func (e *StaleError) Is(target error) bool { return target == ErrStale }

// ErrNotRoleKey is matched (errors.Is) by a [NotRoleKeyError].
var ErrNotRoleKey = errors.New("not a key of the role")

// NotRoleKeyError is a key given for a role that does not list it.
type NotRoleKeyError struct {
	Key      string // key ID
	Source   string // where the key came from
	Roles    []string
	Expected map[string][]string // by role: the key IDs it lists
}

func (e *NotRoleKeyError) Error() string {
	var want []string
	for _, r := range e.Roles {
		want = append(want, fmt.Sprintf("%s expects %s", r, strings.Join(e.Expected[r], ", ")))
	}
	return fmt.Sprintf("key %s (%s) is not a key of %s: %s", e.Key, e.Source, strings.Join(e.Roles, " or "), strings.Join(want, "; "))
}

// Is makes errors.Is(err, ErrNotRoleKey) true.
func (e *NotRoleKeyError) Is(target error) bool { return target == ErrNotRoleKey }

// ErrTargetExists is matched (errors.Is) by a [TargetExistsError].
var ErrTargetExists = errors.New("target exists with different info")

// TargetExistsError is a target that the stage already signs, or holds
// pending, with other length, hashes or custom data than a change gives.
type TargetExistsError struct{ Target string }

func (e *TargetExistsError) Error() string {
	return fmt.Sprintf("target %q: already signed with different length, hashes or custom data (--replace to overwrite)", e.Target)
}

// Is makes errors.Is(err, ErrTargetExists) true.
func (e *TargetExistsError) Is(target error) bool { return target == ErrTargetExists }

// ErrExpiredRoot is returned, wrapped, by every operation that signs when
// the stage's root has expired: clients refuse everything under it.
var ErrExpiredRoot = errors.New("root expired")
