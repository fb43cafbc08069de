package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/accord-tuf/accord/fixtures"
)

// auditCase is one world of cmdFixtureAudit: the options of each
// repository, what to do to it before it is written, and the map file's
// mappings.
type auditCase struct {
	repos   []string
	options func(name string) fixtures.Options
	prepare func(name string, r *fixtures.Repo) error
	mapping string
}

// twoOfTwo requires both ci and qa for library/*.
const twoOfTwo = `[{"paths": ["library/*"], "repositories": ["ci", "qa"], "threshold": 2, "terminating": true}]`

// sharedRole gives ci and qa one key for role, and nothing else in common.
func sharedRole(role string) func(string) fixtures.Options {
	return func(name string) fixtures.Options {
		return fixtures.Options{Seed: "audit-" + name, RoleSeeds: map[string]string{role: "audit-shared"}}
	}
}

// delegating makes each repository delegate role for paths to keys of
// its own seed (shared through RoleSeeds when the options say so).
func delegating(role string, paths ...string) func(string, *fixtures.Repo) error {
	return func(_ string, r *fixtures.Repo) error {
		return r.Delegate("targets", fixtures.Delegation{Name: role, Paths: paths})
	}
}

func own(name string) fixtures.Options { return fixtures.Options{Seed: "audit-" + name} }

// auditCases are the worlds of cmdFixtureAudit, by name.
var auditCases = map[string]auditCase{
	"clean": {
		repos:   []string{"ci", "qa", "staging", "prod"},
		options: own,
		mapping: `[{"paths": ["library/*"], "repositories": ["ci", "qa"], "threshold": 2, "terminating": true},
    {"paths": ["**"], "repositories": ["staging", "prod"], "threshold": 2}]`,
	},
	"shared-targets-key": {options: sharedRole("targets")},
	"shared-root-key":    {options: sharedRole("root")},
	"same-root": {options: func(string) fixtures.Options {
		return fixtures.Options{Seed: "audit-one"}
	}},
	"same-key-two-ids": {options: func(name string) fixtures.Options {
		o := sharedRole("targets")(name)
		o.AliasKeyIDs = name == "qa"
		return o
	}},
	"delegated-covering":     {options: sharedRole("images"), prepare: delegating("images", "library/*")},
	"delegated-not-covering": {options: sharedRole("charts"), prepare: delegating("charts", "charts/*")},
	"disjoint-hashes": {options: func(name string) fixtures.Options {
		o := own(name)
		o.Hashes = map[string][]string{"ci": {"sha256"}, "qa": {"sha512"}}[name]
		return o
	}},
	"expiring-timestamp": {options: own, prepare: func(name string, r *fixtures.Repo) error {
		if name != "qa" {
			return nil
		}
		return r.SetExpires("timestamp", time.Now().Add(3*24*time.Hour))
	}},
}

// cmdFixtureAudit builds the audit world CASE in DIR and serves it on
// loopback until the script ends: DIR/map.json routes to the server,
// DIR/roots/<name>.root.json holds each repository's root to pin. Unless
// the case says otherwise, the repositories are ci and qa, each signing
// library/app, and the map file requires both for library/*:
//
//	clean                   ci, qa, staging and prod, each with keys of its own
//	shared-targets-key      ci and qa share their targets key
//	shared-root-key         ci and qa share their root key
//	same-root               ci and qa are one repository, one root, two names
//	same-key-two-ids        ci and qa share their targets key, under two key IDs
//	delegated-covering      both delegate library/* to "images", with one key
//	delegated-not-covering  both delegate charts/* to "charts", with one key
//	disjoint-hashes         ci lists sha256, qa sha512
//	expiring-timestamp      qa's timestamp expires in 3 days
//
//	fixture-audit CASE DIR
func cmdFixtureAudit(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: fixture-audit CASE DIR")
	}
	c, ok := auditCases[args[0]]
	if !ok {
		ts.Fatalf("fixture-audit: no case %q", args[0])
	}
	if c.repos == nil {
		c.repos = []string{"ci", "qa"}
	}
	if c.mapping == "" {
		c.mapping = twoOfTwo
	}
	dir := ts.MkAbs(args[1])
	ts.Check(os.MkdirAll(filepath.Join(dir, "roots"), 0o755))
	start := time.Now()
	for _, name := range c.repos {
		opts := c.options(name)
		opts.Now = func() time.Time { return start }
		r, err := fixtures.New(opts)
		ts.Check(err)
		if c.prepare != nil {
			ts.Check(c.prepare(name, r))
		}
		ts.Check(r.AddTarget("library/app", fixtures.DemoImage("library/app", "")))
		root, err := r.Write(filepath.Join(dir, "repos", name))
		ts.Check(err)
		ts.Check(os.WriteFile(filepath.Join(dir, "roots", name+".root.json"), root, 0o644))
	}
	srv, err := fixtures.NewServer(filepath.Join(dir, "repos"))
	ts.Check(err)
	ts.Defer(srv.Close)
	repos := map[string][]string{}
	for _, name := range c.repos {
		repos[name] = []string{srv.URL + "/" + name}
	}
	list, err := json.Marshal(repos)
	ts.Check(err)
	data := fmt.Sprintf("{\n  \"repositories\": %s,\n  \"mapping\": %s\n}\n", list, c.mapping)
	ts.Check(os.WriteFile(filepath.Join(dir, "map.json"), []byte(data), 0o644))
}
