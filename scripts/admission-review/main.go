// Command admission-review asks an accord serve as the Kubernetes API
// server asks an admission webhook: it posts the AdmissionReview of
// creating a Pod that runs IMAGE and prints the verdict, with the JSON
// patch when there is one. The demo uses it (scripts/demo.sh); it needs
// nothing but Go.
//
//	admission-review URL IMAGE
//
// It exits 0 when the Pod is allowed, 1 when it is denied, 2 on any other
// failure.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: admission-review URL IMAGE")
		os.Exit(2)
	}
	allowed, err := review(os.Args[1], os.Args[2])
	if err != nil {
		fmt.Fprintf(os.Stderr, "admission-review: %v\n", err)
		os.Exit(2)
	}
	if !allowed {
		os.Exit(1)
	}
}

func review(url, image string) (bool, error) {
	pod := map[string]any{
		"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": "demo", "namespace": "default"},
		"spec":     map[string]any{"containers": []any{map[string]any{"name": "app", "image": image}}},
	}
	req := map[string]any{
		"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
		"request": map[string]any{
			"uid":       "demo-1",
			"kind":      map[string]string{"group": "", "version": "v1", "kind": "Pod"},
			"resource":  map[string]string{"group": "", "version": "v1", "resource": "pods"},
			"operation": "CREATE", "namespace": "default", "object": pod,
		},
	}
	body, err := json.Marshal(req)
	if err != nil {
		return false, err
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return false, err
	}
	if resp.StatusCode != http.StatusOK {
		return false, fmt.Errorf("%s: %s", resp.Status, data)
	}
	var out struct {
		Response struct {
			Allowed bool   `json:"allowed"`
			Patch   []byte `json:"patch"`
			Status  *struct {
				Message string `json:"message"`
			} `json:"status"`
			Warnings []string `json:"warnings"`
		} `json:"response"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return false, err
	}
	r := out.Response
	if r.Allowed {
		fmt.Printf("allowed: pod running %s\n", image)
		if len(r.Patch) > 0 {
			fmt.Printf("patch: %s\n", r.Patch)
		}
	} else {
		msg := ""
		if r.Status != nil {
			msg = r.Status.Message
		}
		fmt.Printf("denied: %s\n", msg)
	}
	for _, w := range r.Warnings {
		fmt.Printf("warning: %s\n", w)
	}
	return r.Allowed, nil
}
