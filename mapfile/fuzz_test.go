package mapfile

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/gobwas/glob/syntax"
	"github.com/gobwas/glob/syntax/ast"
)

// maxSeed is the largest test case that seeds a fuzz target: the fuzzer
// spends its time minimising large inputs rather than exploring.
const maxSeed = 1024

func FuzzParse(f *testing.F) {
	for _, src := range validMaps {
		f.Add([]byte(src))
	}
	for _, tc := range parseErrorCases {
		if len(tc.src) <= maxSeed {
			f.Add([]byte(tc.src))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse("fuzz.json", data)
		if err != nil {
			var errs *Errors
			if !errors.As(err, &errs) || len(errs.List) == 0 || m != nil {
				t.Fatalf("Parse error %T %v with map %v: want a non-empty *Errors and no map", err, err, m)
			}
			for _, e := range errs.List {
				if e.File != "fuzz.json" || e.Msg == "" {
					t.Fatalf("defect %+v does not name the file or say what is wrong", e)
				}
			}
			return
		}
		checkInvariants(t, m)
		checkRoundTrip(t, m)
		m.Warnings()
		for _, mp := range m.Mapping {
			for _, p := range mp.Paths {
				m.Match(p)
				m.Match(p + "/x")
			}
		}
	})
}

// checkInvariants checks what Parse promises of a map it returns.
func checkInvariants(t *testing.T, m *Map) {
	t.Helper()
	if len(m.Repositories) == 0 || len(m.Mapping) == 0 {
		t.Fatalf("map without repositories or mapping: %+v", m)
	}
	for _, r := range m.Repositories {
		if !namePattern.MatchString(r.Name) || len(r.Mirrors) == 0 {
			t.Fatalf("repository %+v: bad name or no mirror", r)
		}
		for _, mir := range r.Mirrors {
			if _, msg := checkURL(mir.Metadata); msg != "" {
				t.Fatalf("repository %q: metadata URL: %s", r.Name, msg)
			}
			if _, msg := checkURL(mir.Targets); msg != "" {
				t.Fatalf("repository %q: targets URL: %s", r.Name, msg)
			}
		}
	}
	for i, mp := range m.Mapping {
		if len(mp.Paths) == 0 || len(mp.Repositories) == 0 || mp.Threshold < 1 || mp.Threshold > len(mp.Repositories) {
			t.Fatalf("mapping[%d] %+v breaks the rules", i, mp)
		}
		for _, name := range mp.Repositories {
			if _, ok := m.Repository(name); !ok {
				t.Fatalf("mapping[%d] names undeclared %q", i, name)
			}
		}
		for _, p := range mp.Paths {
			if p == "" || p[0] == '/' {
				t.Fatalf("mapping[%d] has pattern %q", i, p)
			}
		}
	}
}

func FuzzMatch(f *testing.F) {
	f.Add("**", "a/b")
	f.Add("{a,b}/[!x]?/**", "a/y1/z")
	f.Add("/{a{*.json{", "/a/b/c/d/e/foo.json")
	f.Add("{0*,0}", "0")  // panics in gobwas/glob's matcher
	f.Add("0**0", "0")    // gobwas/glob's matcher says it matches
	f.Add("*{0**0}", "0") // gobwas/glob's matcher says it matches
	f.Add("a***b", "a/x/b")
	f.Add(`[\]a-]{x\,,y}`, "]y")
	for _, tc := range parseErrorCases {
		f.Add(tc.src, tc.name)
	}
	f.Fuzz(func(t *testing.T, pattern, target string) {
		g, err := compilePattern(pattern)
		if err != nil {
			return
		}
		got := g.Match(target)
		// The oracle backtracks: keep it to small inputs.
		if len(pattern) > 32 || len(target) > 32 || !utf8.ValidString(target) {
			return
		}
		tree, err := syntax.Parse(pattern)
		if err != nil {
			t.Fatalf("compilePattern accepted %q, gobwas/glob cannot parse it: %v", pattern, err)
		}
		if want := oracleMatch(tree.Children, target, func(rest string) bool { return rest == "" }); got != want {
			t.Fatalf("pattern %q, target %q: Match = %v, want %v", pattern, target, got, want)
		}
	})
}

// oracleMatch reports whether a prefix of s matches the sequence of
// gobwas/glob parse nodes seq with k accepting the rest: SPEC section 2's
// semantics, by backtracking, independently of the regular expressions.
func oracleMatch(seq []*ast.Node, s string, k func(string) bool) bool {
	if len(seq) == 0 {
		return k(s)
	}
	n, rest := seq[0], seq[1:]
	next := func(s string) bool { return oracleMatch(rest, s, k) }
	switch n.Kind {
	case ast.KindPattern:
		return oracleMatch(n.Children, s, next)
	case ast.KindAnyOf:
		for _, c := range n.Children {
			if oracleMatch([]*ast.Node{c}, s, next) {
				return true
			}
		}
		return false
	case ast.KindText:
		text := n.Value.(ast.Text).Text
		return strings.HasPrefix(s, text) && next(s[len(text):])
	case ast.KindAny, ast.KindSuper:
		for i := 0; ; {
			if next(s[i:]) {
				return true
			}
			if i == len(s) || n.Kind == ast.KindAny && s[i] == '/' {
				return false
			}
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
		}
	case ast.KindSingle, ast.KindList, ast.KindRange:
		r, size := utf8.DecodeRuneInString(s)
		return size > 0 && oracleOne(n, r) && next(s[size:])
	case ast.KindNothing:
		return next(s)
	}
	panic(fmt.Sprintf("oracle: unknown node %v", n.Kind))
}

// oracleOne reports whether the one-character node n matches r.
func oracleOne(n *ast.Node, r rune) bool {
	switch v := n.Value.(type) {
	case ast.List:
		return strings.ContainsRune(v.Chars, r) != v.Not
	case ast.Range:
		return (v.Lo <= r && r <= v.Hi) != v.Not
	}
	return r != '/' // "?"
}

func FuzzValidateTarget(f *testing.F) {
	for _, tc := range targetCases {
		if len(tc.path) <= maxSeed {
			f.Add(tc.path)
		}
	}
	f.Fuzz(func(t *testing.T, path string) {
		err := ValidateTarget(path)
		if err != nil {
			var te *TargetError
			if !errors.As(err, &te) || te.Target != path {
				t.Fatalf("ValidateTarget(%q) = %v, want a *TargetError", path, err)
			}
			return
		}
		checkTarget(t, path)
	})
}

func FuzzImageTarget(f *testing.F) {
	for _, tc := range imageCases {
		if len(tc.gun) <= maxSeed {
			f.Add(tc.gun, tc.tag)
		}
	}
	f.Fuzz(func(t *testing.T, gun, tag string) {
		target, err := ImageTarget(gun, tag)
		if err != nil {
			if !errors.Is(err, ErrInvalidTarget) || target != "" {
				t.Fatalf("ImageTarget(%q, %q) = %q, %v", gun, tag, target, err)
			}
			return
		}
		if target != gun+":"+tag || tag == "" || strings.ContainsAny(tag, "/:") || strings.Contains(path.Base(gun), ":") {
			t.Fatalf("ImageTarget(%q, %q) = %q", gun, tag, target)
		}
		checkTarget(t, target)
		checkTarget(t, gun)
	})
}

// checkTarget checks that an accepted target path keeps SPEC section 2.
func checkTarget(t *testing.T, path string) {
	t.Helper()
	if path == "" || path[0] == '/' || len(path) > MaxTargetLength || !utf8.ValidString(path) ||
		strings.ContainsAny(path, "\\\x00") {
		t.Fatalf("accepted target %q", path)
	}
	for _, seg := range strings.Split(path, "/") {
		if seg == "" || seg == "." || seg == ".." {
			t.Fatalf("accepted target %q with segment %q", path, seg)
		}
	}
	for _, r := range path {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) {
			t.Fatalf("accepted target %q with a control character", path)
		}
		if unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) {
			t.Fatalf("accepted target %q with the invisible character %U", path, r)
		}
	}
}
