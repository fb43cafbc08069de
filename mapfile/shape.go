package mapfile

import "strings"

// Shape is what can be said of the paths a pattern matches without listing
// them, for analyses that compare a pattern with another kind of pattern
// (such as a TUF delegation's paths): every path the pattern matches
// begins with Prefix and ends with Suffix.
type Shape struct {
	// Prefix is the literal text before the first wildcard, unescaped.
	Prefix string
	// Suffix is the literal text after the last wildcard, unescaped.
	Suffix string
	// Literal reports a pattern without wildcards: it matches Prefix alone.
	Literal bool
	// Segments is the number of "/"-separated segments of every path the
	// pattern matches, or 0 when it may vary (the pattern has "**", a
	// character class or an alternative).
	Segments int
}

// PatternShape returns the shape of a pattern that compiles. Character
// classes and alternatives count as wildcards.
func PatternShape(p string) Shape {
	info := analyse(p)
	s := Shape{Prefix: info.prefix, Suffix: info.suffix, Literal: info.literal}
	if !info.super && !strings.ContainsAny(p, "[{") {
		s.Segments = strings.Count(p, "/") + 1
	}
	return s
}
