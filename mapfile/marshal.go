package mapfile

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// MarshalJSON encodes the map as a map file, with every threshold and
// terminating flag explicit; [Parse] of the result gives an equal Map.
func (m *Map) MarshalJSON() ([]byte, error) {
	if m == nil {
		return []byte("null"), nil
	}
	var b bytes.Buffer
	b.WriteString(`{"repositories":{`)
	for i, r := range m.Repositories {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(&b, r.Name)
		b.WriteString(":[")
		for j, mir := range r.Mirrors {
			if j > 0 {
				b.WriteByte(',')
			}
			if mir.Object || mir.Targets != mir.Metadata+"/targets" {
				b.WriteString(`{"metadata":`)
				writeString(&b, mir.Metadata)
				b.WriteString(`,"targets":`)
				writeString(&b, mir.Targets)
				b.WriteByte('}')
			} else {
				writeString(&b, mir.Metadata)
			}
		}
		b.WriteByte(']')
	}
	b.WriteString(`},"mapping":[`)
	for i, mp := range m.Mapping {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"paths":`)
		writeStrings(&b, mp.Paths)
		b.WriteString(`,"repositories":`)
		writeStrings(&b, mp.Repositories)
		b.WriteString(`,"threshold":`)
		b.WriteString(strconv.Itoa(mp.Threshold))
		b.WriteString(`,"terminating":`)
		b.WriteString(strconv.FormatBool(mp.Terminating))
		b.WriteByte('}')
	}
	b.WriteString("]}")
	return b.Bytes(), nil
}

// writeString writes s as a JSON string.
func writeString(b *bytes.Buffer, s string) {
	// Marshalling a string cannot fail.
	out, _ := json.Marshal(s)
	b.Write(out)
}

// writeStrings writes ss as a JSON array of strings.
func writeStrings(b *bytes.Buffer, ss []string) {
	b.WriteByte('[')
	for i, s := range ss {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(b, s)
	}
	b.WriteByte(']')
}
