package mapfile

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestMarshalRoundTrip(t *testing.T) {
	for name, src := range validMaps {
		t.Run(name, func(t *testing.T) {
			m := mustParse(t, src)
			checkRoundTrip(t, m)
		})
	}
}

func TestMarshalExplicit(t *testing.T) {
	m := mustParse(t, validMaps["defaults"])
	out, err := m.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	want := `{"repositories":{"a":["http://a.example"],"b":["http://b.example"]},` +
		`"mapping":[{"paths":["x/**"],"repositories":["a","b"],"threshold":2,"terminating":false}]}`
	if string(out) != want {
		t.Errorf("MarshalJSON =\n%s\nwant\n%s", out, want)
	}
	// json.Marshal uses the method and gives the same document.
	viaJSON, err := json.Marshal(m)
	if err != nil || string(viaJSON) != want {
		t.Errorf("json.Marshal = %s, %v", viaJSON, err)
	}
}

func TestMarshalHandBuiltMirror(t *testing.T) {
	// A string-form mirror whose targets are not under its metadata cannot
	// be written as a string: it is written as an object.
	m := &Map{
		Repositories: []Repository{{Name: "ci", Mirrors: []Mirror{{Metadata: "https://a.example/m", Targets: "https://b.example/t"}}}},
		Mapping:      []Mapping{{Paths: []string{"**"}, Repositories: []string{"ci"}, Threshold: 1}},
	}
	out, err := m.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	back := mustParse(t, string(out))
	if got, want := back.Repositories[0].Mirrors[0], (Mirror{Metadata: "https://a.example/m", Targets: "https://b.example/t", Object: true}); got != want {
		t.Errorf("mirror after a round trip = %+v, want %+v", got, want)
	}
}

// checkRoundTrip checks that m re-encodes to a file that parses to an equal
// map.
func checkRoundTrip(t *testing.T, m *Map) {
	t.Helper()
	out, err := m.MarshalJSON()
	if err != nil {
		t.Fatalf("MarshalJSON: %v", err)
	}
	back, err := Parse("marshalled.json", out)
	if err != nil {
		t.Fatalf("Parse(MarshalJSON(m)): %v\n%s", err, out)
	}
	if !reflect.DeepEqual(back.Repositories, m.Repositories) || !reflect.DeepEqual(back.Mapping, m.Mapping) {
		t.Fatalf("round trip changed the map:\n%+v\n%+v\nwant\n%+v\n%+v", back.Repositories, back.Mapping, m.Repositories, m.Mapping)
	}
}
