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
// fields, duplicate object keys at any depth, null values, values of the
// wrong type and trailing data. It reports every defect of a file at once, in
// file order, as an [*Errors] holding one [*Error] per defect. Each defect
// names its place: the file, the line and column (1-based, columns counted in
// bytes) and, for an error of meaning, the JSON path of the value, as in
//
//	map.json:4:17: invalid character '}' looking for beginning of value
//	map.json:12:20: mapping[1].threshold: 3 exceeds the 2 listed repositories
//
// # Patterns
//
// Patterns are gobwas/glob patterns with "/" as the separator, compiled once
// by [Parse] and matched against the whole target path: "*" is any run of
// characters but "/", "?" one character but "/", "**" any run including "/",
// and "[abc]", "[!abc]", "[a-z]", "{a,b}" as usual. A pattern that is empty,
// begins with "/", or does not compile is an error. [Map.Warnings] points out
// patterns and mappings that are legal but probably not what was meant.
//
// # Target names
//
// [ValidateTarget] accepts a relative, "/"-separated path of at most
// [MaxTargetLength] bytes of valid UTF-8 with no empty, "." or ".." segment,
// no backslash, no NUL and no other control character. [ImageTarget] turns a
// container image name and tag into the target "GUN:TAG".
//
// # Concurrency
//
// A [*Map] returned by [Parse], [ParseReader] or [Load] is immutable and safe
// for concurrent use; callers must not modify it. The package does no
// network access of any kind.
package mapfile
