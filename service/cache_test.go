package service

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/accord-tuf/accord/fixtures"
)

// cached returns how many lookup answers the service's current state has
// cached.
func cached(s *Service) int {
	n, _ := s.state.Load().cache.len()
	return n
}

// cachedChecks returns how many image verdicts the service's current
// state has cached.
func cachedChecks(s *Service) int {
	n, _ := s.state.Load().checks.len()
	return n
}

// ref asks GET /v1/ref for image and returns the pinned reference and the
// refusal.
func ref(t *testing.T, base, image string) (pinned, refusal string) {
	t.Helper()
	code, body := get(t, base, "/v1/ref?image="+url.QueryEscape(image))
	if code != http.StatusOK {
		t.Fatalf("ref %s: %d %s", image, code, body)
	}
	var a struct {
		Ref   string `json:"ref"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatalf("ref %s: %v in %s", image, err, body)
	}
	return a.Ref, a.Error
}

// TestCacheRefreshBringsNewAnswer checks that a cached answer is not
// served once a refresh brings metadata that signs other bytes for the
// target: the answer follows the new consensus at once.
func TestCacheRefreshBringsNewAnswer(t *testing.T) {
	w := newWorld(t)
	s, base := w.start(w.config(Validate))
	refresh(t, s)
	old := sha256.Sum256(appBytes)
	for range 2 {
		if res := lookup(t, base, "library/app:1"); res.Status != "verified" || res.Hashes["sha256"] != hex.EncodeToString(old[:]) {
			t.Fatalf("lookup = %+v, want verified with the first bytes' sha256", res)
		}
	}
	for range 2 {
		if pinned, refusal := ref(t, base, "library/app:1"); pinned != "library/app:1@sha256:"+hex.EncodeToString(old[:]) {
			t.Fatalf("ref = %q (%s), want the first bytes' digest", pinned, refusal)
		}
	}
	if n, m := cached(s), cachedChecks(s); n != 1 || m != 1 {
		t.Fatalf("cached answers and verdicts after two lookups and refs = %d, %d; want 1, 1", n, m)
	}
	newBytes := []byte("the app's next image manifest\n")
	for _, name := range []string{"ci", "qa"} {
		if err := w.repos[name].AddTarget("library/app:1", newBytes); err != nil {
			t.Fatal(err)
		}
		w.publish(name)
	}
	refresh(t, s)
	sum := sha256.Sum256(newBytes)
	if res := lookup(t, base, "library/app:1"); res.Status != "verified" || res.Hashes["sha256"] != hex.EncodeToString(sum[:]) {
		t.Errorf("lookup after a refresh = %+v, want verified with the new bytes' sha256 %x", res, sum)
	}
	if pinned, refusal := ref(t, base, "library/app:1"); pinned != "library/app:1@sha256:"+hex.EncodeToString(sum[:]) {
		t.Errorf("ref after a refresh = %q (%s), want the new bytes' digest", pinned, refusal)
	}
}

// TestCacheExpiryFailsClosed checks that a cached answer becomes an error
// the moment one repository's metadata expires by the service's clock,
// with no refresh in between, and that the error is not cached: the
// answer is verified again once a refresh brings unexpired metadata.
func TestCacheExpiryFailsClosed(t *testing.T) {
	w := newWorld(t)
	if err := w.repos["qa"].SetExpires("timestamp", time.Now().Add(2*time.Hour).UTC().Truncate(time.Second)); err != nil {
		t.Fatal(err)
	}
	w.publish("qa")
	s, base := w.start(w.config(Validate))
	refresh(t, s)
	for range 2 {
		if res := lookup(t, base, "library/app:1"); res.Status != "verified" {
			t.Fatalf("lookup = %+v, want verified", res)
		}
	}
	for range 2 {
		if pinned, refusal := ref(t, base, "library/app:1"); pinned == "" {
			t.Fatalf("ref = refused (%s), want pinned", refusal)
		}
	}
	if n, m := cached(s), cachedChecks(s); n != 1 || m != 1 {
		t.Fatalf("cached answers and verdicts = %d, %d; want 1, 1", n, m)
	}
	w.clock.advance(3 * time.Hour)
	for range 2 {
		res := lookup(t, base, "library/app:1")
		if res.Status != "no_consensus" || len(res.Repositories) != 2 || res.Repositories[0].Answer != "signed" ||
			res.Repositories[1].Answer != "error" || !strings.Contains(res.Repositories[1].Error, "expired") {
			t.Fatalf("lookup of a cached target after qa expired = %+v, want qa's error naming the expiry", res)
		}
		if pinned, refusal := ref(t, base, "library/app:1"); pinned != "" || !strings.Contains(refusal, "expired") {
			t.Fatalf("ref of a cached image after qa expired = %q (%s), want refused naming the expiry", pinned, refusal)
		}
	}
	if err := w.repos["qa"].SetExpires("timestamp", time.Now().Add(fixtures.DefaultExpiry).UTC().Truncate(time.Second)); err != nil {
		t.Fatal(err)
	}
	w.publish("qa")
	refresh(t, s)
	if res := lookup(t, base, "library/app:1"); res.Status != "verified" {
		t.Errorf("lookup after qa's refresh = %+v, want verified", res)
	}
	if pinned, refusal := ref(t, base, "library/app:1"); pinned == "" {
		t.Errorf("ref after qa's refresh = refused (%s), want pinned", refusal)
	}
}

// TestCacheBounded checks that distinct targets, as a hostile client may
// ask, never grow the cache past its bounds, and that it still answers
// correctly once it has evicted.
func TestCacheBounded(t *testing.T) {
	w := newWorld(t)
	s, base := w.start(w.config(Validate))
	refresh(t, s)
	client := &http.Client{}
	for i := range maxCachedAnswers + 500 {
		resp, err := client.Get(fmt.Sprintf("%s/v1/lookup?target=library/absent-%d:1", base, i))
		if err != nil {
			t.Fatal(err)
		}
		if code, body := readResp(t, resp); code != http.StatusOK || !strings.Contains(body, `"status":"not_found"`) {
			t.Fatalf("lookup %d: %d %s", i, code, body)
		}
	}
	if n, size := s.state.Load().cache.len(); n != maxCachedAnswers || size > maxCachedBytes {
		t.Errorf("cache after %d distinct targets: %d answers, %d bytes; want %d answers, at most %d bytes",
			maxCachedAnswers+500, n, size, maxCachedAnswers, maxCachedBytes)
	}
	if res := lookup(t, base, "library/app:1"); res.Status != "verified" {
		t.Errorf("lookup after evictions = %+v, want verified", res)
	}
}

// TestAnswerCacheBytes checks the byte bound: large answers evict others,
// and one larger than the bound is not kept.
func TestAnswerCacheBytes(t *testing.T) {
	var c answerCache
	big := make([]byte, maxCachedBytes/4)
	for i := range 20 {
		c.put(fmt.Sprint(i), cachedAnswer{body: big}, len(big))
		if n, size := c.len(); size > maxCachedBytes || n > 3 {
			t.Fatalf("after %d answers of %d bytes: %d answers, %d bytes", i+1, len(big), n, size)
		}
	}
	c.put("huge", cachedAnswer{body: make([]byte, maxCachedBytes+1)}, maxCachedBytes+1)
	if _, ok := c.get("huge"); ok {
		t.Error("an answer larger than the bound was cached")
	}
	c.put("19", cachedAnswer{body: []byte("small")}, 5)
	if a, ok := c.get("19"); !ok || string(a.body) != "small" {
		t.Errorf("replaced answer = %q, %v", a.body, ok)
	}
	if n, size := c.len(); n > 3 || size > maxCachedBytes {
		t.Errorf("after a replacement: %d answers, %d bytes", n, size)
	}
}

// TestCacheKey checks that no two lookups share a key, whatever bytes
// their target and groups hold.
func TestCacheKey(t *testing.T) {
	lookups := []struct {
		target string
		groups []string
	}{
		{"a", nil}, {"a", []string{}}, {"a", []string{""}}, {"a", []string{"b"}}, {"a", []string{"b", "c"}},
		{"a", []string{"b,c"}}, {"a", []string{"b\x00c"}}, {"a\x00b", nil}, {"a|1:b", nil}, {"a", []string{"b", ""}},
		{"1:a", nil}, {"a", []string{"1:b"}},
	}
	seen := map[string]int{}
	for i, l := range lookups {
		k := cacheKey(l.target, l.groups)
		if j, ok := seen[k]; ok {
			t.Errorf("lookups %d %q and %d %q share the key %q", j, lookups[j], i, l, k)
		}
		seen[k] = i
	}
}
