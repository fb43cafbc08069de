package resolver

import (
	"context"
	"encoding/hex"
	"errors"
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
