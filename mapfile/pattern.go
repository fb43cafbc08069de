package mapfile

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gobwas/glob"
)

// compilePattern checks a pattern and compiles it with "/" as the separator.
// Besides what gobwas/glob refuses, it refuses an empty pattern, one that
// begins with "/", and unclosed brackets or braces and a trailing backslash,
// which gobwas/glob would accept and then mismatch.
func compilePattern(pattern string) (g glob.Glob, err error) {
	switch {
	case pattern == "":
		return nil, errors.New("empty pattern")
	case strings.HasPrefix(pattern, "/"):
		return nil, fmt.Errorf(`pattern %s begins with "/": patterns match relative target paths`, quote(pattern))
	}
	if msg := patternSyntax(pattern); msg != "" {
		return nil, fmt.Errorf("pattern %s: %s", quote(pattern), msg)
	}
	defer func() {
		if recover() != nil {
			g, err = nil, fmt.Errorf("pattern %s does not compile", quote(pattern))
		}
	}()
	g, err = glob.Compile(pattern, '/')
	if err != nil {
		return nil, fmt.Errorf("pattern %s does not compile: %w", quote(pattern), err)
	}
	return safeGlob{g}, nil
}

// patternSyntax checks that brackets and braces are closed and that no
// backslash ends the pattern, and says what is wrong, or "".
func patternSyntax(pattern string) string {
	depth := 0
	for i := 0; i < len(pattern); i++ {
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

// safeGlob turns a panic of gobwas/glob's matcher, a bug of that library,
// into a match: a mapping is then asked rather than silently skipped.
type safeGlob struct{ g glob.Glob }

// Match reports whether s matches the pattern.
func (s safeGlob) Match(target string) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = true
		}
	}()
	return s.g.Match(target)
}
