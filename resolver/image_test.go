package resolver

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/accord-tuf/accord/mapfile"
)

func TestResolveImage(t *testing.T) {
	const target = "library/ubuntu:24.04"
	in := newInfos(t, target)
	consensus := "sha256:" + hex.EncodeToString(in.x.Hashes["sha256"])
	other := "sha256:" + hex.EncodeToString(in.y.Hashes["sha256"])
	m := mapOf(t, `[{"paths": ["library/*"], "repositories": ["ci", "qa"]}]`)
	tests := []struct {
		name   string
		ref    string
		signs  map[string]*metadata.TargetFiles
		digest string // the digest the runtime resolved, for Check
		ref2   string // want Ref()
		err    error  // want errors.Is(Check(digest), err); nil: allowed
		msg    string // the error's message contains it
	}{
		{name: "verified", ref: "ubuntu:24.04", signs: map[string]*metadata.TargetFiles{"ci": in.x, "qa": in.x}, digest: consensus, ref2: "ubuntu:24.04@" + consensus},
		{name: "reference digest agrees", ref: "ubuntu:24.04@" + consensus, signs: map[string]*metadata.TargetFiles{"ci": in.x, "qa": in.x}, digest: consensus, ref2: "ubuntu:24.04@" + consensus},
		{name: "reference digest differs", ref: "docker.io/library/ubuntu:24.04@" + other, signs: map[string]*metadata.TargetFiles{"ci": in.x, "qa": in.x}, digest: other, err: ErrDigestMismatch,
			msg: `image "docker.io/library/ubuntu:24.04" (target "library/ubuntu:24.04"): the reference's digest ` + other + " does not match the consensus " + consensus},
		{name: "resolved digest differs", ref: "ubuntu:24.04", signs: map[string]*metadata.TargetFiles{"ci": in.x, "qa": in.x}, digest: other, err: ErrDigestMismatch, ref2: "ubuntu:24.04@" + consensus,
			msg: "resolved digest " + other + " does not match the consensus " + consensus},
		{name: "no consensus", ref: "ubuntu:24.04", signs: map[string]*metadata.TargetFiles{"ci": in.x, "qa": in.y}, digest: consensus, err: ErrNoConsensus},
		{name: "not found", ref: "ubuntu:24.04", digest: consensus, err: ErrNotFound},
		{name: "no sha256", ref: "ubuntu:24.04", signs: map[string]*metadata.TargetFiles{"ci": in.x512, "qa": in.x512}, digest: consensus, err: ErrNoImageDigest,
			msg: `image "ubuntu:24.04" (target "library/ubuntu:24.04"): the consensus has no sha256 hash`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := pipelineWorld(target, tc.signs, nil)
			im, err := mapfile.ImageRef(tc.ref, nil)
			if err != nil {
				t.Fatal(err)
			}
			ir, err := New(m, w.open).ResolveImage(context.Background(), im, nil)
			if err != nil {
				t.Fatal(err)
			}
			if ir.Result == nil || ir.Result.Target != target {
				t.Fatalf("result %+v, want one for %s", ir.Result, target)
			}
			// accord serve judges the result it resolved itself: the
			// same decision.
			if j := JudgeImage(im, ir.Result); j.Digest != ir.Digest || fmt.Sprint(j.Err) != fmt.Sprint(ir.Err) {
				t.Errorf("JudgeImage gives %q, %v; ResolveImage %q, %v", j.Digest, j.Err, ir.Digest, ir.Err)
			}
			err = ir.Check(tc.digest)
			if tc.err == nil {
				if err != nil || ir.Ref() != tc.ref2 {
					t.Fatalf("Check: %v, Ref %q; want allowed, %q", err, ir.Ref(), tc.ref2)
				}
				return
			}
			if !errors.Is(err, tc.err) || ir.Ref() != tc.ref2 {
				t.Fatalf("Check: %v, Ref %q; want %v and reference %q", err, ir.Ref(), tc.err, tc.ref2)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not contain %q", err, tc.msg)
			}
		})
	}
}

func TestResolveImageDigest(t *testing.T) {
	in24 := newInfos(t, "library/ubuntu:24.04")
	in22 := newInfos(t, "library/ubuntu:22.04")
	other := targetInfo(t, "library/ubuntu-other:1", []byte("another image"), "sha256")
	digest := func(info *metadata.TargetFiles) string { return "sha256:" + hex.EncodeToString(info.Hashes["sha256"]) }
	w := newWorld(
		repoOf("ci").sign(in24.x, nil).sign(in22.y, nil).sign(newInfos(t, "library/ubuntu:dev").z, nil).sign(other, nil),
		repoOf("qa").sign(in24.x, nil).sign(in22.y, nil).sign(other, nil),
		repoOf("staging"), repoOf("prod"),
	)
	m := mapOf(t, `[{"paths": ["library/*"], "repositories": ["ci", "qa"]}]`)
	for _, tc := range []struct {
		name, digest, target string
		err                  error
	}{
		{"the tag verified with the digest", digest(in22.y), "library/ubuntu:22.04", nil},
		{"another tag's digest", digest(in24.x), "library/ubuntu:24.04", nil},
		{"a digest only ci signs", digest(newInfos(t, "library/ubuntu:dev").z), "", ErrNoTagForDigest},
		{"another image's digest", digest(other), "", ErrNoTagForDigest},
		{"a digest no one signs", "sha256:" + strings.Repeat("0", 64), "", ErrNoTagForDigest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			im, err := mapfile.ImageRefOrDigest("docker.io/library/ubuntu@"+tc.digest, nil)
			if err != nil {
				t.Fatal(err)
			}
			ir, err := New(m, w.open).ResolveImageDigest(context.Background(), im, nil)
			if err != nil {
				t.Fatal(err)
			}
			err = ir.Check(tc.digest)
			if tc.err != nil {
				if !errors.Is(err, tc.err) || ir.Ref() != "" {
					t.Fatalf("Check: %v, Ref %q; want %v", err, ir.Ref(), tc.err)
				}
				return
			}
			if err != nil || ir.Image.Target != tc.target || ir.Result.Target != tc.target || ir.Ref() != "docker.io/library/ubuntu@"+tc.digest {
				t.Fatalf("Check: %v, target %q, Ref %q; want %s allowed", err, ir.Image.Target, ir.Ref(), tc.target)
			}
		})
	}
	// A reference with a tag is resolved by its tag alone.
	im, err := mapfile.ImageRefOrDigest("ubuntu:24.04", nil)
	if err != nil {
		t.Fatal(err)
	}
	ir, err := New(m, w.open).ResolveImageDigest(context.Background(), im, nil)
	if err != nil || ir.Check(digest(in24.x)) != nil {
		t.Fatalf("ResolveImageDigest(ubuntu:24.04): %+v, %v", ir, err)
	}
}

func TestEscapeGlob(t *testing.T) {
	for _, s := range []string{"a*b/c", "x?y", "[ab]", "{a,b}", `a\b`, "!x", "plain/path.x-y_z"} {
		got := escapeGlob(s)
		p, err := mapfile.Parse("map.json", []byte(`{"repositories": {"ci": ["https://tuf.example.com/ci"]}, "mapping": [{"paths": [`+strconv.Quote(got)+`], "repositories": ["ci"]}]}`))
		if err != nil {
			t.Fatalf("escapeGlob(%q) = %q: %v", s, got, err)
		}
		if len(p.Match(s)) != 1 {
			t.Errorf("escapeGlob(%q) = %q does not match %q", s, got, s)
		}
		if len(p.Match(s+"x")) != 0 {
			t.Errorf("escapeGlob(%q) = %q matches %q", s, got, s+"x")
		}
	}
}
