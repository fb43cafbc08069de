// Package fnmatch matches TUF delegated path patterns the way the TUF
// specification's reference implementation, python-tuf, does: with
// Python's fnmatch, one '/'-separated segment at a time.
//
// # Patterns
//
// Within a segment, '*' matches any run of characters, '?' any one
// character, '[seq]' any character in seq and '[!seq]' any character not
// in seq. A set may hold ranges ('[a-f]'); a ']' right after '[' or '[!'
// is a member, not the end; a '[' without a closing ']' is a literal '['.
// There is no escape character: '\' is a literal like any other. Matching
// is by Unicode code point and case-sensitive (python-tuf calls
// fnmatch.fnmatch, which does not fold case on POSIX systems). The odd
// corners of Python's sets (a '-' first or last is a member, an empty
// range such as 'z-a' is dropped) are reproduced as Python 3.11 does them.
//
// # Paths
//
// [MatchPath] splits the pattern and the path on '/' and matches when they
// have as many segments and every segment matches, so that '*' never
// crosses a '/' ("targets/*.tgz" does not match "targets/a/b.tgz").
//
// Matching takes time proportional to the product of the pattern's and
// the name's lengths at worst; it never fails and never panics. The
// functions are safe for concurrent use.
package fnmatch

import (
	"strings"
	"unicode/utf8"
)

// MatchPath reports whether a target path is matched by a delegated path
// pattern, as python-tuf's DelegatedRole.is_delegated_path does.
func MatchPath(pattern, path string) bool {
	if strings.Count(pattern, "/") != strings.Count(path, "/") {
		return false
	}
	for {
		p, prest, more := strings.Cut(pattern, "/")
		n, nrest, _ := strings.Cut(path, "/")
		if !Match(p, n) {
			return false
		}
		if !more {
			return true
		}
		pattern, path = prest, nrest
	}
}

// Match reports whether name matches the pattern as a whole, as Python's
// fnmatch.fnmatchcase(name, pattern) does; '/' is an ordinary character.
// A byte of name that is not valid UTF-8 is one character, U+FFFD.
func Match(pattern, name string) bool {
	return match(compile([]rune(pattern)), runes(name))
}

// runes decodes s, each invalid byte as one U+FFFD.
func runes(s string) []rune {
	rs := make([]rune, 0, len(s))
	for s != "" {
		r, size := utf8.DecodeRuneInString(s)
		rs = append(rs, r)
		s = s[size:]
	}
	return rs
}

// kind is the kind of a pattern token.
type kind uint8

const (
	literal kind = iota // one given character
	anyChar             // '?': any one character
	star                // '*': any run of characters
	set                 // '[…]': one character of a set
)

// token is one element of a compiled pattern.
type token struct {
	kind kind
	r    rune // literal
	set  *charSet
}

// charSet is a bracket expression.
type charSet struct {
	negate bool
	ranges []runeRange // members, each a range (lo == hi for one character)
	never  bool        // an empty set: matches nothing
}

// runeRange is an inclusive range of code points.
type runeRange struct{ lo, hi rune }

func (s *charSet) contains(r rune) bool {
	if s.never {
		return false
	}
	in := false
	for _, rg := range s.ranges {
		if rg.lo <= r && r <= rg.hi {
			in = true
			break
		}
	}
	return in != s.negate
}

// compile turns a pattern into tokens, as Python's fnmatch.translate
// reads it.
func compile(p []rune) []token {
	var toks []token
	for i := 0; i < len(p); {
		c := p[i]
		i++
		switch c {
		case '*':
			if len(toks) == 0 || toks[len(toks)-1].kind != star {
				toks = append(toks, token{kind: star})
			}
		case '?':
			toks = append(toks, token{kind: anyChar})
		case '[':
			j := i
			if j < len(p) && p[j] == '!' {
				j++
			}
			if j < len(p) && p[j] == ']' {
				j++
			}
			for j < len(p) && p[j] != ']' {
				j++
			}
			if j >= len(p) {
				toks = append(toks, token{kind: literal, r: '['})
				continue
			}
			toks = append(toks, token{kind: set, set: parseSet(p, i, j)})
			i = j + 1
		default:
			toks = append(toks, token{kind: literal, r: c})
		}
	}
	return toks
}

// classItem is one element of a set's body: a character, or the '-' that
// joins two characters into a range.
type classItem struct {
	r     rune
	isSep bool
}

// parseSet reads the set p[i:j] (between '[' and its ']'). Like Python,
// it cuts the body into chunks at the hyphens that make ranges, drops
// empty ranges, then reads the result as a regular-expression class.
func parseSet(p []rune, i, j int) *charSet {
	var chunks [][]rune
	if !containsRune(p[i:j], '-') {
		chunks = [][]rune{p[i:j]}
	} else {
		k := i + 1
		if p[i] == '!' {
			k = i + 2
		}
		for {
			k = indexRune(p, '-', k, j)
			if k < 0 {
				break
			}
			chunks = append(chunks, p[i:k])
			i = k + 1
			k += 3
		}
		if i < j {
			chunks = append(chunks, p[i:j])
		} else {
			last := len(chunks) - 1
			chunks[last] = append(chunks[last][:len(chunks[last]):len(chunks[last])], '-')
		}
		for k := len(chunks) - 1; k > 0; k-- {
			prev, next := chunks[k-1], chunks[k]
			if prev[len(prev)-1] > next[0] {
				merged := append(append([]rune{}, prev[:len(prev)-1]...), next[1:]...)
				chunks[k-1] = merged
				chunks = append(chunks[:k], chunks[k+1:]...)
			}
		}
	}
	var body []classItem
	for n, ch := range chunks {
		if n > 0 {
			body = append(body, classItem{isSep: true})
		}
		for _, r := range ch {
			body = append(body, classItem{r: r})
		}
	}
	s := &charSet{}
	if len(body) == 0 {
		s.never = true
		return s
	}
	if !body[0].isSep && body[0].r == '!' {
		s.negate = true
		body = body[1:]
	}
	for x := 0; x < len(body); {
		if x+2 < len(body) && body[x+1].isSep && !body[x].isSep && !body[x+2].isSep {
			s.ranges = append(s.ranges, runeRange{body[x].r, body[x+2].r})
			x += 3
			continue
		}
		if !body[x].isSep {
			s.ranges = append(s.ranges, runeRange{body[x].r, body[x].r})
		}
		x++
	}
	return s
}

func containsRune(rs []rune, r rune) bool {
	return indexRune(rs, r, 0, len(rs)) >= 0
}

// indexRune returns the index of r in rs[from:to], as an index of rs, or
// -1; like Python's str.find(r, from, to).
func indexRune(rs []rune, r rune, from, to int) int {
	for k := from; k < to; k++ {
		if rs[k] == r {
			return k
		}
	}
	return -1
}

// match runs the tokens over name. A '*' is retried one character later
// only from the last '*' seen, which is enough because every other token
// takes exactly one character.
func match(toks []token, name []rune) bool {
	t, n := 0, 0
	starT, starN := -1, 0
	for n < len(name) {
		if t < len(toks) {
			switch tok := toks[t]; tok.kind {
			case star:
				starT, starN = t, n
				t++
				continue
			case anyChar:
				t++
				n++
				continue
			case literal:
				if tok.r == name[n] {
					t++
					n++
					continue
				}
			case set:
				if tok.set.contains(name[n]) {
					t++
					n++
					continue
				}
			}
		}
		if starT < 0 {
			return false
		}
		starN++
		t, n = starT+1, starN
	}
	for t < len(toks) && toks[t].kind == star {
		t++
	}
	return t == len(toks)
}
