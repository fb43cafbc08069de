package mapfile

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/gobwas/glob"
	"github.com/gobwas/glob/syntax"
	"github.com/gobwas/glob/syntax/ast"
)

// maxPatternLength is the longest pattern accepted, in bytes: no longer
// pattern is needed to match a target of MaxTargetLength bytes.
const maxPatternLength = MaxTargetLength

// maxSpecial is the most special characters ("*", "?", "[", "{", ",") a
// pattern may hold.
const maxSpecial = 64

// pattern is a compiled pattern.
//
// gobwas/glob parses the pattern and must compile it, but the match is made
// by a regular expression built from gobwas/glob's parse tree: its own
// matchers (v0.2.3) panic on some patterns ("{0*,0}" against "0") and
// mismatch others ("0**0" matches "0"). Go's regular expressions run in time
// linear in the target and never panic.
type pattern struct {
	re *regexp.Regexp
}

// Match reports whether the whole of target matches the pattern; a nil
// pattern matches nothing.
func (p *pattern) Match(target string) bool {
	return p != nil && p.re.MatchString(target)
}

// compilePattern checks a pattern and compiles it with "/" as the separator.
// Besides what gobwas/glob refuses, it refuses an empty pattern, one that
// begins with "/", one longer than maxPatternLength, control characters
// (gobwas/glob reads NUL as the end of the pattern), unclosed brackets and
// braces, an empty character class or alternative, a character range that
// runs backwards, a trailing backslash and more than maxSpecial special
// characters.
func compilePattern(p string) (*pattern, error) {
	switch {
	case p == "":
		return nil, errors.New("empty pattern")
	case len(p) > maxPatternLength:
		return nil, fmt.Errorf("pattern longer than %d bytes", maxPatternLength)
	case strings.HasPrefix(p, "/"):
		return nil, fmt.Errorf(`pattern %s begins with "/": patterns match relative target paths`, quote(p))
	case strings.IndexFunc(p, unicode.IsControl) >= 0:
		return nil, fmt.Errorf("pattern %s contains a control character", quote(p))
	}
	if msg := patternSyntax(p); msg != "" {
		return nil, fmt.Errorf("pattern %s: %s", quote(p), msg)
	}
	if err := compileGlob(p); err != nil {
		return nil, fmt.Errorf("pattern %s does not compile: %w", quote(p), err)
	}
	tree, err := syntax.Parse(p)
	if err != nil {
		return nil, fmt.Errorf("pattern %s does not compile: %w", quote(p), err)
	}
	var b strings.Builder
	b.WriteString(`\A(?s:`)
	if msg := writeRegexp(&b, tree); msg != "" {
		return nil, fmt.Errorf("pattern %s: %s", quote(p), msg)
	}
	b.WriteString(`)\z`)
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("pattern %s does not compile: %w", quote(p), err)
	}
	return &pattern{re: re}, nil
}

// compileGlob checks that gobwas/glob compiles p, turning a panic of the
// library into an error.
func compileGlob(p string) (err error) {
	defer func() {
		if recover() != nil {
			err = errors.New("the glob compiler failed")
		}
	}()
	_, err = glob.Compile(p, '/')
	return err
}

// writeRegexp writes the regular expression matching what the gobwas/glob
// parse tree n matches, and says what is wrong with n, or "".
func writeRegexp(b *strings.Builder, n *ast.Node) string {
	switch n.Kind {
	case ast.KindPattern:
		for _, c := range n.Children {
			if msg := writeRegexp(b, c); msg != "" {
				return msg
			}
		}
	case ast.KindAnyOf:
		if len(n.Children) == 0 {
			return "empty alternative in braces"
		}
		b.WriteString("(?:")
		for i, c := range n.Children {
			if i > 0 {
				b.WriteByte('|')
			}
			if msg := writeRegexp(b, c); msg != "" {
				return msg
			}
		}
		b.WriteByte(')')
	case ast.KindText:
		b.WriteString(regexp.QuoteMeta(n.Value.(ast.Text).Text))
	case ast.KindList:
		l := n.Value.(ast.List)
		if l.Chars == "" {
			return "empty character class"
		}
		b.WriteString(classOpen(l.Not))
		for _, r := range l.Chars {
			fmt.Fprintf(b, `\x{%x}`, r)
		}
		b.WriteByte(']')
	case ast.KindRange:
		r := n.Value.(ast.Range)
		if r.Lo > r.Hi {
			return fmt.Sprintf("character range %c-%c runs backwards", r.Lo, r.Hi)
		}
		fmt.Fprintf(b, `%s\x{%x}-\x{%x}]`, classOpen(r.Not), r.Lo, r.Hi)
	case ast.KindAny:
		b.WriteString(`[^/]*`)
	case ast.KindSuper:
		b.WriteString(`.*`)
	case ast.KindSingle:
		b.WriteString(`[^/]`)
	case ast.KindNothing:
	default:
		return fmt.Sprintf("unsupported glob element %v", n.Kind)
	}
	return ""
}

// classOpen opens a character class, negated when not.
func classOpen(not bool) string {
	if not {
		return "[^"
	}
	return "["
}

// patternSyntax checks that brackets and braces are closed, that character
// classes and alternatives are not empty, that no backslash ends the pattern
// and that it holds at most maxSpecial special characters, and says what is
// wrong, or "".
func patternSyntax(pattern string) string {
	depth, special := 0, 0
	for i := 0; i < len(pattern); i++ {
		switch pattern[i] {
		case '*', '?', '[', '{', ',':
			// gobwas/glob compiles in time quadratic in these, and a
			// regular expression runs in time proportional to them.
			if special++; special > maxSpecial {
				return fmt.Sprintf("more than %d wildcards, brackets, braces and commas", maxSpecial)
			}
		}
		switch pattern[i] {
		case '\\':
			if i++; i == len(pattern) {
				return "ends with a backslash"
			}
		case '[':
			end := classEnd(pattern, i)
			switch {
			case end < 0:
				return `unclosed "["`
			case end == i+1 || end == i+2 && pattern[i+1] == '!':
				return "empty character class"
			}
			i = end
		case '{':
			depth++
			if emptyAlternative(pattern, i) {
				return "empty alternative in braces"
			}
		case ',':
			if depth > 0 && emptyAlternative(pattern, i) {
				return "empty alternative in braces"
			}
		case '}':
			if depth > 0 { // outside braces, "}" is a plain character
				depth--
			}
		}
	}
	if depth > 0 {
		return `unclosed "{"`
	}
	return ""
}

// emptyAlternative reports whether the alternative that begins after the
// "{" or "," at pattern[i] is empty. gobwas/glob reads "{}" as matching
// nothing: empty alternatives are refused rather than given a meaning.
func emptyAlternative(pattern string, i int) bool {
	return i+1 == len(pattern) || pattern[i+1] == ',' || pattern[i+1] == '}'
}

// classEnd returns the index of the "]" closing the character class that
// opens at pattern[open], or -1.
func classEnd(pattern string, open int) int {
	for i := open + 1; i < len(pattern); i++ {
		switch pattern[i] {
		case '\\':
			i++
		case ']':
			return i
		}
	}
	return -1
}
