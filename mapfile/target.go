package mapfile

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxTargetLength is the longest target path accepted, in bytes.
const MaxTargetLength = 4096

// ValidateTarget checks a target path (SPEC section 2): a non-empty relative
// path of at most [MaxTargetLength] bytes of valid UTF-8, "/"-separated, with
// no empty, "." or ".." segment, no backslash, no NUL and no other control
// character, no Unicode format character (category Cf: bidirectional
// controls such as U+202E, zero-width characters, the byte order mark) and
// no line or paragraph separator (U+2028, U+2029): characters that do not
// show, or show as something else, so that the name a user reads and the
// name looked up would differ. The error is a [*TargetError].
func ValidateTarget(path string) error {
	if msg := targetProblem(path); msg != "" {
		return &TargetError{Target: path, Msg: msg}
	}
	return nil
}

// targetProblem says what is wrong with path, or "" when nothing is.
func targetProblem(path string) string {
	switch {
	case path == "":
		return "empty"
	case len(path) > MaxTargetLength:
		return "longer than 4096 bytes"
	case !utf8.ValidString(path):
		return "not valid UTF-8"
	case strings.IndexByte(path, 0) >= 0:
		return "contains NUL"
	case strings.IndexFunc(path, unicode.IsControl) >= 0:
		return "contains a control character"
	case strings.IndexFunc(path, invisible) >= 0:
		return invisibleProblem(path)
	case strings.IndexByte(path, '\\') >= 0:
		return "contains a backslash"
	case path[0] == '/':
		return `begins with "/": a target path is relative`
	}
	for _, seg := range strings.Split(path, "/") {
		switch seg {
		case "":
			return "has an empty segment"
		case ".", "..":
			return "has a " + quote(seg) + " segment"
		}
	}
	return ""
}

// invisible reports whether r is a format character (category Cf) or a
// line or paragraph separator.
func invisible(r rune) bool {
	return unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp)
}

// invisibleProblem names the first invisible character of path, by its
// code point, since it does not show.
func invisibleProblem(path string) string {
	i := strings.IndexFunc(path, invisible)
	r, _ := utf8.DecodeRuneInString(path[i:])
	kind := "a format character"
	switch {
	case unicode.Is(unicode.Zl, r):
		kind = "a line separator"
	case unicode.Is(unicode.Zp, r):
		kind = "a paragraph separator"
	}
	return fmt.Sprintf("contains %s (%U)", kind, r)
}

// ImageTarget returns the target "GUN:TAG" naming a container image's tag, as
// in `accord lookup GUN TAG`. The GUN must be a valid target path without a
// tag of its own (a ":" in its last segment; a registry's port, as in
// localhost:5000/app, is not a tag) and the tag non-empty, without "/" or
// ":"; the result must be a valid target path. The error is a
// [*TargetError].
func ImageTarget(gun, tag string) (string, error) {
	target := gun + ":" + tag
	if msg := targetProblem(gun); msg != "" {
		return "", &TargetError{Target: target, Msg: "image name " + quote(gun) + ": " + msg}
	}
	switch {
	case hasTag(gun):
		return "", &TargetError{Target: target, Msg: "image name " + quote(gun) + " already has a tag: give GUN TAG or GUN:TAG, not both"}
	case tag == "":
		return "", &TargetError{Target: target, Msg: "empty tag"}
	case strings.ContainsAny(tag, "/:"):
		return "", &TargetError{Target: target, Msg: "tag " + quote(tag) + ` contains "/" or ":"`}
	}
	if err := ValidateTarget(target); err != nil {
		return "", err
	}
	return target, nil
}

// hasTag reports whether the image name gun already names a tag: its last
// "/"-separated segment holds a ":".
func hasTag(gun string) bool {
	return strings.Contains(gun[strings.LastIndexByte(gun, '/')+1:], ":")
}
