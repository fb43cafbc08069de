package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/accord-tuf/accord/fixtures"
	"github.com/accord-tuf/accord/repo"
)

// TestEndpoints asks every endpoint of a service over loopback HTTP:
// readiness before and after the first refresh, lookups (one and many),
// image references, usage errors, unknown paths and methods, and metrics.
func TestEndpoints(t *testing.T) {
	w := newWorld(t)
	s, base := w.start(w.config(Validate))

	code, rz := readyz(t, base)
	if code != http.StatusServiceUnavailable || rz.Ready || len(rz.Repositories) != 2 ||
		!strings.Contains(rz.Repositories[0].Error, "no verified state") {
		t.Fatalf("readyz before any refresh = %d %+v, want 503 naming each repository without state", code, rz)
	}
	if code, body := get(t, base, "/healthz"); code != http.StatusOK {
		t.Errorf("healthz = %d %s, want 200", code, body)
	}
	refresh(t, s)
	if code, rz := readyz(t, base); code != http.StatusOK || !rz.Ready {
		t.Fatalf("readyz after a refresh = %d %+v, want 200", code, rz)
	}
	code, body := get(t, base, "/v1/status")
	var status readyzBody
	if err := json.Unmarshal([]byte(body), &status); code != http.StatusOK || err != nil || !status.Ready ||
		len(status.Repositories) != 2 || status.Repositories[1].Name != "qa" || status.Repositories[1].Targets != 1 ||
		status.Repositories[1].Expires == nil || status.Repositories[1].LastSuccess == nil {
		t.Errorf("status = %d %s, want each repository's versions, expiry and refresh", code, body)
	}

	sum := sha256.Sum256(appBytes)
	digest := hex.EncodeToString(sum[:])
	res := lookup(t, base, "library/app:1")
	if res.Status != "verified" || res.Hashes["sha256"] != digest || strings.Join(res.Agreed, ",") != "ci,qa" {
		t.Errorf("lookup library/app:1 = %+v, want verified by ci and qa", res)
	}
	if res := lookup(t, base, "library/solo:1"); res.Status != "no_consensus" {
		t.Errorf("lookup library/solo:1 = %+v, want no_consensus", res)
	}
	if res := lookup(t, base, "library/none:1"); res.Status != "not_found" {
		t.Errorf("lookup library/none:1 = %+v, want not_found", res)
	}
	code, body = get(t, base, "/v1/lookup?target=library/app:1&groups=QA")
	if code != http.StatusOK || !strings.Contains(body, `"groups":["qa"]`) {
		t.Errorf("lookup with groups = %d %s, want verified with group qa", code, body)
	}

	code, body = post(t, base, "/v1/lookup", `["library/app:1", "library/solo:1"]`)
	var many []lookupResult
	if err := json.Unmarshal([]byte(body), &many); code != http.StatusOK || err != nil || len(many) != 2 ||
		many[0].Status != "verified" || many[1].Status != "no_consensus" {
		t.Errorf("POST lookup = %d %s, want two results", code, body)
	}

	code, body = get(t, base, "/v1/ref?image=app:1")
	var ref refAnswer
	if err := json.Unmarshal([]byte(body), &ref); code != http.StatusOK || err != nil ||
		ref.Ref != "app:1@sha256:"+digest || ref.Target != "library/app:1" {
		t.Errorf("ref app:1 = %d %s, want app:1@sha256:%s", code, body, digest)
	}
	code, body = get(t, base, "/v1/ref?image=solo:1")
	ref = refAnswer{}
	if err := json.Unmarshal([]byte(body), &ref); code != http.StatusOK || err != nil || ref.Ref != "" ||
		!strings.Contains(ref.Error, "no_consensus") {
		t.Errorf("ref solo:1 = %d %s, want no ref and the reason", code, body)
	}
	code, body = get(t, base, "/v1/ref?image=app:1@sha256:"+strings.Repeat("0", 64))
	ref = refAnswer{}
	if err := json.Unmarshal([]byte(body), &ref); code != http.StatusOK || err != nil || ref.Ref != "" ||
		!strings.Contains(ref.Error, "does not match the consensus") {
		t.Errorf("ref with another digest = %d %s, want refused naming both digests", code, body)
	}

	for _, c := range []struct {
		method, path, body string
		want               int
	}{
		{"GET", "/v1/lookup", "", 400},
		{"GET", "/v1/lookup?target=../etc", "", 400},
		{"GET", "/v1/lookup?target=library/app:1&groups=nobody", "", 400},
		{"GET", "/v1/lookup?target=library/app:1&groups=,", "", 400},
		{"POST", "/v1/lookup", `{"target": "x"}`, 400},
		{"POST", "/v1/lookup", `[]`, 400},
		{"POST", "/v1/lookup", `["library/app:1", "/abs"]`, 400},
		{"POST", "/v1/lookup", `["` + strings.Repeat("a", MaxLookupBody) + `"]`, 400},
		{"GET", "/v1/ref", "", 400},
		{"GET", "/v1/ref?image=UPPER:1", "", 400},
		{"GET", "/v1/ref?image=app@sha256:" + strings.Repeat("0", 64), "", 400},
		{"GET", "/nope", "", 404},
		{"GET", "/v1/lookups", "", 404},
		{"POST", "/healthz", "", 405},
		{"DELETE", "/v1/lookup", "", 405},
		{"GET", "/v1/admission", "", 405},
	} {
		req, err := http.NewRequest(c.method, base+c.path, strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		code, body := readResp(t, resp)
		if code != c.want {
			t.Errorf("%s %.60s = %d %.200s, want %d", c.method, c.path, code, body, c.want)
		}
		if code == 400 && !strings.Contains(body, `"error"`) {
			t.Errorf("%s %.60s: 400 without a message: %s", c.method, c.path, body)
		}
	}

	for _, m := range []string{
		`accord_lookups_total{status="verified"}`,
		`accord_refreshes_total{repository="ci",result="ok"}`,
		`accord_lookup_duration_seconds_count`,
	} {
		if v := metricLine(t, base, m); v == "" || v == "0" {
			t.Errorf("metric %s = %q, want counted", m, v)
		}
	}
	if v := metricLine(t, base, `accord_repository_expiry_timestamp_seconds{repository="qa"}`); v == "" {
		t.Error("no expiry metric for qa")
	}
	if v := metricLine(t, base, `accord_repository_last_refresh_timestamp_seconds{repository="qa"}`); v == "" {
		t.Error("no last refresh metric for qa")
	}
}

// TestRestartServesFromTrustDir checks that a service started over a trust
// directory that a refresh filled answers at once, with every mirror
// down, from what was verified: no request reaches a repository.
func TestRestartServesFromTrustDir(t *testing.T) {
	w := newWorld(t)
	first, err := New(context.Background(), w.config(Validate))
	if err != nil {
		t.Fatal(err)
	}
	refresh(t, first)
	for _, srv := range w.servers {
		srv.Close()
		srv.ResetRequests()
	}
	_, base := w.start(w.config(Validate))
	if code, rz := readyz(t, base); code != http.StatusOK {
		t.Fatalf("readyz after a restart = %d %+v, want 200 from the trust directory", code, rz)
	}
	if res := lookup(t, base, "library/app:1"); res.Status != "verified" {
		t.Errorf("lookup after a restart = %+v, want verified", res)
	}
}

// TestNotPinnedRefusesToStart checks that a declared repository without a
// pinned root stops New with ErrNotPinned.
func TestNotPinnedRefusesToStart(t *testing.T) {
	w := newWorld(t)
	w.trust = t.TempDir()
	if _, err := New(context.Background(), w.config(Validate)); !errors.Is(err, repo.ErrNotPinned) {
		t.Fatalf("New without pins = %v, want ErrNotPinned", err)
	}
	cfg := w.config("block")
	if _, err := New(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "admission mode") {
		t.Fatalf("New with a bad mode = %v", err)
	}
}

// TestExpiryFailsClosed checks that once a repository's metadata has
// expired by the service's clock, its answers are errors, lookups fail and
// readiness is 503 naming it, with no refresh in between.
func TestExpiryFailsClosed(t *testing.T) {
	w := newWorld(t)
	s, base := w.start(w.config(Validate))
	refresh(t, s)
	if res := lookup(t, base, "library/app:1"); res.Status != "verified" {
		t.Fatalf("lookup = %+v, want verified", res)
	}
	w.clock.advance(fixtures.DefaultExpiry + time.Hour)
	res := lookup(t, base, "library/app:1")
	if res.Status != "no_consensus" || len(res.Repositories) != 2 || res.Repositories[0].Answer != "error" ||
		!strings.Contains(res.Repositories[0].Error, "expired") {
		t.Errorf("lookup after expiry = %+v, want errors naming the expiry", res)
	}
	code, rz := readyz(t, base)
	if code != http.StatusServiceUnavailable || rz.Ready || !strings.Contains(rz.Repositories[1].Error, "expired") {
		t.Errorf("readyz after expiry = %d %+v, want 503 naming the expiry", code, rz)
	}
}

// TestRefreshFailureKeepsState checks that a refresh that cannot reach a
// repository keeps the last verified state, is counted, and is named by
// /v1/status, while readiness holds.
func TestRefreshFailureKeepsState(t *testing.T) {
	w := newWorld(t)
	s, base := w.start(w.config(Validate))
	refresh(t, s)
	w.servers["qa"].Inject(fixtures.Status(http.StatusServiceUnavailable))
	if err := s.RefreshAll(context.Background()); !errors.Is(err, repo.ErrUnreachable) {
		t.Fatalf("RefreshAll with qa down = %v, want unreachable", err)
	}
	if res := lookup(t, base, "library/app:1"); res.Status != "verified" {
		t.Errorf("lookup with qa down = %+v, want verified from the kept state", res)
	}
	code, rz := readyz(t, base)
	if code != http.StatusOK || rz.Repositories[1].LastError == "" || rz.Repositories[1].Failures != 1 {
		t.Errorf("readyz with qa down = %d %+v, want 200 naming qa's failure", code, rz)
	}
	if v := metricLine(t, base, `accord_refreshes_total{repository="qa",result="unreachable"}`); v != "1" {
		t.Errorf("unreachable refreshes of qa = %q, want 1", v)
	}
}

// TestAttackDuringRefresh serves a rollback, then a tampered snapshot,
// during background refreshes: each is refused, the newer verified state
// keeps answering, and /metrics and /readyz report the refusal.
func TestAttackDuringRefresh(t *testing.T) {
	w := newWorld(t)
	s, base := w.start(w.config(Validate))
	refresh(t, s)
	first := w.repos["ci"].Latest()
	for _, name := range []string{"ci", "qa"} {
		if err := w.repos[name].AddTarget("library/app:2", []byte("release 2")); err != nil {
			t.Fatal(err)
		}
		w.publish(name)
	}
	refresh(t, s)
	if res := lookup(t, base, "library/app:2"); res.Status != "verified" {
		t.Fatalf("lookup library/app:2 = %+v, want verified", res)
	}

	for i, attack := range []struct {
		name  string
		state func() *fixtures.State
		want  string
	}{
		{"rollback", func() *fixtures.State { return first }, "version"},
		{"tampered snapshot", func() *fixtures.State {
			if err := w.repos["ci"].AddTarget("library/app:3", []byte("release 3")); err != nil {
				t.Fatal(err)
			}
			st, err := w.repos["ci"].Publish()
			if err != nil {
				t.Fatal(err)
			}
			st = st.Clone()
			data, _ := st.File("3.snapshot.json")
			if err := st.FlipByte("3.snapshot.json", len(data)/2); err != nil {
				t.Fatal(err)
			}
			return st
		}, "snapshot"},
	} {
		w.serve("ci", attack.state())
		err := s.RefreshAll(context.Background())
		if err == nil || !strings.Contains(err.Error(), attack.want) {
			t.Fatalf("%s: RefreshAll = %v, want refused", attack.name, err)
		}
		if res := lookup(t, base, "library/app:2"); res.Status != "verified" {
			t.Errorf("%s: lookup = %+v, want verified from the state before", attack.name, res)
		}
		code, rz := readyz(t, base)
		if code != http.StatusOK || !strings.Contains(rz.Repositories[0].LastError, attack.want) {
			t.Errorf("%s: readyz = %d %+v, want ci's refusal named", attack.name, code, rz)
		}
		if v := metricLine(t, base, `accord_refreshes_total{repository="ci",result="refused"}`); v != string(rune('1'+i)) {
			t.Errorf("%s: refused refreshes of ci = %q, want %d", attack.name, v, i+1)
		}
	}
}

// TestRequestNeverWaits checks that a lookup is answered while a
// repository's refresh hangs on its server.
func TestRequestNeverWaits(t *testing.T) {
	w := newWorld(t)
	w.timeout = time.Hour
	s, base := w.start(w.config(Validate))
	refresh(t, s)
	w.servers["ci"].ResetRequests()
	w.servers["ci"].Inject(fixtures.Hang())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.RefreshAll(ctx) }()
	for len(w.servers["ci"].Requests()) == 0 {
		time.Sleep(time.Millisecond) // until the refresh is stuck on ci's server
	}
	if res := lookup(t, base, "library/app:1"); res.Status != "verified" {
		t.Errorf("lookup during a hanging refresh = %+v, want verified", res)
	}
	select {
	case err := <-done:
		t.Fatalf("the refresh ended before it was cancelled: %v", err)
	default:
	}
	cancel()
	<-done
	w.servers["ci"].ClearFaults()
}

// TestBackgroundRefresh checks that Start refreshes by itself: a new
// target becomes verified without a refresh by hand.
func TestBackgroundRefresh(t *testing.T) {
	w := newWorld(t)
	cfg := w.config(Validate)
	cfg.Refresh = 10 * time.Millisecond
	s, base := w.start(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	defer func() {
		cancel()
		s.refreshers.Wait() // no refresh writes to the trust directory once the test ends
	}()
	s.Start(ctx)
	for _, name := range []string{"ci", "qa"} {
		if err := w.repos[name].AddTarget("library/app:9", []byte("nine")); err != nil {
			t.Fatal(err)
		}
		w.publish(name)
	}
	for lookup(t, base, "library/app:9").Status != "verified" {
		time.Sleep(5 * time.Millisecond)
	}
}

func TestBackoff(t *testing.T) {
	for _, c := range []struct {
		n    int
		want time.Duration
	}{{1, time.Second}, {2, 2 * time.Second}, {4, 8 * time.Second}, {10, time.Minute}, {100, time.Minute}} {
		if got := backoff(c.n, time.Minute); got != c.want {
			t.Errorf("backoff(%d) = %v, want %v", c.n, got, c.want)
		}
	}
}

// TestServeDrains cancels Serve's context while a request is in flight
// (its body half sent): the request still gets its answer, and Serve
// returns nil once it has.
func TestServeDrains(t *testing.T) {
	w := newWorld(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := New(ctx, w.config(Validate))
	if err != nil {
		t.Fatal(err)
	}
	refresh(t, s)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln, nil) }()

	body, send := io.Pipe()
	answer := make(chan *http.Response, 1)
	go func() {
		resp, err := http.Post("http://"+ln.Addr().String()+"/v1/lookup", "application/json", body)
		if err != nil {
			t.Error(err)
		}
		answer <- resp
	}()
	if _, err := send.Write([]byte(`["library/app:1",`)); err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	for metricLine(t, base, "accord_http_requests_in_flight") != "2" {
		time.Sleep(time.Millisecond) // until the server is answering it (and this request)
	}
	cancel()
	select {
	case err := <-done:
		t.Fatalf("Serve returned %v with a request in flight", err)
	case <-time.After(50 * time.Millisecond):
	}
	if _, err := send.Write([]byte(` "library/solo:1"]`)); err != nil {
		t.Fatal(err)
	}
	send.Close()
	resp := <-answer
	if resp == nil {
		t.Fatal("no answer")
	}
	code, text := readResp(t, resp)
	if code != http.StatusOK || !strings.Contains(text, `"verified"`) {
		t.Errorf("the drained request = %d %s, want its results", code, text)
	}
	if err := <-done; err != nil {
		t.Errorf("Serve = %v, want nil after draining", err)
	}
}
