package service

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	admissionv1 "k8s.io/api/admission/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8stypes "k8s.io/apimachinery/pkg/types"
)

// admissionAPIVersion is the only AdmissionReview version the webhook
// speaks; the webhook configurations ask for it.
const admissionAPIVersion = "admission.k8s.io/v1"

// errMalformed is the category of a review the webhook cannot read.
var errMalformed = errors.New("malformed admission review")

// workload is the pod spec of an admitted object, and the JSON pointer of
// that spec in the object.
type workload struct {
	spec *corev1.PodSpec
	path string // such as "/spec/template/spec"
}

// decodeReview reads an AdmissionReview and, for a create or update, the
// pod spec of its object. An object of another kind, a request without
// a UID, unknown versions and trailing data are malformed. A delete or
// connect has no object to check: its workload is nil.
func decodeReview(body []byte) (*admissionv1.AdmissionReview, *workload, error) {
	var review admissionv1.AdmissionReview
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&review); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", errMalformed, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, fmt.Errorf("%w: data after the review", errMalformed)
	}
	if review.APIVersion != admissionAPIVersion || review.Kind != "AdmissionReview" {
		return nil, nil, fmt.Errorf("%w: apiVersion %q, kind %q: want %s AdmissionReview", errMalformed, review.APIVersion, review.Kind, admissionAPIVersion)
	}
	req := review.Request
	if req == nil {
		return nil, nil, fmt.Errorf("%w: no request", errMalformed)
	}
	if req.UID == "" {
		return nil, nil, fmt.Errorf("%w: request without a uid", errMalformed)
	}
	switch req.Operation {
	case admissionv1.Create, admissionv1.Update:
	case admissionv1.Delete, admissionv1.Connect:
		return &review, nil, nil
	default:
		return nil, nil, fmt.Errorf("%w: operation %q", errMalformed, req.Operation)
	}
	if len(req.Object.Raw) == 0 {
		return nil, nil, fmt.Errorf("%w: %s without an object", errMalformed, req.Operation)
	}
	w, err := podSpecOf(req.Kind, req.Object.Raw)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", errMalformed, err)
	}
	return &review, w, nil
}

// podSpecOf decodes raw as an object of kind and returns its pod spec.
func podSpecOf(kind metav1.GroupVersionKind, raw []byte) (*workload, error) {
	decode, ok := podSpecDecoders[kind.Group+"/"+kind.Kind]
	if !ok {
		return nil, fmt.Errorf("kind %s: not a Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job or CronJob", kindName(kind))
	}
	w, err := decode(raw)
	if err != nil {
		return nil, fmt.Errorf("%s object: %v", kindName(kind), err)
	}
	return w, nil
}

// podSpecDecoders decodes each admitted kind, by "group/kind", into its
// pod spec: one entry a kind instead of one branch of the same shape each.
var podSpecDecoders = map[string]func(raw []byte) (*workload, error){
	"/Pod":             podSpecAt(func(o *corev1.Pod) *corev1.PodSpec { return &o.Spec }, "/spec"),
	"apps/Deployment":  podSpecAt(func(o *appsv1.Deployment) *corev1.PodSpec { return &o.Spec.Template.Spec }, templateSpec),
	"apps/StatefulSet": podSpecAt(func(o *appsv1.StatefulSet) *corev1.PodSpec { return &o.Spec.Template.Spec }, templateSpec),
	"apps/DaemonSet":   podSpecAt(func(o *appsv1.DaemonSet) *corev1.PodSpec { return &o.Spec.Template.Spec }, templateSpec),
	"apps/ReplicaSet":  podSpecAt(func(o *appsv1.ReplicaSet) *corev1.PodSpec { return &o.Spec.Template.Spec }, templateSpec),
	"batch/Job":        podSpecAt(func(o *batchv1.Job) *corev1.PodSpec { return &o.Spec.Template.Spec }, templateSpec),
	"batch/CronJob":    podSpecAt(func(o *batchv1.CronJob) *corev1.PodSpec { return &o.Spec.JobTemplate.Spec.Template.Spec }, "/spec/jobTemplate/spec/template/spec"),
}

// templateSpec is the JSON pointer of the pod spec of a kind with a pod
// template.
const templateSpec = "/spec/template/spec"

// podSpecAt returns a decoder of objects of type T whose pod spec is spec's,
// at the JSON pointer path.
func podSpecAt[T any](spec func(*T) *corev1.PodSpec, path string) func([]byte) (*workload, error) {
	return func(raw []byte) (*workload, error) {
		var o T
		if err := json.Unmarshal(raw, &o); err != nil {
			return nil, err
		}
		return &workload{spec(&o), path}, nil
	}
}

func kindName(k metav1.GroupVersionKind) string {
	if k.Group == "" {
		return fmt.Sprintf("%q", k.Kind)
	}
	return fmt.Sprintf("%q", k.Group+"/"+k.Kind)
}

// containerImage is one image of a pod spec and the JSON pointer of its
// "image" field.
type containerImage struct {
	field string // "containers[0] \"web\""
	image string
	path  string // "/spec/containers/0/image"
}

// images lists every container, init container and ephemeral container
// image of w.
func (w *workload) images() []containerImage {
	var out []containerImage
	add := func(list, name string, i int, image string) {
		out = append(out, containerImage{
			field: fmt.Sprintf("%s[%d] %q", list, i, name),
			image: image,
			path:  fmt.Sprintf("%s/%s/%d/image", w.path, list, i),
		})
	}
	for i, c := range w.spec.InitContainers {
		add("initContainers", c.Name, i, c.Image)
	}
	for i, c := range w.spec.Containers {
		add("containers", c.Name, i, c.Image)
	}
	for i, c := range w.spec.EphemeralContainers {
		add("ephemeralContainers", c.Name, i, c.Image)
	}
	return out
}

// patchOp is one JSON patch (RFC 6902) operation.
type patchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value string `json:"value"`
}

// postAdmission answers a mutating webhook: the --admission mode, with
// its patch in mutate mode.
func (s *Service) postAdmission(w http.ResponseWriter, r *http.Request) {
	s.review(w, r, s.mode == Mutate)
}

// postValidate answers a validating webhook: the --admission mode, never
// with a patch (the API server refuses one from a validating webhook).
func (s *Service) postValidate(w http.ResponseWriter, r *http.Request) {
	s.review(w, r, false)
}

// review answers an AdmissionReview; patch says whether a JSON patch
// pinning verified images may be returned.
func (s *Service) review(w http.ResponseWriter, r *http.Request, patch bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxReviewBody))
	if err != nil {
		s.metrics.reviews.WithLabelValues("malformed").Inc()
		usage(w, "%v: body: %v (at most %d bytes)", errMalformed, err, MaxReviewBody)
		return
	}
	review, wl, err := decodeReview(body)
	if err != nil {
		s.metrics.reviews.WithLabelValues("malformed").Inc()
		usage(w, "%v", err)
		return
	}
	resp := s.admit(r, review.Request.UID, wl, patch)
	outcome := "allowed"
	if !resp.Allowed {
		outcome = "denied"
	}
	s.metrics.reviews.WithLabelValues(outcome).Inc()
	writeJSON(w, http.StatusOK, admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: admissionAPIVersion, Kind: "AdmissionReview"},
		Response: resp,
	})
}

// admit decides on a workload's images as the admission mode says.
func (s *Service) admit(r *http.Request, uid k8stypes.UID, wl *workload, mutate bool) *admissionv1.AdmissionResponse {
	resp := &admissionv1.AdmissionResponse{UID: uid, Allowed: true}
	if wl == nil {
		return resp
	}
	st := s.state.Load()
	seen := map[string]imageCheck{}
	var refusals []string
	var patch []patchOp
	for _, ci := range wl.images() {
		c, ok := seen[ci.image]
		if !ok {
			c = s.check(r, st, ci.image, nil)
			seen[ci.image] = c
		}
		if c.refusal != "" {
			refusals = append(refusals, fmt.Sprintf("%s image %q: %s", ci.field, ci.image, c.refusal))
			continue
		}
		if c.pinned != ci.image {
			patch = append(patch, patchOp{Op: "replace", Path: ci.path, Value: c.pinned})
		}
	}
	switch {
	case len(refusals) > 0 && s.mode == Warn:
		for _, text := range refusals {
			resp.Warnings = append(resp.Warnings, "accord: "+text)
		}
	case len(refusals) > 0:
		resp.Allowed = false
		resp.Result = &metav1.Status{
			Status:  metav1.StatusFailure,
			Code:    http.StatusForbidden,
			Reason:  metav1.StatusReasonForbidden,
			Message: fmt.Sprintf("accord: %d image(s) not verified: %s", len(refusals), strings.Join(refusals, "; ")),
		}
	case mutate && len(patch) > 0:
		p, err := json.Marshal(patch)
		if err != nil {
			panic(err) // strings only: cannot fail
		}
		pt := admissionv1.PatchTypeJSONPatch
		resp.Patch, resp.PatchType = p, &pt
	}
	return resp
}
