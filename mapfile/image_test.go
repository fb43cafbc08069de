package mapfile

import (
	"errors"
	"strings"
	"testing"
)

const (
	hexA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	hexB = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)

var imageRefCases = []struct {
	ref, target, canonical, digest string
}{
	{"ubuntu", "library/ubuntu:latest", "docker.io/library/ubuntu:latest", ""},
	{"ubuntu:24.04", "library/ubuntu:24.04", "docker.io/library/ubuntu:24.04", ""},
	{"library/ubuntu:24.04", "library/ubuntu:24.04", "docker.io/library/ubuntu:24.04", ""},
	{"docker.io/ubuntu:24.04", "library/ubuntu:24.04", "docker.io/library/ubuntu:24.04", ""},
	{"docker.io/library/ubuntu:24.04", "library/ubuntu:24.04", "docker.io/library/ubuntu:24.04", ""},
	{"index.docker.io/library/ubuntu", "library/ubuntu:latest", "docker.io/library/ubuntu:latest", ""},
	{"acme/app:v1", "acme/app:v1", "docker.io/acme/app:v1", ""},
	{"ubuntu:24.04@sha256:" + hexA, "library/ubuntu:24.04", "docker.io/library/ubuntu:24.04", "sha256:" + hexA},
	{"docker.io/library/ubuntu:Noble_1.0-rc@sha256:" + hexB, "library/ubuntu:Noble_1.0-rc", "docker.io/library/ubuntu:Noble_1.0-rc", "sha256:" + hexB},
	{"registry.example.com/app:1.4", "registry.example.com/app:1.4", "registry.example.com/app:1.4", ""},
	{"registry.example.com/team/sub/app", "registry.example.com/team/sub/app:latest", "registry.example.com/team/sub/app:latest", ""},
	{"registry.example.com:5000/app:1.4", "registry.example.com:5000/app:1.4", "registry.example.com:5000/app:1.4", ""},
	{"localhost:5000/app", "localhost:5000/app:latest", "localhost:5000/app:latest", ""},
	{"localhost:5000/app:1@sha256:" + hexA, "localhost:5000/app:1", "localhost:5000/app:1", "sha256:" + hexA},
	{"localhost/app:1", "localhost/app:1", "localhost/app:1", ""},
	{"127.0.0.1:5000/a/b:c", "127.0.0.1:5000/a/b:c", "127.0.0.1:5000/a/b:c", ""},
	{"ghcr.io/acme/my_app__x-y.z:1", "ghcr.io/acme/my_app__x-y.z:1", "ghcr.io/acme/my_app__x-y.z:1", ""},
	{"quay.io/a--b/c:_x", "quay.io/a--b/c:_x", "quay.io/a--b/c:_x", ""},
}

func TestImageRef(t *testing.T) {
	for _, tc := range imageRefCases {
		t.Run(tc.ref, func(t *testing.T) {
			got, err := ImageRef(tc.ref, nil)
			if err != nil {
				t.Fatalf("ImageRef(%q) error: %v", tc.ref, err)
			}
			wantName, _, _ := strings.Cut(tc.ref, "@")
			want := Image{Name: wantName, Canonical: tc.canonical, Target: tc.target, Repository: untagged(tc.target), Digest: tc.digest}
			if got != want {
				t.Errorf("ImageRef(%q) = %+v; want %+v", tc.ref, got, want)
			}
			if again, err := ImageRefOrDigest(tc.ref, nil); err != nil || again != got {
				t.Errorf("ImageRefOrDigest(%q) = %+v, %v; want %+v", tc.ref, again, err, got)
			}
		})
	}
}

var imageRefErrors = []struct {
	ref, msg string
}{
	{"", "a repository name must be specified"},
	{"Ubuntu", "uppercase letters in the name (only a tag may have them)"},
	{"library/Ubuntu:24.04", "uppercase letters in the name (only a tag may have them)"},
	{"Registry.example.com/app:1", "uppercase letters in the name (only a tag may have them)"},
	{"ubuntu:", "ubuntu: must specify a tag name after the colon"},
	{"ubuntu:.x", `tag ".x" is not a Docker tag`},
	{"ubuntu:" + strings.Repeat("a", 129), "tag must be between 1 and 128 characters in length: " + strings.Repeat("a", 129)},
	{"ubuntu:a/b", "must be between 2 and 255 characters in length: b"},
	{"ubuntu:a/bb", "registries must be valid RFC 3986 URI authorities: ubuntu:a"},
	{"a//b", `path component "" is not lowercase letters and digits joined by '.', '_', '__' or '-'`},
	{"a/../b", `path component ".." is not lowercase letters and digits joined by '.', '_', '__' or '-'`},
	{"a/-b", `path component "-b" is not lowercase letters and digits joined by '.', '_', '__' or '-'`},
	{"a/b.", `path component "b." is not lowercase letters and digits joined by '.', '_', '__' or '-'`},
	{"a/b___c", `path component "b___c" is not lowercase letters and digits joined by '.', '_', '__' or '-'`},
	{"ubuntu@sha256:" + hexA, "names a digest but no tag: accord verifies tags; give IMAGE:TAG@sha256:" + hexA},
	{"ubuntu:1@sha256:" + strings.ToUpper(hexA), `digest "sha256:` + strings.ToUpper(hexA) + `": want sha256: and 64 lowercase hex digits`},
	{"ubuntu:1@sha256:abc", `digest "sha256:abc": want sha256: and 64 lowercase hex digits`},
	{"ubuntu:1@sha512:" + hexA + hexA, `digest "sha512:` + hexA + hexA + `": want sha256: and 64 lowercase hex digits`},
	{"ubuntu:1@sha256:" + hexA + "@sha256:" + hexA, `digest "sha256:` + hexA + "@sha256:" + hexA + `": want sha256: and 64 lowercase hex digits`},
	{"ubuntu 1", "can only contain the characters `abcdefghijklmnopqrstuvwxyz0123456789_-./`: ubuntu 1"},
	{"ubuntu\n", "can only contain the characters `abcdefghijklmnopqrstuvwxyz0123456789_-./`: ubuntu\n"},
	{"https://registry.example.com/app", `path component "" is not lowercase letters and digits joined by '.', '_', '__' or '-'`},
}

func TestImageRefErrors(t *testing.T) {
	for _, tc := range imageRefErrors {
		t.Run(tc.ref, func(t *testing.T) {
			got, err := ImageRef(tc.ref, nil)
			var ie *ImageError
			if !errors.As(err, &ie) || got != (Image{}) {
				t.Fatalf("ImageRef(%q) = %+v, %v; want an *ImageError", tc.ref, got, err)
			}
			if ie.Ref != tc.ref || ie.Msg != tc.msg {
				t.Errorf("ImageRef(%q) error %q %q; want message %q", tc.ref, ie.Ref, ie.Msg, tc.msg)
			}
			if !errors.Is(err, ErrInvalidImage) || !errors.Is(err, ErrInvalidTarget) {
				t.Errorf("ImageRef(%q) error %v is not ErrInvalidImage and ErrInvalidTarget", tc.ref, err)
			}
			if errors.Is(err, ErrDigestOnly) != strings.Contains(tc.msg, "no tag") {
				t.Errorf("ImageRef(%q) error %v: ErrDigestOnly is %v", tc.ref, err, errors.Is(err, ErrDigestOnly))
			}
		})
	}
}

func TestImageRefOrDigest(t *testing.T) {
	for _, tc := range []struct{ ref, canonical, repository string }{
		{"ubuntu@sha256:" + hexA, "docker.io/library/ubuntu", "library/ubuntu"},
		{"docker.io/library/ubuntu@sha256:" + hexA, "docker.io/library/ubuntu", "library/ubuntu"},
		{"registry.example.com:5000/team/app@sha256:" + hexA, "registry.example.com:5000/team/app", "registry.example.com:5000/team/app"},
		{"localhost/app@sha256:" + hexA, "localhost/app", "localhost/app"},
	} {
		got, err := ImageRefOrDigest(tc.ref, nil)
		base, _, _ := strings.Cut(tc.ref, "@")
		want := Image{Name: base, Canonical: tc.canonical, Repository: tc.repository, Digest: "sha256:" + hexA}
		if err != nil || got != want {
			t.Errorf("ImageRefOrDigest(%q) = %+v, %v; want %+v", tc.ref, got, err, want)
		}
	}
	// Everything else ImageRef refuses, ImageRefOrDigest refuses too.
	for _, tc := range imageRefErrors {
		if errors.Is(func() error { _, err := ImageRef(tc.ref, nil); return err }(), ErrDigestOnly) {
			continue
		}
		if got, err := ImageRefOrDigest(tc.ref, nil); err == nil {
			t.Errorf("ImageRefOrDigest(%q) = %+v; want an error", tc.ref, got)
		}
	}
}

func TestImageRefAliases(t *testing.T) {
	aliases := RegistryAliases{}
	for _, a := range []string{"registry.example.com=", "ghcr.io=gh/acme", "index.docker.io=hub", "localhost:5000=local"} {
		if err := aliases.Set(a); err != nil {
			t.Fatalf("Set(%q): %v", a, err)
		}
	}
	for _, tc := range []struct{ ref, target string }{
		{"registry.example.com/app:1.4", "app:1.4"},
		{"registry.example.com:443/app:1.4", "registry.example.com:443/app:1.4"},
		{"ghcr.io/x/y", "gh/acme/x/y:latest"},
		{"ubuntu:24.04", "hub/library/ubuntu:24.04"},
		{"localhost:5000/app:1", "local/app:1"},
		{"quay.io/a/b:1", "quay.io/a/b:1"},
	} {
		got, err := ImageRef(tc.ref, aliases)
		if err != nil || got.Target != tc.target {
			t.Errorf("ImageRef(%q, %v) = %+v, %v; want target %q", tc.ref, aliases, got, err, tc.target)
		}
	}
}

func TestParseRegistryAlias(t *testing.T) {
	for _, tc := range []struct{ in, host, prefix, msg string }{
		{"registry.example.com=", "registry.example.com", "", ""},
		{"docker.io=docker.io", "docker.io", "docker.io", ""},
		{"index.docker.io=", "docker.io", "", ""},
		{"localhost:5000=a/b", "localhost:5000", "a/b", ""},
		{"registry.example.com", "", "", `want HOST=PREFIX, as "registry.example.com=" or "ghcr.io=gh"`},
		{"=x", "", "", "empty host"},
		{"Registry.example.com=", "", "", `host "Registry.example.com" has uppercase letters`},
		{"a/b=", "", "", `host "a/b" is not a registry host[:port]`},
		{"a b=", "", "", `host "a b" is not a registry host[:port]`},
		{"a.com=/x", "", "", `prefix "/x": begins with "/": a target path is relative`},
		{"a.com=x/../y", "", "", `prefix "x/../y": has a ".." segment`},
		{"a.com=x/", "", "", `prefix "x/": has an empty segment`},
		{"a.com=x:1", "", "", `prefix "x:1" contains ":"`},
	} {
		host, prefix, err := ParseRegistryAlias(tc.in)
		if tc.msg == "" {
			if err != nil || host != tc.host || prefix != tc.prefix {
				t.Errorf("ParseRegistryAlias(%q) = %q, %q, %v; want %q, %q", tc.in, host, prefix, err, tc.host, tc.prefix)
			}
			continue
		}
		var ae *AliasError
		if !errors.As(err, &ae) || ae.Msg != tc.msg || ae.Alias != tc.in {
			t.Errorf("ParseRegistryAlias(%q) error %v; want message %q", tc.in, err, tc.msg)
		}
	}
}

func FuzzImageRef(f *testing.F) {
	for _, tc := range imageRefCases {
		f.Add(tc.ref)
	}
	for _, tc := range imageRefErrors {
		f.Add(tc.ref)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		im, err := ImageRef(ref, RegistryAliases{"registry.example.com": ""})
		if err != nil {
			var ie *ImageError
			if !errors.As(err, &ie) || ie.Ref != ref || ie.Msg == "" || im != (Image{}) {
				t.Fatalf("ImageRef(%q) = %+v, %v; want an *ImageError naming the reference and no image", ref, im, err)
			}
			return
		}
		if err := ValidateTarget(im.Target); err != nil {
			t.Fatalf("ImageRef(%q) target %q: %v", ref, im.Target, err)
		}
		if im.Digest != "" && (len(im.Digest) != 71 || !strings.HasPrefix(im.Digest, "sha256:")) {
			t.Fatalf("ImageRef(%q) digest %q", ref, im.Digest)
		}
		again, err := ImageRef(im.Canonical, RegistryAliases{"registry.example.com": ""})
		if err != nil || again.Target != im.Target || again.Canonical != im.Canonical || !strings.HasPrefix(im.Target, im.Repository+":") {
			t.Fatalf("ImageRef(%q) = %+v, but its canonical form gives %+v, %v", ref, im, again, err)
		}
		if other, err := ImageRefOrDigest(ref, RegistryAliases{"registry.example.com": ""}); err != nil || other != im {
			t.Fatalf("ImageRefOrDigest(%q) = %+v, %v; ImageRef gave %+v", ref, other, err, im)
		}
	})
}
