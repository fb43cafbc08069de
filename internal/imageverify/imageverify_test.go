package imageverify

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

const digestA = "sha256:e88261b8d697f0ca1c55cce7885d0c7fdd7ce13cef3e1339f7df3eccb7e4c94e"

// ociDescriptor is an image index's descriptor as containerd writes it.
const ociDescriptor = `{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"` + digestA + `","size":4127,"annotations":{"io.containerd.image.name":"docker.io/library/ubuntu:24.04"},"platform":{"architecture":"amd64","os":"linux"}}`

func TestReadRequest(t *testing.T) {
	req, err := ReadRequest("docker.io/library/ubuntu:24.04", digestA, DescriptorMediaType, strings.NewReader(ociDescriptor))
	if err != nil {
		t.Fatal(err)
	}
	want := Descriptor{MediaType: "application/vnd.oci.image.index.v1+json", Digest: digestA, Size: 4127}
	if req.Descriptor != want {
		t.Errorf("descriptor %+v, want %+v", req.Descriptor, want)
	}
	for _, tc := range []struct{ name, digest, mt, stdin, msg string }{
		{"", digestA, DescriptorMediaType, ociDescriptor, "no -name: the image reference is required"},
		{"a:1", "", DescriptorMediaType, ociDescriptor, "no -digest: the resolved digest is required"},
		{"a:1", "sha512:ab", DescriptorMediaType, ociDescriptor, `-digest "sha512:ab" is not sha256: and 64 lowercase hex digits`},
		{"a:1", digestA, "", ociDescriptor, `-stdin-media-type "": only application/vnd.oci.descriptor.v1+json is understood`},
		{"a:1", digestA, DescriptorMediaType, `null`, "the descriptor on stdin: not a JSON object: null"},
		{"a:1", digestA, DescriptorMediaType, `[]`, "the descriptor on stdin: not a JSON object: json: cannot unmarshal array into Go value of type map[string]json.RawMessage"},
		{"a:1", digestA, DescriptorMediaType, `{"mediaType":"x","digest":"` + digestA + `","size":-1}`, `the descriptor on stdin: negative "size" -1`},
		{"a:1", digestA, DescriptorMediaType, `{"mediaType":"","digest":"` + digestA + `","size":1}`, `the descriptor on stdin: empty "mediaType"`},
		{"a:1", digestA, DescriptorMediaType, `{"mediaType":"x","digest":7,"size":1}`, `the descriptor on stdin: "digest": json: cannot unmarshal number into Go value of type string`},
		{"a:1", digestA, DescriptorMediaType, `{"mediaType":"x","digest":"sha256:\n","size":1}`, `the descriptor on stdin has digest "sha256:\n", -digest is ` + digestA},
		{"a:1", digestA, DescriptorMediaType, strings.Repeat(" ", MaxDescriptorSize+1), "the descriptor on stdin is larger than 1048576 bytes"},
	} {
		_, err := ReadRequest(tc.name, tc.digest, tc.mt, strings.NewReader(tc.stdin))
		if !errors.Is(err, ErrBlocked) || err.Error() != tc.msg {
			t.Errorf("ReadRequest(%q, %q, %q, %.40q): %v; want %q", tc.name, tc.digest, tc.mt, tc.stdin, err, tc.msg)
		}
	}
}

// TestWithinBlocksAtTheDeadline checks that a judgement that never comes
// blocks the pull: Within returns without it.
func TestWithinBlocksAtTheDeadline(t *testing.T) {
	never := make(chan struct{})
	defer close(never)
	j := Within(context.Background(), time.Millisecond, func(context.Context) Judgement {
		<-never
		return Judgement{Allow: true, Reason: "allowed"}
	})
	if j.Allow || j.Reason != "blocked: no judgement within 1ms (--timeout): failing closed" {
		t.Errorf("judgement %+v, want blocked at the deadline", j)
	}
	j = Within(context.Background(), time.Hour, func(context.Context) Judgement { return Judgement{Allow: true, Reason: "ok"} })
	if !j.Allow {
		t.Errorf("judgement %+v, want the judge's", j)
	}
}

func FuzzReadRequest(f *testing.F) {
	f.Add(ociDescriptor)
	f.Add(`{"mediaType":"x","digest":"` + digestA + `","size":1}{}`)
	f.Add(`{"mediaType":"x","digest":"` + digestA + `","size":1e400}`)
	f.Fuzz(func(t *testing.T, stdin string) {
		req, err := ReadRequest("a:1", digestA, DescriptorMediaType, strings.NewReader(stdin))
		if err != nil {
			if !errors.Is(err, ErrBlocked) || strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("error %q: want one line of category ErrBlocked", err)
			}
			return
		}
		if req.Descriptor.Digest != digestA || req.Descriptor.Size < 0 || req.Descriptor.MediaType == "" {
			t.Fatalf("accepted descriptor %+v", req.Descriptor)
		}
	})
}
