package fnmatch

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestMatchPython checks Match and MatchPath against the answers of
// Python's fnmatch.fnmatch and python-tuf's
// DelegatedRole._is_target_in_pathpattern, recorded in
// testdata/python.json by testdata/gen.py: hand-picked cases for '*', '?',
// sets, negated sets, ranges, ']' first in a set, unclosed '[' and
// backslashes, then random ones.
func TestMatchPython(t *testing.T) {
	data, err := os.ReadFile("testdata/python.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases [][4]any
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 1000 {
		t.Fatalf("only %d cases in python.json", len(cases))
	}
	for _, c := range cases {
		pattern, name := c[0].(string), c[1].(string)
		segment, path := c[2].(bool), c[3].(bool)
		if got := Match(pattern, name); got != segment {
			t.Errorf("Match(%q, %q) = %v, Python's fnmatch says %v", pattern, name, got, segment)
		}
		if got := MatchPath(pattern, name); got != path {
			t.Errorf("MatchPath(%q, %q) = %v, python-tuf says %v", pattern, name, got, path)
		}
	}
}

// TestMatchPath names the behaviours the TUF specification relies on.
func TestMatchPath(t *testing.T) {
	for _, tc := range []struct {
		pattern, path string
		want          bool
	}{
		{"releases/v[!0]*.tar.gz", "releases/v1.2.0.tar.gz", true},
		{"releases/v[!0]*.tar.gz", "releases/v0.9.0.tar.gz", false},
		{"releases/*", "releases/a/b.tar.gz", false}, // '*' does not cross '/'
		{"releases/*/*", "releases/a/b.tar.gz", true},
		{"releases/?", "releases/a", true},
		{"releases?a", "releases/a", false}, // nor does '?'
		{"r[!a]leases/x", "r/leases/x", false},
		{`releases\*`, `releases\x`, true}, // '\' is a literal
		{`releases\*`, `releases*`, false},
		{"[a-c]/x", "b/x", true},
		{"[]]/x", "]/x", true},
		{"v[1", "v[1", true}, // an unclosed '[' is a literal
		{"", "", true},
		{"a/", "a", false},
		{"A/*", "a/b", false}, // case-sensitive
	} {
		if got := MatchPath(tc.pattern, tc.path); got != tc.want {
			t.Errorf("MatchPath(%q, %q) = %v, want %v", tc.pattern, tc.path, got, tc.want)
		}
	}
}

// TestMatchLong checks that a pattern with many stars against a long name
// that it does not match answers (no exponential backtracking).
func TestMatchLong(t *testing.T) {
	pattern := strings.Repeat("*a", 500) + "b"
	name := strings.Repeat("a", 5000)
	if Match(pattern, name) {
		t.Fatal("matched")
	}
	if !Match(pattern, name+"b") {
		t.Fatal("did not match")
	}
}

// FuzzMatch compares Match with a second, independent matcher:
// Python's fnmatch.translate, transcribed to produce a Go regular
// expression.
func FuzzMatch(f *testing.F) {
	data, err := os.ReadFile("testdata/python.json")
	if err != nil {
		f.Fatal(err)
	}
	var cases [][4]any
	if err := json.Unmarshal(data, &cases); err != nil {
		f.Fatal(err)
	}
	for i, c := range cases {
		if i%20 == 0 {
			f.Add(c[0].(string), c[1].(string))
		}
	}
	f.Fuzz(func(t *testing.T, pattern, name string) {
		if !utf8.ValidString(pattern) || !utf8.ValidString(name) {
			return // not an input: Python strings, and TUF's JSON, are code points
		}
		re, err := regexp.Compile(translate(pattern))
		if err != nil {
			t.Fatalf("translate(%q) = %q: %v", pattern, translate(pattern), err)
		}
		if got, want := Match(pattern, name), re.MatchString(name); got != want {
			t.Fatalf("Match(%q, %q) = %v, translated pattern %q says %v", pattern, name, got, translate(pattern), want)
		}
		want := strings.Count(pattern, "/") == strings.Count(name, "/")
		if want {
			ps, ns := strings.Split(pattern, "/"), strings.Split(name, "/")
			for i := range ps {
				want = want && Match(ps[i], ns[i])
			}
		}
		if got := MatchPath(pattern, name); got != want {
			t.Fatalf("MatchPath(%q, %q) = %v, segment by segment %v", pattern, name, got, want)
		}
	})
}

// translate is Python 3.11's fnmatch.translate, line by line, producing
// Go's syntax: the class body is built with the same string operations,
// then each character is quoted for Go (which reads "[:" in a class as a
// named class where Python does not).
func translate(pat string) string {
	p := []rune(pat)
	n := len(p)
	var res strings.Builder
	res.WriteString(`^(?s:`)
	i := 0
	lastStar := false
	for i < n {
		c := p[i]
		i++
		if c == '*' {
			if !lastStar {
				res.WriteString(".*")
			}
			lastStar = true
			continue
		}
		lastStar = false
		switch c {
		case '?':
			res.WriteString(".")
		case '[':
			j := i
			if j < n && p[j] == '!' {
				j++
			}
			if j < n && p[j] == ']' {
				j++
			}
			for j < n && p[j] != ']' {
				j++
			}
			if j >= n {
				res.WriteString(`\[`)
				continue
			}
			stuff := pyClass(p, i, j)
			i = j + 1
			switch {
			case stuff == "":
				res.WriteString(`[^\x00-\x{10FFFF}]`)
			case stuff == "!":
				res.WriteString(".")
			default:
				res.WriteString("[")
				if strings.HasPrefix(stuff, "!") {
					res.WriteString("^")
					stuff = stuff[1:]
				}
				res.WriteString(goClass(stuff))
				res.WriteString("]")
			}
		default:
			res.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	res.WriteString(`)\z`)
	return res.String()
}

// pyClass is the class body Python builds for p[i:j], in Python's
// syntax: '\' escapes, unescaped '-' makes ranges.
func pyClass(p []rune, i, j int) string {
	stuff := string(p[i:j])
	if !strings.Contains(stuff, "-") {
		return strings.ReplaceAll(stuff, `\`, `\\`)
	}
	var chunks []string
	k := i + 1
	if p[i] == '!' {
		k = i + 2
	}
	for {
		k = find(p, '-', k, j)
		if k < 0 {
			break
		}
		chunks = append(chunks, string(p[i:k]))
		i = k + 1
		k += 3
	}
	if chunk := string(p[i:j]); chunk != "" {
		chunks = append(chunks, chunk)
	} else {
		chunks[len(chunks)-1] += "-"
	}
	for k := len(chunks) - 1; k > 0; k-- {
		prev, next := []rune(chunks[k-1]), []rune(chunks[k])
		if prev[len(prev)-1] > next[0] {
			chunks[k-1] = string(prev[:len(prev)-1]) + string(next[1:])
			chunks = append(chunks[:k], chunks[k+1:]...)
		}
	}
	for k, s := range chunks {
		chunks[k] = strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "-", `\-`)
	}
	return strings.Join(chunks, "-")
}

func find(p []rune, r rune, from, to int) int {
	for k := from; k < to; k++ {
		if p[k] == r {
			return k
		}
	}
	return -1
}

// goClass rewrites a Python class body for Go: escaped characters and
// plain ones become \x{…}, unescaped '-' stays a range.
func goClass(body string) string {
	var b strings.Builder
	rs := []rune(body)
	for k := 0; k < len(rs); k++ {
		r := rs[k]
		switch {
		case r == '\\' && k+1 < len(rs):
			k++
			r = rs[k]
		case r == '-':
			b.WriteByte('-')
			continue
		}
		fmt.Fprintf(&b, `\x{%X}`, r)
	}
	return b.String()
}
