package resolver

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

func TestVerify(t *testing.T) {
	data := []byte("the release bytes")
	info := targetInfo(t, "app", data, "sha256", "sha512")
	verified := &Result{Target: "app", Status: StatusVerified, Length: info.Length, Hashes: info.Hashes}
	sha512Only := &Result{Target: "app", Status: StatusVerified, Length: info.Length, Hashes: metadata.Hashes{"sha512": info.Hashes["sha512"]}}
	tests := []struct {
		name      string
		res       *Result
		r         io.Reader
		is        error  // nil when the bytes must pass
		algorithm string // the mismatching algorithm, "" for the length
	}{
		{name: "right", res: verified, r: bytes.NewReader(data)},
		{name: "right, one byte at a time", res: verified, r: iotest.OneByteReader(bytes.NewReader(data))},
		{name: "right against sha512 alone", res: sha512Only, r: bytes.NewReader(data)},
		{name: "tampered", res: verified, r: bytes.NewReader(flip(data)), is: ErrMismatch, algorithm: "sha256"},
		{name: "tampered against sha512 alone", res: sha512Only, r: bytes.NewReader(flip(data)), is: ErrMismatch, algorithm: "sha512"},
		{name: "truncated", res: verified, r: bytes.NewReader(data[:3]), is: ErrMismatch},
		{name: "extended", res: verified, r: bytes.NewReader(append(bytes.Clone(data), 0)), is: ErrMismatch},
		{name: "empty", res: verified, r: bytes.NewReader(nil), is: ErrMismatch},
		{name: "read error", res: verified, r: iotest.ErrReader(errBoom), is: errBoom},
		{name: "not verified", res: &Result{Target: "app", Status: StatusNoConsensus}, r: bytes.NewReader(data), is: ErrNotVerified},
		{name: "no result", r: bytes.NewReader(data), is: ErrNotVerified},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Verify(tc.res, tc.r)
			if tc.is == nil {
				if err != nil {
					t.Fatalf("Verify = %v, want success", err)
				}
				return
			}
			if !errors.Is(err, tc.is) {
				t.Fatalf("Verify = %v, want %v", err, tc.is)
			}
			var m *MismatchError
			if errors.As(err, &m) && m.Algorithm != tc.algorithm {
				t.Errorf("mismatch on %q, want %q", m.Algorithm, tc.algorithm)
			}
		})
	}
}

func TestVerifyUncheckableAlgorithm(t *testing.T) {
	res := &Result{Target: "app", Status: StatusVerified, Length: 1, Hashes: metadata.Hashes{"sha256": make([]byte, 32), "blake3": {1}}}
	err := Verify(res, bytes.NewReader([]byte("x")))
	if err == nil || err.Error() != `target "app": cannot check hash algorithm "blake3"` {
		t.Errorf("Verify = %v, want an error naming the algorithm", err)
	}
}

func TestMismatchMessage(t *testing.T) {
	data := []byte("abc")
	info := targetInfo(t, "app", data, "sha256")
	res := &Result{Target: "app", Status: StatusVerified, Length: 3, Hashes: info.Hashes}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"short", []byte("ab"), `target "app": length 2 does not match the consensus 3`},
		{"long", []byte("abcd"), `target "app": length more than 3 does not match the consensus 3`},
		{"digest", []byte("abd"), `target "app": sha256 a52d159f262b2c6ddb724a61840befc36eb30c88877a4030b65cbe86298449c9 does not match the consensus ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := Verify(res, bytes.NewReader(tc.data)); err == nil || err.Error() != tc.want {
				t.Errorf("Verify = %v\nwant %s", err, tc.want)
			}
		})
	}
}
