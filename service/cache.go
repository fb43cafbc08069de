package service

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/accord-tuf/accord/resolver"
)

// Bounds of one state's answer cache: past either, entries are evicted.
const (
	// maxCachedAnswers bounds the number of encoded answers kept.
	maxCachedAnswers = 4096
	// maxCachedBytes bounds the bytes of the keys and answers kept.
	maxCachedBytes = 8 << 20
)

// state is the repositories' verified state as requests see it: one
// snapshot per repository (nil when it has none), the resolver over them
// and the answers encoded from them. A new state replaces it, cache
// included, whenever any repository's snapshot is swapped.
type state struct {
	repos  []*repository // in declared order
	snaps  []*snapshot   // snaps[i] is repos[i]'s, or nil
	res    *resolver.Resolver
	cache  answerCache       // GET /v1/lookup's encoded answers
	checks cache[imageCheck] // image references' verdicts (ref, admission)
}

// fresh reports whether every repository has a snapshot whose metadata
// is unexpired at now: only then may a cached answer be served.
func (st *state) fresh(now time.Time) bool {
	for i, sn := range st.snaps {
		if sn == nil || sn.fresh(st.repos[i].name, now) != nil {
			return false
		}
	}
	return true
}

// cachedAnswer is one encoded GET /v1/lookup answer.
type cachedAnswer struct {
	body   []byte // the JSON, newline included
	status string // the result's status, for the metrics
}

// cache is a map of one state's answers, keyed by what was asked, bounded
// by maxCachedAnswers entries and maxCachedBytes bytes (as sized by put's
// caller). It is safe for concurrent use; the values it holds are never
// modified.
type cache[V any] struct {
	mu      sync.Mutex
	entries map[string]cacheEntry[V]
	bytes   int
}

// cacheEntry is one cached value and its size in bytes, key included.
type cacheEntry[V any] struct {
	v    V
	size int
}

// answerCache holds the encoded answers of GET /v1/lookup.
type answerCache = cache[cachedAnswer]

// get returns the value cached under key.
func (c *cache[V]) get(key string) (V, bool) {
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	return e.v, ok
}

// put caches v, of size bytes, under key, first evicting entries
// (whichever the map yields first: an arbitrary choice that a client
// cannot steer) until it fits the bounds. A value larger than the byte
// bound is not cached.
func (c *cache[V]) put(key string, v V, size int) {
	size += len(key)
	if size > maxCachedBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = make(map[string]cacheEntry[V])
	}
	if old, ok := c.entries[key]; ok {
		c.bytes -= old.size
		delete(c.entries, key)
	}
	for k, old := range c.entries {
		if len(c.entries) < maxCachedAnswers && c.bytes+size <= maxCachedBytes {
			break
		}
		c.bytes -= old.size
		delete(c.entries, k)
	}
	c.entries[key] = cacheEntry[V]{v: v, size: size}
	c.bytes += size
}

// len returns the number of cached values and their bytes.
func (c *cache[V]) len() (int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries), c.bytes
}

// cacheKey is the key of a lookup of target with groups, as given (a
// different spelling is another key, with the same answer). Each string
// is prefixed by its length, so that no two lookups share a key whatever
// bytes they hold, and no groups differs from any list of them.
func cacheKey(target string, groups []string) string {
	var b strings.Builder
	b.Grow(len(target) + 8 + 8*len(groups))
	b.WriteString(strconv.Itoa(len(target)))
	b.WriteByte(':')
	b.WriteString(target)
	if groups != nil {
		b.WriteByte('|')
		for _, g := range groups {
			b.WriteString(strconv.Itoa(len(g)))
			b.WriteByte(':')
			b.WriteString(g)
		}
	}
	return b.String()
}

// checkSize estimates the bytes an image verdict holds: its strings and,
// for its result, a generous bound of each answer's.
func checkSize(c imageCheck) int {
	n := len(c.target) + len(c.pinned) + len(c.refusal) + 256
	if c.result != nil {
		n += 512 * (1 + len(c.result.Answers))
	}
	return n
}

// cacheable reports whether a result may be served again from the
// state it was computed over: it holds no failed answer, since a failure
// may be of the moment (an expiry, a delegated role read while a refresh
// committed) rather than of the state.
func cacheable(res *resolver.Result) bool {
	for _, a := range res.Answers {
		if a.Kind == resolver.Failed {
			return false
		}
	}
	return true
}
