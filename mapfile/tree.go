package mapfile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// kind is the type of a JSON value.
type kind int

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

// String names the kind as errors print it.
func (k kind) String() string {
	return [...]string{"null", "a boolean", "a number", "a string", "an array", "an object"}[k]
}

// node is one JSON value and where it starts in the file.
type node struct {
	kind kind
	off  int
	b    bool
	str  string  // a string's value, or a number as written
	elem []*node // an array's elements
	mem  []member
}

// member is one key of an object, in file order; duplicates are dropped.
type member struct {
	key string
	off int // offset of the key
	val *node
}

// readTree checks that p.data is one well-formed JSON value of valid UTF-8
// and builds its tree, recording duplicate keys and null values as defects.
// A syntax error is recorded and gives a nil tree.
func (p *parser) readTree() *node {
	if i := invalidUTF8(p.data); i >= 0 {
		p.errAt(i, "", "invalid UTF-8")
		return nil
	}
	if bytes.HasPrefix(p.data, []byte("\ufeff")) {
		p.errAt(0, "", "byte order mark: a map file is plain UTF-8 JSON")
		return nil
	}
	var raw json.RawMessage
	if err := json.Unmarshal(p.data, &raw); err != nil {
		p.syntaxError(err)
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(p.data))
	dec.UseNumber()
	return p.readValue(dec, "")
}

// syntaxError records err, the error of checking p.data, at its place.
func (p *parser) syntaxError(err error) {
	se, ok := err.(*json.SyntaxError)
	if !ok {
		p.errAt(0, "", err.Error())
		return
	}
	msg := se.Error()
	off := int(se.Offset) - 1 // the offending byte
	switch {
	case strings.HasPrefix(msg, "unexpected end"):
		off = int(se.Offset)
		if strings.TrimSpace(string(p.data)) == "" {
			msg = "empty file: a map file is a JSON object"
		} else {
			msg = "unexpected end of input"
		}
	case strings.HasSuffix(msg, "after top-level value"):
		msg = "trailing data after the top-level value"
	}
	p.errAt(max(off, 0), "", msg)
}

// readValue reads the next value of dec, well-formed JSON, at JSON path path.
func (p *parser) readValue(dec *json.Decoder, path string) *node {
	off := p.nextToken(dec)
	tok, err := dec.Token()
	if err != nil {
		// The input was checked well-formed: a failure here is a bug.
		panic(fmt.Sprintf("mapfile: reading checked JSON: %v", err))
	}
	n := &node{off: off}
	switch t := tok.(type) {
	case nil:
		n.kind = kindNull
		p.errAt(off, path, "null is not allowed")
	case bool:
		n.kind, n.b = kindBool, t
	case json.Number:
		n.kind, n.str = kindNumber, string(t)
	case string:
		n.kind, n.str = kindString, t
	case json.Delim:
		if t == '[' {
			n.kind = kindArray
			for i := 0; dec.More(); i++ {
				n.elem = append(n.elem, p.readValue(dec, fmt.Sprintf("%s[%d]", path, i)))
			}
		} else {
			n.kind = kindObject
			p.readMembers(dec, n, path)
		}
		dec.Token() // the closing delimiter
	}
	return n
}

// readMembers reads the members of the object n up to its closing brace.
func (p *parser) readMembers(dec *json.Decoder, n *node, path string) {
	seen := map[string]bool{}
	for dec.More() {
		off := p.nextToken(dec)
		tok, _ := dec.Token()
		key := tok.(string)
		val := p.readValue(dec, memberPath(path, key))
		if seen[key] {
			p.errAt(off, path, "duplicate key "+quote(key))
			continue
		}
		seen[key] = true
		n.mem = append(n.mem, member{key: key, off: off, val: val})
	}
}

// nextToken returns the offset where the next token of dec starts.
func (p *parser) nextToken(dec *json.Decoder) int {
	off := int(dec.InputOffset())
	for off < len(p.data) && strings.IndexByte(" \t\r\n:,", p.data[off]) >= 0 {
		off++
	}
	return off
}

// invalidUTF8 returns the offset of the first byte of data that is not valid
// UTF-8, or -1.
func invalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// plainKey is the form of a key that a JSON path prints without quotes.
var plainKey = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)

// memberPath is the JSON path of member key of the object at path: "a.key",
// or a["key"] when the key is not a plain word.
func memberPath(path, key string) string {
	switch {
	case !plainKey.MatchString(key):
		return path + "[" + quote(key) + "]"
	case path == "":
		return key
	default:
		return path + "." + key
	}
}

// errAt records a defect at byte offset off of the file.
func (p *parser) errAt(off int, path, msg string) {
	p.errs = append(p.errs, &Error{File: p.file, Path: path, Msg: msg, off: off})
}
