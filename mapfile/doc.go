// Package mapfile parses and validates accord's map file: the local policy
// that routes target path patterns to TUF repositories with thresholds
// (TAP 4 style multi-repository consensus).
//
// # The map file
//
// A map file is a JSON object with two fields. "repositories" names each
// repository and lists its mirrors in the order they are tried; "mapping" is a
// priority-ordered list of entries, each with "paths" (patterns),
// "repositories" (declared names), an optional "threshold" (an integer from 1
// to the number of listed repositories, by default all of them) and an
// optional "terminating" (default false).
//
// A mirror is a string base URL U, giving metadata at U and targets at
// U/targets, or an object {"metadata": URL, "targets": URL}. Schemes are
// https, http and file; a URL has no user info, query or fragment; an http(s)
// URL has a host; a file URL has a path and no host. Trailing slashes are
// trimmed.
//
// Repository names match [A-Za-z0-9][A-Za-z0-9._-]{0,63}, and two declared
// names may not differ only in case: they are directory names.
//
// # Strictness
//
// [Parse] reads at most [MaxSize] bytes of UTF-8 JSON. It rejects unknown
// fields, duplicate object keys at any depth (encoding/json would keep the
// last of two "ci" entries silently), null values, values of the wrong type,
// a threshold that is not an integer literal, and trailing data. It reports
// every defect of a file at once, in file order, as an [*Errors] holding one
// [*Error] per defect (the first 100, then a count of the rest). Each defect
// names its place: the file, the line and column (1-based, columns counted
// in bytes) and, for an error of meaning, the JSON path of the value, as in
//
//	map.json:4:17: invalid character '}' looking for beginning of value
//	map.json:12:20: mapping[1].threshold: 3 exceeds the 2 listed repositories
//
// A file larger than [MaxSize] is refused whole, naming the file alone.
//
// # Patterns
//
// Patterns are gobwas/glob patterns with "/" as the separator, compiled once
// by [Parse] and matched against the whole target path: "*" is any run of
// characters but "/", "?" one character but "/", "**" any run including "/",
// and "[abc]", "[!abc]", "[a-z]", "{a,b}" as usual; a backslash escapes the
// character after it. A pattern that is empty, begins with "/", is longer
// than 4096 bytes, holds a control character, an empty character class, an
// empty alternative ("{a,}", "{}") or more than 64 of the special characters
// "*?[{,", or that gobwas/glob does not compile, is an error.
//
// gobwas/glob parses and checks each pattern, but its matchers (v0.2.3)
// panic on some patterns and mismatch others, so the match itself is made by
// a regular expression built from gobwas/glob's parse tree: it never panics
// and takes time linear in the target.
//
// [Map.Warnings] points out what is legal but probably not meant: a "*"
// pattern that cannot match a path with "/", a mapping that earlier
// terminating mappings leave unreachable, and a non-terminating mapping that
// a withholding repository can downgrade to a later, weaker one.
//
// # Target names
//
// [ValidateTarget] accepts a relative, "/"-separated path of at most
// [MaxTargetLength] bytes of valid UTF-8 with no empty, "." or ".." segment,
// no backslash, no NUL and no other control character, and none of the
// characters that do not show or show as others: Unicode format characters
// (category Cf, such as U+202E or a zero-width space) and line or paragraph
// separators. [ImageTarget] turns a
// container image name and tag into the target "GUN:TAG".
//
// # Image references
//
// [ImageRef] turns a container image reference, as given to docker pull or
// by containerd, into the target that names it: parsed by
// go-containerregistry's name package, normalised as Docker does ("ubuntu"
// is docker.io/library/ubuntu:latest), held to Docker's grammar, and its
// registry host mapped by [RegistryAliases] (Docker Hub dropped by
// default, so "ubuntu:24.04" is "library/ubuntu:24.04"; other hosts kept).
// Its digest, if any, is returned for the caller to check against the
// consensus; a digest without a tag is refused ([ErrDigestOnly]).
//
// # Concurrency
//
// A [*Map] returned by [Parse], [ParseReader] or [Load] is immutable and safe
// for concurrent use; callers must not modify it. The package does no
// network access of any kind.
package mapfile
