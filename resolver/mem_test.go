package resolver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/accord-tuf/accord/mapfile"
	"github.com/accord-tuf/accord/repo"
)

// memRepo is an in-memory Repository, Lister and Downloader.
type memRepo struct {
	name    string
	signed  map[string]*metadata.TargetFiles // target infos it signs
	content map[string][]byte                // bytes it serves, by target

	refreshErr error                   // returned by Refresh
	infoErr    error                   // returned by TargetInfo and Targets for every target
	jitter     bool                    // sleep a random few microseconds before answering
	unchecked  bool                    // Download writes the bytes without checking them first (breaks the Downloader contract)
	asks       []*metadata.TargetFiles // the info of every Download call
	gate       chan struct{}

	mu        sync.Mutex
	refreshes int
	asked     int
}

func (m *memRepo) Refresh(ctx context.Context) error {
	m.mu.Lock()
	m.refreshes++
	m.mu.Unlock()
	if m.gate != nil {
		select {
		case <-m.gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	m.sleep()
	return m.refreshErr
}

func (m *memRepo) TargetInfo(ctx context.Context, path string) (*metadata.TargetFiles, error) {
	m.mu.Lock()
	m.asked++
	m.mu.Unlock()
	m.sleep()
	if m.infoErr != nil {
		return nil, m.infoErr
	}
	info, ok := m.signed[path]
	switch {
	case !ok && m.name == "staging":
		return nil, ErrNotFound // the resolver's own sentinel means missing too
	case !ok:
		return nil, fmt.Errorf("repository %q: target %q: %w", m.name, path, repo.ErrNotFound)
	}
	return info, nil
}

func (m *memRepo) Targets(ctx context.Context) (map[string]*metadata.TargetFiles, error) {
	if m.infoErr != nil {
		return nil, m.infoErr
	}
	return m.signed, nil
}

func (m *memRepo) Download(ctx context.Context, info *metadata.TargetFiles, w io.Writer) error {
	if info.Path == "" {
		return errors.New("download: no target path")
	}
	m.mu.Lock()
	m.asks = append(m.asks, info)
	m.mu.Unlock()
	data, ok := m.content[info.Path]
	if !ok {
		return fmt.Errorf("download %q: %w", info.Path, repo.ErrNotFound)
	}
	if !m.unchecked {
		if err := checkBytes(info, data); err != nil {
			return fmt.Errorf("download %q: %w", info.Path, err)
		}
	}
	_, err := w.Write(data)
	return err
}

// checkBytes checks data against info's length and every hash, as a
// Downloader must before it writes anything.
func checkBytes(info *metadata.TargetFiles, data []byte) error {
	if int64(len(data)) != info.Length {
		return &MismatchError{Target: info.Path, Want: fmt.Sprint(info.Length), Got: fmt.Sprint(len(data))}
	}
	for alg, want := range info.Hashes {
		f := hashFuncs[alg]
		if f == nil {
			return fmt.Errorf("unsupported hash algorithm %q", alg)
		}
		h := f()
		h.Write(data)
		if got := h.Sum(nil); !bytes.Equal(got, want) {
			return &MismatchError{Target: info.Path, Algorithm: alg, Want: fmt.Sprintf("%x", []byte(want)), Got: fmt.Sprintf("%x", got)}
		}
	}
	return nil
}

func (m *memRepo) sleep() {
	if m.jitter {
		time.Sleep(time.Duration(rand.IntN(200)) * time.Microsecond)
	}
}

func (m *memRepo) counts() (refreshes, asked int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.refreshes, m.asked
}

// world is a set of in-memory repositories and an Opener over them that
// counts opens.
type world struct {
	repos   map[string]*memRepo
	openErr map[string]error

	mu    sync.Mutex
	opens map[string]int
}

func newWorld(repos ...*memRepo) *world {
	w := &world{repos: make(map[string]*memRepo), openErr: make(map[string]error), opens: make(map[string]int)}
	for _, r := range repos {
		w.repos[r.name] = r
	}
	return w
}

func (w *world) open(name string) (Repository, error) {
	w.mu.Lock()
	w.opens[name]++
	w.mu.Unlock()
	if err := w.openErr[name]; err != nil {
		return nil, err
	}
	r, ok := w.repos[name]
	if !ok {
		return nil, fmt.Errorf("repository %q: %w", name, repo.ErrNotPinned)
	}
	return r, nil
}

func (w *world) openCount(name string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.opens[name]
}

// pipelineWorld returns a world of the repositories ci, qa, staging and
// prod in which each repository named in signs signs its info for target,
// and each named in fails fails every lookup with its error.
func pipelineWorld(target string, signs map[string]*metadata.TargetFiles, fails map[string]error) *world {
	w := newWorld()
	for _, name := range []string{"ci", "qa", "staging", "prod"} {
		r := repoOf(name)
		if info, ok := signs[name]; ok {
			r.signed[target] = info
		}
		r.infoErr = fails[name]
		w.repos[name] = r
	}
	return w
}

// repoOf returns an empty repository called name.
func repoOf(name string) *memRepo {
	return &memRepo{name: name, signed: map[string]*metadata.TargetFiles{}, content: map[string][]byte{}}
}

// sign makes r sign info for its path, and serve data for it when data is
// not nil.
func (m *memRepo) sign(info *metadata.TargetFiles, data []byte) *memRepo {
	m.signed[info.Path] = info
	if data != nil {
		m.content[info.Path] = data
	}
	return m
}

// targetInfo returns the target info of data under path with the given hash
// algorithms.
func targetInfo(t *testing.T, path string, data []byte, algs ...string) *metadata.TargetFiles {
	t.Helper()
	info, err := metadata.TargetFile().FromBytes(path, data, algs...)
	if err != nil {
		t.Fatalf("target info for %q: %v", path, err)
	}
	return info
}

// withHashes returns a copy of info restricted to the given algorithms.
func withHashes(info *metadata.TargetFiles, algs ...string) *metadata.TargetFiles {
	c := cloneInfo(info)
	c.Hashes = metadata.Hashes{}
	for _, alg := range algs {
		c.Hashes[alg] = info.Hashes[alg]
	}
	return c
}

// parseMap parses a map file.
func parseMap(t *testing.T, data string) *mapfile.Map {
	t.Helper()
	m, err := mapfile.Parse("map.json", []byte(data))
	if err != nil {
		t.Fatalf("map file: %v", err)
	}
	return m
}

// mapOf returns a map file declaring the repositories ci, qa, staging and
// prod, with the given mapping list (JSON).
func mapOf(t *testing.T, mapping string) *mapfile.Map {
	t.Helper()
	return parseMap(t, `{
  "repositories": {
    "ci": ["https://tuf.example.com/ci"],
    "qa": ["https://tuf.example.com/qa"],
    "staging": ["https://tuf.example.com/staging"],
    "prod": ["https://tuf.example.com/prod"]
  },
  "mapping": `+mapping+`
}`)
}
