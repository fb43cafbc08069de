// Package termtext makes text that accord did not write itself safe to
// print on a terminal: a target or role name a repository signs, a hash
// algorithm it lists, an error that quotes a server's answer.
//
// Such text could hold a terminal escape (ESC [ 2 J clears the screen), a
// newline followed by a forged line, a bidirectional override (U+202E) or a
// zero-width character that makes one name display as another. [Name] and
// [Line] escape, visibly and in Go's notation (\x1b, \n, \u202e, \xff),
// every rune that Go does not call printable (strconv.IsPrint): control
// characters (C0, DEL, C1), format characters (category Cf: bidirectional
// controls, zero-width characters, the byte order mark), line and paragraph
// separators, spaces other than U+0020, private-use and unassigned code
// points; and every byte that is not valid UTF-8. What they return is valid
// UTF-8 made of printable runes only, so it cannot change the terminal's
// state or start a line, and its width can be measured for alignment.
//
// [JSON] does the same for a JSON document without changing what it
// decodes to.
//
// The functions are pure and safe for concurrent use.
package termtext

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Name returns s escaped for printing as one name. Backslashes are escaped
// too (\\), so the escaping is reversible: two different names never print
// alike, and the result is the inside of Go's strconv.Quote(s) with its
// double quotes unescaped. A name that is printable and has no backslash
// prints as it is.
func Name(s string) string {
	return escape(s, true)
}

// Line returns s escaped for printing as one line of prose, a message that
// may already quote names in Go's notation ("target \"a\\b\""): its
// backslashes are kept as they are, so such quoted names print once
// escaped, not twice. Every newline in s is escaped: s prints as one line.
func Line(s string) string {
	return escape(s, false)
}

// escape returns s with every byte or rune that is not printable escaped,
// and backslashes doubled when backslash is true. It returns s itself when
// nothing needs escaping.
func escape(s string, backslash bool) string {
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if needsEscape(r, size, backslash) {
			break
		}
		i += size
	}
	if i == len(s) {
		return s
	}
	b := make([]byte, 0, len(s)+16)
	b = append(b, s[:i]...)
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case !needsEscape(r, size, backslash):
			b = append(b, s[i:i+size]...)
		case r == utf8.RuneError && size == 1:
			b = appendHex(b, `\x`, rune(s[i]), 2)
		default:
			b = appendRune(b, r)
		}
		i += size
	}
	return string(b)
}

// needsEscape reports whether the rune r, decoded from size bytes, is
// escaped.
func needsEscape(r rune, size int, backslash bool) bool {
	switch {
	case r == utf8.RuneError && size == 1:
		return true // a byte that is not valid UTF-8
	case r == '\\':
		return backslash
	default:
		return !strconv.IsPrint(r)
	}
}

// appendRune appends r in Go's escape notation, as strconv.Quote writes it.
func appendRune(b []byte, r rune) []byte {
	switch r {
	case '\\':
		return append(b, `\\`...)
	case '\a':
		return append(b, `\a`...)
	case '\b':
		return append(b, `\b`...)
	case '\f':
		return append(b, `\f`...)
	case '\n':
		return append(b, `\n`...)
	case '\r':
		return append(b, `\r`...)
	case '\t':
		return append(b, `\t`...)
	case '\v':
		return append(b, `\v`...)
	}
	switch {
	case r < utf8.RuneSelf:
		return appendHex(b, `\x`, r, 2)
	case r <= 0xffff:
		return appendHex(b, `\u`, r, 4)
	default:
		return appendHex(b, `\U`, r, 8)
	}
}

// appendHex appends prefix and then r in exactly digits lowercase
// hexadecimal digits.
func appendHex(b []byte, prefix string, r rune, digits int) []byte {
	const hex = "0123456789abcdef"
	b = append(b, prefix...)
	for shift := 4 * (digits - 1); shift >= 0; shift -= 4 {
		b = append(b, hex[(r>>shift)&0xf])
	}
	return b
}

// JSON rewrites a document encoded by encoding/json so that it, too, holds
// printable runes only: every rune from U+007F up that [Name] would escape
// (DEL, C1 controls, format characters, separators, …) becomes a JSON
// \u escape (a surrogate pair above U+FFFF), and a byte that is not valid
// UTF-8 becomes \ufffd, as encoding/json itself writes it. The document
// decodes to exactly the same values. encoding/json already escapes the
// controls below U+0020 (and U+2028, U+2029) inside strings; outside
// strings its output holds only printable ASCII, spaces and newlines, which
// are left alone. data is not modified; when nothing needs escaping it is
// returned as it is.
func JSON(data []byte) []byte {
	var b []byte
	last := 0
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r < utf8.RuneSelf-1 || (strconv.IsPrint(r) && !(r == utf8.RuneError && size == 1)) {
			i += size
			continue
		}
		if b == nil {
			b = make([]byte, 0, len(data)+16)
		}
		b = append(b, data[last:i]...)
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r > 0xffff:
			hi, lo := utf16.EncodeRune(r)
			b = appendHex(appendHex(b, `\u`, hi, 4), `\u`, lo, 4)
		default:
			b = appendHex(b, `\u`, r, 4)
		}
		i += size
		last = i
	}
	if b == nil {
		return data
	}
	return append(b, data[last:]...)
}
