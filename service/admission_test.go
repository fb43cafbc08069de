package service

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// workloadKinds builds an object of each kind the webhook admits around
// spec, with the JSON pointer of its pod spec.
var workloadKinds = []struct {
	kind metav1.GroupVersionKind
	wrap func(spec corev1.PodSpec) any
	path string
}{
	{metav1.GroupVersionKind{Version: "v1", Kind: "Pod"}, func(s corev1.PodSpec) any { return corev1.Pod{Spec: s} }, "/spec"},
	{metav1.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, func(s corev1.PodSpec) any {
		return appsv1.Deployment{Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: s}}}
	}, "/spec/template/spec"},
	{metav1.GroupVersionKind{Group: "apps", Version: "v1", Kind: "StatefulSet"}, func(s corev1.PodSpec) any {
		return appsv1.StatefulSet{Spec: appsv1.StatefulSetSpec{Template: corev1.PodTemplateSpec{Spec: s}}}
	}, "/spec/template/spec"},
	{metav1.GroupVersionKind{Group: "apps", Version: "v1", Kind: "DaemonSet"}, func(s corev1.PodSpec) any {
		return appsv1.DaemonSet{Spec: appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{Spec: s}}}
	}, "/spec/template/spec"},
	{metav1.GroupVersionKind{Group: "apps", Version: "v1", Kind: "ReplicaSet"}, func(s corev1.PodSpec) any {
		return appsv1.ReplicaSet{Spec: appsv1.ReplicaSetSpec{Template: corev1.PodTemplateSpec{Spec: s}}}
	}, "/spec/template/spec"},
	{metav1.GroupVersionKind{Group: "batch", Version: "v1", Kind: "Job"}, func(s corev1.PodSpec) any {
		return batchv1.Job{Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: s}}}
	}, "/spec/template/spec"},
	{metav1.GroupVersionKind{Group: "batch", Version: "v1", Kind: "CronJob"}, func(s corev1.PodSpec) any {
		return batchv1.CronJob{Spec: batchv1.CronJobSpec{JobTemplate: batchv1.JobTemplateSpec{
			Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: s}}}}}
	}, "/spec/jobTemplate/spec/template/spec"},
}

// podSpec has an init container, two containers and an ephemeral
// container with the given images.
func podSpec(initImage, image, sidecar, debug string) corev1.PodSpec {
	return corev1.PodSpec{
		InitContainers: []corev1.Container{{Name: "init", Image: initImage}},
		Containers:     []corev1.Container{{Name: "app", Image: image}, {Name: "sidecar", Image: sidecar}},
		EphemeralContainers: []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{
			Name: "debug", Image: debug}}},
	}
}

// reviewOf returns the AdmissionReview of creating obj of kind.
func reviewOf(t *testing.T, kind metav1.GroupVersionKind, obj any) string {
	t.Helper()
	raw, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	r := admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request: &admissionv1.AdmissionRequest{
			UID: "0a1b2c", Kind: kind, Operation: admissionv1.Create,
			Object: runtime.RawExtension{Raw: raw},
		},
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// admitReview posts a review and decodes the response.
func admitReview(t *testing.T, base, review string) *admissionv1.AdmissionResponse {
	t.Helper()
	return admitReviewAt(t, base, "/v1/admission", review)
}

// admitReviewAt posts a review to path and decodes the response.
func admitReviewAt(t *testing.T, base, path, review string) *admissionv1.AdmissionResponse {
	t.Helper()
	code, body := post(t, base, path, review)
	if code != http.StatusOK {
		t.Fatalf("admission = %d %s, want 200", code, body)
	}
	var out admissionv1.AdmissionReview
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err)
	}
	if out.APIVersion != "admission.k8s.io/v1" || out.Kind != "AdmissionReview" || out.Response == nil || out.Response.UID != "0a1b2c" {
		t.Fatalf("admission answered %s, want a v1 AdmissionReview response for uid 0a1b2c", body)
	}
	return out.Response
}

// applyPatch applies a JSON patch of "replace" operations (all the
// webhook makes) to doc.
func applyPatch(t *testing.T, doc []byte, patch []byte) []byte {
	t.Helper()
	var ops []struct{ Op, Path, Value string }
	if err := json.Unmarshal(patch, &ops); err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatal(err)
	}
	for _, op := range ops {
		if op.Op != "replace" {
			t.Fatalf("patch operation %q", op.Op)
		}
		parts := strings.Split(strings.TrimPrefix(op.Path, "/"), "/")
		cur := v
		for i, p := range parts {
			last := i == len(parts)-1
			switch node := cur.(type) {
			case map[string]any:
				if _, ok := node[p]; !ok {
					t.Fatalf("patch path %s: no %q", op.Path, p)
				}
				if last {
					node[p] = op.Value
				}
				cur = node[p]
			case []any:
				n, err := strconv.Atoi(p)
				if err != nil || n < 0 || n >= len(node) {
					t.Fatalf("patch path %s: bad index %q", op.Path, p)
				}
				if last {
					node[n] = op.Value
				}
				cur = node[n]
			default:
				t.Fatalf("patch path %s: %q under a scalar", op.Path, p)
			}
		}
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAdmission admits a workload of each kind whose images are all
// verified, and one with an image that is not, in each mode: validate
// allows the first and denies the second naming the image and why;
// mutate also pins every image of the first to its digest (the patch
// applied to the object gives digests everywhere); warn allows both and
// warns about the second.
func TestAdmission(t *testing.T) {
	w := newWorld(t)
	sum := sha256.Sum256(appBytes)
	digest := "sha256:" + hex.EncodeToString(sum[:])
	pinned := "app:1@" + digest
	good := podSpec("app:1", "docker.io/library/app:1", "app", pinned)
	bad := podSpec("app:1", "app:1", "solo:1", "app:1")

	for _, mode := range []AdmissionMode{Validate, Mutate, Warn} {
		s, base := w.start(w.config(mode))
		refresh(t, s)
		for _, k := range workloadKinds {
			name := fmt.Sprintf("%s/%s", mode, k.kind.Kind)
			obj := k.wrap(good)
			resp := admitReview(t, base, reviewOf(t, k.kind, obj))
			if !resp.Allowed || len(resp.Warnings) > 0 {
				t.Errorf("%s: verified images: allowed %v, warnings %q", name, resp.Allowed, resp.Warnings)
			}
			if mode != Mutate {
				if resp.Patch != nil {
					t.Errorf("%s: patched %s", name, resp.Patch)
				}
			} else {
				if resp.PatchType == nil || *resp.PatchType != admissionv1.PatchTypeJSONPatch {
					t.Fatalf("%s: patch type %v", name, resp.PatchType)
				}
				raw, _ := json.Marshal(obj)
				patched := applyPatch(t, raw, resp.Patch)
				wl, err := podSpecOf(k.kind, patched)
				if err != nil {
					t.Fatal(err)
				}
				want := []string{pinned, "docker.io/library/app:1@" + digest, "app:latest@" + digest, pinned}
				var got []string
				for _, ci := range wl.images() {
					got = append(got, ci.image)
				}
				if strings.Join(got, " ") != strings.Join(want, " ") {
					t.Errorf("%s: patched images %q, want %q", name, got, want)
				}
				if !strings.Contains(string(resp.Patch), k.path+"/containers/0/image") {
					t.Errorf("%s: patch %s does not point into %s", name, resp.Patch, k.path)
				}
			}

			if v := admitReviewAt(t, base, "/v1/admission/validate", reviewOf(t, k.kind, obj)); !v.Allowed || v.Patch != nil {
				t.Errorf("%s: validating path: allowed %v, patch %s; want allowed without a patch", name, v.Allowed, v.Patch)
			}

			resp = admitReview(t, base, reviewOf(t, k.kind, k.wrap(bad)))
			switch mode {
			case Warn:
				if !resp.Allowed || len(resp.Warnings) != 1 || !strings.Contains(resp.Warnings[0], `containers[1] "sidecar" image "solo:1"`) {
					t.Errorf("%s: unverified image: allowed %v, warnings %q; want allowed with a warning", name, resp.Allowed, resp.Warnings)
				}
			default:
				if resp.Allowed || resp.Result == nil || resp.Result.Code != 403 ||
					!strings.Contains(resp.Result.Message, `"solo:1"`) || !strings.Contains(resp.Result.Message, "qa: missing") ||
					resp.Patch != nil {
					t.Errorf("%s: unverified image: %+v, want denied naming solo:1 and qa's answer", name, resp)
				}
			}
		}
	}
}

// TestAdmissionDeleteAndMalformed checks that a delete is allowed and
// that every malformed review is a 400, counted.
func TestAdmissionDeleteAndMalformed(t *testing.T) {
	w := newWorld(t)
	s, base := w.start(w.config(Validate))
	refresh(t, s)
	del := `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"0a1b2c","kind":{"version":"v1","kind":"Pod"},"operation":"DELETE"}}`
	if resp := admitReview(t, base, del); !resp.Allowed {
		t.Errorf("delete: %+v, want allowed", resp)
	}
	pod := reviewOf(t, workloadKinds[0].kind, workloadKinds[0].wrap(podSpec("app:1", "app:1", "app:1", "app:1")))
	for name, body := range map[string]string{
		"not json":       `{"apiVersion":`,
		"empty":          ``,
		"old version":    strings.Replace(pod, "admission.k8s.io/v1", "admission.k8s.io/v1beta1", 1),
		"no request":     `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}`,
		"no uid":         strings.Replace(pod, `"uid":"0a1b2c",`, "", 1),
		"unknown kind":   strings.Replace(pod, `"kind":"Pod"`, `"kind":"Secret"`, 1),
		"no object":      strings.Replace(pod, `"object":`, `"oldObject":`, 1),
		"bad object":     strings.Replace(pod, `"containers":[`, `"containers":"x","c":[`, 1),
		"trailing data":  pod + `{}`,
		"bad operation":  strings.Replace(pod, `"CREATE"`, `"PATCH"`, 1),
		"array":          `[]`,
		"request string": `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":"x"}`,
	} {
		code, out := post(t, base, "/v1/admission", body)
		if code != http.StatusBadRequest || !strings.Contains(out, "malformed admission review") {
			t.Errorf("%s: %d %s, want 400", name, code, out)
		}
	}
	if v := metricLine(t, base, `accord_admission_reviews_total{outcome="malformed"}`); v != "12" {
		t.Errorf("malformed reviews counted %q, want 12", v)
	}
}

// FuzzDecodeReview checks that no review makes the decoder panic.
func FuzzDecodeReview(f *testing.F) {
	f.Add([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":{"group":"batch","version":"v1","kind":"CronJob"},"operation":"CREATE","object":{"spec":{"jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"app:1"}]}}}}}}}}`))
	f.Add([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":{"version":"v1","kind":"Pod"},"operation":"UPDATE","object":{"spec":{"ephemeralContainers":[{"image":"x"}]}}}}`))
	f.Add([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":{"group":"apps","kind":"Deployment"},"operation":"CREATE","object":null}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		review, wl, err := decodeReview(body)
		if err != nil {
			if review != nil || wl != nil {
				t.Fatal("an error with a result")
			}
			return
		}
		if review.Request == nil || review.Request.UID == "" {
			t.Fatal("a review without a request uid passed")
		}
		if wl != nil {
			for _, ci := range wl.images() {
				if !strings.HasPrefix(ci.path, wl.path+"/") {
					t.Fatalf("image path %s outside %s", ci.path, wl.path)
				}
			}
		}
	})
}
