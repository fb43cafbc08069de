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
	repos []*repository // in declared order
	snaps []*snapshot   // snaps[i] is repos[i]'s, or nil
	res   *resolver.Resolver
	cache answerCache
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

// answerCache holds the encoded answers of one state, keyed by target and
// groups, bounded by maxCachedAnswers and maxCachedBytes. It is safe for
// concurrent use.
type answerCache struct {
	mu      sync.Mutex
	entries map[string]cachedAnswer
	bytes   int
}

// get returns the answer cached under key.
func (c *answerCache) get(key string) (cachedAnswer, bool) {
	c.mu.Lock()
	a, ok := c.entries[key]
	c.mu.Unlock()
	return a, ok
}

// put caches a under key, first evicting entries (whichever the map
// yields first: an arbitrary choice that a client cannot steer) until it
// fits the bounds. An answer larger than the byte bound is not cached.
func (c *answerCache) put(key string, a cachedAnswer) {
	size := len(key) + len(a.body)
	if size > maxCachedBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = make(map[string]cachedAnswer)
	}
	if old, ok := c.entries[key]; ok {
		c.bytes -= len(key) + len(old.body)
		delete(c.entries, key)
	}
	for k, old := range c.entries {
		if len(c.entries) < maxCachedAnswers && c.bytes+size <= maxCachedBytes {
			break
		}
		c.bytes -= len(k) + len(old.body)
		delete(c.entries, k)
	}
	c.entries[key] = a
	c.bytes += size
}

// len returns the number of cached answers and their bytes.
func (c *answerCache) len() (int, int) {
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
