package mapfile

import (
	"errors"
	"strings"
	"testing"
)

// targetCases are target paths and what ValidateTarget says of them; they
// seed FuzzValidateTarget too.
var targetCases = []struct {
	path string
	msg  string // "" when valid
}{
	{"a", ""},
	{"library/ubuntu:latest", ""},
	{"a/b/c.tar.gz", ""},
	{"a/.hidden/..x/x..", ""},
	{"ünïcode/файл", ""},
	{"a b/c", ""},
	{strings.Repeat("a", MaxTargetLength), ""},
	{"", "empty"},
	{strings.Repeat("a", MaxTargetLength+1), "longer than 4096 bytes"},
	{"/a", `begins with "/": a target path is relative`},
	{"a/", "has an empty segment"},
	{"a//b", "has an empty segment"},
	{".", `has a "." segment`},
	{"a/./b", `has a "." segment`},
	{"..", `has a ".." segment`},
	{"a/../b", `has a ".." segment`},
	{"../etc/passwd", `has a ".." segment`},
	{"a/..", `has a ".." segment`},
	{`a\b`, "contains a backslash"},
	{`..\x`, "contains a backslash"},
	{"a\x00b", "contains NUL"},
	{"a\nb", "contains a control character"},
	{"a\x7fb", "contains a control character"},
	{"a\u0085b", "contains a control character"},
	{"a\xffb", "not valid UTF-8"},
	{"library/\u202egpj.exe", "contains a format character (U+202E)"},
	{"library/ubu\u200bntu:24.04", "contains a format character (U+200B)"},
	{"library/ubuntu\u200d:24.04", "contains a format character (U+200D)"},
	{"\ufefflibrary/ubuntu:24.04", "contains a format character (U+FEFF)"},
	{"a\u2066b\u2069", "contains a format character (U+2066)"},
	{"soft\u00adhyphen", "contains a format character (U+00AD)"},
	{"tag\U000e0001", "contains a format character (U+E0001)"},
	{"a\u2028b", "contains a line separator (U+2028)"},
	{"a\u2029b", "contains a paragraph separator (U+2029)"},
	{"a\x1b[2J\u202e", "contains a control character"},
	{"nbsp\u00a0and\u3000ideographic space", ""},
	{"emoji/\U0001f600", ""},
}

func TestValidateTarget(t *testing.T) {
	for _, tc := range targetCases {
		t.Run(tc.path, func(t *testing.T) {
			err := ValidateTarget(tc.path)
			if tc.msg == "" {
				if err != nil {
					t.Fatalf("ValidateTarget(%q) = %v, want nil", tc.path, err)
				}
				return
			}
			var te *TargetError
			if !errors.As(err, &te) || !errors.Is(err, ErrInvalidTarget) {
				t.Fatalf("ValidateTarget(%q) = %v (%T), want a *TargetError", tc.path, err, err)
			}
			if te.Target != tc.path || te.Msg != tc.msg {
				t.Errorf("ValidateTarget(%q) = %+v, want message %q", tc.path, te, tc.msg)
			}
		})
	}
}

func TestTargetErrorFormat(t *testing.T) {
	err := ValidateTarget("a/../b")
	if want := `invalid target "a/../b": has a ".." segment`; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

// imageCases are image names and tags; they seed FuzzImageTarget too.
var imageCases = []struct {
	gun, tag string
	want     string // "" when refused
	msg      string
}{
	{"library/ubuntu", "latest", "library/ubuntu:latest", ""},
	{"ubuntu", "22.04", "ubuntu:22.04", ""},
	{"localhost:5000/app", "v1", "localhost:5000/app:v1", ""},
	{"library/ubuntu", "", "", "empty tag"},
	{"library/ubuntu:24.04", "extra", "", `image name "library/ubuntu:24.04" already has a tag: give GUN TAG or GUN:TAG, not both`},
	{"localhost:5000/app:v1", "v2", "", `image name "localhost:5000/app:v1" already has a tag: give GUN TAG or GUN:TAG, not both`},
	{"library/ubuntu", "a/b", "", `tag "a/b" contains "/" or ":"`},
	{"library/ubuntu", "sha256:abc", "", `tag "sha256:abc" contains "/" or ":"`},
	{"", "latest", "", `image name "": empty`},
	{"/library/ubuntu", "latest", "", `image name "/library/ubuntu": begins with "/": a target path is relative`},
	{"../ubuntu", "latest", "", `image name "../ubuntu": has a ".." segment`},
	{"library/ubuntu", "la\x00test", "", "contains NUL"},
	{"library/ubuntu", "la\\test", "", "contains a backslash"},
	{"library/ubuntu", "24.04\u200b", "", "contains a format character (U+200B)"},
	{"library/\u202eutnubu", "latest", "", `image name "library/\u202eutnubu": contains a format character (U+202E)`},
	{strings.Repeat("a", MaxTargetLength-2), "ab", "", "longer than 4096 bytes"},
}

func TestImageTarget(t *testing.T) {
	for _, tc := range imageCases {
		t.Run(tc.gun+" "+tc.tag, func(t *testing.T) {
			got, err := ImageTarget(tc.gun, tc.tag)
			if tc.want != "" {
				if err != nil || got != tc.want {
					t.Fatalf("ImageTarget(%q, %q) = %q, %v; want %q", tc.gun, tc.tag, got, err, tc.want)
				}
				return
			}
			var te *TargetError
			if !errors.As(err, &te) || got != "" {
				t.Fatalf("ImageTarget(%q, %q) = %q, %v; want a *TargetError", tc.gun, tc.tag, got, err)
			}
			if te.Msg != tc.msg {
				t.Errorf("ImageTarget(%q, %q) error %q, want message %q", tc.gun, tc.tag, te.Msg, tc.msg)
			}
		})
	}
}
