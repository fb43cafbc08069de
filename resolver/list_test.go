package resolver

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/accord-tuf/accord/repo"
)

// listWorld is a release pipeline in which ci signs everything, qa the
// first two images, prod a different build of the second and its own tool,
// staging a tool that no mapping asks it about.
func listWorld(t *testing.T) *world {
	t.Helper()
	ci, qa, staging, prod := repoOf("ci"), repoOf("qa"), repoOf("staging"), repoOf("prod")
	for _, target := range []string{"library/app:1", "library/app:2", "library/db:1"} {
		info := targetInfo(t, target, []byte(target), "sha256")
		ci.sign(info, nil)
		if target != "library/db:1" {
			qa.sign(info, nil)
		}
	}
	prod.sign(targetInfo(t, "library/app:2", []byte("other build"), "sha256"), nil)
	prod.sign(targetInfo(t, "tools/cli", []byte("cli"), "sha256"), nil)
	staging.sign(targetInfo(t, "tools/extra", []byte("extra"), "sha256"), nil)
	return newWorld(ci, qa, staging, prod)
}

// rowString writes a row as "target status ci=signed …".
func rowString(r Row) string {
	s := []string{r.Target}
	if r.Result != nil {
		s = append(s, string(r.Result.Status))
	}
	for _, a := range r.Answers {
		s = append(s, a.Name+"="+string(a.Kind))
	}
	return strings.Join(s, " ")
}

func TestList(t *testing.T) {
	m := mapOf(t, `[{"paths": ["library/*"], "repositories": ["ci", "qa"]}, {"paths": ["**"], "repositories": ["prod"]}]`)
	tests := []struct {
		name    string
		pattern string
		groups  []string
		rows    []string
	}{
		{
			name: "every target, sorted",
			rows: []string{
				"library/app:1 verified ci=signed qa=signed staging=missing prod=missing",
				"library/app:2 verified ci=signed qa=signed staging=missing prod=signed",
				"library/db:1 no_consensus ci=signed qa=missing staging=missing prod=missing",
				"tools/cli verified ci=missing qa=missing staging=missing prod=signed",
				"tools/extra not_found ci=missing qa=missing staging=signed prod=missing",
			},
		},
		{
			name:    "pattern with / as separator",
			pattern: "library/*:1",
			rows: []string{
				"library/app:1 verified ci=signed qa=signed staging=missing prod=missing",
				"library/db:1 no_consensus ci=signed qa=missing staging=missing prod=missing",
			},
		},
		{
			name:    "star does not cross a slash",
			pattern: "*",
		},
		{
			name:    "groups apply to every row",
			pattern: "**",
			groups:  []string{"PROD"},
			rows: []string{
				"library/app:1 no_consensus ci=signed qa=signed staging=missing prod=missing",
				"library/app:2 no_consensus ci=signed qa=signed staging=missing prod=signed",
				"library/db:1 no_consensus ci=signed qa=missing staging=missing prod=missing",
				"tools/cli verified ci=missing qa=missing staging=missing prod=signed",
				"tools/extra not_found ci=missing qa=missing staging=signed prod=missing",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := listWorld(t)
			l, err := New(m, w.open).List(context.Background(), tc.pattern, tc.groups)
			if err != nil {
				t.Fatal(err)
			}
			var rows []string
			for _, r := range l.Rows {
				rows = append(rows, rowString(r))
			}
			if !slices.Equal(rows, tc.rows) {
				t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(rows, "\n"), strings.Join(tc.rows, "\n"))
			}
			if !slices.Equal(l.Repositories, []string{"ci", "qa", "staging", "prod"}) {
				t.Errorf("repositories = %q", l.Repositories)
			}
			for name, r := range w.repos {
				if refreshes, _ := r.counts(); refreshes != 1 {
					t.Errorf("%s refreshed %d times, want once", name, refreshes)
				}
			}
		})
	}
}

func TestListFailures(t *testing.T) {
	m := mapOf(t, `[{"paths": ["**"], "repositories": ["ci", "qa"], "threshold": 1}]`)
	w := listWorld(t)
	w.repos["qa"].refreshErr = errBoom
	w.openErr["staging"] = repo.ErrNotPinned
	l, err := New(m, w.open).List(context.Background(), "library/app:1", nil)
	if !errors.Is(err, repo.ErrNotPinned) || !errors.Is(err, errBoom) {
		t.Errorf("error = %v, want both repositories' causes", err)
	}
	if l == nil || len(l.Rows) != 1 {
		t.Fatalf("listing = %+v, want the row of library/app:1", l)
	}
	if got, want := rowString(l.Rows[0]), "library/app:1 verified ci=signed qa=error staging=error prod=missing"; got != want {
		t.Errorf("row = %q, want %q", got, want)
	}
	var failed []string
	for _, a := range l.Failed {
		failed = append(failed, a.Name)
	}
	if !slices.Equal(failed, []string{"qa", "staging"}) {
		t.Errorf("failed = %q, want qa and staging", failed)
	}
}

func TestListInvalid(t *testing.T) {
	m := mapOf(t, `[{"paths": ["**"], "repositories": ["ci"]}]`)
	w := listWorld(t)
	if _, err := New(m, w.open).List(context.Background(), "library/[", nil); err == nil || !strings.HasPrefix(err.Error(), `pattern "library/[": `) {
		t.Errorf("bad pattern: error %v", err)
	}
	w.repos["ci"].sign(targetInfo(t, "../escape", []byte("x"), "sha256"), nil)
	l, err := New(m, w.open).List(context.Background(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := l.Rows[0]; r.Target != "../escape" || r.Result != nil || r.Err == nil {
		t.Errorf("invalid target name row = %+v, want an error and no result", r)
	}
}

func TestListingJSON(t *testing.T) {
	m := mapOf(t, `[{"paths": ["library/*"], "repositories": ["ci", "qa"]}, {"paths": ["**"], "repositories": ["prod"]}]`)
	w := listWorld(t)
	w.openErr["staging"] = errBoom
	l, _ := New(m, w.open).List(context.Background(), "library/app:*", []string{"qa"})
	data, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, filepath.Join("testdata", "json", "listing.json"), append(data, '\n'))
}
