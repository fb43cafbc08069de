package termtext

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// cases are inputs and what Name and Line print for them; they seed the
// fuzz targets too.
var cases = []struct {
	in, name, line string
}{
	{"", "", ""},
	{"library/ubuntu:24.04", "library/ubuntu:24.04", "library/ubuntu:24.04"},
	{"ünïcode/файл/日本語", "ünïcode/файл/日本語", "ünïcode/файл/日本語"},
	{"a b", "a b", "a b"},
	{`say "hi"`, `say "hi"`, `say "hi"`},
	{"library/x\x1b[2J\x1b[31mPWNED", `library/x\x1b[2J\x1b[31mPWNED`, `library/x\x1b[2J\x1b[31mPWNED`},
	{"library/x\nlibrary/ubuntu:24.04  sha256:00000000  verified",
		`library/x\nlibrary/ubuntu:24.04  sha256:00000000  verified`,
		`library/x\nlibrary/ubuntu:24.04  sha256:00000000  verified`},
	{"a\rb\tc\vd\fe\af\bg", `a\rb\tc\vd\fe\af\bg`, `a\rb\tc\vd\fe\af\bg`},
	{"nul\x00del\x7f", `nul\x00del\x7f`, `nul\x00del\x7f`},
	{"c1\u0085\u009b[2J", `c1\u0085\u009b[2J`, `c1\u0085\u009b[2J`},
	{"library/\u202egpj.exe", `library/\u202egpj.exe`, `library/\u202egpj.exe`},
	{"library/ubu\u200bntu", `library/ubu\u200bntu`, `library/ubu\u200bntu`},
	{"\ufefflibrary/ubuntu", `\ufefflibrary/ubuntu`, `\ufefflibrary/ubuntu`},
	{"zwj\u200d\u2066iso\u2069", `zwj\u200d\u2066iso\u2069`, `zwj\u200d\u2066iso\u2069`},
	{"line\u2028para\u2029", `line\u2028para\u2029`, `line\u2028para\u2029`},
	{"nbsp\u00a0ideo\u3000", `nbsp\u00a0ideo\u3000`, `nbsp\u00a0ideo\u3000`},
	{"tag\U000e0001private\ue000", `tag\U000e0001private\ue000`, `tag\U000e0001private\ue000`},
	{"bad\xff\xc3utf8", `bad\xff\xc3utf8`, `bad\xff\xc3utf8`},
	{"replacement\ufffd", "replacement\ufffd", "replacement\ufffd"},
	{`a\b`, `a\\b`, `a\b`},
	{`looks\x1bescaped`, `looks\\x1bescaped`, `looks\x1bescaped`},
	{`target "a\\b\x1b"` + "\x1b", `target "a\\\\b\\x1b"\x1b`, `target "a\\b\x1b"\x1b`},
}

func TestName(t *testing.T) {
	for _, tc := range cases {
		if got := Name(tc.in); got != tc.name {
			t.Errorf("Name(%q) = %q, want %q", tc.in, got, tc.name)
		}
	}
}

func TestLine(t *testing.T) {
	for _, tc := range cases {
		if got := Line(tc.in); got != tc.line {
			t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.line)
		}
	}
}

// TestNameIsQuote checks that Name is the inside of strconv.Quote, the
// notation Go's %q writes in error messages.
func TestNameIsQuote(t *testing.T) {
	for _, tc := range cases {
		q := strconv.Quote(tc.in)
		want := strings.ReplaceAll(q[1:len(q)-1], `\"`, `"`)
		if got := Name(tc.in); got != want {
			t.Errorf("Name(%q) = %q, strconv.Quote gives %q", tc.in, got, want)
		}
	}
}

func TestJSON(t *testing.T) {
	names := []string{
		"library/x\x1b[2J\x1b[31mPWNED",
		"a\nb\u2028c\u2029",
		"del\x7f c1\u0085\u009b",
		"library/\u202egpj.exe",
		"ubu\u200bntu\ufeff",
		"tag\U000e0001",
		"ünïcode/файл <&>",
	}
	for _, name := range names {
		data, err := json.Marshal(map[string]string{"target": name})
		if err != nil {
			t.Fatal(err)
		}
		out := JSON(data)
		checkPrintable(t, "JSON", string(out), "")
		var back map[string]string
		if err := json.Unmarshal(out, &back); err != nil || back["target"] != name {
			t.Errorf("JSON(%s) = %s, decodes to %q (%v), want %q", data, out, back["target"], err, name)
		}
	}
	plain := []byte("{\n  \"target\": \"ünïcode\"\n}\n")
	if out := JSON(plain); !bytes.Equal(out, plain) {
		t.Errorf("JSON changed a printable document: %q", out)
	}
	if out := JSON([]byte(`"a` + "\xff" + `"`)); string(out) != `"a\ufffd"` {
		t.Errorf(`JSON("a\xff") = %s, want "a\ufffd"`, out)
	}
}

// checkPrintable fails unless s is valid UTF-8 and every rune is printable
// or one of allowed.
func checkPrintable(t *testing.T, what, s, allowed string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("%s: %q is not valid UTF-8", what, s)
	}
	for _, r := range s {
		if strings.ContainsRune(allowed, r) {
			continue
		}
		if !strconv.IsPrint(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) ||
			unicode.Is(unicode.Zl, r) || unicode.Is(unicode.Zp, r) {
			t.Fatalf("%s: %q holds %U", what, s, r)
		}
	}
}

// unescape inverts Name.
func unescape(s string) (string, error) {
	return strconv.Unquote(`"` + strings.ReplaceAll(s, `"`, `\"`) + `"`)
}

// FuzzName checks that Name prints printable runes only, leaves printable
// text without a backslash as it is, and is reversible, so that distinct
// names print distinctly.
func FuzzName(f *testing.F) {
	for _, tc := range cases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Name(s)
		checkPrintable(t, "Name", got, "")
		back, err := unescape(got)
		if err != nil || back != s {
			t.Fatalf("Name(%q) = %q, which reads back as %q (%v)", s, got, back, err)
		}
		if utf8.ValidString(s) && !strings.ContainsRune(s, '\\') && strings.IndexFunc(s, func(r rune) bool { return !strconv.IsPrint(r) }) < 0 && got != s {
			t.Fatalf("Name(%q) = %q, want it unchanged", s, got)
		}
	})
}

// FuzzLine checks that Line prints printable runes only and differs from
// Name only in leaving backslashes alone.
func FuzzLine(f *testing.F) {
	for _, tc := range cases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Line(s)
		checkPrintable(t, "Line", got, "")
		if !strings.ContainsRune(s, '\\') && got != Name(s) {
			t.Fatalf("Line(%q) = %q, Name gives %q", s, got, Name(s))
		}
	})
}

// FuzzJSON checks that JSON leaves a document printable and decoding to
// the same value.
func FuzzJSON(f *testing.F) {
	for _, tc := range cases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		data, err := json.MarshalIndent([]string{s, "x"}, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		out := JSON(data)
		checkPrintable(t, "JSON", string(out), "\n")
		var want, got []string
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(out, &got); err != nil || len(got) != 2 || got[0] != want[0] {
			t.Fatalf("JSON(%s) = %s, decodes to %q (%v), want %q", data, out, got, err, want)
		}
	})
}
