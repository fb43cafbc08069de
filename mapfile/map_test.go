package mapfile

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
)

// singlePattern returns a map file with one mapping of the one pattern.
func singlePattern(pattern string) string {
	return fmt.Sprintf(`{"repositories": {"ci": ["https://a.example"]}, "mapping": [{"paths": [%q], "repositories": ["ci"]}]}`, pattern)
}

func TestPatternSemantics(t *testing.T) {
	for _, tc := range []struct {
		pattern, target string
		match           bool
	}{
		{"*", "a", true},
		{"*", "a/b", false},
		{"**", "a/b", true},
		{"**", "a/b/c.json", true},
		{"a/*", "a/b", true},
		{"a/*", "a/b/c", false},
		{"a/**", "a/b/c", true},
		{"a/**", "b/a/c", false},
		{"library/ubuntu*", "library/ubuntu:latest", true},
		{"library/ubuntu*", "library/ubuntu/x", false},
		{"library/ubuntu*", "xlibrary/ubuntu", false},
		{"library/ubuntu", "library/ubuntu:latest", false}, // the whole path
		{"?", "a", true},
		{"?", "ab", false},
		{"a?c", "a/c", false},
		{"[abc]", "b", true},
		{"[abc]", "d", false},
		{"[!abc]", "d", true},
		{"[!abc]", "a", false},
		{"[a-z]", "q", true},
		{"[a-z]", "Q", false},
		{"{a,b}.json", "a.json", true},
		{"{a,b}.json", "b.json", true},
		{"{a,b}.json", "c.json", false},
		{`a\*b`, "a*b", true},
		// gobwas/glob's own matchers panic on the first and say yes to the
		// next two.
		{"{0*,0}", "0", true},
		{"0**0", "0", false},
		{"*{0**0}", "0", false},
		{"0**0", "0/0", true},
		{"a***b", "a/x/b", true},
		{"{a,b{c,d}}/x", "bd/x", true},
		{"[!/]", "/", false},
		{`a\*b`, "axb", false},
	} {
		t.Run(tc.pattern+" "+tc.target, func(t *testing.T) {
			m := mustParse(t, singlePattern(tc.pattern))
			got := m.Match(tc.target) != nil
			if got != tc.match {
				t.Errorf("pattern %q matches %q = %v, want %v", tc.pattern, tc.target, got, tc.match)
			}
		})
	}
}

func TestMatchOrder(t *testing.T) {
	m := mustParse(t, `{"repositories": {"ci": ["https://a.example"]},
 "mapping": [
  {"paths": ["library/ubuntu*"], "repositories": ["ci"]},
  {"paths": ["other/**"], "repositories": ["ci"]},
  {"paths": ["nope", "library/**"], "repositories": ["ci"]},
  {"paths": ["**"], "repositories": ["ci"]}
 ]}`)
	for _, tc := range []struct {
		target string
		want   []int
	}{
		{"library/ubuntu:latest", []int{0, 2, 3}},
		{"library/debian:12", []int{2, 3}},
		{"other/x/y", []int{1, 3}},
		{"top", []int{3}},
	} {
		if got := m.Match(tc.target); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Match(%q) = %v, want %v", tc.target, got, tc.want)
		}
	}
	m = mustParse(t, singlePattern("a/*"))
	if got := m.Match("b"); got != nil {
		t.Errorf("Match with no matching mapping = %v, want nil", got)
	}
}

func TestMatchHandBuiltMap(t *testing.T) {
	m := &Map{
		Repositories: []Repository{{Name: "ci", Mirrors: []Mirror{{Metadata: "https://a.example", Targets: "https://a.example/targets"}}}},
		Mapping: []Mapping{
			{Paths: []string{"["}, Repositories: []string{"ci"}, Threshold: 1},
			{Paths: []string{"a/**"}, Repositories: []string{"ci"}, Threshold: 1},
		},
	}
	if got, want := m.Match("a/b"), []int{1}; !reflect.DeepEqual(got, want) {
		t.Errorf("Match = %v, want %v", got, want)
	}
}

func TestMatchConcurrent(t *testing.T) {
	m := mustParse(t, validMaps["spec"])
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 100; j++ {
				if got := m.Match("library/ubuntu:latest"); len(got) != 2 {
					t.Errorf("Match = %v, want two mappings", got)
					return
				}
				m.Warnings()
				m.Repository("CI")
			}
		}()
	}
	wg.Wait()
}

func TestRepositoryLookup(t *testing.T) {
	m := mustParse(t, validMaps["spec"])
	for _, tc := range []struct {
		name, want string
	}{
		{"ci", "ci"},
		{"CI", "ci"},
		{"Staging", "staging"},
		{"PROD", "prod"},
		{"dev", ""},
		{"", ""},
	} {
		r, ok := m.Repository(tc.name)
		switch {
		case tc.want == "" && ok:
			t.Errorf("Repository(%q) = %q, want none", tc.name, r.Name)
		case tc.want != "" && !ok:
			t.Errorf("Repository(%q) found none, want %q", tc.name, tc.want)
		case tc.want != "" && r.Name != tc.want:
			t.Errorf("Repository(%q) = %q, want %q", tc.name, r.Name, tc.want)
		}
	}
	if r, _ := m.Repository("staging"); len(r.Mirrors) != 1 || !r.Mirrors[0].Object {
		t.Errorf("Repository(staging) = %+v, want its object mirror", r)
	}
}
