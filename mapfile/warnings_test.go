package mapfile

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// mappingsOf returns a map file that declares ci, qa and prod, with the
// given mapping list.
func mappingsOf(mapping string) string {
	return `{"repositories": {"ci": ["https://a.example/ci"], "qa": ["https://a.example/qa"], "prod": ["https://a.example/prod"]},
 "mapping": ` + mapping + `}`
}

func TestWarnings(t *testing.T) {
	for _, tc := range []struct {
		name    string
		mapping string
		want    []string
	}{
		{"clean: the SPEC example", `[
  {"paths": ["library/ubuntu*"], "repositories": ["ci", "qa"], "threshold": 2, "terminating": true},
  {"paths": ["**"], "repositories": ["prod"]}]`, nil},
		{"clean: stricter fallback", `[
  {"paths": ["a/**"], "repositories": ["ci"]},
  {"paths": ["**"], "repositories": ["ci", "qa"]}]`, nil},
		{"clean: disjoint patterns", `[
  {"paths": ["a/**", "x/*.json"], "repositories": ["ci", "qa"]},
  {"paths": ["b/**", "x/*.txt"], "repositories": ["prod"]}]`, nil},
		{"star without slash", `[{"paths": ["*", "library/*", "v?", "*.json", "**", "{a,b}*", "exact", "[ab]"], "repositories": ["ci"]}]`, []string{
			`mapping[0].paths[0]: "*" never matches a path with "/"; use "**" to match across directories`,
			`mapping[0].paths[2]: "v?" never matches a path with "/"; use "**" to match across directories`,
			`mapping[0].paths[3]: "*.json" never matches a path with "/"; use "**" to match across directories`,
			`mapping[0].paths[5]: "{a,b}*" never matches a path with "/"; use "**" to match across directories`,
		}},
		{"escaped star is no wildcard", `[{"paths": ["a\\*b"], "repositories": ["ci"]}]`, nil},
		{"unreachable after terminating **", `[
  {"paths": ["**"], "repositories": ["ci", "qa"], "terminating": true},
  {"paths": ["library/**"], "repositories": ["ci", "qa"]}]`, []string{
			"mapping[1]: unreachable: it is never reached, since earlier terminating mapping[0] matches every target it matches",
		}},
		{"unreachable after identical patterns", `[
  {"paths": ["a/**", "b/*"], "repositories": ["ci", "qa"], "terminating": true},
  {"paths": ["c/**"], "repositories": ["prod"], "terminating": true},
  {"paths": ["b/*", "c/**"], "repositories": ["ci", "qa", "prod"]}]`, []string{
			"mapping[2]: unreachable: it is never reached, since earlier terminating mapping[0] and mapping[1] match every target it matches",
		}},
		{"unreachable by prefix and literal", `[
  {"paths": ["library/**", "tools/*.tar.gz"], "repositories": ["ci", "qa"], "terminating": true},
  {"paths": ["library/ubuntu*", "tools/x.tar.gz"], "repositories": ["ci", "qa"]}]`, []string{
			"mapping[1]: unreachable: it is never reached, since earlier terminating mapping[0] matches every target it matches",
		}},
		{"reachable: earlier mapping not terminating", `[
  {"paths": ["**"], "repositories": ["ci"]},
  {"paths": ["library/**"], "repositories": ["ci", "qa"]}]`, nil},
		{"reachable: one pattern not covered", `[
  {"paths": ["library/**"], "repositories": ["ci", "qa"], "terminating": true},
  {"paths": ["library/x", "tools/**"], "repositories": ["ci", "qa"]}]`, nil},
		{"downgrade by threshold", `[
  {"paths": ["library/ubuntu*"], "repositories": ["ci", "qa"], "threshold": 2},
  {"paths": ["**"], "repositories": ["prod"]}]`, []string{
			"mapping[0]: not terminating, and mapping[1] may match the same targets with fewer required repositories (1 of prod instead of 2 of ci, qa): " +
				"a repository that blocks or withholds a target of mapping[0] downgrades it to mapping[1]; make mapping[0] terminating",
		}},
		{"downgrade by subset", `[
  {"paths": ["a/*"], "repositories": ["ci", "qa", "prod"], "threshold": 1},
  {"paths": ["a/x"], "repositories": ["ci"], "threshold": 1}]`, []string{
			"mapping[0]: not terminating, and mapping[1] may match the same targets with fewer required repositories (1 of ci instead of 1 of ci, qa, prod): " +
				"a repository that blocks or withholds a target of mapping[0] downgrades it to mapping[1]; make mapping[0] terminating",
		}},
		{"no downgrade once terminating", `[
  {"paths": ["a/*"], "repositories": ["ci", "qa"], "terminating": true},
  {"paths": ["a/*", "b/*"], "repositories": ["ci"]}]`, nil},
		{"every kind", `[
  {"paths": ["*"], "repositories": ["ci", "qa"]},
  {"paths": ["**"], "repositories": ["ci"], "terminating": true},
  {"paths": ["x/**"], "repositories": ["prod"]}]`, []string{
			`mapping[0].paths[0]: "*" never matches a path with "/"; use "**" to match across directories`,
			"mapping[0]: not terminating, and mapping[1] may match the same targets with fewer required repositories (1 of ci instead of 2 of ci, qa): " +
				"a repository that blocks or withholds a target of mapping[0] downgrades it to mapping[1]; make mapping[0] terminating",
			"mapping[2]: unreachable: it is never reached, since earlier terminating mapping[1] matches every target it matches",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := mustParse(t, mappingsOf(tc.mapping))
			var got []string
			for _, w := range m.Warnings() {
				got = append(got, w.String())
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("warnings:\n%q\nwant:\n%q", got, tc.want)
			}
		})
	}
}

func TestWarningFields(t *testing.T) {
	m := mustParse(t, singlePattern("*"))
	want := []Warning{{Path: "mapping[0].paths[0]", Msg: `"*" never matches a path with "/"; use "**" to match across directories`}}
	if got := m.Warnings(); !reflect.DeepEqual(got, want) {
		t.Errorf("Warnings() = %+v, want %+v", got, want)
	}
}

func TestWarningsManyPatterns(t *testing.T) {
	var paths []string
	for i := 0; i <= maxPairwise; i++ {
		paths = append(paths, fmt.Sprintf(`"p%d/**"`, i))
	}
	// Shadowed, but past the limit of the pairwise comparison.
	m := mustParse(t, mappingsOf(`[
  {"paths": [`+strings.Join(paths, ", ")+`], "repositories": ["ci"], "terminating": true},
  {"paths": ["p0/**"], "repositories": ["ci"]}]`))
	want := []Warning{{Path: "mapping", Msg: "more than 1000 patterns: unreachable and downgradable mappings were not looked for"}}
	if got := m.Warnings(); !reflect.DeepEqual(got, want) {
		t.Errorf("Warnings() = %+v, want %+v", got, want)
	}
}

func TestPatternShape(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		want    Shape
	}{
		{"library/*", Shape{Prefix: "library/", Suffix: "", Segments: 2}},
		{"library/ubuntu", Shape{Prefix: "library/ubuntu", Suffix: "library/ubuntu", Literal: true, Segments: 2}},
		{"**.tgz", Shape{Prefix: "", Suffix: ".tgz"}},
		{"a/{b,c/d}", Shape{Prefix: "a/", Suffix: ""}},
		{`x\*y/*.z`, Shape{Prefix: "x*y/", Suffix: ".z", Segments: 2}},
	} {
		if got := PatternShape(tc.pattern); got != tc.want {
			t.Errorf("PatternShape(%q) = %+v, want %+v", tc.pattern, got, tc.want)
		}
	}
}
