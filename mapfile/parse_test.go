package mapfile

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// validMaps are map files that parse; they seed FuzzParse too.
var validMaps = map[string]string{
	"spec": `{
  "repositories": {
    "ci":      ["https://tuf.example.com/ci", "file:///srv/mirror/ci"],
    "qa":      ["https://tuf.example.com/qa"],
    "staging": [{"metadata": "https://cdn.example.com/staging/metadata",
                 "targets":  "https://cdn.example.com/staging/targets"}],
    "prod":    ["https://tuf.example.com/prod"]
  },
  "mapping": [
    {"paths": ["library/ubuntu*"], "repositories": ["ci", "qa"], "threshold": 2, "terminating": true},
    {"paths": ["**"], "repositories": ["prod"]}
  ]
}`,
	"defaults": `{"repositories": {"a": ["http://a.example"], "b": ["http://b.example/"]},
 "mapping": [{"paths": ["x/**"], "repositories": ["a", "b"]}]}`,
	"escapes": `{"repositories": {"r.1_x-Y": ["https://h.example:8443/p%20q/"]},
 "mapping": [{"paths": ["a\\*b", "{a,b}/[!x]?/**"], "repositories": ["r.1_x-Y"], "threshold": 1, "terminating": false}]}`,
}

func TestParseValid(t *testing.T) {
	for name, src := range validMaps {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse("map.json", []byte(src)); err != nil {
				t.Fatalf("Parse: %v", err)
			}
		})
	}
}

func TestParseSpecExample(t *testing.T) {
	m := mustParse(t, validMaps["spec"])
	want := []Repository{
		{Name: "ci", Mirrors: []Mirror{
			{Metadata: "https://tuf.example.com/ci", Targets: "https://tuf.example.com/ci/targets"},
			{Metadata: "file:///srv/mirror/ci", Targets: "file:///srv/mirror/ci/targets"},
		}},
		{Name: "qa", Mirrors: []Mirror{{Metadata: "https://tuf.example.com/qa", Targets: "https://tuf.example.com/qa/targets"}}},
		{Name: "staging", Mirrors: []Mirror{{
			Metadata: "https://cdn.example.com/staging/metadata",
			Targets:  "https://cdn.example.com/staging/targets",
			Object:   true,
		}}},
		{Name: "prod", Mirrors: []Mirror{{Metadata: "https://tuf.example.com/prod", Targets: "https://tuf.example.com/prod/targets"}}},
	}
	if !reflect.DeepEqual(m.Repositories, want) {
		t.Errorf("Repositories = %+v\nwant %+v", m.Repositories, want)
	}
	wantMapping := []Mapping{
		{Paths: []string{"library/ubuntu*"}, Repositories: []string{"ci", "qa"}, Threshold: 2, Terminating: true},
		{Paths: []string{"**"}, Repositories: []string{"prod"}, Threshold: 1},
	}
	if !reflect.DeepEqual(m.Mapping, wantMapping) {
		t.Errorf("Mapping = %+v\nwant %+v", m.Mapping, wantMapping)
	}
	if got, want := m.Names(), []string{"ci", "qa", "staging", "prod"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Names() = %q, want %q", got, want)
	}
}

func TestParseDefaults(t *testing.T) {
	m := mustParse(t, validMaps["defaults"])
	mp := m.Mapping[0]
	if mp.Threshold != 2 {
		t.Errorf("default threshold = %d, want 2 (every listed repository)", mp.Threshold)
	}
	if mp.Terminating {
		t.Error("default terminating = true, want false")
	}
	// A trailing slash is trimmed before "/targets" is added.
	if got, want := m.Repositories[1].Mirrors[0], (Mirror{Metadata: "http://b.example", Targets: "http://b.example/targets"}); got != want {
		t.Errorf("string mirror = %+v, want %+v", got, want)
	}
}

func TestParseObjectMirror(t *testing.T) {
	m := mustParse(t, `{"repositories": {"s": [
  {"metadata": "https://cdn.example.com/s/metadata/", "targets": "file:///var/s/targets"},
  "https://tuf.example.com/s"]},
 "mapping": [{"paths": ["**"], "repositories": ["s"]}]}`)
	want := []Mirror{
		{Metadata: "https://cdn.example.com/s/metadata", Targets: "file:///var/s/targets", Object: true},
		{Metadata: "https://tuf.example.com/s", Targets: "https://tuf.example.com/s/targets"},
	}
	if got := m.Repositories[0].Mirrors; !reflect.DeepEqual(got, want) {
		t.Errorf("Mirrors = %+v, want %+v", got, want)
	}
}

// head and tail frame a mapping entry in a map file that declares ci and qa,
// so that the entry is on lines 7 and on.
const (
	head = `{
  "repositories": {
    "ci": ["https://tuf.example.com/ci"],
    "qa": ["https://tuf.example.com/qa"]
  },
  "mapping": [
`
	tail = `
  ]
}`
)

// parseErrorCases are map files that do not parse, with every line of the
// error they give; they seed FuzzParse too.
var parseErrorCases = []struct {
	name string
	src  string
	want []string
}{
	{"threshold zero", head + `    {
      "paths": ["**"],
      "repositories": ["ci", "qa"],
      "threshold": 0
    }` + tail, []string{"map.json:10:20: mapping[0].threshold: must be at least 1, not 0"}},
	{"threshold negative", head + `    {
      "paths": ["**"],
      "repositories": ["ci"],
      "threshold": -1
    }` + tail, []string{"map.json:10:20: mapping[0].threshold: must be at least 1, not -1"}},
	{"threshold above count", head + `    {"paths": ["a/**"], "repositories": ["ci"]},
    {
      "paths": ["**"],
      "repositories": ["ci", "qa"],
      "threshold": 3
    }` + tail, []string{"map.json:11:20: mapping[1].threshold: 3 exceeds the 2 listed repositories"}},
	{"threshold huge", head + `    {"paths": ["**"], "repositories": ["ci"], "threshold": 100000000000000000000}` + tail,
		[]string{"map.json:7:60: mapping[0].threshold: 100000000000000000000 exceeds the 1 listed repository"}},
	{"threshold not integer", head + `    {"paths": ["**"], "repositories": ["ci"], "threshold": 1.5}` + tail,
		[]string{"map.json:7:60: mapping[0].threshold: must be an integer, not 1.5"}},
	{"threshold string", head + `    {"paths": ["**"], "repositories": ["ci"], "threshold": "1"}` + tail,
		[]string{"map.json:7:60: mapping[0].threshold: must be a number, not a string"}},
	{"terminating not boolean", head + `    {"paths": ["**"], "repositories": ["ci"], "terminating": 1}` + tail,
		[]string{"map.json:7:62: mapping[0].terminating: must be a boolean, not a number"}},
	{"undeclared repository", head + `    {"paths": ["**"], "repositories": ["ci", "prod"]}` + tail,
		[]string{`map.json:7:46: mapping[0].repositories[1]: undeclared repository "prod"`}},
	{"undeclared repository in another case", head + `    {"paths": ["**"], "repositories": ["CI"]}` + tail,
		[]string{`map.json:7:40: mapping[0].repositories[0]: undeclared repository "CI"; did you mean "ci"?`}},
	{"repository listed twice", head + `    {"paths": ["**"], "repositories": ["ci", "qa", "ci"]}` + tail,
		[]string{`map.json:7:52: mapping[0].repositories[2]: repository "ci" listed twice`}},
	{"names differing only in case", `{"repositories": {"ci": ["https://a.example"], "CI": ["https://b.example"]},
 "mapping": [{"paths": ["**"], "repositories": ["ci"]}]}`,
		[]string{`map.json:1:48: repositories.CI: name "CI" differs only in case from "ci"`}},
	{"invalid repository name", `{"repositories": {"-ci": ["https://a.example"], "a/b": ["https://b.example"]},
 "mapping": [{"paths": ["**"], "repositories": ["-ci"]}]}`,
		[]string{
			`map.json:1:19: repositories["-ci"]: invalid repository name: must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}`,
			`map.json:1:49: repositories["a/b"]: invalid repository name: must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}`,
		}},
	{"repository name too long", `{"repositories": {"` + strings.Repeat("a", 65) + `": ["https://a.example"]},
 "mapping": [{"paths": ["**"], "repositories": ["ci"]}]}`,
		[]string{
			`map.json:1:19: repositories.` + strings.Repeat("a", 65) + `: invalid repository name: must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}`,
			`map.json:2:49: mapping[0].repositories[0]: undeclared repository "ci"`,
		}},
	{"unknown field at top level", `{"repositories": {"ci": ["https://a.example"]},
 "mapping": [{"paths": ["**"], "repositories": ["ci"]}],
 "treshold": 1}`,
		[]string{`map.json:3:2: unknown field "treshold"`}},
	{"unknown field in a mapping", head + `    {"paths": ["**"], "repositories": ["ci", "qa"], "treshold": 1}` + tail,
		[]string{`map.json:7:53: mapping[0]: unknown field "treshold"`}},
	{"unknown field in an object mirror", `{"repositories": {"ci": [{"metadata": "https://a.example/m", "targets": "https://a.example/t", "treshold": 1}]},
 "mapping": [{"paths": ["**"], "repositories": ["ci"]}]}`,
		[]string{`map.json:1:96: repositories.ci[0]: unknown field "treshold"`}},
	{"object mirror without targets", `{"repositories": {"ci": [{"metadata": "https://a.example/m"}]},
 "mapping": [{"paths": ["**"], "repositories": ["ci"]}]}`,
		[]string{`map.json:1:26: repositories.ci[0].targets: missing: an object mirror names its targets URL`}},
	{"duplicate key at top level", `{"repositories": {"ci": ["https://a.example"]},
 "mapping": [{"paths": ["**"], "repositories": ["ci"]}],
 "mapping": [{"paths": ["**"], "repositories": ["ci"]}]}`,
		[]string{`map.json:3:2: duplicate key "mapping"`}},
	{"duplicate key in repositories", `{"repositories": {
  "ci": ["https://a.example"],
  "ci": ["https://evil.example"]},
 "mapping": [{"paths": ["**"], "repositories": ["ci"]}]}`,
		[]string{`map.json:3:3: repositories: duplicate key "ci"`}},
	{"duplicate key in a mapping", head + `    {"paths": ["**"], "repositories": ["ci", "qa"], "threshold": 2, "threshold": 1}` + tail,
		[]string{`map.json:7:69: mapping[0]: duplicate key "threshold"`}},
	{"duplicate key in an object mirror", `{"repositories": {"ci": [{"metadata": "https://a.example/m", "targets": "https://a.example/t", "targets": "https://b.example/t"}]},
 "mapping": [{"paths": ["**"], "repositories": ["ci"]}]}`,
		[]string{`map.json:1:96: repositories.ci[0]: duplicate key "targets"`}},
	{"escaped duplicate key", `{"repositories": {"ci": ["https://a.example"], "\u0063i": ["https://b.example"]},
 "mapping": [{"paths": ["**"], "repositories": ["ci"]}]}`,
		[]string{`map.json:1:48: repositories: duplicate key "ci"`}},
	{"null top level", `null`, []string{"map.json:1:1: null is not allowed"}},
	{"null repositories", `{"repositories": null, "mapping": [{"paths": ["**"], "repositories": ["ci"]}]}`,
		[]string{
			"map.json:1:18: repositories: null is not allowed",
			`map.json:1:71: mapping[0].repositories[0]: undeclared repository "ci"`,
		}},
	{"null everywhere", `{"repositories": {"ci": null, "qa": [null]},
 "mapping": [null, {"paths": [null], "repositories": ["ci", null], "threshold": null, "terminating": null}]}`,
		[]string{
			"map.json:1:25: repositories.ci: null is not allowed",
			"map.json:1:38: repositories.qa[0]: null is not allowed",
			"map.json:2:14: mapping[0]: null is not allowed",
			"map.json:2:31: mapping[1].paths[0]: null is not allowed",
			"map.json:2:61: mapping[1].repositories[1]: null is not allowed",
			"map.json:2:81: mapping[1].threshold: null is not allowed",
			"map.json:2:102: mapping[1].terminating: null is not allowed",
		}},
	{"pattern beginning with a slash", head + `    {"paths": ["/library/**"], "repositories": ["ci"]}` + tail,
		[]string{`map.json:7:16: mapping[0].paths[0]: pattern "/library/**" begins with "/": patterns match relative target paths`}},
	{"empty pattern", head + `    {"paths": [""], "repositories": ["ci"]}` + tail,
		[]string{`map.json:7:16: mapping[0].paths[0]: empty pattern`}},
	{"pattern that does not compile", head + `    {"paths": ["a/[b", "{a,b", "a\\", "[]", "[!]"], "repositories": ["ci"]}` + tail,
		[]string{
			`map.json:7:16: mapping[0].paths[0]: pattern "a/[b": unclosed "["`,
			`map.json:7:24: mapping[0].paths[1]: pattern "{a,b": unclosed "{"`,
			`map.json:7:32: mapping[0].paths[2]: pattern "a\\": ends with a backslash`,
			`map.json:7:39: mapping[0].paths[3]: pattern "[]": empty character class`,
			`map.json:7:45: mapping[0].paths[4]: pattern "[!]": empty character class`,
		}},
	{"pattern refused for its meaning", head + `    {"paths": ["[z-a]", "{a,}", "x{}", "a\u0000b", "` + strings.Repeat("a", 4097) + `"], "repositories": ["ci"]}` + tail,
		[]string{
			`map.json:7:16: mapping[0].paths[0]: pattern "[z-a]" does not compile: hi character 'a' should be greater than lo 'z'`,
			`map.json:7:25: mapping[0].paths[1]: pattern "{a,}": empty alternative in braces`,
			`map.json:7:33: mapping[0].paths[2]: pattern "x{}": empty alternative in braces`,
			`map.json:7:40: mapping[0].paths[3]: pattern "a\x00b" contains a control character`,
			`map.json:7:52: mapping[0].paths[4]: pattern longer than 4096 bytes`,
		}},
	{"pattern too complex", head + `    {"paths": ["` + strings.Repeat("*?", 33) + `"], "repositories": ["ci"]}` + tail,
		[]string{`map.json:7:16: mapping[0].paths[0]: pattern "` + strings.Repeat("*?", 33) + `": more than 64 wildcards, brackets, braces and commas`}},
	{"pattern gobwas refuses", head + `    {"paths": ["[a-]"], "repositories": ["ci"]}` + tail,
		[]string{`map.json:7:16: mapping[0].paths[0]: pattern "[a-]" does not compile: unexpected end of input`}},
	{"empty mirror list", `{"repositories": {"ci": []}, "mapping": [{"paths": ["**"], "repositories": ["ci"]}]}`,
		[]string{"map.json:1:25: repositories.ci: must list at least one mirror"}},
	{"bad URL scheme", `{"repositories": {"ci": ["ftp://tuf.example.com/ci"]}, "mapping": [{"paths": ["**"], "repositories": ["ci"]}]}`,
		[]string{`map.json:1:26: repositories.ci[0]: URL "ftp://tuf.example.com/ci": scheme "ftp" is not https, http or file`}},
	{"URL without scheme", `{"repositories": {"ci": ["tuf.example.com/ci"]}, "mapping": [{"paths": ["**"], "repositories": ["ci"]}]}`,
		[]string{`map.json:1:26: repositories.ci[0]: URL "tuf.example.com/ci" has no scheme: write https://, http:// or file://`}},
	{"bad URLs", `{"repositories": {"ci": [
  "https://user:pw@a.example/ci",
  "https://a.example/ci?x=1",
  "https://a.example/ci#top",
  "https:///ci",
  "https:a.example/ci",
  "file://host/srv/ci",
  "file:///",
  "",
  "https://a.example/c i"
 ], "qa": [{"metadata": "https://a.example/m", "targets": "gopher://a.example/t"}]},
 "mapping": [{"paths": ["**"], "repositories": ["ci"]}]}`,
		[]string{
			`map.json:2:3: repositories.ci[0]: URL "https://user:pw@a.example/ci" has user information`,
			`map.json:3:3: repositories.ci[1]: URL "https://a.example/ci?x=1" has a query`,
			`map.json:4:3: repositories.ci[2]: URL "https://a.example/ci#top" has a fragment`,
			`map.json:5:3: repositories.ci[3]: URL "https:///ci" has no host`,
			`map.json:6:3: repositories.ci[4]: URL "https:a.example/ci": write https://`,
			`map.json:7:3: repositories.ci[5]: file URL "file://host/srv/ci" names a host: write file:///PATH`,
			`map.json:8:3: repositories.ci[6]: file URL "file:///" has no path`,
			`map.json:9:3: repositories.ci[7]: empty URL`,
			`map.json:10:3: repositories.ci[8]: URL "https://a.example/c i" contains white space`,
			`map.json:11:59: repositories.qa[0].targets: URL "gopher://a.example/t": scheme "gopher" is not https, http or file`,
		}},
	{"mirror of the wrong type", `{"repositories": {"ci": [1]}, "mapping": [{"paths": ["**"], "repositories": ["ci"]}]}`,
		[]string{`map.json:1:26: repositories.ci[0]: must be a URL string or an object {"metadata": URL, "targets": URL}, not a number`}},
	{"syntax error", `{
  "repositories": {
    "ci": ["https://a.example"],
    "qa": ["https://b.example"],}
  },
  "mapping": []
}`, []string{"map.json:4:33: invalid character '}' looking for beginning of object key string"}},
	{"unexpected end", `{"repositories": {`, []string{"map.json:1:19: unexpected end of input"}},
	{"trailing data", `{"repositories": {"ci": ["https://a.example"]}, "mapping": [{"paths": ["**"], "repositories": ["ci"]}]}
{}`, []string{"map.json:2:1: trailing data after the top-level value"}},
	{"empty file", ``, []string{"map.json:1:1: empty file: a map file is a JSON object"}},
	{"blank file", "\n\n", []string{"map.json:3:1: empty file: a map file is a JSON object"}},
	{"invalid UTF-8", "{\"repositories\": {\"c\xffi\": []}}", []string{"map.json:1:21: invalid UTF-8"}},
	{"byte order mark", "\ufeff{}", []string{"map.json:1:1: byte order mark: a map file is plain UTF-8 JSON"}},
	{"not an object", `["ci"]`, []string{"map.json:1:1: must be an object, not an array"}},
	{"empty object", `{}`, []string{
		"map.json:1:1: repositories: missing: a map file declares its repositories",
		"map.json:1:1: mapping: missing: a map file lists its mapping",
	}},
	{"empty repositories and mapping", `{"repositories": {}, "mapping": []}`, []string{
		"map.json:1:18: repositories: must declare at least one repository",
		"map.json:1:33: mapping: must have at least one entry",
	}},
	{"empty mapping entry", `{"repositories": {"ci": ["https://a.example"]}, "mapping": [{}, {"paths": [], "repositories": []}]}`, []string{
		"map.json:1:61: mapping[0].paths: missing: a mapping lists at least one pattern",
		"map.json:1:61: mapping[0].repositories: missing: a mapping lists at least one repository",
		"map.json:1:75: mapping[1].paths: must list at least one pattern",
		"map.json:1:95: mapping[1].repositories: must list at least one repository",
	}},
	{"wrong types", `{"repositories": [], "mapping": {"paths": "**"}}`, []string{
		"map.json:1:18: repositories: must be an object, not an array",
		"map.json:1:33: mapping: must be an array, not an object",
	}},
	{"several errors in file order", `{
  "mapping": [
    {"paths": ["/a"], "repositories": ["ci", "ci"], "threshold": 3},
    {"paths": ["**"], "repositories": ["qa"], "treshold": 1}
  ],
  "repositories": {
    "ci": [],
    "CI": ["ftp://a.example"]
  },
  "extra": null
}`, []string{
		`map.json:3:16: mapping[0].paths[0]: pattern "/a" begins with "/": patterns match relative target paths`,
		`map.json:3:46: mapping[0].repositories[1]: repository "ci" listed twice`,
		"map.json:3:66: mapping[0].threshold: 3 exceeds the 2 listed repositories",
		`map.json:4:40: mapping[1].repositories[0]: undeclared repository "qa"`,
		`map.json:4:47: mapping[1]: unknown field "treshold"`,
		"map.json:7:11: repositories.ci: must list at least one mirror",
		`map.json:8:5: repositories.CI: name "CI" differs only in case from "ci"`,
		`map.json:8:12: repositories.CI[0]: URL "ftp://a.example": scheme "ftp" is not https, http or file`,
		"map.json:10:3: unknown field \"extra\"",
		"map.json:10:12: extra: null is not allowed",
	}},
}

func TestParseErrors(t *testing.T) {
	for _, tc := range parseErrorCases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse("map.json", []byte(tc.src))
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", m)
			}
			if m != nil {
				t.Errorf("Parse returned a map with an error")
			}
			var errs *Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error %T is not an *Errors: %v", err, err)
			}
			got := strings.Split(err.Error(), "\n")
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if len(errs.List) != len(got) {
				t.Errorf("%d errors in List, %d lines printed", len(errs.List), len(got))
			}
		})
	}
}

func TestParseErrorFields(t *testing.T) {
	_, err := Parse("policy/map.json", []byte(parseErrorCases[2].src))
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("errors.As(*Error) failed on %v", err)
	}
	want := &Error{File: "policy/map.json", Line: 11, Col: 20, Path: "mapping[1].threshold", Msg: "3 exceeds the 2 listed repositories", off: e.off}
	if !reflect.DeepEqual(e, want) {
		t.Errorf("error = %+v, want %+v", e, want)
	}
}

func TestParseTooLarge(t *testing.T) {
	// Valid JSON padded with spaces past the limit: the size alone refuses it.
	big := []byte(validMaps["spec"] + strings.Repeat(" ", MaxSize))
	for name, parse := range map[string]func() (*Map, error){
		"Parse":       func() (*Map, error) { return Parse("big.json", big) },
		"ParseReader": func() (*Map, error) { return ParseReader("big.json", strings.NewReader(string(big))) },
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parse()
			var errs *Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error %T is not an *Errors: %v", err, err)
			}
			if want := "big.json: larger than 1048576 bytes"; err.Error() != want {
				t.Errorf("error = %q, want %q", err, want)
			}
		})
	}
	// Exactly MaxSize bytes is accepted.
	exact := validMaps["spec"] + strings.Repeat(" ", MaxSize-len(validMaps["spec"]))
	if _, err := ParseReader("map.json", strings.NewReader(exact)); err != nil {
		t.Errorf("a file of exactly MaxSize bytes: %v", err)
	}
}

func TestParseTooManyErrors(t *testing.T) {
	src := `{"repositories": {"ci": [` + strings.Repeat(`null,`, 200) + `null]}, "mapping": [{"paths": ["**"], "repositories": ["ci"]}]}`
	_, err := Parse("map.json", []byte(src))
	var errs *Errors
	if !errors.As(err, &errs) {
		t.Fatalf("error %T is not an *Errors: %v", err, err)
	}
	if len(errs.List) != maxErrors+1 {
		t.Fatalf("%d errors, want %d and a count", len(errs.List), maxErrors)
	}
	if got, want := errs.List[maxErrors].Error(), "map.json: 101 more errors not shown"; got != want {
		t.Errorf("last error = %q, want %q", got, want)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "map.json")
	if err := os.WriteFile(path, []byte(validMaps["spec"]), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(m.Mapping) != 2 {
		t.Errorf("Load gave %d mappings, want 2", len(m.Mapping))
	}

	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"repositories": {}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load(bad)
	if err == nil || !strings.Contains(err.Error(), bad+":1:18: repositories: must declare at least one repository") {
		t.Errorf("Load(bad) = %v, want an error naming %s:1:18", err, bad)
	}

	_, err = Load(filepath.Join(dir, "missing.json"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want os.ErrNotExist", err)
	}

	// A directory is named once, with what is wrong with it once.
	_, err = Load(dir)
	if want := "read " + dir + ": is a directory"; err == nil || err.Error() != want {
		t.Errorf("Load(dir) = %v, want %q", err, want)
	}
}

func TestErrorFormat(t *testing.T) {
	for _, tc := range []struct {
		err  Error
		want string
	}{
		{Error{File: "m.json", Line: 1, Col: 2, Path: "mapping", Msg: "bad"}, "m.json:1:2: mapping: bad"},
		{Error{File: "m.json", Line: 1, Col: 2, Msg: "bad"}, "m.json:1:2: bad"},
		{Error{File: "m.json", Msg: "bad"}, "m.json: bad"},
		{Error{Line: 3, Col: 4, Path: "p", Msg: "bad"}, "3:4: p: bad"},
		{Error{Msg: "bad"}, "bad"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

// mustParse parses src or fails the test.
func mustParse(t *testing.T, src string) *Map {
	t.Helper()
	m, err := Parse("map.json", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return m
}

func TestParseReaderError(t *testing.T) {
	boom := errors.New("boom")
	_, err := ParseReader("map.json", iotest.ErrReader(boom))
	if !errors.Is(err, boom) || err.Error() != "read map.json: boom" {
		t.Errorf("ParseReader = %v, want %q wrapping the cause", err, "read map.json: boom")
	}
}
