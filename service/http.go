package service

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/accord-tuf/accord/mapfile"
	"github.com/accord-tuf/accord/resolver"
)

// Request limits.
const (
	// MaxLookupBody bounds the body of POST /v1/lookup, in bytes.
	MaxLookupBody = 1 << 20
	// MaxLookupTargets bounds the targets of one POST /v1/lookup.
	MaxLookupTargets = 10000
	// MaxReviewBody bounds an admission review, in bytes: the API
	// server's own limit on a request is 3 MiB.
	MaxReviewBody = 4 << 20
)

// The paths the service answers; deploy/kubernetes names them too.
const (
	PathLookup    = "/v1/lookup"
	PathRef       = "/v1/ref"
	PathStatus    = "/v1/status"
	PathAdmission = "/v1/admission"
	PathValidate  = "/v1/admission/validate"
	PathHealthz   = "/healthz"
	PathReadyz    = "/readyz"
	PathMetrics   = "/metrics"
)

// Handler returns the service's HTTP API:
//
//	GET  /v1/lookup?target=T&groups=a,b   one result, as `accord --json lookup` prints it
//	POST /v1/lookup[?groups=a,b]          a JSON array of targets → an array of results
//	GET  /v1/ref?image=IMAGE              the image pinned to its consensus digest
//	GET  /v1/status                       every repository's state
//	POST /v1/admission                    a Kubernetes admission.k8s.io/v1 AdmissionReview
//	POST /v1/admission/validate           the same for a validating webhook: never a patch
//	GET  /healthz                         200 while the process runs
//	GET  /readyz                          200 when every repository has verified, unexpired state; else 503
//	GET  /metrics                         Prometheus metrics
//
// A usage error is 400 with {"error": MESSAGE}; an unknown path is 404, a
// known path with another method 405.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+PathLookup, s.getLookup)
	mux.HandleFunc("POST "+PathLookup, s.postLookup)
	mux.HandleFunc("GET "+PathRef, s.getRef)
	mux.HandleFunc("GET "+PathStatus, s.getStatus)
	mux.HandleFunc("POST "+PathAdmission, s.postAdmission)
	mux.HandleFunc("POST "+PathValidate, s.postValidate)
	mux.HandleFunc("GET "+PathHealthz, func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "alive"})
	})
	mux.HandleFunc("GET "+PathReadyz, s.getReadyz)
	mux.Handle("GET "+PathMetrics, promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	return promhttp.InstrumentHandlerInFlight(s.metrics.inFlight, mux)
}

// writeJSON writes v as the response, with status code. A value that
// encodes itself (a resolver.Result) is written as it encodes itself,
// which is what json.Marshal would write after checking and compacting
// it again.
func writeJSON(w http.ResponseWriter, code int, v any) {
	var body []byte
	var err error
	if m, ok := v.(json.Marshaler); ok {
		body, err = m.MarshalJSON()
	} else {
		body, err = json.Marshal(v)
	}
	if err != nil {
		code, body = http.StatusInternalServerError, []byte(`{"error":"encoding the answer failed"}`)
	}
	writeBody(w, code, append(body, '\n'))
}

// writeBody writes an encoded JSON answer, its final newline included.
func writeBody(w http.ResponseWriter, code int, body []byte) {
	h := w.Header()
	h["Content-Type"] = contentJSON
	h["Cache-Control"] = noStore
	w.WriteHeader(code)
	w.Write(body)
}

// Header values every JSON answer carries, shared: net/http only reads them.
var (
	contentJSON = []string{"application/json"}
	noStore     = []string{"no-store"}
)

// usage answers a usage error: 400 with the message.
func usage(w http.ResponseWriter, format string, args ...any) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": fmt.Sprintf(format, args...)})
}

// groupsParam reads the groups query parameter of q: comma-separated
// names.
func groupsParam(q url.Values) ([]string, error) {
	if !q.Has("groups") {
		return nil, nil
	}
	groups := mapfile.SplitGroups(q.Get("groups"))
	if len(groups) == 0 {
		return nil, errors.New("groups: names no repository")
	}
	return groups, nil
}

// lookup resolves target with res from memory and counts it. A nil result
// is a usage error (an invalid target, an undeclared group).
func (s *Service) lookup(r *http.Request, res *resolver.Resolver, target string, groups []string) (*resolver.Result, error) {
	start := time.Now()
	out, err := res.Resolve(r.Context(), target, groups)
	s.metrics.latency.Observe(time.Since(start).Seconds())
	if out == nil {
		s.metrics.lookups.WithLabelValues("invalid").Inc()
		if err == nil {
			err = errors.New("no result")
		}
		return nil, err
	}
	s.metrics.lookups.WithLabelValues(string(out.Status)).Inc()
	return out, nil
}

func (s *Service) getLookup(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	target := q.Get("target")
	if !q.Has("target") || target == "" {
		usage(w, "target: missing; ask %s?target=T[&groups=a,b]", PathLookup)
		return
	}
	groups, err := groupsParam(q)
	if err != nil {
		usage(w, "%v", err)
		return
	}
	// A cached answer is served only while every repository of its state
	// is unexpired at this request's clock; otherwise the lookup is
	// resolved again, and fails closed as it would without the cache.
	start := time.Now()
	st := s.state.Load()
	key := cacheKey(target, groups)
	if st.fresh(s.now()) {
		if a, ok := st.cache.get(key); ok {
			s.metrics.lookups.WithLabelValues(a.status).Inc()
			s.metrics.latency.Observe(time.Since(start).Seconds())
			writeBody(w, http.StatusOK, a.body)
			return
		}
	}
	res, err := s.lookup(r, st.res, target, groups)
	if err != nil {
		usage(w, "%v", err)
		return
	}
	body, err := res.MarshalJSON()
	if err != nil {
		writeJSON(w, http.StatusOK, res) // answers the encoding error as it always has
		return
	}
	body = append(body, '\n')
	if cacheable(res) && st.fresh(s.now()) {
		st.cache.put(key, cachedAnswer{body: body, status: string(res.Status)}, len(body))
	}
	writeBody(w, http.StatusOK, body)
}

func (s *Service) postLookup(w http.ResponseWriter, r *http.Request) {
	groups, err := groupsParam(r.URL.Query())
	if err != nil {
		usage(w, "%v", err)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxLookupBody))
	if err != nil {
		usage(w, "body: %v (at most %d bytes)", err, MaxLookupBody)
		return
	}
	var targets []string
	if err := json.Unmarshal(body, &targets); err != nil {
		usage(w, "body: want a JSON array of target names: %v", err)
		return
	}
	if len(targets) == 0 || len(targets) > MaxLookupTargets {
		usage(w, "body: %d targets; want 1 to %d", len(targets), MaxLookupTargets)
		return
	}
	for i, t := range targets {
		if err := mapfile.ValidateTarget(t); err != nil {
			usage(w, "body[%d]: %v", i, err)
			return
		}
	}
	res := s.state.Load().res
	out := make([]*resolver.Result, len(targets))
	for i, t := range targets {
		if out[i], err = s.lookup(r, res, t, groups); err != nil {
			usage(w, "body[%d]: %v", i, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// refAnswer is the answer of GET /v1/ref.
type refAnswer struct {
	Image  string           `json:"image"`
	Target string           `json:"target"`
	Ref    string           `json:"ref,omitempty"` // only when verified
	Error  string           `json:"error,omitempty"`
	Result *resolver.Result `json:"result"`
}

func (s *Service) getRef(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	image := q.Get("image")
	if image == "" {
		usage(w, "image: missing; ask %s?image=IMAGE", PathRef)
		return
	}
	groups, err := groupsParam(q)
	if err != nil {
		usage(w, "%v", err)
		return
	}
	c := s.check(r, s.state.Load(), image, groups)
	if c.usage != nil {
		usage(w, "%v", c.usage)
		return
	}
	writeJSON(w, http.StatusOK, refAnswer{Image: image, Target: c.target, Ref: c.pinned, Error: c.refusal, Result: c.result})
}

// imageCheck is the verdict on one image reference.
type imageCheck struct {
	target  string
	result  *resolver.Result
	pinned  string // IMAGE:TAG@sha256:<consensus>, when verified
	refusal string // why the image is refused, when it is
	usage   error  // an invalid reference or group: no result
}

// check resolves an image reference over st: it is verified when its
// target is and, when the reference carries a digest, that digest is the
// consensus sha256. A verdict is cached in st, and served again only
// while every repository of st is unexpired at the request's clock, as a
// lookup's answer is.
func (s *Service) check(r *http.Request, st *state, image string, groups []string) imageCheck {
	start := time.Now()
	key := cacheKey(image, groups)
	if st.fresh(s.now()) {
		if c, ok := st.checks.get(key); ok {
			s.metrics.lookups.WithLabelValues(string(c.result.Status)).Inc()
			s.metrics.latency.Observe(time.Since(start).Seconds())
			return c
		}
	}
	c := s.checkImage(r, st.res, image, groups)
	if c.usage == nil && cacheable(c.result) && st.fresh(s.now()) {
		st.checks.put(key, c, checkSize(c))
	}
	return c
}

// checkImage is check without the cache.
func (s *Service) checkImage(r *http.Request, res *resolver.Resolver, image string, groups []string) imageCheck {
	img, err := mapfile.ImageRef(image, s.aliases)
	if err != nil {
		s.metrics.lookups.WithLabelValues("invalid").Inc()
		return imageCheck{usage: err, refusal: err.Error()}
	}
	c := imageCheck{target: img.Target}
	if c.result, err = s.lookup(r, res, img.Target, groups); err != nil {
		return imageCheck{usage: err, refusal: err.Error(), target: img.Target}
	}
	if c.result.Status != resolver.StatusVerified {
		c.refusal = refusalText(c.result)
		return c
	}
	// The judgement of accord ref and image-verify, on the same result.
	judged := resolver.JudgeImage(img, c.result)
	if judged.Err != nil {
		c.refusal = judged.Err.Error()
		return c
	}
	c.pinned = tagged(img.Name, img.Target) + "@" + judged.Digest
	return c
}

// tagged returns name with its tag, the target's, when it has none: a
// reference pinned as NAME:TAG@DIGEST still names its target when it is
// checked again.
func tagged(name, target string) string {
	if i := strings.LastIndexByte(name, ':'); i > strings.LastIndexByte(name, '/') {
		return name
	}
	return name + ":" + target[strings.LastIndexByte(target, ':')+1:]
}

// refusalText says why a result is not verified: its status and each
// repository's answer that was not a signature.
func refusalText(res *resolver.Result) string {
	var parts []string
	for _, a := range res.Answers {
		switch a.Kind {
		case resolver.Failed:
			parts = append(parts, fmt.Sprintf("%s: %v", a.Name, a.Err))
		case resolver.Missing:
			parts = append(parts, a.Name+": missing")
		}
	}
	if res.Reason != "" {
		parts = append([]string{res.Reason}, parts...)
	}
	text := fmt.Sprintf("target %s: %s", res.Target, res.Status)
	if len(parts) > 0 {
		text += " (" + strings.Join(parts, "; ") + ")"
	}
	return text
}
